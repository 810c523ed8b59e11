"""The answers kept in the cache for ``validate``: its verdict and the overdue plans, worked out once per
version of the data."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
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

    def keep_checked(self, values: Mapping[str, str]) -> None:
        """Keep ``values`` (by key) with their checks, bound to the data the database was made from (see
        ``tables.memo_checks``); kept only while the database is this user's alone."""
        from ..store import connect, trusted_file
        from .tables import memo_checks

        try:
            (digest,) = self._connection.execute("SELECT value FROM meta WHERE key = 'data'").fetchone()
            if trusted_file(self._path, None) is None:
                return
            writer = connect(self._path, write=True)
            try:
                rows = {f"memo:{key}": value for key, value in values.items()} | memo_checks(values, str(digest))
                writer.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(rows.items()))
                writer.commit()
            finally:
                writer.close()
        except sqlite3.Error:
            pass  # only not kept
