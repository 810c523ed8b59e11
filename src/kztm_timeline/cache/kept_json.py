"""Streaming what the cache kept: each event's contract JSON, and the events themselves, in ``query.order_key``
order, read row by row as they are written out."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

from ..errors import CacheDamaged
from ..model import Dataset, Event, Prefilter
from ..store import row_crc
from .rows import EventRows
from .tables import MIN_DAY


class KeptJson(EventRows):
    """The events in date order, and their kept contract JSON, without decoding what is not needed."""

    def _by_date(self, prefilter: Prefilter, columns: str, *, reverse: bool) -> sqlite3.Cursor | None:
        """The rows that may meet ``prefilter``, in ``query.order_key`` order (newest first with ``reverse``), as a
        cursor that reads them as they are needed; None when this store cannot."""
        if self._parsed is not None:
            return None
        where, parameters = self._where(prefilter)
        direction = "DESC" if reverse else ""
        try:
            return self._connection.execute(
                f"SELECT {columns} FROM events{where} ORDER BY first {direction}, "
                f"(CASE WHEN first = {MIN_DAY} THEN last ELSE 0 END) {direction}, id {direction}",  # as query.order_key
                parameters,
            )
        except sqlite3.Error:
            return None

    def ordered(self, prefilter: Prefilter, *, reverse: bool = False) -> Iterator[Event] | None:
        """The candidates in ``query.order_key`` order, read row by row as they are needed, in one query."""
        rows = self._by_date(prefilter, "pos, id, record, crc", reverse=reverse)
        return None if rows is None else self._decoded_rows(rows)

    def contract_lines(self, prefilter: Prefilter, dataset: Dataset, *, reverse: bool = False) -> Iterator[str] | None:
        """Each matching event's JSON as the JSON format writes it (kept when the cache was written: it
        depends only on the content the cache is keyed to), in ``query.order_key`` order, decoding no event. Only
        for a prefilter the indexes answer exactly (see ``query.contract_lines``)."""
        rows = self._by_date(prefilter, "pos, contract, contract_crc", reverse=reverse)
        return None if rows is None else self._checked_lines(rows, dataset)

    def _checked_lines(self, rows: Iterable[tuple[int, str, int]], dataset: Dataset) -> Iterator[str]:
        from ..contract import dumps, event_json

        try:
            for position, text, crc in rows:
                if row_crc(text) == crc:
                    yield text
                else:  # damaged: the event itself (parsed afresh if need be) says it again
                    yield dumps(event_json(dataset, self.at(position)), pretty=False, spaced=True)
        except sqlite3.Error:
            raise CacheDamaged("the cache could not be read to the end") from None

    def _decoded_rows(self, rows: Iterable[tuple[int, str, str, int]]) -> Iterator[Event]:
        try:
            for position, identifier, text, crc in rows:
                event = self._decoded.get(position)
                if event is None:
                    try:
                        event = self._decode(identifier, text, crc)
                    except (ValueError, KeyError, TypeError, AttributeError):
                        event = self._parse_afresh()[position]
                    self._keep(position, event)
                yield event
        except sqlite3.Error:
            raise CacheDamaged("the cache could not be read to the end") from None
