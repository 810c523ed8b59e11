"""The answers kept in the cache for ``validate``: its verdict and the overdue plans, worked out once per
version of the data, and the inferred dates that a strict validation lists."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date

from ..model import Event
from ..store import memo, unresolved_plans
from .rows import EventRows


class KeptVerdict(EventRows):
    """Values worked out from every event, kept in the database so that the next run over the same data reads them."""

    def unresolved_plans(self, before: date, outcomes: tuple[str, ...], limit: int) -> tuple[list[Event], int] | None:
        if self._parsed is not None:
            return None
        try:
            first, total = unresolved_plans(self._connection, self._path, before, outcomes, limit)
        except (sqlite3.Error, ValueError, KeyError, TypeError):
            return None
        return [self.at(position) for position in first], total

    def inferred_dates(self) -> list[tuple[str, str, str]]:
        """The inferred dates as the ``inferred`` table keeps them, in file order, with no event decoded."""
        if self._parsed is None:
            sql = "SELECT events.id, inferred.date, inferred.note FROM inferred JOIN events USING (row) ORDER BY events.pos"
            try:
                return [(str(identifier), str(when), str(note)) for identifier, when, note in self._connection.execute(sql)]
            except sqlite3.Error:
                pass  # (damaged: every event is read, which parses the data file afresh)
        return super().inferred_dates()

    def memo(self, key: str, compute: Callable[[], str]) -> str:
        """``compute()``, kept in the database under ``key`` so that the next run over the same data reads it."""
        return memo(self._connection, self._path, key, compute)
