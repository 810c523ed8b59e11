"""Two kinds of source: an article kept with the data, and a web page cited by its address (whose text is
never stored). Web citations are checked for form offline; their words only online (test_sources_check.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from kztm_timeline.cache import CachedEvents
from kztm_timeline.cli import app
from kztm_timeline.load import load_dataset

from .webdata import RUSSIAN_CITATION, WEB_SOURCES, replaced, seeds_copy, with_web

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def plain(value: Any) -> Any:
    """YAML as the tool reads it: an unquoted ISO date is the text of an EDTF date."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value.isoformat() if isinstance(value, date) else value


def problems(path: Path) -> list[str]:
    code, _, err = run("validate", "--data", str(path), "--no-cache")
    assert code == 1, err
    return [line for line in err.splitlines() if not line.startswith("timeline:")]


def test_a_dataset_citing_web_pages_validates_and_counts_the_quotes_it_could_not_check(tmp_path: Path) -> None:
    code, out, _ = run("validate", "--data", str(with_web(tmp_path)), "--as-of", "2024-01-01")
    assert code == 0
    assert out.endswith(
        "27 events, 14 actors, 7 sources; 34 quotes verified; "
        "2 web quotes not checked without a network ('timeline sources check --online' checks them)\n"
    )


def test_the_count_of_unchecked_web_quotes_is_the_same_when_the_cache_answers(tmp_path: Path) -> None:
    path = str(with_web(tmp_path))
    cold = run("validate", "--data", path, "--as-of", "2024-01-01")
    warm = run("validate", "--data", path, "--as-of", "2024-01-01")
    assert cold == warm
    assert "2 web quotes not checked" in warm[1]


def test_the_parse_cache_answers_for_a_dataset_citing_web_pages(tmp_path: Path, private_cache: Path) -> None:
    path = str(with_web(tmp_path))
    load_dataset(path, cache=str(private_cache))  # writes the cache
    assert isinstance(load_dataset(path, cache=str(private_cache)).events, CachedEvents)


def test_a_dataset_without_web_pages_says_nothing_of_them(tmp_path: Path) -> None:
    code, out, _ = run("validate", "--data", str(seeds_copy(tmp_path)), "--as-of", "2024-01-01")
    assert code == 0
    assert out.endswith("26 events, 14 actors, 5 sources; 34 quotes verified\n")


def test_a_web_quote_is_not_looked_for_offline(tmp_path: Path) -> None:
    path = replaced(with_web(tmp_path), "Diplomatic relations were established on", "Relations were agreed upon on")
    code, _, err = run("validate", "--data", str(path), "--no-cache")
    assert code == 0, err


def test_a_source_with_both_a_file_and_a_url_is_refused(tmp_path: Path) -> None:
    path = replaced(with_web(tmp_path), "  - id: akorda-2024-08-05-call\n", "  - id: akorda-2024-08-05-call\n    file: x.txt\n")
    assert any("a source is an article kept with the data or a web page, not both" in line for line in problems(path))


def test_a_source_with_neither_a_file_nor_a_url_is_refused(tmp_path: Path) -> None:
    path = replaced(with_web(tmp_path), "    url: https://www.akorda.kz/ru/telefonnyy-razgovor-2024-08-05\n", "")
    assert any("source has neither file nor url" in line for line in problems(path))


@pytest.mark.parametrize("key", ["language", "retrieved", "corpus"])
def test_a_web_page_must_say_its_language_the_day_it_was_read_and_its_corpus(tmp_path: Path, key: str) -> None:
    block = WEB_SOURCES.split("\n\n")[1]
    line = next(line for line in block.splitlines() if line.startswith(f"    {key}:"))
    path = replaced(with_web(tmp_path), block, block.replace("\n" + line, ""))
    assert any(f"source (a web page) is missing the required key '{key}'" in found for found in problems(path))


def test_an_article_kept_with_the_data_may_not_name_a_day_it_was_read(tmp_path: Path) -> None:
    published = '    published: "2023-10-31"\n'
    path = replaced(seeds_copy(tmp_path), published, published + '    retrieved: "2025-11-30"\n')
    assert any("'retrieved' does not belong to an article kept with the data" in line for line in problems(path))


def test_a_web_address_must_be_http_or_https_with_a_host(tmp_path: Path) -> None:
    path = replaced(with_web(tmp_path), "url: https://www.akorda.kz/ru/", "url: ftp://www.akorda.kz/ru/")
    assert any("url 'ftp://www.akorda.kz/ru/telefonnyy-razgovor-2024-08-05' is not a web address" in x for x in problems(path))


def test_a_language_must_be_a_bcp47_tag(tmp_path: Path) -> None:
    path = replaced(with_web(tmp_path), "    language: ru\n", "    language: Russian\n")
    assert any("language 'Russian' is not a BCP 47 language tag" in line for line in problems(path))


def test_the_day_a_page_was_read_is_a_day(tmp_path: Path) -> None:
    path = replaced(with_web(tmp_path), 'ru\n    retrieved: "2025-11-30"', 'ru\n    retrieved: "2025-11"')
    assert any("retrieved '2025-11' is not a day" in line for line in problems(path))


def test_a_page_cannot_be_read_before_it_was_published(tmp_path: Path) -> None:
    path = replaced(with_web(tmp_path), 'ru\n    retrieved: "2025-11-30"', 'ru\n    retrieved: "2024-08-04"')
    assert any("retrieved on 2024-08-04, before the page was published (2024-08-05)" in line for line in problems(path))


def test_one_page_is_registered_once(tmp_path: Path) -> None:
    path = replaced(
        with_web(tmp_path),
        "    url: https://www.akorda.kz/ru/telefonnyy-razgovor-2024-08-05\n",
        "    url: https://www.gov.kz/memleket/entities/mfa/press/article/details/1992\n",
    )
    assert any("is registered twice (first as source #6)" in line for line in problems(path))


def test_a_quote_not_in_english_needs_a_translation(tmp_path: Path) -> None:
    translation = RUSSIAN_CITATION.splitlines()[2] + "\n"
    path = replaced(with_web(tmp_path), translation, "")
    found = problems(path)
    assert any(
        "the quote is in ru (the language of 'akorda-2024-08-05-call') and has no translation; "
        "add translation: the quote in English, in our own words" in line
        for line in found
    )


def test_a_quote_in_english_carries_no_translation(tmp_path: Path) -> None:
    path = replaced(
        with_web(tmp_path),
        "        quote: Diplomatic relations were established on October 5, 1992.\n",
        "        quote: Diplomatic relations were established on October 5, 1992.\n        translation: Relations began.\n",
    )
    assert any("'kz-mfa-relations-1992' is in English: its quote needs no translation" in line for line in problems(path))


def test_a_web_quote_holds_at_most_forty_words(tmp_path: Path) -> None:
    long_quote = "Diplomatic relations were established on October 5, 1992, " + "and so on " * 12 + "until today."
    path = replaced(with_web(tmp_path), "Diplomatic relations were established on October 5, 1992.", long_quote)
    assert any("a quote of a web page holds at most 40 words; this one has 46" in line for line in problems(path))


def test_a_web_quote_is_at_most_one_sentence(tmp_path: Path) -> None:
    two = "Diplomatic relations were established on October 5, 1992. The embassies opened later."
    path = replaced(with_web(tmp_path), "Diplomatic relations were established on October 5, 1992.", two)
    assert any("a quote of a web page is at most one sentence; this one spans 2" in line for line in problems(path))


def test_each_problem_of_a_web_source_names_its_line(tmp_path: Path) -> None:
    path = replaced(with_web(tmp_path), "    language: ru\n", "    language: Russian\n")
    line = next(number for number, text in enumerate(path.read_text().splitlines(), 1) if text == "    language: Russian")
    assert problems(path)[0].startswith(f"{path}:{line}:15: language 'Russian'")


def test_an_article_kept_with_the_data_belongs_to_the_corpus_seeds_unless_it_names_another(tmp_path: Path) -> None:
    code, out, _ = run("sources", "--data", str(with_web(tmp_path)), "--json", "--fields", "id,corpus")
    assert code == 0
    assert [(item["id"], item["corpus"]) for item in json.loads(out)] == [
        ("trend-2023-10-31", "seeds"),
        ("kz-mfa-nurtleu-visit", "seeds"),
        ("golden-age-mamin-commission", "seeds"),
        ("tm-2023-05-16-prospects", "seeds"),
        ("tm-2024-08-06-phone-call", "seeds"),
        ("kz-mfa-relations-1992", "public-record"),
        ("akorda-2024-08-05-call", "public-record"),
    ]


def test_sources_json_gives_a_web_page_its_address_language_and_reading_day_and_no_path(tmp_path: Path) -> None:
    code, out, _ = run("sources", "--data", str(with_web(tmp_path)), "--json")
    assert code == 0
    page = json.loads(out)[-1]
    assert {key: page[key] for key in ("file", "url", "language", "retrieved", "archive_url", "path")} == {
        "file": None,
        "url": "https://www.akorda.kz/ru/telefonnyy-razgovor-2024-08-05",
        "language": "ru",
        "retrieved": "2025-11-30",
        "archive_url": None,
        "path": None,
    }


def test_a_web_citation_in_the_json_contract_adds_the_address_and_for_other_languages_the_translation(tmp_path: Path) -> None:
    code, out, _ = run("show", "2024-08-05-presidents-telephone-call", "--data", str(with_web(tmp_path)), "--json")
    assert code == 0
    assert json.loads(out)["sources"][1] == {
        "source": "akorda-2024-08-05-call",
        "title": "Телефонный разговор с Президентом Туркменистана",
        "publisher": "Akorda, the President of Kazakhstan's office",
        "quote": "Состоялся телефонный разговор Касым-Жомарта Токаева с Сердаром Бердымухамедовым.",
        "url": "https://www.akorda.kz/ru/telefonnyy-razgovor-2024-08-05",
        "language": "ru",
        "translation": "Kassym-Jomart Tokayev and Serdar Berdimuhamedov spoke by telephone.",
    }


def test_the_json_contract_with_web_citations_meets_its_published_schema(tmp_path: Path) -> None:
    code, out, _ = run("list", "--data", str(with_web(tmp_path)), "--json")
    assert code == 0
    schema = json.loads((Path(__file__).parent.parent / "schema" / "event-list.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(out), schema)


def test_show_names_the_page_and_the_day_it_was_read_and_gives_the_translation(tmp_path: Path) -> None:
    code, out, _ = run("show", "2024-08-05-presidents-telephone-call", "--data", str(with_web(tmp_path)))
    assert code == 0
    flat = " ".join(out.split())
    assert "source akorda-2024-08-05-call, page https://www.akorda.kz/ru/telefonnyy-razgovor-2024-08-05, read 2025-11-30" in flat
    assert "(ru) in English: Kassym-Jomart Tokayev and Serdar Berdimuhamedov spoke by telephone." in flat


def test_the_data_schema_accepts_a_web_source_and_refuses_one_with_a_file_too(tmp_path: Path) -> None:
    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    data = plain(yaml.safe_load(with_web(tmp_path).read_text(encoding="utf-8")))
    jsonschema.validate(data, schema)
    data["sources"][-1]["file"] = "x.txt"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_the_text_of_a_web_page_cannot_be_shown_or_extracted_offline(tmp_path: Path) -> None:
    path = str(with_web(tmp_path))
    for command in (["sources", "show", "akorda-2024-08-05-call"], ["extract", "akorda-2024-08-05-call"]):
        code, out, err = run(*command, "--data", path)
        assert (code, out) == (1, ""), command
        assert "akorda-2024-08-05-call is a web page (https://www.akorda.kz/ru/telefonnyy-razgovor-2024-08-05)" in err


def test_coverage_measures_the_articles_kept_with_the_data_only(tmp_path: Path) -> None:
    code, out, _ = run("coverage", "--data", str(with_web(tmp_path)), "--json", "--fields", "source")
    assert code == 0
    assert [item["source"] for item in json.loads(out)] == [
        "trend-2023-10-31",
        "kz-mfa-nurtleu-visit",
        "golden-age-mamin-commission",
        "tm-2023-05-16-prospects",
        "tm-2024-08-06-phone-call",
    ]


# ---------------------------------------------------------------- sources add --url


def test_sources_add_url_registers_a_web_page_and_stores_no_text(tmp_path: Path) -> None:
    path = seeds_copy(tmp_path)
    before = sorted(p.name for p in (tmp_path / "seeds").iterdir())
    code, _, err = run(
        "sources", "add", "--url", "https://www.akorda.kz/en/call", "--title", "Telephone call", "--publisher", "Akorda",
        "--published", "2024-08-05", "--language", "en", "--retrieved", "2025-11-30", "--corpus", "public-record",
        "--data", str(path),
    )  # fmt: skip
    assert code == 0, err
    assert err == f"added source 2024-08-05-telephone-call (a web page; its text is not stored) to {path}\n"
    assert sorted(p.name for p in (tmp_path / "seeds").iterdir()) == before
    record = plain(yaml.safe_load(path.read_text(encoding="utf-8")))["sources"][-1]
    assert record == {
        "id": "2024-08-05-telephone-call",
        "url": "https://www.akorda.kz/en/call",
        "title": "Telephone call",
        "publisher": "Akorda",
        "published": "2024-08-05",
        "language": "en",
        "retrieved": "2025-11-30",
        "corpus": "public-record",
    }


def test_sources_add_url_reads_the_page_today_unless_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764633600")  # 2025-12-02
    path = seeds_copy(tmp_path)
    code, out, _ = run(
        "sources", "add", "--url", "https://www.akorda.kz/en/call", "--title", "Call", "--publisher", "Akorda",
        "--language", "en", "--corpus", "public-record", "--data", str(path), "--dry-run",
    )  # fmt: skip
    assert code == 0
    assert "    retrieved: 2025-12-02\n" in out


def test_sources_add_takes_a_path_or_a_url_not_both(tmp_path: Path) -> None:
    path = seeds_copy(tmp_path)
    article = tmp_path / "a.txt"
    article.write_text("Text.\n", encoding="utf-8")
    code, _, err = run(
        "sources", "add", str(article), "--url", "https://x.example/a", "--title", "t", "--publisher", "p", "--data", str(path)
    )
    assert code == 2
    assert "give the article's PATH or a page's --url (one of them)" in err


def test_sources_add_url_without_its_language_and_corpus_names_them(tmp_path: Path) -> None:
    path = str(seeds_copy(tmp_path))
    code, _, err = run("sources", "add", "--url", "https://x.example/a", "--title", "t", "--publisher", "p", "--data", path)
    assert code == 2
    assert "missing --language, --corpus" in err


def test_sources_add_refuses_a_page_already_registered(tmp_path: Path) -> None:
    code, _, err = run(
        "sources", "add", "--url", "https://www.akorda.kz/ru/telefonnyy-razgovor-2024-08-05", "--title", "t", "--publisher", "p",
        "--language", "ru", "--corpus", "public-record", "--data", str(with_web(tmp_path)),
    )  # fmt: skip
    assert code == 1
    assert "is already registered as source 'akorda-2024-08-05-call'" in err


def test_sources_add_url_names_a_malformed_value_by_its_option(tmp_path: Path) -> None:
    code, _, err = run(
        "sources", "add", "--url", "https://x.example/a", "--title", "t", "--publisher", "p",
        "--language", "Russian", "--corpus", "public-record", "--data", str(seeds_copy(tmp_path)),
    )  # fmt: skip
    assert code == 1
    assert "the new source (--language): language 'Russian' is not a BCP 47 language tag" in err


def test_a_plover_record_cites_a_web_page_by_its_address_and_its_language_by_the_iso_639_1_code(tmp_path: Path) -> None:
    path = replaced(with_web(tmp_path), "    language: en\n", "    language: en-GB\n")
    code, out, _ = run("list", "--corpus", "public-record", "--data", str(path), "-f", "plover")
    assert code == 0
    record = json.loads(out.splitlines()[0])
    assert record["id"] == "1992-10-05-diplomatic-relations"
    cited = record["cite_info"]
    assert (cited["url"], cited["language"]) == ("https://www.gov.kz/memleket/entities/mfa/press/article/details/1992", "en")


def test_a_plover_record_citing_sources_in_two_languages_names_none(tmp_path: Path) -> None:
    code, out, _ = run("list", "--search", "telephone", "--data", str(with_web(tmp_path)), "-f", "plover")
    assert code == 0
    cited = json.loads(out.splitlines()[0])["cite_info"]
    assert cited["citation"] == "tm-2024-08-06-phone-call; akorda-2024-08-05-call"
    assert (cited["url"], "language" in cited) == ("https://www.akorda.kz/ru/telefonnyy-razgovor-2024-08-05", False)
