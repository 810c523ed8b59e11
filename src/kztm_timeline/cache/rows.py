"""The cache's events as a query reads them: by position, by the indexes (:meth:`EventRows.candidates`,
:meth:`EventRows.tally`), decoded once and kept, and parsed afresh from the data file if a row is damaged."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from ..datafile.build import event_from, parse_optional_date
from ..edtf import EdtfDate
from ..errors import CacheDamaged
from ..model import Event, Events, Prefilter, Tally
from ..store import row_crc
from .tables import INDEXED, MIN_DAY

KEPT_EVENTS = 100_000  # decoded events a run keeps at most (see EventRows._keep)


class EventRows(Events):
    """Events read from the cache database as a query needs them, decoded once, then kept."""

    def __init__(self, connection: sqlite3.Connection, path: str, count: int, fallback: Callable[[], Sequence[Event]]) -> None:
        self._connection = connection
        self._path = path
        self._count = count
        self._decoded: dict[int, Event] = {}
        self._fallback = fallback
        self._parsed: Sequence[Event] | None = None
        self._dates: dict[object, EdtfDate | None] = {}  # many events share a date: parse each once
        self._targets: set[str] | None = None
        self._renamed: dict[str, str] | None = None

    def __len__(self) -> int:
        return self._count

    def _parse_afresh(self) -> Sequence[Event]:
        if self._parsed is None:
            self._parsed = self._fallback()  # damaged after all: parse the data file afresh
        return self._parsed

    def at(self, position: int) -> Event:
        event = self._decoded.get(position)
        if event is not None:
            return event
        if self._parsed is not None:
            return self._parsed[position]
        try:
            row = self._connection.execute("SELECT id, record, crc FROM events WHERE pos = ?", (position,)).fetchone()
            if row is None:
                raise CacheDamaged(f"no event at {position}")
            event = self._decode(*row)
        except (sqlite3.Error, ValueError, KeyError, TypeError, AttributeError):
            return self._parse_afresh()[position]
        self._keep(position, event)
        return event

    def _keep(self, position: int, event: Event) -> None:
        """Keep a decoded event for the rest of the run, up to a bound: a run that reads every event of a
        large file (a strict validate, a scan) must not hold them all."""
        if len(self._decoded) < KEPT_EVENTS:
            self._decoded[position] = event

    def _decode(self, identifier: str, text: str, crc: int) -> Event:
        if row_crc(text) != crc:
            raise CacheDamaged(f"event {identifier!r} fails its CRC")
        record = json.loads(text)
        raw_date = record["date"]
        when = self._dates.get(raw_date)
        if when is None:
            when = self._dates[raw_date] = parse_optional_date(raw_date)
        if when is None or record["id"] != identifier:
            raise CacheDamaged(f"event {identifier!r} does not match its row")
        if self._renamed is None:  # every old id and the id it is now (usually none): read once
            rows = self._connection.execute(
                "SELECT aliases.alias, events.id FROM aliases JOIN events ON events.row = aliases.row"
            )
            self._renamed = {str(alias): str(today) for alias, today in rows}
        return event_from(record, when, self._renamed)

    def column(self, position: int, name: str) -> Any:
        """One stored column (``at`` or ``record``) of the event at ``position``; KeyError if there is none."""
        if name not in ("at", "record", "char"):
            raise KeyError(name)
        if name == "char":  # where the item starts, as spans keeps it after a refresh
            sql = "SELECT spans.char FROM spans JOIN events USING (row) WHERE events.pos = ?"
        else:
            sql = f"SELECT {name} FROM events WHERE pos = ?"
        row = self._connection.execute(sql, (position,)).fetchone()
        if row is None:
            raise KeyError(position)
        return row[0]

    def kept(self, key: str) -> str | None:
        """A value of the database's meta table; None when it has none."""
        try:
            row = self._connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else str(row[0])

    def close(self) -> None:
        self._connection.close()

    def _positions(self, sql: str, parameters: Sequence[object] = ()) -> list[int]:
        try:
            return [position for (position,) in self._connection.execute(sql, parameters)]
        except sqlite3.Error:
            return list(range(len(self._parse_afresh())))

    def candidates(self, prefilter: Prefilter) -> Iterator[Event]:
        if self._parsed is not None:
            return iter(self._parsed)
        where, parameters = self._where(prefilter)
        return (self.at(position) for position in self._positions(f"SELECT pos FROM events{where} ORDER BY pos", parameters))

    def _where(self, prefilter: Prefilter) -> tuple[str, list[object]]:
        """The WHERE clause (with its parameters) of the events that may meet ``prefilter``."""
        clauses: list[str] = []
        parameters: list[object] = []
        if prefilter.window is not None and prefilter.within:
            clauses.append("first >= ? AND last <= ?")
            parameters += [prefilter.window[0].toordinal(), prefilter.window[1].toordinal()]
        elif prefilter.window is not None:
            clauses.append("first <= ? AND last >= ?")
            parameters += [prefilter.window[1].toordinal(), prefilter.window[0].toordinal()]
        for name, wanted in prefilter.keys.items():
            if name not in INDEXED:
                continue  # not indexed here: the query checks it
            marks = ", ".join("?" for _ in wanted)
            clauses.append(f"row IN (SELECT row FROM keys WHERE name = ? AND key IN ({marks}))")
            parameters += [name, *sorted(wanted)]
        words = [word for terms in prefilter.words for term in terms for spelling in term for word in spelling]
        if prefilter.words and all(prefilter.words) and all(len(word) >= 3 for word in words):
            # (a word shorter than a trigram could match anywhere: then the query checks every event)
            clauses.append("row IN (SELECT rowid FROM search WHERE search MATCH ?)")
            parameters.append(" OR ".join(f"({_fts_terms(terms)})" for terms in prefilter.words))
        return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), parameters

    def tally(self, prefilter: Prefilter) -> Tally | None:
        """Counts by first day and by key, by SQL over the indexes, reading no event record. Only a
        prefilter the indexes answer exactly may be tallied here (see ``query.tally``)."""
        if self._parsed is not None:
            return None
        where, parameters = self._where(prefilter)
        try:
            firsts: dict[date | None, int] = {}
            for first, count in self._connection.execute(f"SELECT first, count(*) FROM events{where} GROUP BY first", parameters):
                day = None if first == MIN_DAY else date.fromordinal(first)
                firsts[day] = firsts.get(day, 0) + count
            keys: dict[str, dict[str, int]] = {}
            if where:
                inner = f"SELECT row FROM events{where}"
                sql = f"SELECT name, key, count(*) FROM keys WHERE row IN ({inner}) GROUP BY name, key"
            else:  # every event: the index alone answers
                sql = "SELECT name, key, count(*) FROM keys GROUP BY name, key"
            rows = self._connection.execute(sql, parameters)
            for name, key, count in rows:
                keys.setdefault(name, {})[key] = count
        except sqlite3.Error:
            return None
        return Tally(firsts, keys)


def _fts_terms(terms: tuple[tuple[tuple[str, ...], ...], ...]) -> str:
    """An FTS5 query: every term, each by any of its spellings, each spelling by all of its words."""
    return " AND ".join(
        "(" + " OR ".join("(" + " AND ".join(_fts_phrase(word) for word in spelling) + ")" for spelling in term) + ")"
        for term in terms
    )


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'
