"""Re-reading only what changed (issue 28): a cache of an earlier version of the data file is brought in
step with the file as it is now, re-parsing and re-checking only the events whose items changed, in one
transaction.

How the change is found: the blocks (64 KiB) the two versions have in common from the start and from the
end bound a window; the items in it are split by their column and matched by digest against the items the
window held before. Items that match are kept as they are (they move, at most); the others are parsed on
their own, checked by the one checker with the sources and actors, and checked across events against the
rest (unique ids, related events, outcomes of planned events, links to events that went).

When the whole file is read instead (``refresh`` answers False): the cache keeps no spans (an unusual
layout), anything above the events list or below it changed (the sources and actors: every event's JSON
may depend on them), an article changed, a line in the window could end the list, an item does not parse
as one item, more than :data:`SHARE` of the events changed, or any check fails (the whole read then says
where, as always).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..datafile.build import actor_from, event_from, parse_optional_date, source_from
from ..datafile.items import common_blocks, item_digests, item_starts
from ..model import Dataset, Event
from ..store import connect, file_stat, open_matching, row_crc, trusted_file
from .events import CachedEvents, no_fallback
from .spans import mapped, span_meta
from .tables import insert_events, memo_checks

SHARE = 0.25  # more than this share of the events changed: a whole read is as cheap, and simpler


@dataclass
class _Window:
    """The old items the change touches (by position), and the new items in their place."""

    first: int  # position of the first old item touched
    old_rows: list[int]
    old_digests: list[bytes]
    begin: tuple[int, int, int]  # where the window starts: byte, character, line (the same in both versions)
    old_end: tuple[int, int, int]  # where it ended in the old version
    starts: list[int]  # where each new item starts (bytes)
    end: int  # where the window ends in the new version (bytes)
    digests: list[bytes]


@dataclass(frozen=True)
class Refreshed:
    """What a refresh changed, for bringing the values worked out from every event (``Memos``) up to date:
    the events that went, the events read anew with where their date is written, and where each line of the
    old file is now (None for a line of an event that went)."""

    removed: tuple[Event, ...]
    added: tuple[tuple[Event, tuple[int, int]], ...]
    line_of: Callable[[int], int | None]
    kept: dict[str, str] | None = None  # the values the cache kept before (its memos)


def bring_in_step(folder: str, data_path: str, *, notice: Callable[[str], None] | None = None) -> Refreshed | None:
    """Bring the cache of ``data_path`` in step with the file's bytes now, reading only what changed: what
    changed when it was done (the cache then matches the file), None when the file is to be read whole."""
    opened = open_matching(folder, data_path, lambda: "", notice=notice, exact=False, any_data=True)
    if opened is None:
        return None
    try:
        row = opened.connection.execute("SELECT value FROM meta WHERE key = 'spans'").fetchone()
    except sqlite3.Error:
        row = None
    opened.connection.close()
    if row is None:
        return None
    try:
        return _refresh(opened.path, data_path, opened.meta, json.loads(row[0]), notice)
    except (OSError, sqlite3.Error, ValueError, KeyError, TypeError, IndexError) as error:
        if notice is not None:
            notice(f"cache not refreshed: {error}")
        return None


def _refresh(
    database: str, data_path: str, meta: dict[str, Any], spans: dict[str, Any], notice: Callable[[str], None] | None
) -> Refreshed | None:
    stat_before = file_stat(data_path)
    with mapped(data_path) as buffer:
        digest = hashlib.sha256(buffer).hexdigest()
        if digest == meta["data"]:
            return None  # the same bytes: the cache only needs its status noted, as a read does
        if trusted_file(database, notice) is None:
            return None
        connection = connect(database, write=True)
        try:
            window = _window(connection, buffer, spans)
            if window is None:
                return None
            changed = _changed(connection, data_path, buffer, window, meta)
            if changed is None:
                return None
            connection.execute("BEGIN IMMEDIATE")
            try:
                refreshed: Refreshed = _apply(connection, data_path, buffer, window, changed, meta, spans)
                values = {"data": digest, "stat": json.dumps(stat_before, separators=(",", ":"))}
                connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))
                rows = dict(connection.execute("SELECT key, value FROM meta WHERE key LIKE 'memo%'").fetchall())
                values = {str(key).removeprefix("memo:"): str(value) for key, value in rows.items() if key.startswith("memo:")}
                checks = memo_checks(values, meta["data"])
                intact = {
                    key: value for key, value in values.items() if rows.get(f"memo-check:{key}") == checks[f"memo-check:{key}"]
                }
                refreshed = dataclasses.replace(refreshed, kept=intact)
                # the caller brings them up to date (those intact) or they are worked out again when asked
                connection.execute("DELETE FROM meta WHERE key LIKE 'memo:%' OR key LIKE 'memo-check:%'")
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
        finally:
            connection.close()
    return refreshed


def _window(connection: sqlite3.Connection, buffer: Any, spans: dict[str, Any]) -> _Window | None:
    """The window of change, or None when it reaches above or below the events list, or cannot be split."""
    old_size, size, block = int(spans["size"]), len(buffer), int(spans["block"])
    begin, end = spans["begin"], spans["end"]
    same_start = common_blocks(buffer, [bytes.fromhex(text) for text in spans["forward"]], block) * block
    same_end = common_blocks(buffer, [bytes.fromhex(text) for text in spans["backward"]], block, from_end=True) * block
    view = memoryview(buffer)
    try:
        if same_start < begin[0] and hashlib.sha256(view[: begin[0]]).hexdigest() == spans["head"]:
            same_start = int(begin[0])  # the same sources and actors
        tail = old_size - int(end[0])
        if same_end < tail <= size and hashlib.sha256(view[size - tail :]).hexdigest() == spans["tail"]:
            same_end = tail  # the same keys below the events
    finally:
        view.release()
    same_start = min(same_start, old_size, size)
    same_end = min(same_end, min(old_size, size) - same_start)
    if same_start < begin[0] or old_size - same_end > end[0]:
        return None  # the change reaches the sources and actors, or what follows the events
    low, high = max(same_start - 1, begin[0]), min(old_size - same_end + 1, end[0])
    rows = connection.execute(
        "SELECT spans.row, spans.byte, spans.char, spans.line, spans.digest, events.pos FROM spans JOIN events USING (row) "
        "WHERE spans.byte < ? AND spans.byte >= coalesce((SELECT max(byte) FROM spans WHERE byte <= ?), 0) ORDER BY spans.byte",
        (high, low),
    ).fetchall()
    after = connection.execute("SELECT byte, char, line FROM spans WHERE byte >= ? ORDER BY byte LIMIT 1", (high,)).fetchone()
    old_end = tuple(after) if after is not None else tuple(end)
    if not rows:
        return None
    start = (int(rows[0][1]), int(rows[0][2]), int(rows[0][3]))
    new_end = int(old_end[0]) + size - old_size
    dash = int(spans["dash"])
    if new_end < start[0] or (new_end > start[0] and re.compile(rb" {%d}-[ \r\n]" % dash).match(buffer, start[0]) is None):
        return None
    starts = item_starts(buffer, dash, start[0], new_end) if new_end > start[0] else []
    if starts is None:
        return None
    return _Window(
        int(rows[0][5]),
        [int(row[0]) for row in rows],
        [bytes(row[4]) for row in rows],
        start,
        (int(old_end[0]), int(old_end[1]), int(old_end[2])),
        starts,
        new_end,
        item_digests(buffer, starts, new_end),
    )


_Record = tuple[dict[str, object], Event, tuple[int, int]]


@dataclass
class _Changed:
    """What the window holds now: for each new item, the row it keeps (or None) and, for new ones, the event."""

    kept: list[int | None]
    records: dict[int, tuple[dict[str, object], Event, tuple[int, int]]]  # by the item's number in the window, with
    # where its date is written (line within the item, from 0, and column)
    removed: list[int]


def _changed(
    connection: sqlite3.Connection, data_path: str, buffer: Any, window: _Window, meta: dict[str, Any]
) -> _Changed | None:
    """Match the window's items by digest, parse and check the others; None when anything is wrong."""
    from ..datafile import yaml_read
    from ..datafile.fs import read_text
    from ..datafile.validate import Checker
    from ..errors import DataError

    unused: dict[bytes, list[int]] = {}
    for row, digest in zip(window.old_rows, window.old_digests, strict=True):
        unused.setdefault(digest, []).append(row)
    kept: list[int | None] = []
    for digest in window.digests:
        rows = unused.get(digest)
        kept.append(rows.pop(0) if rows else None)
    fresh = [number for number, row in enumerate(kept) if row is None]
    removed = [row for rows in unused.values() for row in rows]
    if len(fresh) + len(removed) > SHARE * max(int(meta["count"]), 1):
        return None
    if not fresh and not removed:
        return _Changed(kept, {}, [])  # the same events, moved
    bounds = [*window.starts[1:], window.end]
    text = "events:\n" + "".join(bytes(buffer[window.starts[n] : bounds[n]]).decode("utf-8") for n in fresh)
    try:
        document = yaml_read.compose(data_path, text)
    except DataError:
        return None
    data = document.data
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(events, list) or len(events) != len(fresh) or set(data) != {"events"}:
        return None
    checker = Checker(data_path, read_text, known=_KeptPlanned(connection, removed))
    checker.begin(meta["registry"], suspect=True)
    records: dict[int, tuple[dict[str, object], Event, tuple[int, int]]] = {}
    marks = yaml_read.find_marks(text, [(("events", index, "date"), False) for index in range(len(fresh))])
    first_line = 2  # each item's first line in the text parsed (the events: line is the first)
    for index, (number, record) in enumerate(zip(fresh, events, strict=True)):
        when = checker.event(number, record, suspect=document.suspect)
        line, column = marks[(("events", index, "date"), False)]
        if when is not None and isinstance(record, dict) and line is not None and column is not None:
            records[number] = (record, event_from(record, when), (line - first_line, column))
        first_line += bytes(buffer[window.starts[number] : bounds[number]]).count(b"\n")
    checker.check_related()
    if checker.found or len(records) != len(fresh) or not _fits_the_rest(connection, records, removed):
        return None
    return _Changed(kept, records, removed)


class _KeptPlanned(Mapping[str, bool]):
    """Whether each id of the events kept (not ``removed``) names a planned event, from the cache."""

    def __init__(self, connection: sqlite3.Connection, removed: Sequence[int]) -> None:
        self.connection, self.removed = connection, set(removed)

    def __getitem__(self, identifier: str) -> bool:
        row = self.connection.execute("SELECT row FROM events WHERE id = ?", (identifier,)).fetchone()
        if row is None or row[0] in self.removed:
            raise KeyError(identifier)
        planned = "SELECT 1 FROM keys WHERE name = 'status' AND key = 'planned' AND row = ?"
        return self.connection.execute(planned, (row[0],)).fetchone() is not None

    def __iter__(self) -> Any:
        rows = self.connection.execute("SELECT id, row FROM events ORDER BY pos")
        return (identifier for identifier, row in rows if row not in self.removed)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _fits_the_rest(
    connection: sqlite3.Connection,
    records: Mapping[int, tuple[dict[str, object], Event, tuple[int, int]]],
    removed: Sequence[int],
) -> bool:
    """The new events' ids are not taken by events kept, and no kept event links to an event that went, or
    names with an outcome an event that is no longer planned."""
    from ..vocab import OUTCOMES

    gone = set(removed)
    new = {event.id: event for _, event, _ in records.values()}
    for identifier in new:
        row = connection.execute("SELECT row FROM events WHERE id = ?", (identifier,)).fetchone()
        if row is not None and row[0] not in gone:
            return False
    marks = ",".join("?" for _ in removed)
    rows = connection.execute(
        f"SELECT links.target, links.relation, links.source FROM links JOIN events ON events.row = links.source "
        f"WHERE links.target IN (SELECT id FROM events WHERE row IN ({marks}))",
        list(removed),
    ).fetchall()
    for target, relation, source in rows:
        if source in gone:
            continue
        event = new.get(target)
        if event is None or (relation in OUTCOMES and event.status.value != "planned"):
            return False
    return True


def _apply(
    connection: sqlite3.Connection,
    data_path: str,
    buffer: Any,
    window: _Window,
    changed: _Changed,
    meta: dict[str, Any],
    spans: dict[str, Any],
) -> Refreshed:
    """Write the change: the rows that went, the rows that stay (moved), the new rows, what follows the
    window (moved as a whole), the JSON of every event whose links changed, and the file-wide values."""
    registry = meta["registry"]
    sources = tuple(source_from(record, parse_optional_date) for record in registry["sources"])
    actors = tuple(actor_from(record, parse_optional_date) for record in registry["actors"])
    count = int(meta["count"]) + len(window.starts) - len(window.old_rows)
    store = CachedEvents(connection, "", count, no_fallback)
    dataset = Dataset(data_path, sources, actors, store)
    old_lines: dict[int, int] = {}
    for part in _chunks(window.old_rows):
        query = f"SELECT row, line FROM spans WHERE row IN ({','.join('?' for _ in part)})"
        old_lines.update(connection.execute(query, part).fetchall())
    targets, removed = _forget(connection, dataset, changed.removed)
    last = window.first + len(window.old_rows)
    new, old = _length(buffer, window), _old_length(window)
    moved = (len(window.starts) - len(window.old_rows), new[0] - old[0], new[1] - old[1], new[2] - old[2])
    if moved[0]:
        connection.execute("UPDATE events SET pos = pos + ? WHERE pos >= ?", (moved[0], last))
    # Where each item starts (events.at) is now read from spans.char (see Indexed.start): a column of the wide events
    # table, moved for every event below the change, would rewrite most of the database.
    connection.execute(
        "UPDATE spans SET byte = byte + ?, char = char + ?, line = line + ? WHERE byte >= ?",
        (moved[1], moved[2], moved[3], window.old_end[0]),
    )
    (next_row,) = connection.execute("SELECT coalesce(max(row), -1) + 1 FROM events").fetchone()
    _, char, line = window.begin
    bounds = [*window.starts[1:], window.end]
    inserted: list[tuple[int, int, int, Event, object]] = []
    added: list[tuple[Event, tuple[int, int]]] = []
    places: list[tuple[int, int, int, int, bytes]] = []
    new_lines: dict[int, int] = {}
    reused: list[tuple[int, int]] = []  # (row, its new position) of the items kept
    for number, (start, stop, digest) in enumerate(zip(window.starts, bounds, window.digests, strict=True)):
        row = changed.kept[number]
        if row is None:
            row, next_row = next_row, next_row + 1
            record, event, (within, column) = changed.records[number]
            inserted.append((row, window.first + number, char, event, record))
            added.append((event, (line + within, column)))
            targets.update(relation.event for relation in event.related)
        else:
            reused.append((row, window.first + number))
        places.append((row, start, char, line, digest))
        new_lines[row] = line
        item = bytes(buffer[start:stop])
        char, line = char + len(item.decode("utf-8")), line + item.count(b"\n")
    connection.executemany("INSERT OR REPLACE INTO spans VALUES (?, ?, ?, ?, ?)", places)
    targets |= _move_kept(connection, reused)
    insert_events(connection, dataset, inserted)
    _rewrite_contracts(connection, dataset, targets | {event.id for _, _, _, event, _ in inserted})
    end = spans["end"]
    new_end = (int(end[0]) + moved[1], int(end[1]) + moved[2], int(end[2]) + moved[3])
    key = int(spans["key"])
    begin = tuple(spans["begin"])
    file_meta = span_meta(buffer, int(spans["dash"]), key, (int(begin[0]), int(begin[1]), int(begin[2])), new_end)
    layout = json.loads(meta.get("layout") or "null")
    if layout is not None and layout.get("following") is not None:
        layout["following"] = int(layout["following"]) + moved[2]
    values = {
        "spans": json.dumps(file_meta),
        "count": str(count),
        "layout": json.dumps(layout, separators=(",", ":")),
        "at_in_spans": "1",
    }
    connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))
    return Refreshed(tuple(removed), tuple(added), _line_map(window, old_lines, new_lines, moved[3]))


def _move_kept(connection: sqlite3.Connection, reused: list[tuple[int, int]]) -> set[str]:
    """Give the items kept in the window their new positions (only those that changed); when their order
    changed, the events they link to, whose kept JSON lists who links to them in file order."""
    old: dict[int, int] = {}
    for part in _chunks([row for row, _ in reused]):
        query = f"SELECT row, pos FROM events WHERE row IN ({','.join('?' for _ in part)})"
        old.update(connection.execute(query, part).fetchall())
    moved = [(position, row) for row, position in reused if old.get(row) != position]
    connection.executemany("UPDATE events SET pos = ? WHERE row = ?", moved)
    order = [old[row] for row, _ in reused]
    if all(a < b for a, b in itertools.pairwise(order)):
        return set()  # the same order: who links to whom reads as before
    found: set[str] = set()
    for part in _chunks([row for _, row in moved]):
        query = f"SELECT DISTINCT target FROM links WHERE source IN ({','.join('?' for _ in part)})"
        found.update(target for (target,) in connection.execute(query, part))
    return found


def _chunks(rows: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _line_map(window: _Window, old_lines: dict[int, int], new_lines: dict[int, int], shift: int) -> Callable[[int], int | None]:
    """Where each line of the old file is now: above the window, where it was; below, moved by ``shift``;
    in it, moved with its event's item (None when the event went)."""
    import bisect

    starts = sorted((line, row) for row, line in old_lines.items())
    firsts = [line for line, _ in starts]

    def line_of(old: int) -> int | None:
        if old < window.begin[2]:
            return old
        if old >= window.old_end[2]:
            return old + shift
        line, row = starts[bisect.bisect_right(firsts, old) - 1]
        now = new_lines.get(row)
        return None if now is None else now + old - line

    return line_of


def _length(buffer: Any, window: _Window) -> tuple[int, int, int]:
    """The new window's size in bytes, characters and lines."""
    item = bytes(buffer[window.begin[0] : window.end])
    return len(item), len(item.decode("utf-8")), item.count(b"\n")


def _old_length(window: _Window) -> tuple[int, int, int]:
    return (window.old_end[0] - window.begin[0], window.old_end[1] - window.begin[1], window.old_end[2] - window.begin[2])


def _forget(connection: sqlite3.Connection, dataset: Dataset, removed: Sequence[int]) -> tuple[set[str], list[Event]]:
    """Delete the rows of the events that went (their search text too); the events they linked to, and
    the events themselves."""
    from ..query import haystack

    store = dataset.events
    assert isinstance(store, CachedEvents)
    targets: set[str] = set()
    events: list[Event] = []
    for row in removed:
        identifier, text = connection.execute("SELECT id, record FROM events WHERE row = ?", (row,)).fetchone()
        record = json.loads(text)
        event = event_from(record, parse_optional_date(record["date"]) or _no_date(identifier))
        connection.execute("INSERT INTO search(search, rowid, text) VALUES ('delete', ?, ?)", (row, haystack(dataset, event)))
        targets.update(relation.event for relation in event.related)
        events.append(event)
    marks = ",".join("?" for _ in removed)
    for table, column in (("events", "row"), ("keys", "row"), ("links", "source"), ("spans", "row")):
        connection.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", list(removed))
    return targets, events


def _no_date(identifier: str) -> Any:
    raise ValueError(f"event {identifier!r} has no date in the cache")


def _rewrite_contracts(connection: sqlite3.Connection, dataset: Dataset, identifiers: set[str]) -> None:
    """Work out again the JSON kept for these events (who links to each may have changed)."""
    from ..contract import event_json

    (count,) = connection.execute("SELECT count(*) FROM events").fetchone()
    store = CachedEvents(connection, "", int(count), no_fallback)  # a new one: none of its rows is decoded yet
    dataset = Dataset(dataset.path, dataset.sources, dataset.actors, store)
    for identifier in identifiers:
        position = store.position(identifier)
        if position is None:
            continue
        contract = json.dumps(event_json(dataset, store.at(position)), ensure_ascii=False)
        connection.execute(
            "UPDATE events SET contract = ?, contract_crc = ? WHERE id = ?", (contract, row_crc(contract), identifier)
        )
