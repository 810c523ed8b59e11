"""The items of the data file's events list, found in its bytes without parsing them, for re-reading only
what changed (issue 28): where each item starts, a digest of each, and digests of fixed-size blocks.

An item starts a line with ``- `` at the list's column (``dash``). The split is trusted only when no line
in the list's region could end the list or belong to another node: a line with content left of the
column, or one at the column that does not start an item, makes :func:`item_starts` answer None (the
file is then read whole). Each item the split finds is either byte for byte an item read before, or is
parsed on its own and must be exactly one item of the list.

The hashes were chosen by measurement on the 100,000-event benchmark file (84 MB, 2-core machine; issue 28's
notes): per item, BLAKE2b (16 bytes) at 0.21 s (SHA-1 0.29 s, SHA-256 0.27 s, MD5
0.55 s; CRC-32 0.04 s but 32 bits, too few for 1,000,000 items); per 64 KiB block, SHA-256, which this
machine computes in hardware (0.06 s for the whole file), truncated to 16 bytes.

A file is scanned through a memory map, a section at a time: the pages of each section are let go once it is
scanned (:func:`let_go`), since the pages of a mapped file a process has read count in its resident memory
(reading the 844 MB file of 1,000,000 events whole would make it so much larger).
"""

from __future__ import annotations

import hashlib
import mmap
import re
from collections.abc import Iterator, Sequence
from typing import Any

BLOCK = 1 << 16  # the block size of a new cache
SECTION = 1 << 25  # the bytes of a mapped file scanned before their pages are let go (a multiple of BLOCK and of pages)


def let_go(buffer: Any, start: int, stop: int) -> None:
    """Let the pages of ``buffer[start:stop]`` go from this process's memory, if it is a memory map (they stay in
    the page cache; the whole pages within the range only)."""
    if isinstance(buffer, mmap.mmap):
        first = -(-start // mmap.PAGESIZE) * mmap.PAGESIZE
        last = min(stop, len(buffer)) // mmap.PAGESIZE * mmap.PAGESIZE
        if last > first:
            buffer.madvise(mmap.MADV_DONTNEED, first, last - first)


def scan(pattern: re.Pattern[bytes], buffer: Any, start: int, stop: int, longest: int) -> Iterator[re.Match[bytes]]:
    """``pattern.finditer(buffer, start, stop)``, a :data:`SECTION` at a time, letting each section's pages go
    once scanned; ``longest``: the most bytes a match takes (matches are found as one ``finditer`` finds them)."""
    at = section = start
    while at < stop:
        end = min(section + SECTION, stop)
        for found in pattern.finditer(buffer, at, min(end + longest, stop)):
            if found.start() >= end:
                break
            at = found.end()
            yield found
        let_go(buffer, section, end)
        at = section = max(at, end)


def digest_of(buffer: Any) -> str:
    """The SHA-256 of every byte of ``buffer`` (hex), a section at a time (see :func:`let_go`)."""
    hashed = hashlib.sha256()
    with memoryview(buffer) as view:
        for at in range(0, len(view), SECTION):
            hashed.update(view[at : at + SECTION])
            let_go(buffer, at, at + SECTION)
    return hashed.hexdigest()


def events_region(buffer: Any, dash: int, key: int) -> tuple[int, int, list[int]] | None:
    """Where the events list's items begin and end in ``buffer`` (the file's bytes; ``key``: where the
    ``events:`` line starts in them), and where each item starts; None when the split cannot be trusted."""
    if dash < 1:
        return None  # items at column 0 could not be told from the next top-level key by their column alone
    line_end = buffer.find(b"\n", key)
    if line_end < 0:
        return None
    first = next(scan(re.compile(rb"\n {%d}-[ \r\n]" % dash), buffer, line_end, len(buffer), dash + 3), None)
    if first is None or _unsafe(dash).search(buffer, line_end, first.start() + 1) is not None:
        return None
    begin = first.start() + 1
    following = next(scan(re.compile(rb"\n[^ #\r\n]"), buffer, begin, len(buffer), 2), None)
    end = len(buffer) if following is None else following.start() + 1
    starts = item_starts(buffer, dash, begin, end)
    return None if starts is None else (begin, end, starts)


def item_starts(buffer: Any, dash: int, begin: int, end: int) -> list[int] | None:
    """The offset of each item's line in ``buffer[begin:end]`` (which starts with one), or None when a line
    there has content left of the column ``dash``, or at it without starting an item."""
    if next(scan(_unsafe(dash), buffer, begin, end, dash + 3), None) is not None:
        return None
    starts = [begin]
    starts.extend(found.start() + 1 for found in scan(re.compile(rb"\n {%d}-[ \r\n]" % dash), buffer, begin, end, dash + 3))
    return starts


def _unsafe(dash: int) -> re.Pattern[bytes]:
    return re.compile(rb"\n(?: {0,%d}[^ #\r\n]| {%d}(?:-[^ \r\n]|[^ #\r\n-]))" % (dash - 1, dash))


def item_digests(buffer: Any, starts: Sequence[int], end: int) -> list[bytes]:
    """A BLAKE2b digest (16 bytes) of each item's bytes."""
    view = memoryview(buffer)
    bounds = [*starts[1:], end]
    try:
        return [hashlib.blake2b(view[start:stop], digest_size=16).digest() for start, stop in zip(starts, bounds, strict=True)]
    finally:
        view.release()


def block_digests(buffer: Any, block: int, *, from_end: bool = False, first: int = 0) -> list[bytes]:
    """SHA-256 (first 16 bytes) of each whole block (``block`` bytes) of ``buffer``, counted from its start,
    or from its end; from the block numbered ``first`` on."""
    size = len(buffer)
    view = memoryview(buffer)
    found = []
    try:
        for number in range(first, size // block):
            start = size - (number + 1) * block if from_end else number * block
            found.append(hashlib.sha256(view[start : start + block]).digest()[:16])
            if (number + 1) * block % SECTION == 0:  # a section's worth hashed: its pages go
                low = start if from_end else start + block - SECTION
                let_go(buffer, low, low + SECTION)
        return found
    finally:
        view.release()


def common_blocks(buffer: Any, kept: Sequence[bytes], block: int, *, from_end: bool = False) -> int:
    """How many whole blocks (``block`` bytes) ``buffer`` has in common with the file whose block digests
    are ``kept`` (from its start, or from its end), comparing one block at a time until the first that differs."""
    size = len(buffer)
    view = memoryview(buffer)
    try:
        for number, digest in enumerate(kept):
            if (number + 1) * block > size:
                return number
            if from_end:
                part = view[size - (number + 1) * block : size - number * block]
            else:
                part = view[number * block : (number + 1) * block]
            if hashlib.sha256(part).digest()[:16] != digest:
                return number
            if (number + 1) * block % SECTION == 0:  # a section's worth compared: its pages go
                low = size - (number + 1) * block if from_end else (number + 1) * block - SECTION
                let_go(buffer, low, low + SECTION)
        return len(kept)
    finally:
        view.release()
