"""The cached dataset: opening a cache database that matches the data file, and its events, which answer
queries (:mod:`.rows`), id lookups (:mod:`.lookup`), kept JSON (:mod:`.kept_json`) and kept verdicts
(:mod:`.verdict`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from ..datafile.build import actor_from, parse_optional_date, source_from
from ..errors import CacheDamaged
from ..model import Dataset, Event
from ..store import open_matching
from .kept_json import KeptJson
from .lookup import IdLookup
from .verdict import KeptVerdict


class CachedEvents(IdLookup, KeptJson, KeptVerdict):
    """Events read from the cache database as a query needs them, decoded once, then kept."""

    def copy_into(self, target: int, identity: tuple[int, int]) -> None:
        """Copy the database file (the one that was opened: ``identity`` is its device and inode) into the
        open file ``target``, holding a read lock on it meanwhile so that no writer can change it. (SQLite's
        online backup does the same through its page cache, at several times the time and memory.)"""
        self._connection.execute("BEGIN")
        try:
            self._connection.execute("SELECT count(*) FROM meta").fetchone()  # takes the shared lock
            source = os.open(self._path, os.O_RDONLY | os.O_NOFOLLOW)
            try:
                info = os.fstat(source)
                if (info.st_dev, info.st_ino) != identity:
                    raise CacheDamaged("the cache file was replaced meanwhile")
                _copy_file(source, target)
            finally:
                os.close(source)
        finally:
            self._connection.rollback()


def read(
    folder: str,
    data_path: str,
    data_digest: Callable[[], str],
    fallback: Callable[[], Sequence[Event]],
    *,
    notice: Callable[[str], None] | None = None,
) -> Dataset | None:
    """The cached dataset when everything matches; None for a miss, any kind of damage, or a cache
    that someone other than this user owns or could have written.

    ``data_digest`` hashes the data file; it is called only when the file's status differs from what
    the cache recorded. ``fallback`` parses the data file afresh; it is called only if an event turns
    out to be damaged after the cache was accepted.
    """
    opened = open_cached(folder, data_path, data_digest, fallback, notice=notice, exact=False)
    return None if opened is None else opened[0]


def open_cached(
    folder: str,
    data_path: str,
    data_digest: Callable[[], str],
    fallback: Callable[[], Sequence[Event]],
    *,
    notice: Callable[[str], None] | None,
    exact: bool,
) -> tuple[Dataset, dict[str, Any]] | None:
    """:func:`read`, and the meta values; with ``exact``, the data digest is compared even when the file's
    status is unchanged."""
    opened = open_matching(folder, data_path, data_digest, notice=notice, exact=exact)
    if opened is None:
        return None
    meta = opened.meta
    try:
        registry = meta["registry"]
        sources = tuple(source_from(record, parse_optional_date) for record in registry["sources"])
        actors = tuple(actor_from(record, parse_optional_date) for record in registry["actors"])
        store = CachedEvents(opened.connection, opened.path, int(meta["count"]), fallback)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        opened.connection.close()
        return None
    meta["identity"] = opened.identity
    return Dataset(data_path, sources, actors, store), meta


def _copy_file(source: int, target: int) -> None:
    """Copy one open file into another, in the kernel where it can (``copy_file_range``)."""
    try:
        while os.copy_file_range(source, target, 1 << 30) > 0:
            pass
    except OSError:  # not on this file system: copy through memory, a chunk at a time
        os.lseek(source, 0, os.SEEK_SET)
        os.lseek(target, 0, os.SEEK_SET)
        os.ftruncate(target, 0)
        while chunk := os.read(source, 1 << 20):
            view = memoryview(chunk)
            while view:
                view = view[os.write(target, view) :]


def no_fallback() -> Sequence[Event]:
    raise CacheDamaged("the cache is damaged")
