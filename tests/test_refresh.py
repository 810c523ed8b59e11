"""Re-reading only what changed: after any edit, the cache brought in step equals a fresh full read, export
for export, byte for byte; a change the layout cannot vouch for is read whole; bad data is reported as a whole
read reports it; and the refreshed database is sealed anew: changed in place when no other run reads it, else a
copy put in its place.

The edits run on the shipped data (the public record), whose events have every shape the cache keeps: web
sources, old ids (``aliases``) and links written with them, views of a corpus (``in_corpus``), plans with their
due days, outcomes and ``no_outcome_found``. ``test_the_edited_data_holds_every_shape_the_cache_keeps`` says so,
so that the property keeps exercising them whatever the shipped data becomes."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

import hypothesis
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kztm_timeline import cache, load, seal
from kztm_timeline.contract import View
from kztm_timeline.datafile import items
from kztm_timeline.errors import DataError
from kztm_timeline.evidence import VerdictTally, kept_verdict
from kztm_timeline.exporters import BINARY_FORMATS, Format, render_text
from kztm_timeline.exporters.data import iter_json, json_array
from kztm_timeline.load import load_dataset
from kztm_timeline.model import Dataset
from kztm_timeline.query import Query, contract_lines, corpora, overdue_plans, select, within_corpus
from kztm_timeline.store import cache_file

from .conftest import ROOT

pytestmark = pytest.mark.usefixtures("small_blocks")
ITEM = re.compile(r"^  - ", re.MULTILINE)
EXAMPLES = int(os.environ.get("KZTM_REFRESH_EXAMPLES", "40"))  # more for a long run: KZTM_REFRESH_EXAMPLES=1000


def split(text: str) -> tuple[str, list[str]]:
    """The text above the events' items, and each item (the events list is last in the shipped file):
    together, the text again."""
    starts = [found.start() for found in ITEM.finditer(text, text.index("\nevents:\n"))]
    assert text.endswith("\n")
    return text[: starts[0]], [text[start:stop] for start, stop in zip(starts, [*starts[1:], len(text)], strict=True)]


def rendered(dataset: Dataset) -> dict[str, str]:
    view = View(dataset, tuple(select(dataset, Query())))
    found = {str(fmt): render_text(fmt, view) for fmt in Format if fmt not in BINARY_FORMATS}
    lines = contract_lines(dataset, Query())
    found["kept json"] = "".join(json_array(lines) if lines is not None else iter_json(View(dataset, ()), view.events))
    return found


def exports(dataset: Dataset) -> dict[str, object]:
    """Every text export of every event, of the whole data and of each corpus (its views of events), the JSON the
    cache keeps (or encodes) for them, the verdict of a strict ``validate`` (kept, or worked out: its inferred dates
    too), the links written with old ids and where each old id leads, and the plans overdue."""
    found: dict[str, object] = dict(rendered(dataset))
    for corpus in corpora(dataset):
        found.update({f"{corpus}: {name}": text for name, text in rendered(within_corpus(dataset, corpus)).items()})
    found["validate"] = kept_verdict(dataset, strict=True)  # all a strict validate says of the verdict: the inferred dates too
    found["renamed links"] = dataset.events.renamed_links()
    aliases = sorted({alias for event in dataset.events for alias in event.aliases})
    found["old ids"] = {alias: dataset.events.alias_of(alias) for alias in [*aliases, "no-such-id"]}
    plans, total = overdue_plans(dataset, date(2030, 1, 1), 1000)
    found["overdue"] = ([(plan.event.id, plan.due, plan.state) for plan in plans], total)
    return found


def tables(database: str) -> dict[str, object]:
    """Everything a cache database holds, each event's own row number replaced by its place in the file, and where
    its item starts read where the database keeps it (``events.at``, or ``spans`` after a refresh)."""
    connection = sqlite3.connect(database)
    try:
        meta = dict(connection.execute("SELECT key, value FROM meta WHERE key NOT IN ('stat', 'at_in_spans')"))
        in_spans = connection.execute("SELECT 1 FROM meta WHERE key = 'at_in_spans'").fetchone() is not None
        place = dict(connection.execute("SELECT row, pos FROM events"))
        spans = {row: rest for row, *rest in connection.execute("SELECT row, byte, char, line, digest FROM spans")}
        events = [
            (*rest, spans[row][1] if in_spans else at)
            for row, at, *rest in connection.execute(
                "SELECT row, at, pos, id, first, last, due, record, crc, contract, contract_crc FROM events ORDER BY pos"
            )
        ]
        search = {
            word: sorted(place[row] for (row,) in connection.execute("SELECT rowid FROM search WHERE search MATCH ?", (word,)))
            for word in ("kazakh", "again", "anew", "summit", "ashkhabad", "ashgabat", "berdimuhamed")
        }
        return {
            "meta": meta,
            "events": events,
            "keys": sorted((name, key, place[row]) for name, key, row in connection.execute("SELECT * FROM keys")),
            "links": sorted((target, place[row], relation, idx) for target, row, relation, idx in connection.execute(
                "SELECT * FROM links"
            )),
            "aliases": sorted((alias, place[row]) for alias, row in connection.execute("SELECT * FROM aliases")),
            "renamed": sorted((place[row], idx, alias) for row, idx, alias in connection.execute("SELECT * FROM renamed")),
            "inferred": sorted((place[row], *rest) for row, *rest in connection.execute("SELECT * FROM inferred")),
            "spans": sorted((place[row], *rest) for row, rest in spans.items()),
            "search": search,
        }
    finally:
        connection.close()


def fresh_tables(path: Path) -> dict[str, object]:
    folder = path.parent.parent / "fresh-cache"
    shutil.rmtree(folder, ignore_errors=True)
    load_dataset(str(path), cache=str(folder), memos=VerdictTally)
    return tables(cache_file(str(folder), str(path)))


def outcome(read: Callable[[], Dataset]) -> tuple[str, object]:
    try:
        return "valid", exports(read())
    except DataError as error:
        return "bad", [str(problem) for problem in error.problems]


Edit = Callable[[str, list[str]], tuple[str, list[str]]]


def identifier(item: str) -> str:
    found = re.match(r" *- id: (\S+)", item)
    assert found is not None
    return found.group(1)


def change(number: int, word: str) -> Edit:
    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        index = number % len(events)
        events[index] = re.sub(r"(\n    title: [^\n]*)", lambda found: found.group(1) + " " + word, events[index], count=1)
        return head, events

    return edit


def insert(number: int, where: int) -> Edit:
    """A copy of an event under a new id, without the old ids and views that are the original's alone."""

    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        copy = re.sub(r"^  - id: ([a-z0-9-]+)", lambda found: f"  - id: {found.group(1)}-copy", events[number % len(events)])
        copy = re.sub(r"\n    aliases: [^\n]*", "", copy)
        copy = re.sub(r"\n    in_corpus:\n(?:      [^\n]*\n|\n)*", "\n", copy)
        events.insert(where % (len(events) + 1), copy if copy.endswith("\n\n") else copy + "\n")
        return head, events

    return edit


def duplicate(number: int, where: int) -> Edit:
    """An event copied as it is: its id twice (bad data)."""

    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        events.insert(where % (len(events) + 1), events[number % len(events)])
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


def rename(number: int) -> Edit:
    """An event given a new id, its old one kept as an old id: links written with it now name it by an old id."""

    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        index = number % len(events)
        item, old = events[index], identifier(events[index])
        item = item.replace(f"- id: {old}\n", f"- id: {old}-renamed\n", 1)
        if "\n    aliases: [" in item:
            item = item.replace("\n    aliases: [", f"\n    aliases: [{old}, ", 1)
        else:
            item = item.replace("\n", f"\n    aliases: [{old}]\n", 1)
        events[index] = item
        return head, events

    return edit


def unalias(number: int) -> Edit:
    """An event's old ids dropped (links written with them, and views that keep them, then name nothing)."""

    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        index = number % len(events)
        events[index] = re.sub(r"\n    aliases: [^\n]*", "", events[index], count=1)
        return head, events

    return edit


def toggle_plan(number: int) -> Edit:
    """A plan that happened, or an event that becomes a plan (its due day, the outcomes that name it)."""

    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        index = number % len(events)
        item = events[index]
        if "\n    status: planned\n" in item:
            item = item.replace("\n    status: planned\n", "\n    status: happened\n", 1)
            item = re.sub(r"\n    no_outcome_found:\n(?:      [^\n]*\n)*", "\n", item)
        else:
            item = re.sub(r"\n    status: \w+\n", "\n    status: planned\n", item, count=1)
        events[index] = item
        return head, events

    return edit


def redate(number: int, when: str) -> Edit:
    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        index = number % len(events)
        events[index] = re.sub(r"\n    date: [^\n]*", f"\n    date: {when}", events[index], count=1)
        return head, events

    return edit


def link(number: int, other: int, relation: str, *, by_old_id: bool) -> Edit:
    """A related entry to another event, by its id or (where it has one) by an old id of it."""

    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        index, target = number % len(events), events[other % len(events)]
        name = identifier(target)
        aliases = re.search(r"\n    aliases: \[([^\],]+)", target)
        if by_old_id and aliases is not None:
            name = aliases.group(1).strip()
        entry = f"      - {{event: {name}, relation: {relation}}}\n"
        item = events[index]
        if "\n    related:\n" in item:
            item = item.replace("\n    related:\n", f"\n    related:\n{entry}", 1)
        else:
            item = item.rstrip("\n") + f"\n    related:\n{entry}\n"
        events[index] = item
        return head, events

    return edit


def cite_web(number: int) -> Edit:
    """A citation of a web page (its quote is checked online only; the verdict counts it apart)."""

    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        page = re.search(r"\n  - id: (\S+)\n    url: ", head)
        assert page is not None
        index = number % len(events)
        entry = f"\n    citations:\n      - source: {page.group(1)}\n        quote: A sentence read on the page.\n"
        events[index] = events[index].replace("\n    citations:\n", entry, 1)
        return head, events

    return edit


def retell(number: int, word: str) -> Edit:
    """A view of an event (``in_corpus``) given a title of its own."""

    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        index = number % len(events)
        view = re.compile(r"(\n    in_corpus:\n      [\w-]+:\n)")
        events[index] = view.sub(rf"\g<1>        title: Told {word}\n", events[index], count=1)
        return head, events

    return edit


NUMBERS = st.integers(0, 199)
WORDS = st.sampled_from(["again", "anew", "Ашхабад", "x"])
DATES = st.sampled_from(["2024-03-05", "2023-10/..", "2019~", "2024-08", "2031-01-01", "2022-10-05/2022-10-06"])
RELATIONS = st.sampled_from(["follows_up", "fulfils", "postpones", "mentions"])
EDITS = st.one_of(  # the edits a layout vouches for come first and most often
    st.builds(change, NUMBERS, WORDS),
    st.builds(move, NUMBERS, NUMBERS),
    st.builds(rename, NUMBERS),
    st.builds(insert, NUMBERS, NUMBERS),
    st.builds(toggle_plan, NUMBERS),
    st.builds(redate, NUMBERS, DATES),
    st.builds(link, NUMBERS, NUMBERS, RELATIONS, by_old_id=st.booleans()),
    st.builds(cite_web, NUMBERS),
    st.builds(retell, NUMBERS, WORDS),
    st.builds(delete, NUMBERS),
    st.builds(unalias, NUMBERS),
    st.builds(duplicate, NUMBERS, NUMBERS),
    st.builds(reindent, NUMBERS),
    st.builds(touch_source, NUMBERS, WORDS),
)


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 256 bytes, so that the shipped file has many (a real cache's are 64 KiB), and sections of the scans of
    a few pages (see items.let_go), so that the file has several."""
    monkeypatch.setattr(items, "BLOCK", 256)
    monkeypatch.setattr(items, "SECTION", 4 * 4096)


def copy_of_the_shipped_data(tmp_path: Path) -> Path:
    shutil.rmtree(tmp_path / "data", ignore_errors=True)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    if not (tmp_path / "seeds").exists():
        shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path / "data" / "events.yaml"


def edited(path: Path, *edits: Edit) -> None:
    head, events = split(path.read_text(encoding="utf-8"))
    for edit in edits:
        head, events = edit(head, events)
    path.write_text(head + "".join(events), encoding="utf-8")


def noting(answers: list[bool]) -> Callable[..., bool]:
    """``cache.refresh``, noting in ``answers`` what each call answers (True: the cache was brought in step)."""
    refresh = cache.refresh

    def noted(*arguments: object, **options: object) -> bool:
        answers.append(refresh(*arguments, **options))  # type: ignore[arg-type]  # (passed on as given)
        return answers[-1]

    return noted


def refreshes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What each refresh of the test answers."""
    answers: list[bool] = []
    monkeypatch.setattr(cache, "refresh", noting(answers))
    return answers


def test_the_edited_data_holds_every_shape_the_cache_keeps() -> None:
    text = (ROOT / "data" / "events.yaml").read_text(encoding="utf-8")
    _, events = split(text)
    assert re.search(r"\n    url: ", text)  # web sources
    assert any("\n    aliases: [" in item for item in events)
    assert any("\n    in_corpus:\n" in item for item in events)
    assert any("\n    status: planned\n" in item for item in events)
    assert any("\n    no_outcome_found:\n" in item for item in events)
    assert any("relation: fulfils}" in item for item in events)
    # (no link of the shipped data is written with an old id: the edits rename and link by old id to make some)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(EDITS, min_size=1, max_size=3), min_size=1, max_size=3))
@example([[rename(0), redate(199, "2024-03-05"), toggle_plan(0)], [toggle_plan(199)]])  # the last event changed twice: a
# new row took the number of the row that went, and the verdict kept the problem of the event that went
def test_after_any_edits_the_cache_brought_in_step_equals_a_fresh_read(tmp_path: Path, rounds: list[list[Edit]]) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    shutil.rmtree(folder, ignore_errors=True)
    load_dataset(str(path), cache=str(folder), memos=VerdictTally)
    for edits in rounds:
        edited(path, *edits)
        answers: list[bool] = []
        with mock.patch.object(cache, "refresh", noting(answers)):
            incremental = outcome(lambda: load_dataset(str(path), cache=str(folder), memos=VerdictTally))
        hypothesis.event(f"brought in step: {answers == [True]}")  # (pytest --hypothesis-show-statistics: how often)
        assert incremental == outcome(lambda: load_dataset(str(path)))
        if answers == [True]:  # every table as a whole read writes it, and a seal for every byte of it
            assert tables(cache_file(str(folder), str(path))) == fresh_tables(path)
            assert sealed_for_every_byte(cache_file(str(folder), str(path)))


def sealed_for_every_byte(database: str) -> bool:
    """Whether the seal's CRCs are those of the database's bytes now (a change in place takes again only those of
    the chunks it wrote)."""
    found = seal.read_seal(database)
    descriptor = os.open(database, os.O_RDONLY)
    try:
        return found is not None and found.crcs == seal.file_crcs(descriptor)
    finally:
        os.close(descriptor)


def test_a_change_to_one_event_is_read_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Days of culture are held", "title: Days of culture held", 1), encoding="utf-8")
    monkeypatch.setattr(load, "_stream_into_cache", lambda *_: pytest.fail("the file was read whole"))
    monkeypatch.setattr(load, "_parse", lambda *_: pytest.fail("the file was read whole"))
    served = load_dataset(str(path), cache=str(folder))
    assert isinstance(served.events, cache.CachedEvents)
    assert [event.title for event in served.events].count("Days of culture held") == 1


@pytest.mark.parametrize(
    "edit",
    [
        rename(2),
        link(5, 2, "follows_up", by_old_id=True),
        insert(7, 30),
        delete(0),
        move(3, 60),
        cite_web(9),
        retell(2, "x"),
        toggle_plan(20),
        redate(30, "2031-01-01"),
        change(40, "Ашхабад"),
    ],
    ids=["rename", "link by old id", "insert", "delete", "move", "cite a web page", "a view's title", "plan", "date", "title"],
)
def test_edits_of_every_shape_are_read_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Edit) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder), memos=VerdictTally)
    edited(path, edit)
    answers = refreshes(monkeypatch)
    incremental = outcome(lambda: load_dataset(str(path), cache=str(folder), memos=VerdictTally))
    assert (answers, incremental) == ([True], outcome(lambda: load_dataset(str(path))))
    assert tables(cache_file(str(folder), str(path))) == fresh_tables(path)


def test_a_file_whose_events_list_was_reindented_is_read_whole(tmp_path: Path) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder))
    head, events = split(path.read_text(encoding="utf-8"))
    path.write_text(head + "".join(reindent(0)(head, [event])[1][0] for event in events), encoding="utf-8")
    assert cache.refresh(str(folder), str(path)) is False
    assert outcome(lambda: load_dataset(str(path), cache=str(folder))) == outcome(lambda: load_dataset(str(path)))


def test_a_change_to_the_sources_is_read_whole(tmp_path: Path) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder))
    edited(path, touch_source(0, "again"))
    assert cache.refresh(str(folder), str(path)) is False


def test_a_change_below_the_events_list_is_read_whole(tmp_path: Path) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder))
    path.write_text(path.read_text(encoding="utf-8") + "notes: below the events\n", encoding="utf-8")
    assert cache.refresh(str(folder), str(path)) is False


def test_more_than_a_quarter_of_the_events_changed_is_read_whole(tmp_path: Path) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder))
    _, events = split(path.read_text(encoding="utf-8"))
    edited(path, *(change(number, "again") for number in range(0, len(events), 3)))
    assert cache.refresh(str(folder), str(path)) is False


def replace(number: int, old: str, new: str) -> Edit:
    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        index = number % len(events)
        events[index] = events[index].replace(old, new, 1)
        return head, events

    return edit


def delete_id(name: str) -> Edit:
    def edit(head: str, events: list[str]) -> tuple[str, list[str]]:
        return head, [item for item in events if identifier(item) != name]

    return edit


BAD_EDITS: dict[str, Edit] = {
    "an unknown actor": replace(0, "{actor: kazakhstan,", "{actor: kazakstan,"),
    "an id twice": duplicate(4, 40),
    "a link to no event": replace(1, "{event: 2020-09-commission-extraordinary-session,", "{event: 2020-09-no-such-session,"),
    "an outcome of an event that is no plan": link(8, 1, "fulfils", by_old_id=False),
    "an old id that is another event's id": replace(0, "\n", "\n    aliases: [1992-10-05-diplomatic-relations]\n"),
    "a view's old id dropped": unalias(2),
    "no date": redate(3, "2024-13-45"),
    "an event deleted that others name": delete_id("2020-09-commission-extraordinary-session"),
}


@pytest.mark.parametrize("name", list(BAD_EDITS))
def test_bad_data_after_an_edit_is_reported_as_a_fresh_read_reports_it(tmp_path: Path, name: str) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder), memos=VerdictTally)
    edited(path, BAD_EDITS[name])
    with pytest.raises(DataError) as incremental:
        load_dataset(str(path), cache=str(folder), memos=VerdictTally)
    with pytest.raises(DataError) as fresh:
        load_dataset(str(path))
    assert [str(problem) for problem in incremental.value.problems] == [str(problem) for problem in fresh.value.problems]
    assert incremental.value.problems  # (file:line:col: what; what to do)


def test_validate_reports_bad_data_after_an_edit_as_after_a_fresh_read(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kztm_timeline.cli import app

    path = copy_of_the_shipped_data(tmp_path)
    runner = CliRunner()
    runner.invoke(app, ["validate", "--data", str(path)])
    edited(path, change(5, "again"), link(8, 1, "fulfils", by_old_id=False))
    incremental = runner.invoke(app, ["validate", "--data", str(path)])
    shutil.rmtree(os.environ["XDG_CACHE_HOME"])
    fresh = runner.invoke(app, ["validate", "--data", str(path)])
    assert (incremental.exit_code, incremental.stdout, incremental.stderr) == (fresh.exit_code, fresh.stdout, fresh.stderr)
    assert incremental.exit_code == 1
    assert re.search(r"events\.yaml:\d+:\d+: fulfils names ", incremental.stderr)


def test_validate_and_list_after_an_edit_say_what_they_say_after_a_fresh_read(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kztm_timeline.cli import app

    path = copy_of_the_shipped_data(tmp_path)
    runner = CliRunner()
    commands = (
        ["validate"],
        ["validate", "--strict"],
        ["list", "--json"],
        ["list", "--corpus", "seeds", "--json"],
        ["stats", "--json"],
        ["plans"],
        ["show", "c1993-diplomatic-relations", "--json"],
    )
    for command in commands:
        runner.invoke(app, [*command, "--data", str(path)])
    edited(path, change(5, "again"), move(2, 9), rename(2), cite_web(11), toggle_plan(20))
    incremental = [runner.invoke(app, [*command, "--data", str(path)]) for command in commands]
    shutil.rmtree(os.environ["XDG_CACHE_HOME"])
    fresh = [runner.invoke(app, [*command, "--data", str(path)]) for command in commands]
    assert [(result.exit_code, result.stdout, result.stderr) for result in incremental] == [
        (result.exit_code, result.stdout, result.stderr) for result in fresh
    ]


def test_validate_strict_lists_inferred_dates_in_file_order_after_a_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from kztm_timeline.cli import app

    path = copy_of_the_shipped_data(tmp_path)
    _, events = split(path.read_text(encoding="utf-8"))
    inferred = [identifier(item) for item in events if "\n    evidence: inferred\n" in item]
    assert [identifier(events[number]) for number in (1, 8, 98)] == [inferred[0], inferred[2], inferred[-1]]
    runner = CliRunner()
    command = ["validate", "--strict", "--data", str(path), "--as-of", "2026-01-01"]
    runner.invoke(app, command)
    # an inferred event copied below the others, another deleted, the last moved to the front
    edited(path, insert(1, 99), delete(8), move(97, 0))
    answers = refreshes(monkeypatch)
    incremental = runner.invoke(app, command)
    fresh = runner.invoke(app, ["--no-cache", *command])
    assert answers == [True]
    assert (incremental.exit_code, incremental.stdout, incremental.stderr) == (fresh.exit_code, fresh.stdout, fresh.stderr)
    listed = [line.split(" ")[1] for line in incremental.stderr.splitlines() if line.startswith("inferred: ")]
    assert listed == [inferred[-1], inferred[0], inferred[1], *inferred[3:-1], f"{inferred[0]}-copy"]


def test_a_refresh_changes_the_database_in_place_when_no_other_run_reads_it(tmp_path: Path) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder), memos=VerdictTally)
    seal.release()  # (as at the end of a run)
    database = cache_file(str(folder), str(path))
    inode = os.stat(database).st_ino
    edited(path, change(5, "again"))
    assert cache.refresh(str(folder), str(path), memos=VerdictTally) is True
    assert os.stat(database).st_ino == inode
    assert sorted(os.listdir(folder)) == sorted([Path(database).name, Path(database).name + ".seal"])  # nothing left over


def test_a_refresh_takes_again_only_the_crcs_of_the_chunks_it_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    monkeypatch.setattr(seal, "CHUNK", 4096)  # one page a chunk: the shipped cache has hundreds
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder), memos=VerdictTally)
    database = cache_file(str(folder), str(path))
    taken: list[int] = []
    real = seal.descriptor_crcs

    def counted(descriptor: int, chunks: Any = None) -> dict[int, int]:
        found = real(descriptor, chunks)
        taken.append(len(found))
        return found

    monkeypatch.setattr(seal, "descriptor_crcs", counted)
    edited(path, change(5, "again"))
    assert cache.refresh(str(folder), str(path), memos=VerdictTally) is True
    pages = os.stat(database).st_size // 4096
    assert len(taken) == 1
    assert 0 < taken[0] < pages // 4, (taken, pages)
    monkeypatch.undo()
    monkeypatch.setattr(seal, "CHUNK", 4096)
    assert sealed_for_every_byte(database)


def test_a_database_changed_in_place_is_sealed_for_every_byte_of_it(tmp_path: Path) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder), memos=VerdictTally)
    database = cache_file(str(folder), str(path))
    edited(path, change(5, "again"), move(2, 9))
    assert cache.refresh(str(folder), str(path), memos=VerdictTally) is True
    seal.release()
    os.utime(database)  # its status moves: the next judgement reads every byte and compares
    assert seal.judge(database, os.stat(database)) == seal.SEALED


def test_a_refresh_puts_a_sealed_copy_in_place_while_another_run_reads_the_database(tmp_path: Path) -> None:
    import fcntl

    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder), memos=VerdictTally)
    seal.release()
    database = cache_file(str(folder), str(path))
    before = Path(database).read_bytes()
    descriptor = os.open(database, os.O_RDONLY)  # another run, reading the old file
    fcntl.flock(descriptor, fcntl.LOCK_SH)
    try:
        edited(path, change(5, "again"))
        assert cache.refresh(str(folder), str(path), memos=VerdictTally) is True
        assert os.pread(descriptor, len(before) + 1, 0) == before
        assert os.fstat(descriptor).st_ino != os.stat(database).st_ino
    finally:
        os.close(descriptor)
    assert seal.judge(database, os.stat(database)) == seal.SEALED
    assert sorted(os.listdir(folder)) == sorted([Path(database).name, Path(database).name + ".seal"])


def test_a_file_changed_while_it_is_read_again_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kztm_timeline.cache import refreshing

    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder), memos=VerdictTally)
    edited(path, change(5, "again"))
    apply = refreshing._apply

    def meanwhile(*arguments: Any) -> Any:
        found = apply(*arguments)
        edited(path, change(9, "meanwhile"))  # another editor saves as the change is written
        return found

    monkeypatch.setattr(refreshing, "_apply", meanwhile)
    assert cache.refresh(str(folder), str(path), memos=VerdictTally) is False
    monkeypatch.undo()
    incremental = outcome(lambda: load_dataset(str(path), cache=str(folder), memos=VerdictTally))
    assert incremental == outcome(lambda: load_dataset(str(path)))


def test_a_refresh_cut_short_in_place_leaves_no_log_and_no_cache_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kztm_timeline.cache import refreshing

    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder), memos=VerdictTally)
    edited(path, change(5, "again"))
    apply = refreshing._apply

    def cut_short(*arguments: Any) -> Any:
        apply(*arguments)  # the rows written, into the write-ahead log
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(refreshing, "_apply", cut_short)
    assert cache.refresh(str(folder), str(path), memos=VerdictTally) is False
    assert os.listdir(folder) == []  # no database, no seal, no -wal or -shm beside it


def test_a_refresh_killed_in_place_is_never_believed_and_its_log_never_read(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    load_dataset(str(path), cache=str(folder), memos=VerdictTally)
    edited(path, change(5, "again"))
    script = (
        "import os, signal, sys\n"
        "from kztm_timeline import cache\n"
        "from kztm_timeline.cache import adding\n"
        "real = adding.logged_pages\n"
        "def killed(log):\n"
        "    real(log)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"  # the change is in the log, not yet in the database
        "adding.logged_pages = killed\n"
        f"cache.refresh({str(folder)!r}, {str(path)!r})\n"
    )
    seal.release()  # (this run holds the database it read: the other one would write to a copy)
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False, timeout=120)
    assert killed.returncode == -9
    database = cache_file(str(folder), str(path))
    assert os.path.exists(database + "-wal")
    fresh = outcome(lambda: load_dataset(str(path)))
    assert outcome(lambda: load_dataset(str(path), cache=str(folder), memos=VerdictTally)) == fresh
    assert not os.path.exists(database + "-wal")
    assert seal.judge(database, os.stat(database)) == seal.SEALED


def test_the_verdict_a_seal_kept_is_brought_up_to_date_into_the_database(tmp_path: Path) -> None:
    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    kept_verdict(load_dataset(str(path), cache=str(folder)))  # worked out after the database was sealed: kept in the seal
    database = cache_file(str(folder), str(path))
    assert seal.kept(database, "memo:validate") is not None
    edited(path, change(5, "again"), cite_web(11))
    assert cache.refresh(str(folder), str(path), memos=VerdictTally) is True
    connection = sqlite3.connect(database)
    try:
        (refreshed,) = connection.execute("SELECT value FROM meta WHERE key = 'memo:validate'").fetchone()
    finally:
        connection.close()
    fresh = VerdictTally(dataset := load_dataset(str(path)))
    for event in dataset.events:
        fresh.add(event, None)
    assert refreshed == fresh.values()["validate"]
    assert seal.kept(database, "memo:validate") is None  # the new seal keeps nothing of the old data


@pytest.mark.parametrize("date", ["1990-01-01", "2021-06", "2099-12-31"])
def test_add_after_an_edit_by_hand_writes_the_bytes_a_full_parse_writes(tmp_path: Path, date: str) -> None:
    from .test_authoring import add, event, warm

    path = copy_of_the_shipped_data(tmp_path)
    folder = tmp_path / "cache"
    warm(path, folder)
    text = path.read_text(encoding="utf-8").replace("title: Days of culture are held", "title: Days of culture held, at last", 1)
    path.write_text(text, encoding="utf-8")
    twin = path.with_name("twin.yaml")
    twin.write_text(text, encoding="utf-8")
    assert cache.refresh(str(folder), str(path)) is True
    add(path, event(date), folder)
    add(twin, event(date), None)
    assert path.read_bytes() == twin.read_bytes()
    assert outcome(lambda: load_dataset(str(path), cache=str(folder))) == outcome(lambda: load_dataset(str(path)))
