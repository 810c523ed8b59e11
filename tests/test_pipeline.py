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
