"""Problem location is linear in the file, and the problems printed are capped (issue 27): locating each problem
rescanned its mapping (16,000 unknown keys took 7.7 s, 64,000 over two minutes), the node tree built for it took
690 MB for 20 MB of broken events, and 150,000 problems were all printed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.datafile import yaml_read

from .conftest import DATA, ROOT

runner = CliRunner()
TEXT = DATA.read_text(encoding="utf-8")
DOCUMENT = yaml_read.compose(str(DATA), TEXT)
EVERY_PATH = [path for path, _ in yaml_read.iter_paths(DOCUMENT.data)]


def _pathological() -> object:
    import importlib.util

    spec = importlib.util.spec_from_file_location("pathological", ROOT / "benchmarks" / "pathological.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PATHOLOGICAL = _pathological()


def node_tree_place(document: yaml_read.Document, path: yaml_read.Path, *, at_key: bool = False) -> tuple[int, int]:
    """The place of the value at ``path`` (or of its key) as the node tree gives it: the way problems were located
    before, rescanning each mapping (the oracle of the one-pass walk)."""
    node = found = document.root
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            for key_node, value_node in node.value:
                if str(key_node.value) == step:
                    child = key_node if at_key and step == path[-1] else value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            child = node.value[step]
        if child is None:
            break
        found = node = child
    return found.start_mark.line + 1, found.start_mark.column + 1


paths = st.one_of(
    st.sampled_from(EVERY_PATH),
    st.tuples(st.sampled_from(EVERY_PATH), st.sampled_from(["missing", 7, 999, "title"])).map(lambda pair: (*pair[0], pair[1])),
    st.just(()),
).filter(lambda path: not path or path[-1] not in path[:-1])
# (a path whose last step also occurs earlier on it is none the validator asks for; the node tree's walk would take
# that earlier key for the last one)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(paths, st.booleans()), min_size=1, max_size=20))
def test_places_found_in_one_pass_are_those_the_node_tree_gives(asked: list[tuple[yaml_read.Path, bool]]) -> None:
    found = yaml_read.find_marks(TEXT, asked)
    for path, at_key in asked:
        assert found[(path, at_key)] == node_tree_place(DOCUMENT, path, at_key=at_key), (path, at_key)


def test_a_duplicate_key_is_placed_at_its_first_occurrence_as_the_node_tree_places_it() -> None:
    text = "a:\n  b: 1\n  b: 2\n  c: [x, {d: 3}]\n"
    document = yaml_read.Document("x", None, text)
    asked = [(("a", "b"), False), (("a", "b"), True), (("a", "c", 1, "d"), True), (("a", "c", 5), False)]
    found = yaml_read.find_marks(text, asked)
    assert found == {item: node_tree_place(document, item[0], at_key=item[1]) for item in asked}


def _validate(path: Path) -> tuple[float, int, str]:
    start = time.perf_counter()
    result = runner.invoke(app, ["--no-cache", "validate", "--data", str(path)])
    return time.perf_counter() - start, result.exit_code, result.stderr


def test_locating_problems_is_linear_in_their_number(tmp_path: Path) -> None:
    """Twice the unknown keys take about twice as long, not four times (the quadratic search took 7.7 s and 34 s)."""
    timings = []
    for count in (8_000, 16_000):
        folder = tmp_path / str(count)
        folder.mkdir()
        (folder / "article.txt").write_text(PATHOLOGICAL.ARTICLE, encoding="utf-8")  # type: ignore[attr-defined]
        path = folder / "events.yaml"
        path.write_text(PATHOLOGICAL.unknown_keys(count), encoding="utf-8")  # type: ignore[attr-defined]
        seconds, code, stderr = _validate(path)
        assert code == 1
        assert stderr.endswith(f"timeline: {count} problems in the data; nothing was changed\n")
        timings.append(seconds)
    assert timings[1] < 3.5 * timings[0] + 0.5  # (room for a noisy machine; quadratic is 4x and more)
    assert timings[1] < 15


def test_at_most_200_problems_are_printed_and_the_rest_counted(tmp_path: Path) -> None:
    (tmp_path / "article.txt").write_text(PATHOLOGICAL.ARTICLE, encoding="utf-8")  # type: ignore[attr-defined]
    path = tmp_path / "events.yaml"
    path.write_text(PATHOLOGICAL.unknown_keys(1000), encoding="utf-8")  # type: ignore[attr-defined]
    _, code, stderr = _validate(path)
    lines = stderr.splitlines()
    assert code == 1
    assert len(lines) == 202
    assert lines[0].startswith(f"{path}:33:5: unknown key 'unknown_0' in event")
    assert lines[199].startswith(f"{path}:232:5: unknown key 'unknown_199' in event")
    assert lines[200:] == [
        "timeline: … and 800 more problems, not shown (at most 200 are); fix these first",
        "timeline: 1000 problems in the data; nothing was changed",
    ]


@pytest.mark.parametrize("count", [1, 200])
def test_up_to_200_problems_are_all_printed_with_no_count_of_the_rest(tmp_path: Path, count: int) -> None:
    (tmp_path / "article.txt").write_text(PATHOLOGICAL.ARTICLE, encoding="utf-8")  # type: ignore[attr-defined]
    path = tmp_path / "events.yaml"
    path.write_text(PATHOLOGICAL.unknown_keys(count), encoding="utf-8")  # type: ignore[attr-defined]
    _, _, stderr = _validate(path)
    assert len(stderr.splitlines()) == count + 1
    assert "not shown" not in stderr
