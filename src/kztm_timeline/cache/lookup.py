"""Finding events by id in the cache: an id, a prefix, and who links to an event."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping

from ..model import Event
from ..store import RENAMED_LINKS
from .rows import EventRows


class IdLookup(EventRows):
    """Events by id, and by the links between them, answered by the cache's indexes."""

    @property
    def by_id(self) -> Mapping[str, Event]:
        return _ById(self)

    def position(self, identifier: str) -> int | None:
        if self._parsed is not None:
            return next((number for number, event in enumerate(self._parsed) if event.id == identifier), None)
        try:
            row = self._connection.execute("SELECT pos FROM events WHERE id = ?", (identifier,)).fetchone()
        except sqlite3.Error:
            return next((number for number, event in enumerate(self._parse_afresh()) if event.id == identifier), None)
        return None if row is None else int(row[0])

    @property
    def ids(self) -> list[str]:
        try:
            return [identifier for (identifier,) in self._connection.execute("SELECT id FROM events ORDER BY pos")]
        except sqlite3.Error:
            return [event.id for event in self._parse_afresh()]

    def alias_of(self, identifier: str) -> str | None:
        if self._parsed is not None:
            return super().alias_of(identifier)
        try:
            row = self._connection.execute(
                "SELECT events.id FROM aliases JOIN events ON events.row = aliases.row WHERE aliases.alias = ?", (identifier,)
            ).fetchone()
        except sqlite3.Error:
            return super().alias_of(identifier)
        return None if row is None else str(row[0])

    def renamed_links(self) -> list[tuple[str, str, str]]:
        if self._parsed is not None:
            return super().renamed_links()
        try:
            rows = self._connection.execute(RENAMED_LINKS).fetchall()
        except sqlite3.Error:
            return super().renamed_links()
        return [(str(source), str(alias), str(target)) for source, alias, target in rows]

    def with_prefix(self, prefix: str) -> list[Event]:
        if not prefix:
            return []
        following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        found = self._positions("SELECT pos FROM events WHERE id >= ? AND id < ? ORDER BY pos", (prefix, following))
        return [event for event in (self.at(position) for position in found) if event.id.startswith(prefix)]

    @property
    def referrers(self) -> Mapping[str, tuple[tuple[str, str], ...]]:
        return _Referrers(self)

    def referrers_of(self, identifier: str) -> tuple[tuple[str, str], ...]:
        if self._parsed is not None:
            return tuple((e.id, r.relation) for e in self._parsed for r in e.related if r.event == identifier)
        try:
            if self._targets is None:  # most events are nobody's target: one query spares one per event
                self._targets = {target for (target,) in self._connection.execute("SELECT DISTINCT target FROM links")}
            if identifier not in self._targets:
                return ()
            rows = self._connection.execute(
                "SELECT events.id, links.relation FROM links JOIN events ON events.row = links.source "
                "WHERE links.target = ? ORDER BY events.pos, links.idx",
                (identifier,),
            )
            return tuple((str(source), str(relation)) for source, relation in rows)
        except sqlite3.Error:
            self._parse_afresh()
            return self.referrers_of(identifier)

    def last_before(self, day: int, identifier: str) -> int:
        """The last position (in file order) of an event that sorts with or before (``day``, ``identifier``)
        by first day then id; -1 if none does."""
        (found,) = self._connection.execute(
            "SELECT coalesce(max(pos), -1) FROM events WHERE first < ? OR (first = ? AND id <= ?)", (day, day, identifier)
        ).fetchone()
        return int(found)


class _ById(Mapping[str, Event]):
    def __init__(self, store: IdLookup) -> None:
        self._store = store

    def __getitem__(self, identifier: str) -> Event:
        position = self._store.position(identifier)
        if position is None:
            raise KeyError(identifier)
        return self._store[position]

    def __iter__(self) -> Iterator[str]:
        return iter(self._store.ids)

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, identifier: object) -> bool:
        return isinstance(identifier, str) and self._store.position(identifier) is not None


class _Referrers(Mapping[str, tuple[tuple[str, str], ...]]):
    """Who links to each event, looked up one event at a time."""

    def __init__(self, store: IdLookup) -> None:
        self._store = store

    def __getitem__(self, identifier: str) -> tuple[tuple[str, str], ...]:
        found = self._store.referrers_of(identifier)
        if not found:
            raise KeyError(identifier)
        return found

    def __iter__(self) -> Iterator[str]:
        targets: dict[str, None] = {}
        for event in self._store:
            for relation in event.related:
                targets.setdefault(relation.event)
        return iter(targets)

    def __len__(self) -> int:
        return sum(1 for _ in self)
