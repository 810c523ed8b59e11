"""Where each event's item lies in the data file the cache was written from, and digests of it and of the
file's blocks: what :mod:`.refresh` compares a changed file against, to re-read only what changed."""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..datafile import items
from ..datafile.items import block_digests, digest_of, events_region, let_go, scan
from .tables import compact_json

SPANS = (
    "CREATE TABLE spans(row INTEGER PRIMARY KEY, byte INTEGER NOT NULL, char INTEGER NOT NULL, line INTEGER NOT NULL, "
    "digest BLOB NOT NULL)"
)
_EVENTS_KEY = re.compile(rb"events:[ \t]*(?:#[^\n]*)?\r?\n")  # the line, from its start
_EVENTS_LINE = re.compile(rb"(?:^|\n)events:")


@contextlib.contextmanager
def mapped(path: str) -> Iterator[Any]:
    """The file's bytes, mapped (never read into memory whole); an empty file gives empty bytes."""
    with open(path, "rb") as handle:
        try:
            buffer: Any = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            yield b""
            return
        try:
            yield buffer
        finally:
            buffer.close()


def events_key(buffer: Any) -> int | None:
    """Where the one ``events:`` line starts; None when there is none, or more than one line like it."""
    lines = []
    for candidate in scan(_EVENTS_LINE, buffer, 0, len(buffer), len(b"\nevents:")):
        start = candidate.start() + (buffer[candidate.start() : candidate.start() + 1] == b"\n")
        if _EVENTS_KEY.match(buffer, start) is not None:  # (the whole line: what may follow the key)
            lines.append(start)
            if len(lines) > 1:
                return None
    return lines[0] if lines else None


def record_spans(connection: sqlite3.Connection, data_path: str, data_digest: str, dash: int | None) -> None:
    """Keep the spans of the events just written (``connection``: the cache being written) if the data file
    still holds the bytes they were read from and its events list splits into items that line up with
    them; otherwise keep none (the next change is then read whole). The file is read through a memory map a
    section at a time, and the spans written as they are found (memory does not grow with the file)."""
    if dash is None:
        return
    with contextlib.suppress(OSError), mapped(data_path) as buffer:
        if digest_of(buffer) != data_digest:
            return
        key = events_key(buffer)
        found = None if key is None else events_region(buffer, dash, key)
        if found is None:
            return
        begin, end, starts = found
        (count,) = connection.execute("SELECT count(*) FROM events").fetchone()
        if count != len(starts):
            return
        char = len(bytes(buffer[:begin]).decode("utf-8-sig"))
        line = buffer[:begin].count(b"\n") + 1
        place = _Place(char, line)
        connection.execute(SPANS)
        try:
            rows = connection.execute("SELECT row, at FROM events ORDER BY pos")
            connection.executemany("INSERT INTO spans VALUES (?, ?, ?, ?, ?)", _spans(buffer, rows, starts, end, place))
        except _Misaligned:
            connection.execute("DROP TABLE spans")
            return
        meta = span_meta(buffer, dash, key or 0, (begin, char, line), (end, place.char, place.line))
        connection.execute("INSERT OR REPLACE INTO meta VALUES ('spans', ?)", (compact_json(meta),))


class _Misaligned(Exception):
    """The events do not line up with the items found."""


@dataclass
class _Place:
    """Where the next item starts: its character and line."""

    char: int
    line: int


def _spans(buffer: Any, rows: Iterable[tuple[int, int]], starts: list[int], end: int, place: _Place) -> Iterator[tuple[Any, ...]]:
    """Each event's span (row, byte, character, line, digest of the item's bytes), in file order, ``place`` kept at
    the end of the items seen so far; raises :class:`_Misaligned` when an event was not read where its item starts."""
    dropped = starts[0] if starts else 0
    with memoryview(buffer) as view:
        for (row, at), start, stop in zip(rows, starts, [*starts[1:], end], strict=True):
            if at != place.char:
                raise _Misaligned
            item = view[start:stop]
            yield (row, start, place.char, place.line, hashlib.blake2b(item, digest_size=16).digest())
            text = bytes(item)
            place.char += len(text.decode("utf-8"))
            place.line += text.count(b"\n")
            if stop - dropped >= items.SECTION:
                let_go(buffer, dropped, stop)
                dropped = stop


def span_meta(
    buffer: Any,
    dash: int,
    key: int,
    begin: tuple[int, int, int],
    end: tuple[int, int, int],
    *,
    kept: dict[str, Any] | None = None,
    same: tuple[int, int] = (0, 0),
) -> dict[str, Any]:
    """The file-wide part: the list's column, where the ``events:`` line starts, where its items begin and
    end (byte, character, line), the file's size, digests of what is above and below the items, and the
    digests of its blocks from its start and from its end. ``kept``: the part kept for an earlier version of
    the file whose first ``same[0]`` bytes and last ``same[1]`` bytes are those of ``buffer``, what is above
    and below the items included (their digests, and those of the blocks they hold, are not worked out again)."""
    block = items.BLOCK
    reuse = kept is not None and int(kept["block"]) == block
    forward: list[str] = list(kept["forward"][: same[0] // block]) if kept is not None and reuse else []
    backward: list[str] = list(kept["backward"][: same[1] // block]) if kept is not None and reuse else []
    forward += [digest.hex() for digest in block_digests(buffer, block, first=len(forward))]
    backward += [digest.hex() for digest in block_digests(buffer, block, from_end=True, first=len(backward))]
    return {
        "dash": dash,
        "key": key,
        "begin": list(begin),
        "end": list(end),
        "size": len(buffer),
        "head": kept["head"] if kept is not None else _sha256(buffer, 0, begin[0]),
        "tail": kept["tail"] if kept is not None else _sha256(buffer, end[0], len(buffer)),
        "block": block,
        "forward": forward,
        "backward": backward,
    }


def _sha256(buffer: Any, start: int, stop: int) -> str:
    with memoryview(buffer) as view:
        return hashlib.sha256(view[start:stop]).hexdigest()


@dataclass
class Window:
    """The old items the change touches (by position), and the new items in their place."""

    first: int  # position of the first old item touched
    old_rows: list[int]
    old_digests: list[bytes]
    begin: tuple[int, int, int]  # where the window starts: byte, character, line (the same in both versions)
    old_end: tuple[int, int, int]  # where it ended in the old version
    starts: list[int]  # where each new item starts (bytes)
    end: int  # where the window ends in the new version (bytes)
    digests: list[bytes]
