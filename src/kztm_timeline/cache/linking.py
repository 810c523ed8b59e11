"""What a changed window of the data file holds (for :mod:`.refreshing`): its items matched by digest with the
items it held, the others parsed on their own and checked as ``add`` checks its new event, then checked across
events against the rest of the cache: ids and old ids (``aliases``) not taken, related events that exist (by id
or old id), outcomes that name planned events, and every link of a kept event to an event that went answered by
an event read anew (by the name it was written with)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..datafile.build import event_from
from ..model import Event
from .spans import Window

Record = tuple[dict[str, object], Event, tuple[int, int]]


@dataclass
class WindowItems:
    """What the window holds now: for each new item, the row it keeps (or None); for each new one, its record, its
    event and where its date is written (line within the item, from 0, and column); the rows that went; and the
    links of kept events to retarget, as (row, idx, the name written, the id it now names)."""

    kept: list[int | None]
    records: dict[int, Record]
    removed: list[int]
    retargeted: list[tuple[int, int, str, str]] = field(default_factory=list)


def changed_items(
    connection: sqlite3.Connection, data_path: str, buffer: Any, window: Window, registry: dict[str, Any], *, share: float
) -> WindowItems | None:
    """Match the window's items by digest, parse and check the others; None when anything is wrong, or more than
    ``share`` events changed (the file is then read whole, which says what is wrong)."""
    unused: dict[bytes, list[int]] = {}
    for row, digest in zip(window.old_rows, window.old_digests, strict=True):
        unused.setdefault(digest, []).append(row)
    kept: list[int | None] = []
    for digest in window.digests:
        rows = unused.get(digest)
        kept.append(rows.pop(0) if rows else None)
    fresh = [number for number, row in enumerate(kept) if row is None]
    removed = [row for rows in unused.values() for row in rows]
    if len(fresh) + len(removed) > share:
        return None
    if not fresh and not removed:
        return WindowItems(kept, {}, [])  # the same events, moved
    read = _read(connection, data_path, buffer, window, fresh, removed, registry) if fresh else []
    if read is None:
        return None
    records = dict(zip(fresh, read, strict=True))
    retargeted = _fits_the_rest(connection, [event for _, event, _ in read], removed)
    if retargeted is None:
        return None
    return WindowItems(kept, records, removed, retargeted)


def _read(
    connection: sqlite3.Connection,
    data_path: str,
    buffer: Any,
    window: Window,
    fresh: list[int],
    removed: list[int],
    registry: dict[str, Any],
) -> list[Record] | None:
    """The new items parsed together as one events list, each checked as ``add`` checks its event; None if that
    list is not exactly these items, or any check fails."""
    from ..datafile import yaml_read
    from ..datafile.validate import Known, addition_checker
    from ..errors import DataError

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
    checker = addition_checker(Known(registry["sources"], registry["actors"], _KeptPlanned(connection, removed)), data_path)
    marks = yaml_read.find_marks(text, [(("events", index, "date"), False) for index in range(len(fresh))])
    dates = [checker.event(index, record, suspect=document.suspect) for index, record in enumerate(events)]
    checker.check_links()
    if checker.found or any(when is None for when in dates):
        return None
    renamed = _Renamed(connection, removed, events)
    read: list[Record] = []
    first_line = 2  # each item's first line in the text parsed (the events: line is the first)
    for index, (number, record, when) in enumerate(zip(fresh, events, dates, strict=True)):
        line, column = marks[(("events", index, "date"), False)]
        if when is None or not isinstance(record, dict) or line is None or column is None:
            return None
        read.append((record, event_from(record, when, renamed), (line - first_line, column)))
        first_line += bytes(buffer[window.starts[number] : bounds[number]]).count(b"\n")
    return read


class _KeptPlanned(Mapping[str, bool]):
    """Whether each id or old id of the events kept (not ``removed``) names a planned event, from the cache."""

    def __init__(self, connection: sqlite3.Connection, removed: Sequence[int]) -> None:
        self.connection, self.removed = connection, set(removed)

    def __getitem__(self, name: str) -> bool:
        row = _kept_row(self.connection, self.removed, name)
        if row is None:
            raise KeyError(name)
        planned = "SELECT 1 FROM keys WHERE name = 'status' AND key = 'planned' AND row = ?"
        return self.connection.execute(planned, (row,)).fetchone() is not None

    def __iter__(self) -> Iterator[str]:  # (read only to suggest a name, once a check failed)
        rows = self.connection.execute("SELECT id, row FROM events UNION ALL SELECT alias, row FROM aliases")
        return (str(name) for name, row in rows if row not in self.removed)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Renamed(Mapping[str, str]):
    """Each old id and the id of the event that has it now: among the events read anew, then the events kept."""

    def __init__(self, connection: sqlite3.Connection, removed: Sequence[int], records: list[Any]) -> None:
        self.connection, self.removed = connection, set(removed)
        self.new = {str(alias): str(record["id"]) for record in records for alias in record.get("aliases") or ()}
        self.size: int | None = None

    def __getitem__(self, alias: str) -> str:
        if alias in self.new:
            return self.new[alias]
        row = self.connection.execute("SELECT row FROM aliases WHERE alias = ?", (alias,)).fetchone()
        if row is None or row[0] in self.removed:
            raise KeyError(alias)
        (identifier,) = self.connection.execute("SELECT id FROM events WHERE row = ?", (row[0],)).fetchone()
        return str(identifier)

    def __iter__(self) -> Iterator[str]:
        rows = self.connection.execute("SELECT alias, row FROM aliases").fetchall()
        return iter(dict.fromkeys([*self.new, *(str(alias) for alias, row in rows if row not in self.removed)]))

    def __len__(self) -> int:
        if self.size is None:
            self.size = sum(1 for _ in self)
        return self.size


def _kept_row(connection: sqlite3.Connection, removed: set[int], name: str) -> int | None:
    """The row of the kept event with this id, or this old id; None if no kept event answers to it."""
    row = connection.execute("SELECT row FROM events WHERE id = ?", (name,)).fetchone()
    if row is None:
        row = connection.execute("SELECT row FROM aliases WHERE alias = ?", (name,)).fetchone()
    return None if row is None or row[0] in removed else int(row[0])


Retarget = tuple[int, int, str, str]


def _fits_the_rest(connection: sqlite3.Connection, new: list[Event], removed: list[int]) -> list[Retarget] | None:
    """The new events' ids and old ids are not the ids or old ids of events kept, and every link of a kept event to
    an event that went is answered by a new event (a planned one, for an outcome); the links to retarget, or None."""
    from ..vocab import OUTCOMES

    gone = set(removed)
    by_name: dict[str, Event] = {}
    for event in new:
        for name in (event.id, *event.aliases):
            if _kept_row(connection, gone, name) is not None:
                return None
            by_name.setdefault(name, event)  # (an id before the old ids: the checker refused an old id that is an id)
    retargeted: list[tuple[int, int, str, str]] = []
    for part in _chunks(removed):
        marks = ",".join("?" for _ in part)
        rows = connection.execute(
            "SELECT links.source, links.idx, links.target, links.relation, renamed.alias FROM links "
            "LEFT JOIN renamed ON renamed.row = links.source AND renamed.idx = links.idx "
            f"WHERE links.target IN (SELECT id FROM events WHERE row IN ({marks}))",
            part,
        ).fetchall()
        for source, idx, target, relation, alias in rows:
            if source in gone:
                continue
            name = str(alias) if alias is not None else str(target)
            answer = by_name.get(name)
            if answer is None or (relation in OUTCOMES and answer.status.value != "planned"):
                return None
            if answer.id != target:
                retargeted.append((int(source), int(idx), name, answer.id))
    return retargeted


def _chunks(rows: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
