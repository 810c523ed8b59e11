"""Re-reading only what changed: after any edit, the cache brought in step equals a fresh full read, export
for export, byte for byte; a change the layout cannot vouch for is read whole."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kztm_timeline import cache, load
from kztm_timeline.contract import View
from kztm_timeline.datafile import items
from kztm_timeline.errors import DataError
from kztm_timeline.evidence import VerdictTally, kept_verdict
from kztm_timeline.exporters import BINARY_FORMATS, Format, render_text
from kztm_timeline.exporters.data import iter_json, json_array
from kztm_timeline.load import load_dataset
from kztm_timeline.model import Dataset
from kztm_timeline.query import Query, contract_lines, select

from .conftest import ROOT

pytestmark = pytest.mark.usefixtures("small_blocks")
ITEM = re.compile(r"^  - ", re.MULTILINE)


def split(text: str) -> tuple[str, list[str]]:
    """The text above the events' items, and each item (the events list is last in the shipped file):
    together, the text again."""
    starts = [found.start() for found in ITEM.finditer(text, text.index("\nevents:\n"))]
    assert text.endswith("\n")
    return text[: starts[0]], [text[start:stop] for start, stop in zip(starts, [*starts[1:], len(text)], strict=True)]


def exports(dataset: Dataset) -> dict[str, str]:
    """Every text export of every event, the JSON the cache keeps (or encodes) for them, and the verdict of
    ``validate`` (kept, or worked out)."""
    view = View(dataset, tuple(select(dataset, Query())))
    found = {str(fmt): render_text(fmt, view) for fmt in Format if fmt not in BINARY_FORMATS}
    found["validate"] = str(kept_verdict(dataset, strict=False).to_json(dataset.path))
    lines = contract_lines(dataset, Query())
    found["kept json"] = "".join(json_array(lines) if lines is not None else iter_json(View(dataset, ()), view.events))
    return found


def outcome(read: Callable[[], Dataset]) -> tuple[str, object]:
    try:
        return "valid", exports(read())
    except DataError as error:
        return "bad", [str(problem) for problem in error.problems]


Edit = Callable[[str, list[str]], tuple[str, list[str]]]


def change(number: int, word: str) -> Edit:
    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        index = number % len(events)
        events[index] = re.sub(r"(\n    title: [^\n]*)", lambda found: found.group(1) + " " + word, events[index], count=1)
        return head, events

    return edit


def insert(number: int, where: int) -> Edit:
    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        copy = re.sub(r"^  - id: ([a-z0-9-]+)", lambda found: f"  - id: {found.group(1)}-copy", events[number % len(events)])
        events.insert(where % (len(events) + 1), copy)
        return head, events

    return edit


def delete(number: int) -> Edit:
    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        del events[number % len(events)]
        return head, events

    return edit


def move(number: int, where: int) -> Edit:
    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        item = events.pop(number % len(events))
        events.insert(where % (len(events) + 1), item)
        return head, events

    return edit


def reindent(number: int) -> Edit:
    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        index = number % len(events)
        events[index] = "".join("  " + line if line.strip() else line for line in events[index].splitlines(keepends=True))
        return head, events

    return edit


def touch_source(number: int, word: str) -> Edit:
    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        titles = list(re.finditer(r"\n    title: [^\n]*", head.split("\nactors:")[0]))
        found = titles[number % len(titles)]
        return head[: found.end()] + " " + word + head[found.end() :], events

    return edit


WORDS = st.sampled_from(["again", "anew", "Ашхабад", "x"])
EDITS = st.one_of(  # the edits a layout vouches for come first and most often
    st.builds(change, st.integers(0, 99), WORDS),
    st.builds(move, st.integers(0, 99), st.integers(0, 99)),
    st.builds(change, st.integers(0, 99), WORDS),
    st.builds(insert, st.integers(0, 99), st.integers(0, 99)),
    st.builds(delete, st.integers(0, 99)),
    st.builds(move, st.integers(0, 99), st.integers(0, 99)),
    st.builds(reindent, st.integers(0, 99)),
    st.builds(touch_source, st.integers(0, 99), WORDS),
)


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 256 bytes, so that the 31 KB shipped file has many (a real cache's are 64 KiB)."""
    monkeypatch.setattr(items, "BLOCK", 256)


def copy_of_the_shipped_data(tmp_path: Path) -> Path:
    shutil.rmtree(tmp_path / "data", ignore_errors=True)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    if not (tmp_path / "seeds").exists():
        shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path / "data" / "events.yaml"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(EDITS, min_size=1, max_size=3), min_size=1, max_size=3))
def test_after_any_edits_the_cache_brought_in_step_equals_a_fresh_read(tmp_path: Path, rounds: list[list[Edit]]) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    shutil.rmtree(folder, ignore_errors=True)
    load_dataset(str(path), cache=str(folder), memos=VerdictTally)
    for edits in rounds:
        head, events = split(path.read_text(encoding="utf-8"))
        for edit in edits:
            head, events = edit(head, events)
        path.write_text(head + "".join(events), encoding="utf-8")
        incremental = outcome(lambda: load_dataset(str(path), cache=str(folder), memos=VerdictTally))
        assert incremental == outcome(lambda: load_dataset(str(path)))


def test_a_change_to_one_event_is_read_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Strategic Partnership Agreement signed", "title: Treaty signed", 1), encoding="utf-8")
    monkeypatch.setattr(load, "_stream_into_cache", lambda *_: pytest.fail("the file was read whole"))
    monkeypatch.setattr(load, "_parse", lambda *_: pytest.fail("the file was read whole"))
    served = load_dataset(str(path), cache=str(folder))
    assert isinstance(served.events, cache.CachedEvents)
    assert [event.title for event in served.events].count("Treaty signed") == 1


def test_a_file_whose_events_list_was_reindented_is_read_whole(tmp_path: Path) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder))
    head, events = split(path.read_text(encoding="utf-8"))
    path.write_text(head + "".join(reindent(0)(head, [event])[1][0] for event in events), encoding="utf-8")
    assert cache.refresh(str(folder), str(path)) is None
    assert outcome(lambda: load_dataset(str(path), cache=str(folder))) == outcome(lambda: load_dataset(str(path)))


def test_a_change_to_the_sources_is_read_whole(tmp_path: Path) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder))
    head, events = split(path.read_text(encoding="utf-8"))
    path.write_text("".join(touch_source(0, "again")(head, events)[0]) + "".join(events), encoding="utf-8")
    assert cache.refresh(str(folder), str(path)) is None


def test_more_than_a_quarter_of_the_events_changed_is_read_whole(tmp_path: Path) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder))
    head, events = split(path.read_text(encoding="utf-8"))
    for number in range(0, len(events), 3):
        events = change(number, "again")(head, events)[1]
    path.write_text(head + "".join(events), encoding="utf-8")
    assert cache.refresh(str(folder), str(path)) is None


def test_validate_and_list_after_an_edit_say_what_they_say_after_a_fresh_read(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kztm_timeline.cli import app

    path = copy_of_the_shipped_data(tmp_path)
    runner = CliRunner()
    commands = (["validate"], ["list", "--json"], ["stats", "--json"], ["plans"])
    for command in commands:
        runner.invoke(app, [*command, "--data", str(path)])
    head, events = split(path.read_text(encoding="utf-8"))
    path.write_text(head + "".join(move(2, 9)(head, change(5, "again")(head, events)[1])[1]), encoding="utf-8")
    incremental = [runner.invoke(app, [*command, "--data", str(path)]) for command in commands]
    shutil.rmtree(os.environ["XDG_CACHE_HOME"])
    fresh = [runner.invoke(app, [*command, "--data", str(path)]) for command in commands]
    assert [(result.exit_code, result.stdout, result.stderr) for result in incremental] == [
        (result.exit_code, result.stdout, result.stderr) for result in fresh
    ]


@pytest.mark.parametrize("date", ["1990-01-01", "2021-06", "2099-12-31"])
def test_add_after_an_edit_by_hand_writes_the_bytes_a_full_parse_writes(tmp_path: Path, date: str) -> None:
    from .test_authoring import add, event, warm

    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    warm(path, folder)
    text = path.read_text(encoding="utf-8").replace(
        "title: Strategic Partnership Agreement signed", "title: Strategic Partnership Agreement signed, at last", 1
    )
    path.write_text(text, encoding="utf-8")
    twin = path.with_name("twin.yaml")
    twin.write_text(text, encoding="utf-8")
    assert cache.refresh(str(folder), str(path)) is not None
    add(path, event(date), folder)
    add(twin, event(date), None)
    assert path.read_bytes() == twin.read_bytes()
    assert outcome(lambda: load_dataset(str(path), cache=str(folder))) == outcome(lambda: load_dataset(str(path)))
