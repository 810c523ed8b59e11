"""Bringing a cache database in step with the data file that ``add`` and ``sources add`` just wrote, without
reading the file again: a copy is updated and put in place of the old one, so a reader never sees half of it."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

from ..errors import CacheDamaged
from ..model import Dataset, Event, Memos
from ..seal import change_in_place, drop_journals, replace_sealed
from ..store import cache_file, connect, file_stat, memo_checks, row_crc
from .events import CachedEvents, no_fallback, open_cached
from .tables import MIN_DAY, compact_json, day, insert_events, temporary_database


class Indexed:
    """A cache database that matches the data file's bytes exactly, opened for ``add``: the dataset as the
    cache holds it, the sources and actors as written, and how the events list is written (None when
    ``add`` has to compose the file to insert into it)."""

    def __init__(self, folder: str, data_path: str, dataset: Dataset, meta: dict[str, Any]) -> None:
        self.folder = folder
        self.data_path = data_path
        self.dataset = dataset
        self.registry: dict[str, list[dict[str, object]]] = meta["registry"]
        self.identity: tuple[int, int] = meta["identity"]
        layout = json.loads(meta.get("layout", "null"))
        self.dash: int | None = None if layout is None else int(layout["dash"])
        self.following: int | None = None if layout is None or layout["following"] is None else int(layout["following"])
        self.key: int | None = None if layout is None else int(layout["key"])  # where the events: line starts
        store = dataset.events
        assert isinstance(store, CachedEvents)
        self.store = store
        self.at_in_spans = store.kept("at_in_spans") == "1"  # after a refresh: see refreshing._apply

    @property
    def count(self) -> int:
        return len(self.store)

    def start(self, position: int) -> int:
        """Where the line of the event at ``position`` starts in the text."""
        if self.at_in_spans:
            return int(self.store.column(position, "char"))
        return int(self.store.column(position, "at"))

    def record(self, position: int) -> object:
        """The event at ``position`` as plain values, as the file has it."""
        return json.loads(str(self.store.column(position, "record")))

    def position_for(self, first: date | None, identifier: str) -> int:
        """Where an event with this first day and id goes in date order: after every event that sorts
        before or with it (by first day, then id)."""
        return self.store.last_before(day(first, MIN_DAY), identifier) + 1

    @property
    def planned(self) -> Mapping[str, bool]:
        return _Planned(self.store)

    def close(self) -> None:
        self.store.close()


def open_indexed(folder: str, data_path: str, data_digest: str, *, notice: Callable[[str], None] | None = None) -> Indexed | None:
    """The cache of ``data_path`` if it was made from exactly the bytes whose SHA-256 is ``data_digest``
    (and from the same articles), for adding to it; None otherwise."""
    opened = open_cached(folder, data_path, lambda: data_digest, no_fallback, notice=notice, exact=True)
    if opened is None:
        return None
    dataset, meta = opened
    try:
        return Indexed(folder, data_path, dataset, meta)
    except (ValueError, KeyError, TypeError):
        if isinstance(dataset.events, CachedEvents):
            dataset.events.close()
        return None


def record_addition(
    indexed: Indexed,
    event: Event,
    record: object,
    position: int,
    *,
    at: int,
    size: int,
    item: int,
    data_digest: str,
    memos: Memos | None = None,
    lines: tuple[int, int] = (0, 0),
    notice: Callable[[str], None] | None = None,
) -> None:
    """Bring the cache in step with a data file into which ``event`` (``record`` as plain values) was just
    inserted at ``position``: ``size`` characters at offset ``at``, the item's line starting at ``item``;
    ``data_digest`` is the SHA-256 of the bytes written. ``memos``: what was worked out from the new event
    alone, to bring the kept values up to date with; ``lines``: the line the insertion starts on, and how
    many lines it has."""

    def change(copy: sqlite3.Connection) -> None:
        from ..contract import dumps, event_json

        copy.execute("UPDATE events SET pos = pos + 1 WHERE pos >= ?", (position,))
        (row,) = copy.execute("SELECT coalesce(max(row), -1) + 1 FROM events").fetchone()
        insert_events(copy, indexed.dataset, [(row, position, item, event, record)])
        store = CachedEvents(copy, "", indexed.count + 1, no_fallback)
        updated = Dataset(indexed.dataset.path, indexed.dataset.sources, indexed.dataset.actors, store)
        for target in dict.fromkeys(relation.event for relation in event.related):  # their referenced_by grew
            found = store.position(target)
            if found is None:
                raise CacheDamaged(f"no event {target!r}")
            contract = dumps(event_json(updated, store.at(found)), pretty=False, spaced=True)
            copy.execute("UPDATE events SET contract = ?, contract_crc = ? WHERE id = ?", (contract, row_crc(contract), target))
        copy.execute("UPDATE meta SET value = ? WHERE key = 'count'", (str(indexed.count + 1),))
        _update_memos(copy, memos, lines, data_digest)

    _rewrite(indexed, at, size, data_digest, change, notice)


def _update_memos(copy: sqlite3.Connection, memos: Memos | None, lines: tuple[int, int], data_digest: str) -> None:
    """Bring the kept values up to date with an insertion (see ``Memos.inserted``); without ``memos``, drop
    them (they were about the old file; they are worked out again when asked)."""
    rows = copy.execute("SELECT key, value FROM meta WHERE key LIKE 'memo:%'").fetchall()
    kept = {str(key).removeprefix("memo:"): str(value) for key, value in rows}
    updated = {} if memos is None else memos.inserted(kept, *lines)
    copy.execute("DELETE FROM meta WHERE key LIKE 'memo:%' OR key LIKE 'memo-check:%'")
    copy.executemany("INSERT INTO meta VALUES (?, ?)", [(f"memo:{key}", value) for key, value in updated.items()])
    copy.executemany("INSERT INTO meta VALUES (?, ?)", list(memo_checks(updated, data_digest).items()))


def record_source(
    indexed: Indexed,
    record: dict[str, object],
    article: str | None,
    article_digest: str,
    *,
    at: int,
    size: int,
    data_digest: str,
    memos: Memos | None = None,
    lines: tuple[int, int] = (0, 0),
    notice: Callable[[str], None] | None = None,
) -> None:
    """Bring the cache in step with a data file whose sources list gained ``record`` (``size`` characters
    inserted at offset ``at``, ``lines`` as for :func:`record_addition`), citing the article at the resolved
    path ``article`` (None for a web page, whose text is not kept). No event cites it yet, so no event's row
    changes."""

    def change(copy: sqlite3.Connection) -> None:
        registry = {**indexed.registry, "sources": [*indexed.registry["sources"], record]}
        (sources_text,) = copy.execute("SELECT value FROM meta WHERE key = 'sources'").fetchone()
        sources = json.loads(sources_text)
        (stats_text,) = copy.execute("SELECT value FROM meta WHERE key = 'source_stats'").fetchone()
        stats = json.loads(stats_text)
        if article is not None:
            sources[article] = article_digest
            stats[article] = _written_status(article, article_digest)
        updates = [
            (compact_json(registry), "registry"),
            (compact_json(sources), "sources"),
            (compact_json(stats), "source_stats"),
        ]
        copy.executemany("UPDATE meta SET value = ? WHERE key = ?", updates)
        _update_memos(copy, memos, lines, data_digest)

    _rewrite(indexed, at, size, data_digest, change, notice)


def _rewrite(
    indexed: Indexed,
    at: int,
    size: int,
    data_digest: str,
    change: Callable[[sqlite3.Connection], None],
    notice: Callable[[str], None] | None,
) -> None:
    """Bring the cache database in step by ``change``, move every offset at or after ``at`` by ``size``, key it
    to the bytes just written (``data_digest``), and note where each item lies now (see :func:`rewrite_sealed`)."""

    def rewrite(copy: sqlite3.Connection) -> None:
        if indexed.at_in_spans:  # the offsets a refresh kept in spans only
            copy.execute("UPDATE events SET at = (SELECT char FROM spans WHERE spans.row = events.row)")
            copy.execute("DELETE FROM meta WHERE key = 'at_in_spans'")
        copy.execute("UPDATE events SET at = at + ? WHERE at >= ?", (size, at))
        change(copy)

        def moved(offset: int | None) -> int | None:
            return offset + size if offset is not None and offset >= at else offset

        layout = {"dash": indexed.dash, "following": moved(indexed.following), "key": moved(indexed.key)}
        status = _written_status(indexed.data_path, data_digest)
        meta = {"data": data_digest, "stat": compact_json(status), "layout": compact_json(layout)}
        copy.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
        copy.executescript("DROP TABLE IF EXISTS spans; DELETE FROM meta WHERE key = 'spans';")
        from .spans import record_spans

        record_spans(copy, indexed.data_path, data_digest, indexed.dash)  # where the items are now

    rewrite_sealed(indexed.folder, indexed.data_path, indexed.store, indexed.identity, rewrite, notice)


def rewrite_sealed(
    folder: str,
    data_path: str,
    store: CachedEvents,
    identity: tuple[int, int],
    change: Callable[[sqlite3.Connection], None],
    notice: Callable[[str], None] | None,
    *,
    logged: bool = False,
) -> bool:
    """The one way the tool changes a cache database (``add``, ``sources add``, a refresh after an edit by hand):
    ``change`` updates the database ``store`` reads (``identity``: the device and inode of the file that was
    opened) in place, under an exclusive lock, when no other run is reading it; else a copy of it, put in place of
    the old one (see :mod:`kztm_timeline.seal`); either way sealed anew, and never seen half done by a reader.
    ``logged``: ``change`` reads through no other connection to the database, so in place it can go through a
    write-ahead log, which tells the pages it wrote (only their CRCs are taken again; see :func:`_changed_in_place`).
    False if anything fails: the cache is then removed (the next run rebuilds it), since it must never describe a
    file that is not there."""
    target = cache_file(folder, data_path)
    temporary = temporary_database(folder)
    try:
        changed = (lambda: _changed_in_place(target, change)) if logged else (lambda: _changed(target, change))
        if change_in_place(target, identity, changed):
            return True
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            store.copy_into(descriptor, identity)
        finally:
            os.close(descriptor)
        _changed(temporary, change)
        replace_sealed(temporary, target)
    except (OSError, sqlite3.Error, ValueError, KeyError, TypeError) as error:
        if notice is not None:
            notice(f"cache not updated: {error}")
        for leftover in (temporary, target):
            with contextlib.suppress(OSError):
                os.unlink(leftover)
        drop_journals(target)
        return False
    return True


def _changed_in_place(database: str, change: Callable[[sqlite3.Connection], None]) -> list[tuple[int, int]] | None:
    """Let ``change`` update ``database`` (in place: the caller holds it alone) through a write-ahead log, and say
    which pages it wrote (offset, length), read from the log's frames before they are copied into the database; None
    if no log could be used (the change then runs with no journal, and where it wrote is not known). The log is gone
    when this returns (the database back to the rollback journal it was written with). Another connection that read
    the database meanwhile would keep the log open, and the change fail (the cache is then removed, never believed)."""
    connection = connect(database, write=True)
    try:
        connection.execute("PRAGMA synchronous=OFF")  # (first: entering the log would flush the database to disk,
        # 0.33 s for 853 MB; nothing needs it there, a change cut short is never believed)
        (mode,) = connection.execute("PRAGMA journal_mode=WAL").fetchone()
        if mode != "wal":
            connection.execute("PRAGMA journal_mode=OFF")  # (a file system that cannot share memory: no log)
        change(connection)
        connection.commit()
        if mode != "wal":
            return None
        (size,) = connection.execute("PRAGMA page_size").fetchone()
        written = [((page - 1) * size, size) for page in logged_pages(database + "-wal")]
        (busy, _, _) = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise sqlite3.OperationalError("the write-ahead log could not be copied into the cache")
        connection.execute("PRAGMA journal_mode=DELETE")
        return written
    finally:
        connection.close()


WAL_MAGIC = (0x377F0682, 0x377F0683)  # https://www.sqlite.org/fileformat2.html#the_write_ahead_log


def logged_pages(log: str) -> set[int]:
    """The numbers of the pages a write-ahead log holds frames of: its header (32 bytes: the page size at 8, the
    salts at 16), then frames of a 24-byte header (the page number first, the salts at 8) and a page each; the
    frames of the log's current salts only (a log is written again from its start after a checkpoint)."""
    with open(log, "rb") as handle:
        header = handle.read(32)
        if len(header) < 32 or int.from_bytes(header[:4], "big") not in WAL_MAGIC:
            raise sqlite3.DatabaseError(f"{log} is no write-ahead log")
        size, salts = int.from_bytes(header[8:12], "big"), header[16:24]
        pages = set()
        while len(frame := handle.read(24)) == 24 and frame[8:16] == salts:
            pages.add(int.from_bytes(frame[:4], "big"))
            handle.seek(size, os.SEEK_CUR)
    return pages


def _changed(database: str, change: Callable[[sqlite3.Connection], None]) -> None:
    """Open ``database`` for writing, let ``change`` update it, and commit (with no journal: a change cut short
    leaves a database no seal vouches for, which is removed or read afresh, never believed)."""
    connection = connect(database, write=True)
    try:
        connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
        change(connection)
        connection.commit()
    finally:
        connection.close()


def _written_status(path: str, expected: str) -> list[int] | None:
    """The data file's status, to stand for ``expected`` (the digest of what was written), if the file
    still holds exactly those bytes once the status was taken; None (the digest is then checked on the
    next read) if something else changed it meanwhile."""
    import hashlib

    try:
        status = file_stat(path)
        with open(path, "rb") as handle:
            found = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None
    return status if found == expected else None


class _Planned(Mapping[str, bool]):
    """Whether each event id is a planned event, looked up in the cache one id at a time."""

    def __init__(self, store: CachedEvents) -> None:
        self._store = store

    def __getitem__(self, identifier: str) -> bool:
        position = self._store.position(identifier)
        if position is None:
            raise KeyError(identifier)
        return self._store.at(position).status.value == "planned"

    def __iter__(self) -> Iterator[str]:
        return iter(self._store.ids)

    def __len__(self) -> int:
        return len(self._store)
