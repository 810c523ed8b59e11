"""Names across scripts and eras: --actor, --search and --place match Cyrillic and Latin spellings, old and new
place names, and vowel variants of one name, from a fresh parse and from the cache alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.text import fold, name_key, name_words, same_name

from .webdata import seeds_copy, with_web

runner = CliRunner()


def ids(*args: str) -> list[str]:
    result = runner.invoke(app, [*args, "--json", "--fields", "id"])
    assert result.exit_code == 0, result.stderr
    return [item["id"] for item in json.loads(result.stdout)]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(seeds_copy(tmp_path_factory.mktemp("seeds")))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(with_web(tmp_path_factory.mktemp("mixed")))


# ---------------------------------------------------------------- the rules, word by word


@pytest.mark.parametrize(
    ("spellings", "word"),
    [
        (["Токаев", "Tokayev", "Toqaev", "Tokaev", "Тоқаев"], "tokaev"),
        (["Бердымухамедов", "Berdimuhamedov", "Berdimuhamedow", "Berdymukhammedov"], "berdimuhamedov"),
        (["Нур-Султан", "Nur-Sultan"], "nur sultan"),
        (["Ашхабад", "Ashkhabad"], "ashabad"),
    ],
)
def test_cyrillic_and_latin_spellings_fold_to_one_form(spellings: list[str], word: str) -> None:
    assert {" ".join(name_words(spelling)) for spelling in spellings} == {word}


def test_vowel_and_guttural_variants_of_a_name_share_a_loose_key() -> None:
    assert {name_key(name_words(name)[0]) for name in ("Magtumguly", "Magtymguly", "Makhtumkuli", "Махтумкули")} == {"mktmkl"}


def test_short_words_never_match_by_their_loose_key() -> None:
    assert name_key("mamin") == "mn"
    assert not same_name("mamin", "mumin")


def test_folding_text_with_only_ascii_letters_leaves_the_letters_as_they_are() -> None:
    assert fold("Kazakh–Turkmen “talks”") == "kazakh–turkmen “talks”"


@given(st.text(max_size=40))
def test_folding_gives_ascii_letters_for_any_text(text: str) -> None:
    assert all(char.isascii() for char in fold(text) if char.isalpha())


_SCRIPTS = st.text(st.sampled_from("aZ 1.–“ÉéüňýşžçğıİßŉǅﬁТоқаевЁёҢңҒғÜçé\u0301\u0308\u0327\u20dd\u05b0ΣςΩ日本"), max_size=40)


@given(st.one_of(st.text(max_size=40), _SCRIPTS))
def test_folding_is_nfkd_without_marks_casefolded_with_other_letters_in_latin(text: str) -> None:
    """The rule ``fold`` implements, written plainly, a character at a time (``fold`` keeps tables and skips work)."""
    import re
    import unicodedata

    from anyascii import anyascii

    unmarked = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)).casefold()
    other_letter = re.compile(r"[^\W\d_\x00-\x7f]")
    spelled = "".join(
        re.sub(r"[^a-z0-9]", "", anyascii(char).casefold()) if other_letter.match(char) else char for char in unmarked
    )
    assert fold(text) == spelled


# ---------------------------------------------------------------- the filters


def test_search_in_cyrillic_finds_the_latin_name(seeds: str) -> None:
    assert ids("list", "--search", "Токаев", "--data", seeds) == ids("list", "--search", "Tokayev", "--data", seeds)
    assert ids("list", "--search", "Токаев", "--data", seeds) != []


def test_actor_in_cyrillic_or_another_romanization_finds_the_actor(seeds: str) -> None:
    expected = ids("list", "--actor", "tokayev", "--data", seeds)
    assert expected != []
    for spelling in ("Токаев", "Toqaev", "Тоқаев"):
        assert ids("list", "--actor", spelling, "--data", seeds) == expected, spelling


def test_actor_berdimuhamedov_in_cyrillic_finds_both_berdimuhamedovs(seeds: str) -> None:
    assert ids("list", "--actor", "Бердымухамедов", "--data", seeds) == ids("list", "--actor", "Berdimuhamedov", "--data", seeds)


@pytest.mark.parametrize("spelling", ["Magtumguly", "Makhtumkuli", "Махтумкули"])
def test_search_for_a_vowel_variant_finds_what_the_usual_spelling_finds(seeds: str, spelling: str) -> None:
    expected = ids("list", "--search", "Magtymguly", "--data", seeds)
    assert len(expected) == 4
    assert ids("list", "--search", spelling, "--data", seeds) == expected


def test_actor_makhtumkuli_is_magtymguly(seeds: str) -> None:
    assert ids("list", "--actor", "Makhtumkuli", "--data", seeds) == ids("list", "--actor", "magtymguly", "--data", seeds)


@pytest.mark.parametrize("old", ["Nur-Sultan", "Akmola", "Tselinograd", "Нур-Султан"])
def test_place_by_an_old_name_finds_the_place_of_today(seeds: str, old: str) -> None:
    expected = ids("list", "--place", "Astana", "--data", seeds)
    assert expected != []
    assert ids("list", "--place", old, "--data", seeds) == expected


@pytest.mark.parametrize("spelling", ["Ashgabad", "Ashkhabad", "Aşgabat", "Ашхабад"])
def test_place_by_another_spelling_finds_ashgabat(seeds: str, spelling: str) -> None:
    expected = ids("list", "--place", "Ashgabat", "--data", seeds)
    assert len(expected) == 5
    assert ids("list", "--place", spelling, "--data", seeds) == expected


def test_place_of_today_finds_an_event_recorded_under_the_old_name(mixed: str) -> None:
    assert "1992-10-05-diplomatic-relations" in ids("list", "--place", "Astana", "--data", mixed)


def test_search_reads_the_place(seeds: str) -> None:
    assert ids("list", "--search", "Ashgabat", "--data", seeds) == ids("list", "--place", "Ashgabat", "--data", seeds)


def test_search_by_an_old_place_name_finds_the_place_of_today(seeds: str) -> None:
    assert ids("list", "--search", "Nur-Sultan", "--data", seeds) == ids("list", "--search", "Astana", "--data", seeds)


@pytest.mark.parametrize(
    "args",
    [
        ["--search", "Токаев"],
        ["--search", "Makhtumkuli"],
        ["--search", "Nur-Sultan"],
        ["--place", "Ashkhabad"],
        ["--place", "Nur-Sultan"],
        ["--actor", "Бердымухамедов"],
        ["--search", "Состоялся разговор"],
    ],
)
def test_the_cache_answers_as_a_fresh_parse_does(mixed: str, args: list[str]) -> None:
    first = ids("list", *args, "--data", mixed)
    cached = ids("list", *args, "--data", mixed)
    plain = ids("list", *args, "--data", mixed, "--no-cache")
    assert first == cached == plain


def _imports_anyascii(*args: str) -> bool:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kztm_timeline", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ},
    )
    assert result.returncode == 0, result.stderr
    return any(line.rsplit("|", 1)[-1].strip() == "anyascii" for line in result.stderr.splitlines())


def test_the_transliteration_library_is_imported_only_for_text_outside_ascii(seeds: str) -> None:
    assert not _imports_anyascii("list", "--search", "Tokayev", "--data", seeds, "--no-cache")
    assert _imports_anyascii("list", "--search", "Токаев", "--data", seeds, "--no-cache")


def _fold_as_specified(text: str) -> str:
    """The folding rule, written the plain way: NFKD, combining marks dropped, casefolded, every letter still
    outside ASCII transliterated by anyascii (its Latin letters and digits kept, casefolded)."""
    import re
    import unicodedata

    from anyascii import anyascii

    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return re.sub(
        r"[^\W\d_\x00-\x7f]", lambda match: re.sub(r"[^a-z0-9]", "", anyascii(match.group()).casefold()), folded
    )


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_folding_is_the_specified_rule_for_any_text(text: str) -> None:
    assert fold(text) == _fold_as_specified(text)


def test_folding_a_kazakh_name_with_a_combining_accent_gives_plain_latin() -> None:
    assert fold("Тоқаев Ашгабáт Türkmenistan") == "toqaev ashgabat turkmenistan"
