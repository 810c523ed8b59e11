"""The parse cache: a validated dataset kept in an SQLite database (Python's own ``sqlite3``), so that the
next run skips YAML and reads only the events its question needs.

Where: ``$XDG_CACHE_HOME/kztm-timeline/`` (default ``~/.cache/kztm-timeline/``), one database per data
file (named for its absolute path, escaped), replaced whenever that data file changes.

Whose it is: the folder is created 0700 and each database 0600, whatever the umask; a folder or file
that another user owns, or that anyone else could write, is ignored, never trusted (``--verbose`` says
so). The trust boundary is the user: the same user could as well edit the data file. Databases are read
with ``mode=ro`` and ``trusted_schema=OFF``, and only through this module's own SELECTs: nothing stored
in one can run as code (no pickle, no SQL taken from the file).

When it is used: only when the SHA-256 of the data file's bytes, the SHA-256 of every source text it
cites, the tool's version and the cache format all match what the database recorded. To skip hashing a
large file on every run, the database also records the file's device, inode, size, modification and
change times (as git's index does): when all five are unchanged, the recorded digest stands for the
bytes; any write changes the change time, which no tool can set back. Anything else (a missing,
corrupt, unreadable or foreign file) means a plain parse; so does damage found later, when an event is
decoded. Bad data is never cached: the database is written only after a validation passed.

What it holds:

    meta     key/value: format, tool, data (SHA-256), stat, sources ({path: SHA-256}), registry
             (the sources and actors, as JSON), count; and the verdicts ``validate`` computed once
    events   row (an event's own number, which never changes), pos (its place in the file's order),
             at (where its item's line starts in the text, for ``add``), id, first and last day
             (proleptic ordinals; an open start is day 1, an open end the last day of 9999), record
             (the event as JSON) and its CRC-32, and its contract JSON and that one's CRC-32
    keys     (name, key, row): the event has ``key`` under the index ``name`` (kind, status, actor,
             topic, topic_name, place_run: every run of its place's words), for
             :class:`~kztm_timeline.model.Prefilter`
    links    (target, source, relation, idx): event row ``source`` names ``target`` in its ``related``
             (entry idx of that list)
    search   an FTS5 table (trigram tokenizer, no stored content) over each event's searchable text,
             folded and romanized exactly as ``--search`` folds it, rowid = row

``add`` updates a database in step with the file it writes (see :func:`record_addition`): a copy of it is
updated and put in its place, so a reader never sees half of a change.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from . import __version__
from .datafile.build import actor_from, event_from, parse_optional_date, source_from
from .edtf import EdtfDate
from .errors import CacheDamaged
from .model import Dataset, Event, Events, Memos, Prefilter, Tally
from .seal import replace_sealed
from .store import (
    FORMAT,
    cache_file,
    connect,
    file_stat,
    memo,
    open_matching,
    prepare_folder,
    put_in_place,
    row_crc,
    trusted_folder,
    unresolved_plans,
)
from .text import fold, name_words

if TYPE_CHECKING:
    from .datafile.splice import ListLayout

MIN_DAY, MAX_DAY = date.min.toordinal(), date.max.toordinal()
KEPT_EVENTS = 100_000  # decoded events a run keeps at most (see CachedEvents._keep)
SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events(row INTEGER PRIMARY KEY, pos INTEGER NOT NULL, at INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
                    first INTEGER NOT NULL, last INTEGER NOT NULL,
                    record TEXT NOT NULL, crc INTEGER NOT NULL, contract TEXT NOT NULL, contract_crc INTEGER NOT NULL);
CREATE TABLE keys(name TEXT NOT NULL, key TEXT NOT NULL, row INTEGER NOT NULL);
CREATE TABLE links(target TEXT NOT NULL, source INTEGER NOT NULL, relation TEXT NOT NULL, idx INTEGER NOT NULL);
CREATE VIRTUAL TABLE search USING fts5(text, tokenize='trigram', content='');
"""
INDEXES = """
CREATE INDEX events_span ON events(first, last);
CREATE INDEX events_pos ON events(pos);
CREATE INDEX keys_lookup ON keys(name, key, row);
CREATE INDEX links_target ON links(target);
"""


# ---------------------------------------------------------------- writing


# The keys each event is indexed under, per index name of :class:`~kztm_timeline.model.Prefilter`.
INDEXED: dict[str, Callable[[Event], list[str]]] = {
    "kind": lambda event: [event.kind.value],
    "status": lambda event: [event.status.value],
    "actor": lambda event: [participant.actor for participant in event.participants],
    "topic": lambda event: [fold(topic) for topic in event.topics],
    "topic_name": lambda event: list(event.topics),  # as written, for stats
    "place_run": lambda event: _runs(name_words(event.place or "")),
}


def _runs(words: list[str]) -> list[str]:
    """Every run of consecutive words (``--place`` matches one): ``a b c`` gives a, a b, a b c, b, b c, c."""
    return [" ".join(words[start:end]) for start in range(len(words)) for end in range(start + 1, len(words) + 1)]


def _dumps(value: object) -> str:
    """A meta value as compact JSON, in ASCII: the paths it holds may carry bytes that are not UTF-8 (decoded as lone
    surrogates), which SQLite's UTF-8 text cannot hold but a ``\\udcff`` escape can."""
    return json.dumps(value, separators=(",", ":"))


def _record_dumps(value: object) -> str:
    """An event's plain values as compact JSON (validated text: UTF-8 through and through)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _day(value: date | None, default: int) -> int:
    return default if value is None else value.toordinal()


def write(
    folder: str,
    data_path: str,
    data_digest: str,
    sources: dict[str, str],
    plain: dict[str, Any],
    dataset: Dataset,
    *,
    layout: ListLayout | None = None,
    stat_before: list[int] | None = None,
    source_stats: Mapping[str, list[int]] | None = None,
    memos: Mapping[str, str] | None = None,
    notice: Callable[[str], None] | None = None,
) -> None:
    """Write the cache for a freshly validated dataset, keyed to ``data_digest`` and the article digests
    ``sources`` taken from the very bytes that were validated (``stat_before``: the data file's status
    read before those bytes, so that a change during the parse is never mistaken for none; ``source_stats``:
    the articles' status, read before their bytes, likewise). ``layout``:
    how the file's events list is written, which ``add`` needs to insert without parsing the file; without
    it, ``add`` parses the file. A folder or file that cannot be written, or that is not this user's
    alone, only costs speed: nothing is written."""
    if not prepare_folder(folder) or not trusted_folder(folder, notice):
        return
    temporary = _temporary_name(folder)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.close(descriptor)
        connection = connect(temporary, write=True)
        try:
            connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
            events = dataset.events
            starts = layout.starts if layout is not None else [-1] * len(events)
            numbered = enumerate(zip(events, plain["events"], starts, strict=True))
            _insert_events(connection, dataset, ((pos, pos, at, event, record) for pos, (event, record, at) in numbered))
            connection.executescript(INDEXES)
            meta = {
                "format": str(FORMAT),
                "tool": __version__,
                "data": data_digest,
                "stat": _dumps(stat_before),
                "sources": _dumps(sources),
                "source_stats": _dumps(source_stats or {}),
                "registry": _dumps({"sources": plain["sources"], "actors": plain["actors"]}),
                "count": str(len(events)),
                "layout": _dumps(_layout_meta(layout)),
            }
            meta.update({f"memo:{key}": value for key, value in (memos or {}).items()})
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            connection.commit()
        finally:
            connection.close()
        put_in_place(temporary, folder, data_path)
    except (OSError, sqlite3.Error) as error:
        if notice is not None:
            notice(f"cache not written: {error}")
        with contextlib.suppress(OSError):
            os.unlink(temporary)


class Builder:
    """A cache database written while the data file is read, an event at a time (so that no dataset is
    ever held whole): :meth:`add` each validated event, then :meth:`finish` checks what only all events
    together can show (unique ids, related events that exist, outcomes that point at planned events) and
    puts the database in place; or :meth:`discard`. Nothing reaches the cache folder before ``finish``."""

    def __init__(self, folder: str, data_path: str, dataset: Dataset, notice: Callable[[str], None] | None) -> None:
        if not prepare_folder(folder) or not trusted_folder(folder, notice):
            raise OSError(f"{folder} is not a folder this user alone may write")
        self.folder, self.data_path, self.dataset, self.notice = folder, data_path, dataset, notice
        self.temporary = _temporary_name(folder)
        descriptor = os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.close(descriptor)
        try:
            self.connection = connect(self.temporary, write=True)
            self.connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        except sqlite3.Error as error:  # a full disk, say: nothing is left behind
            with contextlib.suppress(OSError):
                os.unlink(self.temporary)
            raise OSError(f"cache not written: {error}") from None
        self.pending: list[tuple[int, int, int, Event, object]] = []
        self.count = 0

    def add(self, event: Event, record: object, at: int) -> None:
        self.pending.append((self.count, self.count, at, event, record))
        self.count += 1
        if len(self.pending) >= 2000:
            _insert_events(self.connection, self.dataset, self.pending)
            self.pending.clear()

    def finish(self, meta: Mapping[str, str], outcomes: Sequence[str]) -> bool:
        """Check the events across each other and put the database in place with ``meta`` (and the count);
        False (nothing written) if a check fails."""
        from .contract import dumps, event_json

        try:
            _insert_events(self.connection, self.dataset, self.pending)
            self.pending.clear()
            connection = self.connection
            connection.executescript(INDEXES)
            marks = ", ".join("?" for _ in outcomes)
            broken = connection.execute(
                "SELECT 1 FROM links LEFT JOIN events ON events.id = links.target WHERE events.id IS NULL "
                f"OR (links.relation IN ({marks}) AND events.row NOT IN "
                "(SELECT row FROM keys WHERE name = 'status' AND key = 'planned')) LIMIT 1",
                list(outcomes),
            ).fetchone()
            if broken is not None:
                self.discard()
                return False
            store = CachedEvents(connection, "", self.count, _no_fallback)
            linked = Dataset(self.dataset.path, self.dataset.sources, self.dataset.actors, store)
            targets = [target for (target,) in connection.execute("SELECT DISTINCT target FROM links").fetchall()]
            for target in targets:  # the events others link to: their referenced_by is known only now
                found = store.position(target)
                if found is None:
                    raise CacheDamaged(f"no event {target!r}")
                contract = dumps(event_json(linked, store.at(found)), pretty=False, spaced=True)
                update = "UPDATE events SET contract = ?, contract_crc = ? WHERE id = ?"
                connection.execute(update, (contract, row_crc(contract), target))
            rows = {**meta, "format": str(FORMAT), "tool": __version__, "count": str(self.count)}
            connection.executemany("INSERT INTO meta VALUES (?, ?)", rows.items())
            connection.commit()
            connection.close()
            put_in_place(self.temporary, self.folder, self.data_path)
        except sqlite3.IntegrityError:  # two events share an id
            self.discard()
            return False
        except (OSError, sqlite3.Error, CacheDamaged) as error:
            if self.notice is not None:
                self.notice(f"cache not written: {error}")
            self.discard()
            return False
        return True

    def discard(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.connection.close()
        with contextlib.suppress(OSError):
            os.unlink(self.temporary)


def meta_values(
    data_digest: str,
    stat_before: list[int] | None,
    sources: Mapping[str, str],
    source_stats: Mapping[str, list[int]],
    registry: Mapping[str, object],
    layout: Mapping[str, int | None] | None,
) -> dict[str, str]:
    """The meta rows that key a cache to the data file and its articles, as :func:`write` writes them."""
    return {
        "data": data_digest,
        "stat": _dumps(stat_before),
        "sources": _dumps(sources),
        "source_stats": _dumps(source_stats),
        "registry": _dumps(registry),
        "layout": _dumps(layout),
    }


def _layout_meta(layout: ListLayout | None) -> dict[str, int | None] | None:
    return None if layout is None else {"dash": layout.dash, "following": layout.following, "key": layout.key}


def _temporary_name(folder: str) -> str:
    return os.path.join(folder, f".timeline-{os.getpid()}-{os.urandom(4).hex()}.tmp")


def _insert_events(
    connection: sqlite3.Connection, dataset: Dataset, items: Iterable[tuple[int, int, int, Event, object]]
) -> None:
    """Insert events (row, pos, at, the event, its plain record) with their index keys, links and search
    text, a batch at a time (so that memory does not grow with the dataset)."""
    from .contract import dumps, event_json
    from .query import haystack

    batch: list[tuple[object, ...]] = []
    keys: list[tuple[str, str, int]] = []
    links: list[tuple[str, int, str, int]] = []
    texts: list[tuple[int, str]] = []

    def flush() -> None:
        connection.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
        connection.executemany("INSERT INTO keys VALUES (?, ?, ?)", keys)
        connection.executemany("INSERT INTO links VALUES (?, ?, ?, ?)", links)
        connection.executemany("INSERT INTO search(rowid, text) VALUES (?, ?)", texts)
        for pending in (batch, keys, links, texts):
            pending.clear()

    for row, pos, at, event, record in items:
        text = _record_dumps(record)
        contract = dumps(event_json(dataset, event), pretty=False, spaced=True)
        first, last = _day(event.date.first, MIN_DAY), _day(event.date.last, MAX_DAY)
        batch.append((row, pos, at, event.id, first, last, text, row_crc(text), contract, row_crc(contract)))
        keys.extend((name, key, row) for name, index in INDEXED.items() for key in dict.fromkeys(index(event)))
        links.extend((relation.event, row, relation.relation, number) for number, relation in enumerate(event.related))
        texts.append((row, haystack(dataset, event)))
        if len(batch) >= 2000:
            flush()
    flush()


# ---------------------------------------------------------------- reading


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
    opened = _open(folder, data_path, data_digest, fallback, notice=notice, exact=False)
    return None if opened is None else opened[0]


def _open(
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


# ---------------------------------------------------------------- adding


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

    @property
    def count(self) -> int:
        return len(self.store)

    def start(self, position: int) -> int:
        """Where the line of the event at ``position`` starts in the text."""
        return int(self.store.column(position, "at"))

    def record(self, position: int) -> object:
        """The event at ``position`` as plain values, as the file has it."""
        return json.loads(str(self.store.column(position, "record")))

    def position_for(self, first: date | None, identifier: str) -> int:
        """Where an event with this first day and id goes in date order: after every event that sorts
        before or with it (by first day, then id)."""
        day = _day(first, MIN_DAY)
        return self.store.last_before(day, identifier) + 1

    @property
    def planned(self) -> Mapping[str, bool]:
        return _Planned(self.store)

    def close(self) -> None:
        self.store.close()


def open_indexed(
    folder: str, data_path: str, data_digest: str, *, notice: Callable[[str], None] | None = None
) -> Indexed | None:
    """The cache of ``data_path`` if it was made from exactly the bytes whose SHA-256 is ``data_digest``
    (and from the same articles), for adding to it; None otherwise."""
    opened = _open(folder, data_path, lambda: data_digest, _no_fallback, notice=notice, exact=True)
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
        from .contract import dumps, event_json

        copy.execute("UPDATE events SET pos = pos + 1 WHERE pos >= ?", (position,))
        (row,) = copy.execute("SELECT coalesce(max(row), -1) + 1 FROM events").fetchone()
        _insert_events(copy, indexed.dataset, [(row, position, item, event, record)])
        store = CachedEvents(copy, "", indexed.count + 1, _no_fallback)
        updated = Dataset(indexed.dataset.path, indexed.dataset.sources, indexed.dataset.actors, store)
        for target in dict.fromkeys(relation.event for relation in event.related):  # their referenced_by grew
            found = store.position(target)
            if found is None:
                raise CacheDamaged(f"no event {target!r}")
            contract = dumps(event_json(updated, store.at(found)), pretty=False, spaced=True)
            copy.execute("UPDATE events SET contract = ?, contract_crc = ? WHERE id = ?", (contract, row_crc(contract), target))
        copy.execute("UPDATE meta SET value = ? WHERE key = 'count'", (str(indexed.count + 1),))
        _update_memos(copy, memos, lines, store.position)

    _rewrite(indexed, at, size, data_digest, change, notice)


def _update_memos(
    copy: sqlite3.Connection, memos: Memos | None, lines: tuple[int, int], position_of: Callable[[str], int | None]
) -> None:
    """Bring the kept values up to date with an insertion (see ``Memos.inserted``); without ``memos``, drop
    them (they were about the old file; they are worked out again when asked)."""
    rows = copy.execute("SELECT key, value FROM meta WHERE key LIKE 'memo:%'").fetchall()
    kept = {str(key).removeprefix("memo:"): str(value) for key, value in rows}
    updated = {} if memos is None else memos.inserted(kept, *lines, position_of)
    copy.execute("DELETE FROM meta WHERE key LIKE 'memo:%'")
    copy.executemany("INSERT INTO meta VALUES (?, ?)", [(f"memo:{key}", value) for key, value in updated.items()])


def record_source(
    indexed: Indexed,
    record: dict[str, object],
    article: str,
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
    path ``article``. No event cites it yet, so no event's row changes."""

    def change(copy: sqlite3.Connection) -> None:
        registry = {**indexed.registry, "sources": [*indexed.registry["sources"], record]}
        (sources_text,) = copy.execute("SELECT value FROM meta WHERE key = 'sources'").fetchone()
        sources = {**json.loads(sources_text), article: article_digest}
        (stats_text,) = copy.execute("SELECT value FROM meta WHERE key = 'source_stats'").fetchone()
        stats = {**json.loads(stats_text), article: _written_status(article, article_digest)}
        updates = [(_dumps(registry), "registry"), (_dumps(sources), "sources"), (_dumps(stats), "source_stats")]
        copy.executemany("UPDATE meta SET value = ? WHERE key = ?", updates)
        _update_memos(copy, memos, lines, indexed.store.position)

    _rewrite(indexed, at, size, data_digest, change, notice)


def _rewrite(
    indexed: Indexed,
    at: int,
    size: int,
    data_digest: str,
    change: Callable[[sqlite3.Connection], None],
    notice: Callable[[str], None] | None,
) -> None:
    """Update a copy of the cache database by ``change``, move every offset at or after ``at`` by ``size``,
    key it to the bytes just written (``data_digest``), and put it in place of the old one, so that a reader
    never sees half of it. If anything fails, the cache is removed (the next run rebuilds it): it must never
    describe a file that is not there."""
    target = cache_file(indexed.folder, indexed.data_path)
    temporary = _temporary_name(indexed.folder)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            indexed.store.copy_into(descriptor, indexed.identity)
        finally:
            os.close(descriptor)
        copy = connect(temporary, write=True)
        try:
            copy.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
            copy.execute("UPDATE events SET at = at + ? WHERE at >= ?", (size, at))
            change(copy)

            def moved(offset: int | None) -> int | None:
                return offset + size if offset is not None and offset >= at else offset

            layout = {"dash": indexed.dash, "following": moved(indexed.following), "key": moved(indexed.key)}
            status = _written_status(indexed.data_path, data_digest)
            meta = {"data": data_digest, "stat": _dumps(status), "layout": _dumps(layout)}
            copy.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
            copy.commit()
        finally:
            copy.close()
        replace_sealed(temporary, target)
    except (OSError, sqlite3.Error, ValueError, KeyError, TypeError) as error:
        if notice is not None:
            notice(f"cache not updated: {error}")
        for leftover in (temporary, target):
            with contextlib.suppress(OSError):
                os.unlink(leftover)


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


def _no_fallback() -> Sequence[Event]:
    raise CacheDamaged("the cache is damaged")


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


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class CachedEvents(Events):
    """Events read from the cache database as a query needs them, decoded once, then kept."""

    def __init__(
        self, connection: sqlite3.Connection, path: str, count: int, fallback: Callable[[], Sequence[Event]]
    ) -> None:
        self._connection = connection
        self._path = path
        self._count = count
        self._decoded: dict[int, Event] = {}
        self._fallback = fallback
        self._parsed: Sequence[Event] | None = None
        self._dates: dict[object, EdtfDate | None] = {}  # many events share a date: parse each once
        self._targets: set[str] | None = None

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
        return event_from(record, when)

    def column(self, position: int, name: str) -> Any:
        """One stored column (``at`` or ``record``) of the event at ``position``; KeyError if there is none."""
        if name not in ("at", "record"):
            raise KeyError(name)
        row = self._connection.execute(f"SELECT {name} FROM events WHERE pos = ?", (position,)).fetchone()
        if row is None:
            raise KeyError(position)
        return row[0]

    def last_before(self, day: int, identifier: str) -> int:
        """The last position (in file order) of an event that sorts with or before (``day``, ``identifier``)
        by first day then id; -1 if none does."""
        (found,) = self._connection.execute(
            "SELECT coalesce(max(pos), -1) FROM events WHERE first < ? OR (first = ? AND id <= ?)", (day, day, identifier)
        ).fetchone()
        return int(found)

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

    def close(self) -> None:
        self._connection.close()

    def _positions(self, sql: str, parameters: Sequence[object] = ()) -> list[int]:
        try:
            return [position for (position,) in self._connection.execute(sql, parameters)]
        except sqlite3.Error:
            return list(range(len(self._parse_afresh())))

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

    def candidates(self, prefilter: Prefilter) -> Iterator[Event]:
        if self._parsed is not None:
            return iter(self._parsed)
        where, parameters = self._where(prefilter)
        return (self.at(position) for position in self._positions(f"SELECT pos FROM events{where} ORDER BY pos", parameters))

    def _by_date(self, prefilter: Prefilter, columns: str, *, reverse: bool) -> sqlite3.Cursor | None:
        """The rows that may meet ``prefilter``, by first day then id (newest first with ``reverse``), as a
        cursor that reads them as they are needed; None when this store cannot."""
        if self._parsed is not None:
            return None
        where, parameters = self._where(prefilter)
        direction = "DESC" if reverse else ""
        try:
            return self._connection.execute(
                f"SELECT {columns} FROM events{where} ORDER BY first {direction}, id {direction}", parameters
            )
        except sqlite3.Error:
            return None

    def ordered(self, prefilter: Prefilter, *, reverse: bool = False) -> Iterator[Event] | None:
        """The candidates by first day, then id, read row by row as they are needed, in one query."""
        rows = self._by_date(prefilter, "pos, id, record, crc", reverse=reverse)
        return None if rows is None else self._decoded_rows(rows)

    def contract_lines(self, prefilter: Prefilter, dataset: Dataset, *, reverse: bool = False) -> Iterator[str] | None:
        """Each matching event's JSON as the JSON format writes it (kept when the cache was written: it
        depends only on the content the cache is keyed to), by first day then id, decoding no event. Only
        for a prefilter the indexes answer exactly (see ``query.contract_lines``)."""
        rows = self._by_date(prefilter, "pos, contract, contract_crc", reverse=reverse)
        return None if rows is None else self._checked_lines(rows, dataset)

    def _checked_lines(self, rows: Iterable[tuple[int, str, int]], dataset: Dataset) -> Iterator[str]:
        from .contract import dumps, event_json

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

    def _where(self, prefilter: Prefilter) -> tuple[str, list[object]]:
        """The WHERE clause (with its parameters) of the events that may meet ``prefilter``."""
        clauses: list[str] = []
        parameters: list[object] = []
        if prefilter.window is not None:
            clauses.append("first <= ? AND last >= ?")
            parameters += [prefilter.window[1].toordinal(), prefilter.window[0].toordinal()]
        for name, wanted in prefilter.keys.items():
            if name not in INDEXED:
                continue  # not indexed here: the query checks it
            marks = ", ".join("?" for _ in wanted)
            clauses.append(f"row IN (SELECT row FROM keys WHERE name = ? AND key IN ({marks}))")
            parameters += [name, *sorted(wanted)]
        texts = [" AND ".join(_fts_phrase(term) for term in terms) for terms in prefilter.words]
        if texts and all(terms and all(len(term) >= 3 for term in terms) for terms in prefilter.words):
            # (a term shorter than a trigram could match anywhere: then the query checks every event)
            clauses.append("row IN (SELECT rowid FROM search WHERE search MATCH ?)")
            parameters.append(" OR ".join(f"({text})" for text in texts))
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


class _ById(Mapping[str, Event]):
    def __init__(self, store: CachedEvents) -> None:
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

    def __init__(self, store: CachedEvents) -> None:
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

