"""The parse cache's database as a file: where it lives, whether this user alone owns it, opening it, the
checks that say it still matches the data file and every article, and the answers kept in it.

Nothing here decodes an event, so what a warm ``validate`` prints (counts, the kept verdict, the overdue
plans of the day) is read with neither the model nor YAML loaded; :mod:`kztm_timeline.cache` builds
the dataset on top of what :func:`open_matching` opened.
"""

# Over the 500-line aim: the checks that a database matches its data and the answers kept in it share their
# connection; the kept answers (memos) are the next room to give a module of their own.

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from . import __version__
from .datafile.fs import read_bytes, resolve_source_path
from .errors import Alert, DataError
from .seal import (
    DAMAGED,
    DAMAGED_SUFFIX,
    SEAL_SUFFIX,
    SEALED,
    hold,
    judge,
    keep,
    kept,
    owned_alone,
    replace_sealed,
    reseal,
    set_aside,
)

# 16 on the web branch; 17: its tables with the output contract 3.0 kept in them; 18: each plan's due day (the dates
# branch's events.due), with the output contract 4.0; 19: the kept contract JSON escapes every unsafe character as
# \\uXXXX, and every database is sealed (issue 27); 20: where each event's item lies in the data file and digests of
# it and of the file's blocks (the spans table and meta row), so that an edit by hand is read again alone (issue 28);
# 21: the inferred dates in a table of their own (inferred), no longer in validate's kept verdict (issue 28); 22: changed
# in place under a lock its readers hold (kztm_timeline.seal), which a run of an earlier format would not take
FORMAT = 22


def cache_dir(environ: Mapping[str, str]) -> str:
    """``$XDG_CACHE_HOME/kztm-timeline``, or ``~/.cache/kztm-timeline`` (XDG Base Directory spec)."""
    base = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the spec says relative values are to be ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kztm-timeline")


NAME_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
LONGEST_NAME = 200  # below NAME_MAX (255 bytes) with room for the suffix and a temporary copy's


def cache_file(folder: str, data_path: str) -> str:
    """The data file's cache: named for its absolute path, each byte but letters, digits and ``._-``
    percent-escaped (``/`` is ``%2F``), so that ``ls`` shows which file it serves and no two paths share
    one; a path too long for a file name is named by its SHA-256 instead. (No hash on the way: hashlib's
    OpenSSL binding costs a warm run 2 ms.)"""
    raw = os.path.abspath(data_path).encode("utf-8", "surrogateescape")
    name = "".join(chr(byte) if byte in NAME_BYTES else f"%{byte:02X}" for byte in raw)
    if len(name) > LONGEST_NAME:
        import hashlib

        name = hashlib.sha256(raw).hexdigest()
    return os.path.join(folder, f"{name}.sqlite")


def put_in_place(temporary: str, folder: str, data_path: str) -> None:
    """Move a finished database into place as the data file's cache, sealed (see :mod:`kztm_timeline.seal`),
    remove the one that earlier versions of the tool kept for the same file under their name for it (the first
    32 hex digits of the SHA-256 of its path), which no run reads any more, and :func:`prune` the folder."""
    replace_sealed(temporary, cache_file(folder, data_path))
    prune(folder)
    import hashlib

    raw = os.path.abspath(data_path).encode("utf-8", "surrogateescape")
    earlier = os.path.join(folder, hashlib.sha256(raw).hexdigest()[:32] + ".sqlite")
    if trusted_file(earlier, None) is not None:
        with contextlib.suppress(OSError):
            os.unlink(earlier)


# ---------------------------------------------------------------- the entries of the folder, and pruning


MAX_UNUSED_DAYS = 30  # an entry unused for longer is removed when the next cache is written
USED_EVERY = 60 * 60  # a warm run marks its cache as used (its modification time) at most this often, in seconds
UNFINISHED_DAYS = 1  # a temporary file of an interrupted write is removed after this long


class CacheEntry(NamedTuple):
    """A file of the cache folder that this tool made: a data file's cache (``kind`` "cache"), one an
    earlier version named by a hash of its path ("earlier"), or an interrupted write ("unfinished").
    ``data``: the data file it serves (None where that is not known); ``used``: when a run last used it."""

    file: str
    kind: str
    data: str | None
    size: int
    used: float


def _unescaped(name: str) -> str | None:
    """The path a cache file's name escapes (``%2Fhome%2Fme%2Fevents.yaml`` → ``/home/me/events.yaml``)."""
    raw = bytearray()
    position = 0
    while position < len(name):
        if name[position] == "%":
            try:
                raw.append(int(name[position + 1 : position + 3], 16))
            except ValueError:
                return None
            position += 3
        else:
            raw.extend(name[position].encode("ascii", "replace"))
            position += 1
    return bytes(raw).decode("utf-8", "surrogateescape")


def _kept_path(file: str) -> str | None:
    """The data path a cache database records (caches named by a hash say it only there)."""
    try:
        connection = connect(file, write=False)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'path'").fetchone()
    except sqlite3.Error:
        row = None
    finally:
        connection.close()
    if row is None:
        return None
    try:  # kept as JSON in ASCII: a path's bytes that are not UTF-8 as \udcXX escapes
        kept = json.loads(str(row[0]))
    except ValueError:
        return None
    return kept if isinstance(kept, str) else None


def _is_hex(text: str, size: int) -> bool:
    return len(text) == size and all(char in "0123456789abcdef" for char in text)


def cache_entries(folder: str, *, read_names: bool = True) -> list[CacheEntry]:
    """The files of ``folder`` this tool made, by name: regular files this user alone owns (a link, or a
    file of anyone else, is never listed, so never removed). ``read_names``: open a cache named by a hash
    to find the data file it serves."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    found: list[CacheEntry] = []
    for name in names:
        file = os.path.join(folder, name)
        if name.startswith(".timeline-") and name.endswith(".tmp"):
            kind, data = "unfinished", None
        elif name.endswith(".sqlite") and _is_hex(name[: -len(".sqlite")], 32):
            kind, data = "earlier", None
        elif name.endswith(".sqlite") and _is_hex(name[: -len(".sqlite")], 64):
            kind, data = "cache", _kept_path(file) if read_names else None
        elif name.endswith(".sqlite") and name.startswith("%2F"):
            kind, data = "cache", _unescaped(name[: -len(".sqlite")])
        elif name.endswith(".sqlite" + DAMAGED_SUFFIX) and name.startswith("%2F"):
            kind, data = "damaged", _unescaped(name[: -len(".sqlite" + DAMAGED_SUFFIX)])
        else:
            continue
        info = trusted_file(file, None)
        if info is not None:
            found.append(CacheEntry(file, kind, data, info.st_size, info.st_mtime))
    return found


def stale(entry: CacheEntry, now: float) -> str | None:
    """Why ``entry`` is to be removed, or None: its data file is gone, nothing used it for
    ``MAX_UNUSED_DAYS``, an earlier version made it, or it is a write interrupted a day ago."""
    days = (now - entry.used) / (24 * 60 * 60)
    if entry.kind == "earlier":
        return "made by an earlier version"
    if entry.kind == "unfinished":
        return "an interrupted write" if days > UNFINISHED_DAYS else None
    if entry.kind == "damaged":  # kept a day for inspection (see kztm_timeline.seal)
        return "set aside as damaged" if days > UNFINISHED_DAYS else None
    if entry.data is not None and not os.path.exists(entry.data):
        return "its data file is gone"
    if days > MAX_UNUSED_DAYS:
        return f"unused for {int(days)} days"
    return None


def remove_entry(entry: CacheEntry) -> bool:
    """Remove a cache file (and a journal SQLite left beside it, and its seal); False if it could not be removed."""
    try:
        os.unlink(entry.file)
    except OSError:
        return False
    for beside in ("-journal", SEAL_SUFFIX):
        with contextlib.suppress(OSError):
            os.unlink(entry.file + beside)
    return True


def prune(folder: str, now: float | None = None) -> list[CacheEntry]:
    """Remove the entries of ``folder`` that are :func:`stale`; the ones removed. Run whenever a cache is
    written, so that the folder holds only the caches of data files that exist and were used lately."""
    import time

    moment = time.time() if now is None else now
    removed = []
    for entry in cache_entries(folder, read_names=False):
        if entry.kind == "cache" and entry.data is None:  # named by a hash: its data file is read from it
            entry = entry._replace(data=_kept_path(entry.file))
        if stale(entry, moment) is not None and remove_entry(entry):
            removed.append(entry)
    return removed


def mark_used(path: str, info: os.stat_result) -> None:
    """Renew the modification time of a cache a run used, unless it was renewed within ``USED_EVERY``."""
    import time

    now = time.time()
    if now - info.st_mtime > USED_EVERY:
        with contextlib.suppress(OSError):
            os.utime(path, (now, now))
            reseal(path, info)  # only its times changed: the seal stands, for the new ones


def digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def file_stat(path: str) -> list[int]:
    """What says a file is unchanged without reading it: device, inode, size, mtime and ctime (ns)."""
    info = os.stat(path)
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def articles_unchanged(dataset_path: str, files: Sequence[str], digests: dict[str, str], stats: dict[str, object]) -> bool:
    """Whether the articles ``files`` are exactly those whose SHA-256 the cache recorded: an article whose
    status (device, inode, size, times) is as recorded is not read again; any other is hashed."""
    resolved = [resolve_source_path(dataset_path, file) for file in files]
    if set(resolved) != set(digests):
        return False
    for path in resolved:
        try:
            if stats.get(path) == file_stat(path):
                continue
            if digest(read_bytes(path)) != digests[path]:
                return False
        except (OSError, DataError):
            return False
    return True


# ---------------------------------------------------------------- trust: the cache is this user's alone


def trusted_folder(folder: str, notice: Callable[[str], None] | None) -> bool:
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    if stat.S_ISDIR(info.st_mode) and owned_alone(info):
        return True
    if notice is not None:
        notice(f"cache ignored: {folder} is not a folder that only this user owns and can write")
    return False


def trusted_file(path: str, notice: Callable[[str], None] | None) -> os.stat_result | None:
    """The cache file's status if it is a regular file (not a link) that only this user owns and can write."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None  # missing (the usual miss), a link, or unreadable
    try:
        info = os.fstat(descriptor)
    finally:
        os.close(descriptor)
    if stat.S_ISREG(info.st_mode) and owned_alone(info):
        return info
    if notice is not None:
        notice(f"cache ignored: {path} is not a regular file that only this user owns and can write")
    return None


def prepare_folder(folder: str) -> bool:
    """Create the cache folder 0700 (whatever the umask); tighten an own folder that others could read."""
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and info.st_mode & 0o077:
            os.chmod(folder, 0o700)
    except OSError:
        return False
    return True


def connect(path: str, *, write: bool) -> sqlite3.Connection:
    mode = "rw" if write else "ro"
    # (a URI, for its mode; %, ? and # are the characters a path must escape in one, and urllib costs a
    # few milliseconds of start-up to do it)
    escaped = path.replace("%", "%25").replace("?", "%3F").replace("#", "%23")
    connection = sqlite3.connect(f"file:{escaped}?mode={mode}", uri=True, check_same_thread=False)
    connection.execute("PRAGMA trusted_schema=OFF")  # no function in the file's schema may run
    return connection


def row_crc(text: str) -> int:
    """The CRC-32 of an event's JSON: accidental damage to a row (a bad disk, a torn copy) is caught when
    the row is decoded, and the data file is parsed afresh."""
    return zlib.crc32(text.encode("utf-8"))


# ---------------------------------------------------------------- opening


class Opened(NamedTuple):  # a NamedTuple, not a dataclass: defining a frozen dataclass costs every run 0.3 ms of start-up
    """A cache database that matches the data file and its articles, open for reading: its meta values
    (``registry`` decoded, ``count`` an int) and the device and inode of the file that was opened."""

    connection: sqlite3.Connection
    path: str
    meta: dict[str, Any]
    identity: tuple[int, int]


def open_matching(
    folder: str,
    data_path: str,
    data_digest: Callable[[], str],
    *,
    notice: Callable[[str], None] | None,
    exact: bool,
    any_data: bool = False,
) -> Opened | None:
    """The data file's cache, if this user alone owns it, it has this tool's format and version, and it
    was made from the data file's bytes and the articles it cites; None otherwise (the usual miss, or
    damage of any kind). ``data_digest`` hashes the data file; it is called only when the file's status
    differs from what the cache recorded, or with ``exact``, always; with ``any_data``, never (a cache of
    an earlier version of the file, to bring in step with it)."""
    if not trusted_folder(folder, notice):
        return None
    path = cache_file(folder, data_path)
    info = trusted_file(path, notice)
    if info is not None:
        waiting = None if notice is None else lambda: notice(f"waiting for another run to finish changing the cache {path}")
        info = hold(path, info, waiting)  # (held to the end of the run: see kztm_timeline.seal)
    if info is None or not _sealed(path, info, notice):
        return None
    try:
        connection = connect(path, write=False)
    except sqlite3.Error:
        return None
    try:
        opened = os.stat(path)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise sqlite3.DatabaseError("the cache file was replaced while it was opened")
        wanted = "('format', 'tool', 'data', 'stat', 'sources', 'source_stats', 'layout', 'registry', 'count')"
        meta: dict[str, Any] = dict(connection.execute(f"SELECT key, value FROM meta WHERE key IN {wanted}"))
        if meta.get("format") != str(FORMAT) or meta.get("tool") != __version__:
            raise sqlite3.DatabaseError("another format or tool version")
        if not any_data and not _same_data(path, meta, data_path, data_digest, exact=exact):
            raise sqlite3.DatabaseError("the data file changed")
        registry = json.loads(meta["registry"])
        files = [str(record["file"]) for record in registry["sources"] if record.get("file") is not None]  # not a web page
        if not articles_unchanged(data_path, files, json.loads(meta["sources"]), json.loads(meta.get("source_stats", "{}"))):
            raise sqlite3.DatabaseError("an article changed")
        meta["registry"] = registry
        meta["count"] = int(meta["count"])  # a count that is no number is damage too
        mark_used(path, info)
        return Opened(connection, path, meta, (info.st_dev, info.st_ino))
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        connection.close()
        return None


def _same_data(path: str, meta: dict[str, Any], data_path: str, data_digest: Callable[[], str], *, exact: bool) -> bool:
    """Whether the data file holds the bytes the database at ``path`` was written from: its status is the one
    recorded (in the database, or in its seal since), else (or with ``exact``) its digest is that of those bytes.
    A file touched but not changed (``touch``, a checkout of the same bytes) is hashed once: its new status is
    kept in the seal (taken before and after hashing, and kept only if the same), and the next run believes it."""
    status = file_stat(data_path)
    if not exact and status in (json.loads(meta["stat"]), json.loads(kept(path, TOUCHED) or "null")):
        return True
    if meta["data"] != data_digest():
        return False
    if status != json.loads(meta["stat"]) and file_stat(data_path) == status:
        keep(path, {TOUCHED: json.dumps(status)})
    return True


TOUCHED = "data-status"  # the kept answer: the status of a data file touched since the database was written


def _sealed(path: str, info: os.stat_result, notice: Callable[[str], None] | None) -> bool:
    """Whether the database's seal vouches for every byte of it (see :mod:`kztm_timeline.seal`). A damaged one
    is set aside, and said so whatever ``--verbose`` (an :class:`~kztm_timeline.errors.Alert`); the run then
    parses the data file afresh, and writes a new cache."""
    found = judge(path, info)
    if found == SEALED:
        return True
    if found == DAMAGED:
        aside = set_aside(path)
        kept_as = f"it is kept as {aside} for inspection" if aside else "it was removed"
        if notice is not None:
            said = f"the parse cache {path} was damaged (its bytes are not those it was written with); {kept_as}"
            notice(Alert(f"{said}, and the data file was read afresh"))
    elif notice is not None:
        notice(f"cache ignored: {path} has no seal of its own (see kztm_timeline.seal)")
    return False


def set_aside_cache(folder: str, data_path: str) -> str | None:
    """Set the data file's cache aside as damaged (see :func:`kztm_timeline.seal.set_aside`): where it went."""
    return set_aside(cache_file(folder, data_path))


# ---------------------------------------------------------------- kept answers


def memo(connection: sqlite3.Connection, path: str, key: str, compute: Callable[[], str]) -> str:
    """``compute()``, kept under ``key`` so that the next run over the same data reads it: the database at
    ``path`` keeps the answers worked out as it was written; one worked out later is kept in its seal (a run
    that only reads never changes the database, whose bytes the seal vouches for)."""
    name = f"memo:{key}"
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
    except sqlite3.Error:
        row = None
    if row is not None:
        return str(row[0])
    found = kept(path, name) if path else None
    if found is not None:
        return found
    value = compute()
    if path:
        checks: dict[str, str] = {}
        if key in BUILT_ON:
            with contextlib.suppress(sqlite3.Error, TypeError):
                (data,) = connection.execute("SELECT value FROM meta WHERE key = 'data'").fetchone()
                checks = memo_checks({key: value}, str(data))
        keep(path, {name: value, **checks})  # (if it cannot be kept, it is worked out again next time)
    return value


BUILT_ON = frozenset({"validate"})  # the kept answers a refresh after an edit by hand brings up to date (the rest it drops)


def memo_checks(values: Mapping[str, str], data_digest: str) -> dict[str, str]:
    """A check of each kept answer (``memo:KEY``) that binds it to the data it was worked out from: ``memo-check:KEY``,
    the CRC-32 of the key, the data's SHA-256 and the answer. Kept beside every answer, in the database or its seal; a
    refresh after an edit by hand builds on a kept answer only while its check holds (one changed since it was kept,
    even behind the seal's back, is worked out again from the data)."""
    checks = {}
    for key, value in values.items():
        text = "\0".join((key, data_digest, value)).encode("utf-8", "surrogatepass")
        checks[f"memo-check:{key}"] = f"{zlib.crc32(text):08x}"
    return checks


def unresolved_plans(
    connection: sqlite3.Connection, path: str, before: date, outcomes: Sequence[str], limit: int
) -> tuple[list[int], int]:
    """The positions of the first ``limit`` planned events (file order) whose due day is before
    ``before`` and that no event names with one of ``outcomes``, and how many there are; kept for the
    day (``add`` drops it). Raises sqlite3.Error, ValueError, KeyError or TypeError on damage."""
    marks = ", ".join("?" for _ in outcomes)
    body = (
        "FROM events WHERE row IN (SELECT row FROM keys WHERE name = 'status' AND key = 'planned') AND due < ? "
        f"AND NOT EXISTS (SELECT 1 FROM links WHERE links.target = events.id AND links.relation IN ({marks}))"
    )
    parameters = [before.toordinal(), *outcomes]

    def compute() -> str:
        positions = [position for (position,) in connection.execute(f"SELECT pos {body} ORDER BY pos", parameters)]
        return json.dumps({"total": len(positions), "first": positions[:limit]})

    found = json.loads(memo(connection, path, f"overdue:{before.toordinal()}:{limit}:{','.join(outcomes)}", compute))
    return [int(position) for position in found["first"]], int(found["total"])


class KeptCheck(NamedTuple):  # a NamedTuple, not a dataclass: defining a frozen dataclass costs every run 0.3 ms of start-up
    """What a plain ``validate`` reports of a data file the cache matches and found clean: the counts,
    the quotes verified, and the overdue plans as (id, due day), the first ones and how many."""

    events: int
    actors: int
    sources: int
    quotes: int
    overdue: tuple[tuple[str, date], ...]
    overdue_total: int
    web: int = 0  # quotes of web pages, which only an online `sources check` verifies
    renamed: tuple[tuple[str, str, str], ...] = ()  # links written with an old id: (event, old id, id of today)


# Each link written with an old id: the linking event's id, the old id, the id it stands for. The links of the
# renamed rows are found in one pass over links (joined directly, SQLite scanned links for every renamed row's
# automatic index: 58 ms at 100,000 events built from the shipped ones, with no link renamed at all).
RENAMED_LINKS = (
    "SELECT events.id, renamed.alias, found.target FROM renamed JOIN events ON events.row = renamed.row "
    "JOIN (SELECT source, idx, target FROM links WHERE source IN (SELECT row FROM renamed)) AS found "
    "ON found.source = renamed.row AND found.idx = renamed.idx ORDER BY events.pos, renamed.idx"
)


def kept_check(
    folder: str,
    data_path: str,
    data_digest: Callable[[], str],
    as_of: date,
    outcomes: Sequence[str],
    limit: int,
    *,
    notice: Callable[[str], None] | None,
) -> KeptCheck | None:
    """A plain ``validate``'s answer read from the cache alone: None unless the cache matches (see
    :func:`open_matching`) and keeps a verdict that found no problem (a verdict with problems is reported
    by reading the dataset, which locates them)."""
    opened = open_matching(folder, data_path, data_digest, notice=notice, exact=False)
    if opened is None:
        return None
    connection = opened.connection
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'memo:validate'").fetchone()
        if row is None:
            return None
        verdict = json.loads(row[0])
        if verdict["problems"]:
            return None
        first, total = unresolved_plans(connection, opened.path, as_of, outcomes, limit)
        overdue = []
        for position in first:
            found = connection.execute("SELECT id, due, record, crc FROM events WHERE pos = ?", (position,)).fetchone()
            if found is None or row_crc(found[2]) != found[3] or json.loads(found[2])["id"] != found[0]:
                return None  # damaged: the dataset is read, which parses the file afresh
            overdue.append((str(found[0]), date.fromordinal(int(found[1]))))
        registry = opened.meta["registry"]
        renamed = connection.execute(RENAMED_LINKS).fetchall()
        return KeptCheck(
            int(opened.meta["count"]),
            len(registry["actors"]),
            len(registry["sources"]),
            int(verdict["quotes"]),
            tuple(overdue),
            total,
            int(verdict.get("web", 0)),
            tuple((str(source), str(alias), str(target)) for source, alias, target in renamed),
        )
    except (sqlite3.Error, ValueError, KeyError, TypeError, IndexError, OverflowError):
        return None
    finally:
        connection.close()
