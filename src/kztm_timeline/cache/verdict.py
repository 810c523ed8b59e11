"""The answers kept in the cache for ``validate``: its verdict and the overdue plans, worked out once per
version of the data."""

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

    def memo(self, key: str, compute: Callable[[], str]) -> str:
        """``compute()``, kept in the database under ``key`` so that the next run over the same data reads it."""
        return memo(self._connection, self._path, key, compute)
