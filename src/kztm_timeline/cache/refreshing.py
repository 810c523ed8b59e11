"""Re-reading only what changed (issue 28): a cache of an earlier version of the data file is brought in
step with the file as it is now, re-parsing and re-checking only the events whose items changed.

How the change is found: the blocks (64 KiB) the two versions have in common from the start and from the
end bound a window; the items in it are split by their column and matched by digest against the items the
window held before. Items that match are kept as they are (they move, at most); the others are parsed on
their own, checked by the checker ``add`` uses for its new event (:func:`~kztm_timeline.datafile.validate.
addition_checker`), and checked across events against the rest (:mod:`.linking`: unique ids and old ids,
related events that exist, outcomes of planned events, links to events that went).

How it is written: as ``add`` writes, through :func:`.adding.rewrite_sealed`: the database (in place, when no
other run reads it; else a copy, put in place of the old one) is brought in step (rows that went, rows that
moved, new rows, the kept JSON of every event whose links changed, the links and old ids, ``validate``'s kept
verdict) and sealed anew.

When the whole file is read instead (``bring_in_step`` answers False): the cache keeps no spans (an unusual
layout), anything above the events list or below it changed (the sources and actors: every event's JSON
may depend on them), an article changed, a line in the window could end the list, an item does not parse
as one item, more than :data:`SHARE` of the events changed, or any check fails (the whole read then says
where, as always).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..datafile.build import actor_from, event_from, parse_optional_date, source_from
from ..datafile.items import common_blocks, item_digests, item_starts
from ..model import Dataset, Event, Memos
from ..seal import kept
from ..store import Opened, file_stat, memo_checks, open_matching, row_crc
from .adding import rewrite_sealed
from .events import CachedEvents, no_fallback
from .linking import WindowItems, changed_items
from .spans import Window, mapped, span_meta
from .tables import INDEXED, compact_json, insert_events

SHARE = 0.25  # more than this share of the events changed: a whole read is as cheap, and simpler


def bring_in_step(
    folder: str,
    data_path: str,
    *,
    memos: Callable[[Dataset], Memos] | None,
    notice: Callable[[str], None] | None,
    known: Callable[[list[int]], str | None] = lambda _: None,
) -> bool:
    """Bring the cache of ``data_path`` in step with the file's bytes now, reading only what changed: True
    when it was done (the cache then matches the file), False when the file is to be read whole."""
    opened = open_matching(folder, data_path, lambda: "", notice=notice, exact=False, any_data=True)
    if opened is None:
        return False
    try:
        row = opened.connection.execute("SELECT value FROM meta WHERE key = 'spans'").fetchone()
        if row is None:
            return False
        return _refresh(folder, data_path, opened, json.loads(row[0]), memos, notice, known)
    except (OSError, sqlite3.Error, ValueError, KeyError, TypeError, IndexError) as error:
        if notice is not None:
            notice(f"cache not refreshed: {error}")
        return False
    finally:
        opened.connection.close()


def _refresh(
    folder: str,
    data_path: str,
    opened: Opened,
    spans: dict[str, Any],
    memos: Callable[[Dataset], Memos] | None,
    notice: Callable[[str], None] | None,
    known: Callable[[list[int]], str | None],
) -> bool:
    meta, connection = opened.meta, opened.connection
    stat_before = file_stat(data_path)
    with mapped(data_path) as buffer:
        digest = known(stat_before) or hashlib.sha256(buffer).hexdigest()
        if digest == meta["data"]:
            return False  # the same bytes: the cache was refused for another reason
        window = _window(connection, buffer, spans)
        if window is None:
            return False
        changed = changed_items(connection, data_path, buffer, window, meta["registry"], share=SHARE * max(int(meta["count"]), 1))
        if changed is None:
            return False
        verdict = _kept_verdict(connection, opened.path, meta["data"]) if memos is not None else None

        def change(copy: sqlite3.Connection) -> None:
            moved = _apply(copy, data_path, buffer, window, changed, meta, spans)
            values = {"data": digest, "stat": compact_json(stat_before), "at_in_spans": "1"}
            copy.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))
            _bring_verdict(copy, data_path, meta, memos, verdict, moved)
            if file_stat(data_path) != stat_before:
                raise ValueError("the data file changed while it was read")  # (then read whole)

        store = CachedEvents(connection, opened.path, int(meta["count"]), no_fallback)
        # (``change`` reads ``copy`` alone: it may go through a write-ahead log)
        return rewrite_sealed(folder, data_path, store, opened.identity, change, notice, logged=True)


def _kept_verdict(connection: sqlite3.Connection, database: str, data_digest: str) -> str | None:
    """``validate``'s verdict as the cache keeps it, in the database (written with it) or in its seal (worked out
    later), while its check binds it to the data it was worked out from (see :func:`~kztm_timeline.store.memo_checks`)."""
    rows = dict(connection.execute("SELECT key, value FROM meta WHERE key IN ('memo:validate', 'memo-check:validate')"))
    if "memo:validate" not in rows:
        rows = {key: kept(database, key) for key in ("memo:validate", "memo-check:validate")}
    value, check = rows.get("memo:validate"), rows.get("memo-check:validate")
    if value is None or check != memo_checks({"validate": str(value)}, data_digest)["memo-check:validate"]:
        return None
    return str(value)


def _window(connection: sqlite3.Connection, buffer: Any, spans: dict[str, Any]) -> Window | None:
    """The window of change, or None when it reaches above or below the events list, or cannot be split."""
    old_size, size, block = int(spans["size"]), len(buffer), int(spans["block"])
    begin, end = spans["begin"], spans["end"]
    same_start = common_blocks(buffer, [bytes.fromhex(text) for text in spans["forward"]], block) * block
    same_end = common_blocks(buffer, [bytes.fromhex(text) for text in spans["backward"]], block, from_end=True) * block
    with memoryview(buffer) as view:
        if same_start < begin[0] and hashlib.sha256(view[: begin[0]]).hexdigest() == spans["head"]:
            same_start = int(begin[0])  # the same sources and actors
        tail = old_size - int(end[0])
        if same_end < tail <= size and hashlib.sha256(view[size - tail :]).hexdigest() == spans["tail"]:
            same_end = tail  # the same keys below the events
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
    return Window(
        int(rows[0][5]),
        [int(row[0]) for row in rows],
        [bytes(row[4]) for row in rows],
        start,
        (int(old_end[0]), int(old_end[1]), int(old_end[2])),
        starts,
        new_end,
        item_digests(buffer, starts, new_end),
    )


@dataclass(frozen=True)
class _Moved:
    """What a refresh changed, for bringing ``validate``'s kept verdict up to date: the events that went, the
    events read anew with where their date is written, and where each line of the old file is now (None for a
    line of an event that went)."""

    removed: tuple[Event, ...]
    added: tuple[tuple[Event, tuple[int, int]], ...]
    line_of: Callable[[int], int | None]


def _apply(
    copy: sqlite3.Connection,
    data_path: str,
    buffer: Any,
    window: Window,
    changed: WindowItems,
    meta: dict[str, Any],
    spans: dict[str, Any],
) -> _Moved:
    """Write the change into the copy: the rows that went, the rows that stay (moved), the new rows, what
    follows the window (moved as a whole), the links and their kept JSON, and the file-wide values."""
    dataset = _dataset(copy, data_path, meta, int(meta["count"]))
    old_lines: dict[int, int] = {}
    for part in _chunks(window.old_rows):
        query = f"SELECT row, line FROM spans WHERE row IN ({','.join('?' for _ in part)})"
        old_lines.update(copy.execute(query, part).fetchall())
    (next_row,) = copy.execute("SELECT coalesce(max(row), -1) + 1 FROM events").fetchone()  # (before any row goes: a
    # new event never takes the number of one that went, which the lines of the kept verdict are mapped by)
    targets, removed = _forget(copy, dataset, changed.removed)
    targets |= _retarget(copy, changed.retargeted)
    last = window.first + len(window.old_rows)
    new, old = _length(buffer, window), _old_length(window)
    moved = (len(window.starts) - len(window.old_rows), new[0] - old[0], new[1] - old[1], new[2] - old[2])
    if moved[0]:
        copy.execute("UPDATE events SET pos = pos + ? WHERE pos >= ?", (moved[0], last))
    # Where each item starts (events.at) is now read from spans.char (see Indexed.start): a column of the wide events
    # table, moved for every event below the change, would rewrite most of the database.
    copy.execute(
        "UPDATE spans SET byte = byte + ?, char = char + ?, line = line + ? WHERE byte >= ?",
        (moved[1], moved[2], moved[3], window.old_end[0]),
    )
    added, new_lines, reused, inserted = _place(copy, buffer, window, changed, int(next_row))
    targets.update(relation.event for _, _, _, event, _ in inserted for relation in event.related)
    targets |= _move_kept(copy, reused)
    insert_events(copy, dataset, inserted)
    count = int(meta["count"]) + moved[0]
    _rewrite_contracts(copy, dataset, count, targets | {event.id for _, _, _, event, _ in inserted})
    begin, end = spans["begin"], spans["end"]
    new_end = (int(end[0]) + moved[1], int(end[1]) + moved[2], int(end[2]) + moved[3])
    first = (int(begin[0]), int(begin[1]), int(begin[2]))
    same = (window.begin[0], len(buffer) - window.end)  # (the bytes before and after the window are as they were)
    file_meta = span_meta(buffer, int(spans["dash"]), int(spans["key"]), first, new_end, kept=spans, same=same)
    layout = json.loads(meta.get("layout") or "null")
    if layout is not None and layout.get("following") is not None:
        layout["following"] = int(layout["following"]) + moved[2]
    values = {"spans": compact_json(file_meta), "count": str(count), "layout": compact_json(layout)}
    copy.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))
    return _Moved(tuple(removed), tuple(added), _line_map(window, old_lines, new_lines, moved[3]))


def _dataset(connection: sqlite3.Connection, data_path: str, meta: dict[str, Any], count: int) -> Dataset:
    registry = meta["registry"]
    sources = tuple(source_from(record, parse_optional_date) for record in registry["sources"])
    actors = tuple(actor_from(record, parse_optional_date) for record in registry["actors"])
    return Dataset(data_path, sources, actors, CachedEvents(connection, "", count, no_fallback))


_Inserted = tuple[int, int, int, Event, object]


def _place(
    copy: sqlite3.Connection, buffer: Any, window: Window, changed: WindowItems, next_row: int
) -> tuple[list[tuple[Event, tuple[int, int]]], dict[int, int], list[tuple[int, int]], list[_Inserted]]:
    """Where each item of the window lies now (spans), the rows to insert for the new ones, and the rows kept (with
    their new positions); the new events with where their dates are written. New rows are numbered from
    ``next_row`` on."""
    _, char, line = window.begin
    bounds = [*window.starts[1:], window.end]
    inserted: list[_Inserted] = []
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
        else:
            reused.append((row, window.first + number))
        places.append((row, start, char, line, digest))
        new_lines[row] = line
        item = bytes(buffer[start:stop])
        char, line = char + len(item.decode("utf-8")), line + item.count(b"\n")
    copy.executemany("INSERT OR REPLACE INTO spans VALUES (?, ?, ?, ?, ?)", places)
    return added, new_lines, reused, inserted


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


def _line_map(window: Window, old_lines: dict[int, int], new_lines: dict[int, int], shift: int) -> Callable[[int], int | None]:
    """Where each line of the old file is now: above the window, where it was; below, moved by ``shift``;
    in it, moved with its event's item (None when the event went)."""
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


def _length(buffer: Any, window: Window) -> tuple[int, int, int]:
    """The new window's size in bytes, characters and lines."""
    item = bytes(buffer[window.begin[0] : window.end])
    return len(item), len(item.decode("utf-8")), item.count(b"\n")


def _old_length(window: Window) -> tuple[int, int, int]:
    return (window.old_end[0] - window.begin[0], window.old_end[1] - window.begin[1], window.old_end[2] - window.begin[2])


def _forget(connection: sqlite3.Connection, dataset: Dataset, removed: list[int]) -> tuple[set[str], list[Event]]:
    """Delete the rows of the events that went (their search text, index keys, links, old ids, spans and inferred
    dates too); the events they linked to, and the events themselves."""
    from ..query import haystack

    targets: set[str] = set()
    events: list[Event] = []
    for part in _chunks(removed):
        marks = ",".join("?" for _ in part)
        rows = connection.execute(f"SELECT row, id, record FROM events WHERE row IN ({marks})", part).fetchall()
        link_rows = connection.execute(f"SELECT DISTINCT target FROM links WHERE source IN ({marks})", part).fetchall()
        targets.update(str(target) for (target,) in link_rows)
        for row, identifier, text in rows:
            record = json.loads(text)
            event = event_from(record, parse_optional_date(record["date"]) or _no_date(identifier))
            connection.execute("INSERT INTO search(search, rowid, text) VALUES ('delete', ?, ?)", (row, haystack(dataset, event)))
            keys = [(name, key, row) for name, index in INDEXED.items() for key in dict.fromkeys(index(event))]
            connection.executemany("DELETE FROM keys WHERE name = ? AND key = ? AND row = ?", keys)  # (by its index)
            events.append(event)
        for table, column in (("events", "row"), ("links", "source"), ("spans", "row"), ("aliases", "row"), ("inferred", "row")):
            connection.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", part)
        connection.execute(f"DELETE FROM renamed WHERE row IN ({marks})", part)
    return targets, events


def _retarget(connection: sqlite3.Connection, retargeted: list[tuple[int, int, str, str]]) -> set[str]:
    """Point the links of kept events that named an event that went at the event that now answers to the name
    they were written with (``(row, idx, name, id of today)``); the ids of those kept events, whose JSON names
    the new id."""
    sources: set[int] = set()
    for row, idx, name, target in retargeted:
        connection.execute("UPDATE links SET target = ? WHERE source = ? AND idx = ?", (target, row, idx))
        connection.execute("DELETE FROM renamed WHERE row = ? AND idx = ?", (row, idx))
        if name != target:
            connection.execute("INSERT INTO renamed VALUES (?, ?, ?)", (row, idx, name))
        sources.add(row)
    found: set[str] = set()
    for part in _chunks(sorted(sources)):
        query = f"SELECT id FROM events WHERE row IN ({','.join('?' for _ in part)})"
        found.update(str(identifier) for (identifier,) in connection.execute(query, part))
    return found


def _no_date(identifier: str) -> Any:
    raise ValueError(f"event {identifier!r} has no date in the cache")


def _rewrite_contracts(connection: sqlite3.Connection, dataset: Dataset, count: int, identifiers: set[str]) -> None:
    """Work out again the JSON kept for these events (who links to each may have changed)."""
    from ..contract import dumps, event_json

    store = CachedEvents(connection, "", count, no_fallback)  # a new one: none of its rows is decoded yet
    linked = Dataset(dataset.path, dataset.sources, dataset.actors, store)
    for identifier in sorted(identifiers):
        position = store.position(identifier)
        if position is None:
            continue
        contract = dumps(event_json(linked, store.at(position)), pretty=False, spaced=True)
        connection.execute(
            "UPDATE events SET contract = ?, contract_crc = ? WHERE id = ?", (contract, row_crc(contract), identifier)
        )


def _bring_verdict(
    copy: sqlite3.Connection,
    data_path: str,
    meta: dict[str, Any],
    memos: Callable[[Dataset], Memos] | None,
    verdict: str | None,
    moved: _Moved,
) -> None:
    """``validate``'s kept verdict brought up to date (its problems moved with their lines, the new events' own
    added), as a whole read would keep it; every other kept answer dropped (worked out again when asked)."""
    copy.execute("DELETE FROM meta WHERE key LIKE 'memo:%' OR key LIKE 'memo-check:%'")
    if memos is None or verdict is None:
        return
    (count,) = copy.execute("SELECT count(*) FROM events").fetchone()
    dataset = _dataset(copy, data_path, meta, int(count))
    tally = memos(dataset)
    for event, mark in moved.added:
        tally.add(event, mark)
    updated = tally.refreshed({"validate": verdict}, moved.removed, moved.line_of)
    copy.executemany("INSERT INTO meta VALUES (?, ?)", [(f"memo:{key}", value) for key, value in updated.items()])
    (data,) = copy.execute("SELECT value FROM meta WHERE key = 'data'").fetchone()
    copy.executemany("INSERT INTO meta VALUES (?, ?)", list(memo_checks(updated, str(data)).items()))
