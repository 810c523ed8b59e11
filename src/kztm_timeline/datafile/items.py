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
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

BLOCK = 1 << 16  # the block size of a new cache


def events_region(buffer: Any, dash: int, key: int) -> tuple[int, int, list[int]] | None:
    """Where the events list's items begin and end in ``buffer`` (the file's bytes; ``key``: where the
    ``events:`` line starts in them), and where each item starts; None when the split cannot be trusted."""
    if dash < 1:
        return None  # items at column 0 could not be told from the next top-level key by their column alone
    line_end = buffer.find(b"\n", key)
    if line_end < 0:
        return None
    first = re.compile(rb"\n {%d}-[ \r\n]" % dash).search(buffer, line_end)
    if first is None or _unsafe(dash).search(buffer, line_end, first.start() + 1) is not None:
        return None
    begin = first.start() + 1
    following = re.compile(rb"\n[^ #\r\n]").search(buffer, begin)
    end = len(buffer) if following is None else following.start() + 1
    starts = item_starts(buffer, dash, begin, end)
    return None if starts is None else (begin, end, starts)


def item_starts(buffer: Any, dash: int, begin: int, end: int) -> list[int] | None:
    """The offset of each item's line in ``buffer[begin:end]`` (which starts with one), or None when a line
    there has content left of the column ``dash``, or at it without starting an item."""
    if _unsafe(dash).search(buffer, begin, end) is not None:
        return None
    starts = [begin]
    starts.extend(found.start() + 1 for found in re.compile(rb"\n {%d}-[ \r\n]" % dash).finditer(buffer, begin, end))
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
    numbers = range(first, size // block)
    try:
        if from_end:
            return [hashlib.sha256(view[size - (n + 1) * block : size - n * block]).digest()[:16] for n in numbers]
        return [hashlib.sha256(view[n * block : (n + 1) * block]).digest()[:16] for n in numbers]
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
        return len(kept)
    finally:
        view.release()
