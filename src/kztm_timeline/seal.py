"""The parse cache's seal: what proves that a cache database is, byte for byte, the one the tool wrote.

Each database ``NAME.sqlite`` has its seal beside it, ``NAME.sqlite.seal``, written as the database is put in
place: the CRC-32 of every byte of the database, one for each mebibyte of it (every page: the rows, every column,
the indexes and their postings, the full-text index, the free pages; a change in place that knows where it wrote
takes again only the CRCs of the mebibytes it wrote), and the status that stands for those bytes without reading
them (device, inode, size, modification and change times: as the data file's status stands for its digest,
and for the same reason; any write changes the change time, which no tool can set back).

A database is believed only while its seal vouches for it (:func:`judge`):

* status as sealed: believed, without reading it (the warm path reads the small seal file, nothing more);
* status changed (touched, copied, chmod, or written to): its bytes are read and their CRC compared; equal,
  the seal is renewed with the new status; different, the database is **damaged**;
* no seal, a seal of another file (another inode), or a seal that fails its own CRC: **unsealed**, not
  believed (the next run parses the data file and writes a new database and seal).

A damaged database is set aside (:func:`set_aside`) as ``NAME.sqlite.damaged``, one kept for inspection (a
later one replaces it), and is never read again.

An answer worked out after the database was sealed (``validate``'s overdue plans for the day, say) is kept in
the seal, under ``memos``, not in the database.

Who reads a database holds a shared lock on it (``flock``) from before its seal is judged to the end of the run
(:func:`hold`, :func:`release`), so a run never sees two versions of it. The tool changes a database in place
(``add``, a refresh after an edit by hand: :func:`change_in_place`) only under an exclusive lock, which it takes
only when no other run holds the database: it removes the seal first (a change cut short by a crash leaves a
database that nothing vouches for, read afresh next time, never a damaged one), makes the change, and seals
the new bytes. When another run is reading it, the change is made to a copy put in place instead
(:func:`replace_sealed`), and the reader keeps the old file.

The seal file is one line, ``CRC BODY``: the CRC-32 (8 hex digits) of BODY, a JSON object
``{"v": 2, "status": [dev, ino, size, mtime_ns, ctime_ns], "chunk": 1048576, "crcs": "HEX", "memos": {...}}``,
HEX the CRC-32 of each chunk of the database in turn, 8 hex digits each.

Only the standard library is used (``zlib`` for the CRC: hashlib's OpenSSL binding would cost every warm run
2 ms to import). The trust rules of the cache folder apply to the seal too: a regular file, not a link,
that this user alone owns and can write.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import stat
import time
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, NamedTuple

SEAL_SUFFIX = ".seal"
DAMAGED_SUFFIX = ".damaged"
MAX_MEMOS = 64  # answers kept in a seal at most (the oldest go first): one a day for overdue plans, a few others
CHUNK = 1 << 20  # the bytes each CRC of a seal stands for
_MAX_SEAL_BYTES = 1 << 20
PATIENCE = 60.0  # seconds a run waits for another run to finish changing a database, before it reads the data afresh
_HELD: dict[str, int] = {}  # the databases this process reads, by path: a descriptor of each, holding its lock
MOST_HELD = 32  # a process that goes on reading (a library's user) lets go of the one it took first beyond this


def owned_alone(info: os.stat_result) -> bool:
    """Owned by this user, and writable by nobody else."""
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def seal_path(database: str) -> str:
    return database + SEAL_SUFFIX


def status_of(info: os.stat_result) -> list[int]:
    """What stands for a file's bytes while it is unchanged: device, inode, size, modification and change times."""
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


class Seal(NamedTuple):  # a NamedTuple, not a dataclass: defining a frozen dataclass costs every run 0.3 ms of start-up
    """A database's seal: its status when sealed, the CRC-32 of each :data:`CHUNK` of its bytes, and the answers
    kept since."""

    status: list[int]
    crcs: list[int]
    memos: dict[str, str]


def descriptor_crcs(descriptor: int, chunks: Iterable[int] | None = None) -> dict[int, int]:
    """The CRC-32 of each chunk of the open file, by its number: of every chunk, or of ``chunks`` (those past the
    file's end left out)."""
    found = {}
    numbers = itertools.count() if chunks is None else iter(sorted(set(chunks)))
    for number in numbers:
        chunk = os.pread(descriptor, CHUNK, number * CHUNK)
        if not chunk:
            if chunks is None:
                break
            continue
        found[number] = zlib.crc32(chunk)
    return found


def file_crcs(descriptor: int) -> list[int]:
    """The CRC-32 of every chunk of the open file, in turn."""
    return list(descriptor_crcs(descriptor).values())


def read_seal(database: str) -> Seal | None:
    """The seal of ``database``, or None: missing, a link, not this user's alone, too large, or damaged itself."""
    try:
        descriptor = os.open(seal_path(database), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or not owned_alone(info) or info.st_size > _MAX_SEAL_BYTES:
            return None
        raw = os.read(descriptor, _MAX_SEAL_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    try:
        check, body = raw.rstrip(b"\n").split(b" ", 1)
        if int(check, 16) != zlib.crc32(body):
            return None
        value: Any = json.loads(body)
        status = [int(part) for part in value["status"]]
        memos = {str(key): str(memo) for key, memo in value["memos"].items()}
        text = str(value["crcs"])
        if value["v"] != 2 or len(status) != 5 or value["chunk"] != CHUNK or len(text) % 8:
            return None
        return Seal(status, [int(text[at : at + 8], 16) for at in range(0, len(text), 8)], memos)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def write_seal(database: str, seal: Seal) -> bool:
    """Put ``seal`` in place beside ``database`` (a temporary file renamed: a reader sees the old seal or the new
    one); False if it cannot be written (the database then goes unbelieved, which only costs speed). The largest
    answers kept go, one by one, where the seal would be larger than a seal may be (:data:`_MAX_SEAL_BYTES`): a
    seal no run reads would leave the database unbelieved, and every run would read the data file afresh."""
    kept = list(seal.memos.items())[-MAX_MEMOS:]
    while True:
        crcs = "".join(f"{crc:08x}" for crc in seal.crcs)
        value = {"v": 2, "status": seal.status, "chunk": CHUNK, "crcs": crcs, "memos": dict(kept)}
        body = json.dumps(value, separators=(",", ":")).encode()
        if len(body) + 10 <= _MAX_SEAL_BYTES or not kept:  # (10: the CRC, a space and the newline)
            break
        kept.remove(max(kept, key=lambda memo: len(memo[1])))
    folder = os.path.dirname(database)
    temporary = os.path.join(folder, f".timeline-{os.getpid()}-{os.urandom(4).hex()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            os.write(descriptor, b"%08x %s\n" % (zlib.crc32(body), body))
        finally:
            os.close(descriptor)
        os.replace(temporary, seal_path(database))
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True


def replace_sealed(temporary: str, database: str) -> None:
    """Put the finished database ``temporary`` in place as ``database``, sealed: its CRC is taken before the
    rename, its status (the rename changes the change time) just after it, through the same descriptor.
    Raises OSError if it cannot be put in place; a seal that cannot be written leaves it unbelieved."""
    descriptor = os.open(temporary, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        crcs = file_crcs(descriptor)
        drop_journals(database)
        _put_in_place(temporary, database)
        info = os.fstat(descriptor)
    finally:
        os.close(descriptor)
    write_seal(database, Seal(status_of(info), crcs, {}))


def _put_in_place(temporary: str, database: str) -> None:
    """Rename ``temporary`` to ``database`` atomically. Where a database is there already, the two are exchanged
    (Linux's ``renameat2`` with ``RENAME_EXCHANGE``) and the old one, now under the temporary name, removed: renaming
    over a file makes ext4 write the new one's every page out first (its ``auto_da_alloc``), a quarter of a second
    for a 600 MB cache, which the cache does not need (a database torn by a crash fails its seal, and is set aside)."""
    try:
        import ctypes

        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (ImportError, OSError, AttributeError):
        os.replace(temporary, database)
        return
    current, exchange = -100, 2  # AT_FDCWD, RENAME_EXCHANGE
    if renameat2(current, os.fsencode(temporary), current, os.fsencode(database), exchange) != 0:
        os.replace(temporary, database)  # nothing there to exchange with, or a file system that cannot
        return
    with contextlib.suppress(OSError):
        os.unlink(temporary)  # the old database


SEALED, UNSEALED, DAMAGED = "sealed", "unsealed", "damaged"


def judge(database: str, info: os.stat_result) -> str:
    """Whether the database whose status is ``info`` (taken from the file that is to be read) is the one its
    seal vouches for: SEALED, UNSEALED or DAMAGED (see the module's description)."""
    seal = read_seal(database)
    if seal is None or seal.status[:2] != [info.st_dev, info.st_ino]:
        return UNSEALED
    status = status_of(info)
    if seal.status == status:
        return SEALED
    if info.st_size != seal.status[2]:
        return DAMAGED
    try:
        descriptor = os.open(database, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return UNSEALED
    try:
        opened = os.fstat(descriptor)
        if status_of(opened)[:2] != status[:2]:
            return UNSEALED  # replaced meanwhile: not this file's seal
        crcs = file_crcs(descriptor)
    finally:
        os.close(descriptor)
    if crcs != seal.crcs:
        return DAMAGED
    write_seal(database, Seal(status_of(opened), crcs, seal.memos))  # touched, not changed: the seal stands
    return SEALED


def set_aside(database: str) -> str | None:
    """Move a damaged database out of the way, to ``NAME.sqlite.damaged`` (replacing one set aside before), and
    drop its seal: the next run parses the data file afresh. The new path, or None if it could not be moved
    (it is then removed, if it can be)."""
    aside = database + DAMAGED_SUFFIX
    with contextlib.suppress(OSError):
        os.unlink(seal_path(database))
    drop_journals(database)
    try:
        os.replace(database, aside)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(database)
        return None
    return aside


def kept(database: str, key: str) -> str | None:
    """The answer kept under ``key`` in the seal of ``database``, or None."""
    seal = read_seal(database)
    return None if seal is None else seal.memos.get(key)


def keep(database: str, values: Mapping[str, str]) -> None:
    """Keep ``values`` (answers by key) in the seal of ``database``, if the seal still vouches for the file that is
    there now (never for another one: then nothing is kept, which only costs speed)."""
    seal = read_seal(database)
    if seal is None:
        return
    try:
        if status_of(os.stat(database, follow_symlinks=False)) != seal.status:
            return
    except OSError:
        return
    memos = {name: memo for name, memo in seal.memos.items() if name not in values}
    memos.update(values)
    write_seal(database, Seal(seal.status, seal.crcs, memos))


def reseal(database: str, before: os.stat_result) -> None:
    """After the tool changed only the times of ``database`` (``os.utime``), whose status was ``before`` and whose
    seal vouched for it: the seal stands for the new status (no byte is read). Nothing is done if the seal did not
    vouch for that status (the next run then reads and checks the bytes, as for any change)."""
    seal = read_seal(database)
    if seal is None or seal.status != status_of(before):
        return
    try:
        info = os.stat(database, follow_symlinks=False)
    except OSError:
        return
    if status_of(info)[:3] == seal.status[:3]:  # the same file, of the same size
        write_seal(database, Seal(status_of(info), seal.crcs, seal.memos))


def renew(database: str) -> bool:
    """Seal ``database`` as it is now, keeping the answers its seal kept; False if it cannot be read or sealed.
    (What the tool does for a database it has just written; tests use it to forge damage that a seal cannot see.)"""
    previous = read_seal(database)
    try:
        descriptor = os.open(database, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        crcs = file_crcs(descriptor)
        info = os.fstat(descriptor)
    finally:
        os.close(descriptor)
    return write_seal(database, Seal(status_of(info), crcs, {} if previous is None else previous.memos))


# ---------------------------------------------------------------- locks: one version of a database a run


def hold(database: str, info: os.stat_result, waiting: Callable[[], None] | None = None) -> os.stat_result | None:
    """Take a shared lock on ``database``, the file whose status was ``info``, held until :func:`release` (a run
    that reads it sees one version of it, whatever another run wants to change), waiting up to :data:`PATIENCE`
    for a run that is changing it (``waiting`` is called once, if it has to wait). Its status now (the change may
    have moved its times), or None: the file was replaced meanwhile, or is still being changed (the run then reads
    the data file as with no cache, and never this database)."""
    held = _HELD.get(database)
    if held is not None:
        with contextlib.suppress(OSError):
            now = os.fstat(held)
            if (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino):
                return now  # this run holds it already
        _drop(database)
    descriptor = _opened(database)
    if descriptor is None:
        return None
    try:
        opened = os.fstat(descriptor)
        if (opened.st_dev, opened.st_ino) == (info.st_dev, info.st_ino) and _lock(descriptor, fcntl.LOCK_SH, waiting):
            if len(_HELD) >= MOST_HELD:
                _drop(next(iter(_HELD)))
            _HELD[database] = descriptor
            return os.fstat(descriptor)
    except OSError:
        pass
    os.close(descriptor)
    return None


def _opened(database: str) -> int | None:
    """A descriptor of ``database`` to hold a lock with (read only; never through a link), or None."""
    try:
        return os.open(database, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None


def _lock(descriptor: int, kind: int, waiting: Callable[[], None] | None) -> bool:
    """Lock the open file (``kind``: LOCK_SH or LOCK_EX), waiting up to :data:`PATIENCE`; False if it could not."""
    deadline = time.monotonic() + PATIENCE
    while True:
        try:
            fcntl.flock(descriptor, kind | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            if waiting is not None:
                waiting()
                waiting = None
            time.sleep(0.02)


def _renewed(descriptor: int, crcs: list[int], written: Collection[tuple[int, int]], kept: int, size: int) -> list[int]:
    """``crcs`` of the file before a change, brought up to date: those of the chunks ``written`` touched, of the
    first (SQLite's header), and of those from ``kept`` bytes on (where the file grew or shrank) taken again."""
    count = -(-size // CHUNK)
    touched = {0, *range(kept // CHUNK, count)}
    for offset, length in written:
        touched.update(range(offset // CHUNK, (offset + max(length, 1) - 1) // CHUNK + 1))
    fresh = descriptor_crcs(descriptor, (number for number in touched if number < count))
    return [fresh[number] if number in fresh else crcs[number] for number in range(count)]


def drop_journals(database: str) -> None:
    """Remove what SQLite may have left beside ``database`` (a write-ahead log and its index, a rollback journal)
    from a change cut short: SQLite would read any of them into the next database put at that path."""
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            os.unlink(database + suffix)


def _drop(database: str) -> None:
    descriptor = _HELD.pop(database, None)
    if descriptor is not None:
        with contextlib.suppress(OSError):
            os.close(descriptor)


def release() -> None:
    """Let go of every database this run holds (at the end of a run: closing a descriptor of a file also drops the
    locks SQLite's connections to it hold, so no connection may still be reading)."""
    for database in list(_HELD):
        _drop(database)


def change_in_place(
    database: str, identity: tuple[int, int], change: Callable[[], Collection[tuple[int, int]] | None]
) -> bool:
    """Change ``database`` in place by ``change()``, under an exclusive lock, and seal the new bytes; False, with
    nothing done, if that cannot be done safely: another run holds the database, it is not the file ``identity``
    (device, inode) names, or its seal does not vouch for it as it is. ``change`` opens the database, writes, and
    says where it wrote (byte ranges: offset, length), or None if it cannot tell: the CRCs of the chunks it wrote,
    of the first and of those past the old end are taken again (or, with None, every CRC). If ``change`` raises,
    the database is left unsealed (never believed again) and the exception goes on."""
    descriptor = _HELD.get(database)
    opened_here = descriptor is None
    if descriptor is None:
        descriptor = _opened(database)
        if descriptor is None:
            return False
    try:
        info = os.fstat(descriptor)
        if (info.st_dev, info.st_ino) != identity:
            return False
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another run reads it: it keeps its version, and the change goes to a copy
            if not opened_here:  # (a lock that failed to turn exclusive is no longer held at all: flock(2))
                _lock(descriptor, fcntl.LOCK_SH, None)
            return False
        if opened_here:
            _HELD[database] = descriptor  # this run holds it from now on, as a reader would
            opened_here = False
        try:
            previous = read_seal(database)
            if previous is None or previous.status != status_of(os.fstat(descriptor)):
                return False
            os.unlink(seal_path(database))
            written = change()
            after = os.fstat(descriptor)
            if written is None:
                crcs = file_crcs(descriptor)
            else:
                crcs = _renewed(descriptor, previous.crcs, written, min(info.st_size, after.st_size), after.st_size)
            write_seal(database, Seal(status_of(after), crcs, {}))
            return True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_SH)  # this run goes on reading it
    finally:
        if opened_here:
            os.close(descriptor)
