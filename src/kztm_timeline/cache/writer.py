"""Writing a cache database: whole, from a dataset read whole (:func:`write`), or an event at a time as the
data file is streamed (:class:`Builder`)."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import CacheDamaged
from ..model import Dataset, Event
from ..store import FORMAT, connect, memo_checks, prepare_folder, put_in_place, row_crc, trusted_folder
from .events import CachedEvents, no_fallback
from .tables import INDEXES, SCHEMA, compact_json, insert_events, temporary_database

if TYPE_CHECKING:
    from ..datafile.splice import ListLayout


# Just over 60 lines: its eleven parameters, one per thing a whole read hands over, take 13 of them.
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
    temporary = temporary_database(folder)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.close(descriptor)
        connection = connect(temporary, write=True)
        try:
            connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
            events = dataset.events
            starts = layout.starts if layout is not None else [-1] * len(events)
            numbered = enumerate(zip(events, plain["events"], starts, strict=True))
            insert_events(connection, dataset, ((pos, pos, at, event, record) for pos, (event, record, at) in numbered))
            connection.executescript(INDEXES)
            meta = {
                "format": str(FORMAT),
                "tool": __version__,
                "data": data_digest,
                "stat": compact_json(stat_before),
                "sources": compact_json(sources),
                "source_stats": compact_json(source_stats or {}),
                "registry": compact_json({"sources": plain["sources"], "actors": plain["actors"]}),
                "count": str(len(events)),
                "layout": compact_json(_layout_meta(layout)),
                # the data file it serves (`cache info`; a name too long says it only here), as JSON in ASCII
                "path": compact_json(os.path.abspath(data_path)),
            }
            meta.update({f"memo:{key}": value for key, value in (memos or {}).items()})
            meta.update(memo_checks(memos or {}, data_digest))
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            from .spans import record_spans

            record_spans(connection, data_path, data_digest, None if layout is None else layout.dash)
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
        self.temporary = temporary_database(folder)
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
            insert_events(self.connection, self.dataset, self.pending)
            self.pending.clear()

    def finish(self, meta: Mapping[str, str]) -> bool:
        """Point the links written with an old id at their events, note who links to each event and put the
        database in place with ``meta`` (and the count); False (nothing written) if that fails. (The events were
        checked across each other as they were read.)"""
        from ..contract import dumps, event_json

        try:
            insert_events(self.connection, self.dataset, self.pending)
            self.pending.clear()
            connection = self.connection
            connection.executescript(INDEXES)
            if not resolve_old_ids(connection):
                self.discard()
                return False
            store = CachedEvents(connection, "", self.count, no_fallback)
            linked = Dataset(self.dataset.path, self.dataset.sources, self.dataset.actors, store)
            targets = [target for (target,) in connection.execute("SELECT DISTINCT target FROM links").fetchall()]
            targets += [  # the events that link by an old id: their related names the id of today only now
                target
                for (target,) in connection.execute(
                    "SELECT DISTINCT events.id FROM renamed JOIN events ON events.row = renamed.row"
                ).fetchall()
            ]
            for target in dict.fromkeys(targets):  # the events others link to: their referenced_by is known only now
                found = store.position(target)
                if found is None:
                    raise CacheDamaged(f"no event {target!r}")
                contract = dumps(event_json(linked, store.at(found)), pretty=False, spaced=True)
                update = "UPDATE events SET contract = ?, contract_crc = ? WHERE id = ?"
                connection.execute(update, (contract, row_crc(contract), target))
            rows = {
                **meta,
                "format": str(FORMAT),
                "tool": __version__,
                "count": str(self.count),
                "path": compact_json(os.path.abspath(self.data_path)),
            }
            rows.update(memo_checks({key[5:]: value for key, value in meta.items() if key.startswith("memo:")}, meta["data"]))
            connection.executemany("INSERT INTO meta VALUES (?, ?)", rows.items())
            shape = json.loads(meta.get("layout", "null"))
            from .spans import record_spans

            record_spans(connection, self.data_path, meta["data"], None if shape is None else shape["dash"])
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


def resolve_old_ids(connection: sqlite3.Connection) -> bool:
    """Point every link written with an old id (``aliases``) at its event's id of today, noting it in ``renamed``;
    False when an old id is some event's id, or two events claim it (the checker reports those: the whole file
    is then read, which says where)."""
    clash = connection.execute(
        "SELECT 1 FROM aliases JOIN events ON events.id = aliases.alias UNION ALL "
        "SELECT 1 FROM aliases GROUP BY alias HAVING count(DISTINCT row) > 1 LIMIT 1"
    ).fetchone()
    if clash is not None:
        return False
    found = connection.execute(
        "SELECT links.source, links.idx, links.target, events.id FROM links JOIN aliases ON aliases.alias = links.target "
        "JOIN events ON events.row = aliases.row"
    ).fetchall()
    connection.executemany("INSERT INTO renamed VALUES (?, ?, ?)", [(row, idx, alias) for row, idx, alias, _ in found])
    connection.executemany(
        "UPDATE links SET target = ? WHERE source = ? AND idx = ?", [(today, row, idx) for row, idx, _, today in found]
    )
    return True


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
        "stat": compact_json(stat_before),
        "sources": compact_json(sources),
        "source_stats": compact_json(source_stats),
        "registry": compact_json(registry),
        "layout": compact_json(layout),
    }


def _layout_meta(layout: ListLayout | None) -> dict[str, int | None] | None:
    return None if layout is None else {"dash": layout.dash, "following": layout.following, "key": layout.key}
