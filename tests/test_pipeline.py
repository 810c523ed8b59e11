"""One pipeline for reading a data file: streamed into the cache or read whole, the same reader and the same
checker find the same problems at the same places."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kztm_timeline import load
from kztm_timeline.errors import DataError
from kztm_timeline.load import load_dataset

from .conftest import DATA, ROOT
from .test_bad_inputs import CASES, SMALL_TEXT
from .webdata import with_web

HERE = Path(__file__).resolve().parent


def _edits_in_the_suite() -> list[tuple[str, str]]:
    """Every ``edited(old, new)`` of the test modules (each makes a bad or unusual copy of the shipped data)."""
    found: dict[tuple[str, str], None] = {}
    for module in sorted(HERE.glob("test_*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "edited":
                texts = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
                if len(texts) == 2 == len(node.args):
                    found[(texts[0], texts[1])] = None
    return list(found)


EDITS = _edits_in_the_suite()


def whole(path: Path) -> list[str] | None:
    try:
        load_dataset(str(path))
    except DataError as error:
        return [str(problem) for problem in error.problems]
    return None


def streamed(path: Path, folder: Path) -> list[str] | str | None:
    try:
        load._stream_into_cache(str(path), str(folder), None, None)
    except DataError as error:
        return [str(problem) for problem in error.problems]
    except load.NotStreamable as unusual:
        return f"read whole: {unusual}"
    return None


def data_copy(tmp_path: Path, text: bytes, *, shipped: bool) -> Path:
    if shipped:
        shutil.copytree(ROOT / "data", tmp_path / "data", dirs_exist_ok=True)
        path = tmp_path / "data" / "events.yaml"
    else:
        shutil.copy(HERE / "fixtures" / "small" / "article.txt", tmp_path / "article.txt")
        path = tmp_path / "events.yaml"
    path.write_bytes(text)
    return path


def test_the_suite_has_bad_edits_of_the_shipped_data_to_run() -> None:
    assert len(EDITS) >= 25


@pytest.mark.parametrize("name", list(CASES))
def test_each_bad_input_has_the_same_problems_streamed_and_read_whole(tmp_path: Path, name: str) -> None:
    path = data_copy(tmp_path, CASES[name][0], shipped=False)
    expected = whole(path)
    assert expected is not None
    assert streamed(path, tmp_path / "cache") == expected


@pytest.mark.parametrize(("old", "new"), EDITS)
def test_each_edit_of_the_suite_has_the_same_problems_streamed_and_read_whole(tmp_path: Path, old: str, new: str) -> None:
    text = DATA.read_text(encoding="utf-8")
    path = data_copy(tmp_path, text.replace(old, new).encode(), shipped=True)
    expected = whole(path)
    found = streamed(path, tmp_path / "cache")
    if expected is None:
        assert found is None
    else:
        assert found == expected


OLD_ID = "2023-10-31-foreign-ministers-talks"
RENAMED = (f"  - id: {OLD_ID}\n", f"  - id: 2023-10-foreign-ministers-talks\n    aliases: [{OLD_ID}]\n")
ALIASES = f"    aliases: [{OLD_ID}]\n"
AGREEMENT = "2017-04-strategic-partnership-agreement"
AKORDA = "    url: https://www.akorda.kz/ru/telefonnyy-razgovor-2024-08-05\n"
READ = '    retrieved: "2025-11-30"\n'
WEB_QUOTE = "Diplomatic relations were established on October 5, 1992."
LINK = f"{{event: {AGREEMENT}, relation: mentions}}"
# Edits of the data that cites web pages (tests/webdata.py), one or two (applied in order) for each rule of web
# sources, translations and old ids: each must be found alike by the streamed read and the whole one.
WEB_EDITS: dict[str, list[tuple[str, str]]] = {
    "valid": [],
    "renamed, eight links by the old id": [RENAMED],
    "both file and url": [(AKORDA, AKORDA + "    file: x.txt\n")],
    "neither file nor url": [(AKORDA, "")],
    "no corpus": [(READ + "    corpus: public-record\n\nactors", READ + "\nactors")],
    "a file read on a day": [('    published: "2023-10-31"\n', '    published: "2023-10-31"\n' + READ)],
    "not a web address": [("url: https://www.akorda.kz/ru/", "url: ftp://www.akorda.kz/ru/")],
    "not a language tag": [("    language: ru\n", "    language: Russian\n")],
    "read in a month": [("ru\n" + READ, 'ru\n    retrieved: "2025-11"\n')],
    "read before it was published": [("ru\n" + READ, 'ru\n    retrieved: "2024-08-04"\n')],
    "one page twice": [(AKORDA, "    url: https://www.gov.kz/memleket/entities/mfa/press/article/details/1992\n")],
    "no translation": [("        translation: Kassym-Jomart Tokayev and Serdar Berdimuhamedov spoke by telephone.\n", "")],
    "a translation of English": [(f"quote: {WEB_QUOTE}\n", f"quote: {WEB_QUOTE}\n        translation: Relations began.\n")],
    "a web quote of 46 words": [(WEB_QUOTE, WEB_QUOTE[:-1] + ", " + "and so on " * 12 + "until today.")],
    "a web quote of two sentences": [(WEB_QUOTE, WEB_QUOTE + " The embassies opened later.")],
    "an old id that is an event's id": [RENAMED, (ALIASES, f"    aliases: [{OLD_ID}, {AGREEMENT}]\n")],
    "an old id claimed twice": [RENAMED, (f"  - id: {AGREEMENT}\n", f"  - id: {AGREEMENT}\n" + ALIASES)],
    "an old id that is no slug": [RENAMED, (ALIASES, f"    aliases: [{OLD_ID}, Old Id]\n")],
    "a link to an unknown event": [(LINK, "{event: 2017-04-strategic-partnership, relation: mentions}")],
    "an outcome naming an old id of no plan": [RENAMED, (LINK, f"{LINK}\n      - {{event: {OLD_ID}, relation: fulfils}}")],
}


@pytest.mark.parametrize("name", list(WEB_EDITS))
def test_each_rule_of_web_sources_and_old_ids_finds_the_same_problems_streamed_and_read_whole(tmp_path: Path, name: str) -> None:
    path = with_web(tmp_path)
    text = path.read_text(encoding="utf-8")
    for old, new in WEB_EDITS[name]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    expected = whole(path)
    assert (expected is None) == (name in ("valid", "renamed, eight links by the old id"))
    assert streamed(path, tmp_path / "cache") == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, len(SMALL_TEXT) - 1), st.integers(0, 40), st.text(max_size=8))
def test_a_mutated_file_has_the_same_problems_streamed_and_read_whole(
    tmp_path: Path, start: int, length: int, insert: str
) -> None:
    content = (SMALL_TEXT[:start] + insert + SMALL_TEXT[start + length :]).encode("utf-8", "surrogatepass")
    folder = tmp_path / "cache"
    shutil.rmtree(folder, ignore_errors=True)
    path = data_copy(tmp_path, content, shipped=False)
    expected = whole(path)
    found = streamed(path, folder)
    if isinstance(found, str):  # an unusual file: the whole read is the one answer
        return
    assert found == expected
