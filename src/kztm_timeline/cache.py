"""The parse cache: a validated dataset kept as JSON lines, so that the next run skips YAML.

Where: ``$XDG_CACHE_HOME/kztm-timeline/`` (default ``~/.cache/kztm-timeline/``),
one file per data file (named by a hash of its absolute path), replaced whenever
that data file changes.

Whose it is: the folder is created 0700 and each file 0600, whatever the umask;
a folder or file that another user owns, or that anyone else could write, is
ignored, never trusted (``--verbose`` says so). The trust boundary is the user:
the same user could as well edit the data file.

When it is used: only when the SHA-256 of the data file's bytes, the SHA-256 of
every source text it cites, the tool's version and the cache format all match
what the cache recorded, and the CRC-32 of its registry and index is intact.
Anything else, a missing, corrupt, unreadable or foreign file included, means a
plain parse. Each event line has its own CRC-32, checked when the line is
decoded; a damaged line makes the run fall back to a plain parse there and then.

What it holds (no pickle: loading it can never run code):

    line 1       kztm-timeline-cache
    then         one event record per line, as JSON, in file order
    next to last registry {"sources": [records], "actors": [records]} and
                 index    {"ids", "first", "last", "lengths", "crc32", "referrers",
                           "postings": {index name: {key: positions}}}, one line each;
                 ids are joined by newlines, and the number columns are base64 of 64-bit
                 integers in the machine's byte order (named in the header)
    last line    header   {"format", "byteorder", "tool", "data", "sources": {path: sha256}, "head", "head_crc32"}

The header and index come last so that the events can be written as they are
encoded, without holding them all in memory.

The index lets a query decode only the events it can match: by span, and by the
postings (positions per kind, status, actor and folded topic).
"""

from __future__ import annotations

import array
import base64
import hashlib
import itertools
import json
import mmap
import os
import stat
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from . import __version__
from .datafile.build import actor_from, event_from, parse_optional_date, source_from
from .datafile.fs import atomic_write_bytes, read_bytes, resolve_source_path
from .edtf import EdtfDate
from .errors import DataError, TimelineError
from .model import Dataset, Event, Events, Prefilter
from .text import fold

MAGIC = b"kztm-timeline-cache\n"
FORMAT = 6
_MIN, _MAX = date.min.toordinal(), date.max.toordinal()


def cache_dir(environ: Mapping[str, str]) -> str:
    """``$XDG_CACHE_HOME/kztm-timeline``, or ``~/.cache/kztm-timeline`` (XDG Base Directory spec)."""
    base = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the spec says relative values are to be ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kztm-timeline")


def cache_file(folder: str, data_path: str) -> str:
    name = hashlib.sha256(os.path.abspath(data_path).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return os.path.join(folder, f"{name}.jsonl")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source_digests(dataset_path: str, files: Sequence[str]) -> dict[str, str] | None:
    found = {}
    for file in files:
        resolved = resolve_source_path(dataset_path, file)
        try:
            found[resolved] = digest(read_bytes(resolved))
        except DataError:
            return None
    return found


# ---------------------------------------------------------------- trust: the cache is this user's alone


def _owned_alone(info: os.stat_result) -> bool:
    """Owned by this user, and writable by nobody else."""
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def _trusted_folder(folder: str, notice: Callable[[str], None] | None) -> bool:
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    if stat.S_ISDIR(info.st_mode) and _owned_alone(info):
        return True
    if notice is not None:
        notice(f"cache ignored: {folder} is not a folder that only this user owns and can write")
    return False


def _open_trusted(path: str, notice: Callable[[str], None] | None) -> int | None:
    """A descriptor of the cache file if it is a regular file that only this user owns and can write."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None  # missing (the usual miss), a link, or unreadable
    info = os.fstat(descriptor)
    if stat.S_ISREG(info.st_mode) and _owned_alone(info):
        return descriptor
    os.close(descriptor)
    if notice is not None:
        notice(f"cache ignored: {path} is not a regular file that only this user owns and can write")
    return None


def _prepare_folder(folder: str) -> bool:
    """Create the cache folder 0700 (whatever the umask); tighten an own folder that others could read."""
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and info.st_mode & 0o077:
            os.chmod(folder, 0o700)
    except OSError:
        return False
    return True


def _pack(numbers: Iterable[int]) -> str:
    """Integers as base64 of 64-bit machine integers: a JSON string that decodes a hundred times faster than a list."""
    return base64.b64encode(array.array("q", numbers).tobytes()).decode("ascii")


def _unpack(text: str) -> array.array[int]:
    numbers = array.array("q")
    numbers.frombytes(base64.b64decode(text, validate=True))
    return numbers


# The keys each event is indexed under, per index name of :class:`~kztm_timeline.model.Prefilter`.
INDEXED: dict[str, Callable[[Event], list[str]]] = {
    "kind": lambda event: [event.kind.value],
    "status": lambda event: [event.status.value],
    "actor": lambda event: [participant.actor for participant in event.participants],
    "topic": lambda event: [fold(topic) for topic in event.topics],
}


def _postings(keys_per_event: Iterable[list[str]]) -> dict[str, str]:
    found: dict[str, list[int]] = {}
    for position, keys in enumerate(keys_per_event):
        for key in dict.fromkeys(keys):
            found.setdefault(key, []).append(position)
    return {key: _pack(positions) for key, positions in found.items()}


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write(
    folder: str,
    data_path: str,
    data_digest: str,
    sources: dict[str, str],
    plain: dict[str, Any],
    dataset: Dataset,
    *,
    notice: Callable[[str], None] | None = None,
) -> None:
    """Write the cache for a freshly validated dataset, keyed to ``data_digest`` and the article digests
    ``sources`` taken from the very bytes that were validated. A folder or file that cannot be written,
    or that is not this user's alone, only costs speed: nothing is written then."""
    lengths: list[int] = []
    crcs: list[int] = []

    def chunks() -> Iterator[bytes]:
        yield MAGIC
        for record in plain["events"]:
            line = _dumps(record) + b"\n"
            lengths.append(len(line))
            crcs.append(zlib.crc32(line))
            yield line
        yield from tail_lines()

    def tail_lines() -> Iterator[bytes]:
        index = {
            "ids": "\n".join(event.id for event in dataset.events),
            "first": _pack(event.date.first.toordinal() if event.date.first else _MIN for event in dataset.events),
            "last": _pack(event.date.last.toordinal() if event.date.last else _MAX for event in dataset.events),
            "lengths": _pack(lengths),
            "crc32": _pack(crcs),
            "referrers": {key: [list(pair) for pair in value] for key, value in dataset.referrers.items()},
            "postings": {name: _postings(keys(event) for event in dataset.events) for name, keys in INDEXED.items()},
        }
        head = _dumps({"sources": plain["sources"], "actors": plain["actors"]}) + b"\n" + _dumps(index) + b"\n"
        header = {
            "format": FORMAT,
            "byteorder": sys.byteorder,
            "tool": __version__,
            "data": data_digest,
            "sources": sources,
            "head": len(head),
            "head_crc32": zlib.crc32(head),
        }
        yield head
        yield _dumps(header) + b"\n"

    if not _prepare_folder(folder) or not _trusted_folder(folder, notice):
        return
    try:
        atomic_write_bytes(cache_file(folder, data_path), chunks(), durable=False, private=True)
    except TimelineError as error:
        if notice is not None:
            notice(f"cache not written: {error}")


def read(
    folder: str,
    data_path: str,
    data_digest: str,
    fallback: Callable[[], Sequence[Event]],
    *,
    notice: Callable[[str], None] | None = None,
) -> Dataset | None:
    """The cached dataset when everything matches; None for a miss, any kind of damage, or a cache
    that someone other than this user owns or could have written.

    ``fallback`` parses the data file afresh; it is called only if an event line
    turns out to be damaged after the cache was accepted.
    """
    if not _trusted_folder(folder, notice):
        return None
    descriptor = _open_trusted(cache_file(folder, data_path), notice)
    if descriptor is None:
        return None
    try:
        content: bytes | mmap.mmap = mmap.mmap(descriptor, 0, access=mmap.ACCESS_READ)
        return _decode(content, data_path, data_digest, fallback)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None
    finally:
        os.close(descriptor)


def _decode(
    content: bytes | mmap.mmap, data_path: str, data_digest: str, fallback: Callable[[], Sequence[Event]]
) -> Dataset | None:
    if content[: len(MAGIC)] != MAGIC or content[-1:] != b"\n":
        return None
    header_start = content.rfind(b"\n", 0, len(content) - 1) + 1
    header = json.loads(content[header_start:])
    if header["format"] != FORMAT or header["tool"] != __version__ or header["data"] != data_digest:
        return None
    if header["byteorder"] != sys.byteorder:
        return None
    head_start = header_start - header["head"]
    if head_start < len(MAGIC) or zlib.crc32(content[head_start:header_start]) != header["head_crc32"]:
        return None
    registry_end = content.find(b"\n", head_start)
    registry = json.loads(content[head_start:registry_end])
    sources = tuple(source_from(record, parse_optional_date) for record in registry["sources"])
    if _source_digests(data_path, [source.file for source in sources]) != header["sources"]:
        return None
    actors = tuple(actor_from(record, parse_optional_date) for record in registry["actors"])
    index = json.loads(content[registry_end + 1 : header_start - 1])
    store = CachedEvents(content, len(MAGIC), head_start, index, fallback)
    return Dataset(data_path, sources, actors, store)


class CacheDamaged(ValueError):
    """An event line failed its CRC or did not decode."""


class CachedEvents(Events):
    """Events decoded from the cache's JSON lines on first use, then kept."""

    def __init__(
        self,
        content: bytes | mmap.mmap,
        start: int,
        end: int,
        index: dict[str, Any],
        fallback: Callable[[], Sequence[Event]],
    ) -> None:
        self._content = content
        self._ids: list[str] = index["ids"].split("\n") if index["ids"] else []
        self._first = _unpack(index["first"])
        self._last = _unpack(index["last"])
        self._crc = _unpack(index["crc32"])
        offsets = [start, *itertools.accumulate(_unpack(index["lengths"]), initial=start)][1:]
        count = len(self._ids)
        if not count == len(self._first) == len(self._last) == len(self._crc) == len(offsets) - 1 or offsets[-1] != end:
            raise ValueError("cache index does not match its body")
        self._offsets = offsets
        self._decoded: dict[int, Event] = {}
        self._positions: dict[str, int] | None = None
        self._referrers = {key: tuple((str(one), str(two)) for one, two in value) for key, value in index["referrers"].items()}
        self._postings: dict[str, dict[str, str]] = index["postings"]
        self._fallback = fallback
        self._parsed: Sequence[Event] | None = None
        self._dates: dict[object, EdtfDate | None] = {}  # many events share a date: parse each once

    def __len__(self) -> int:
        return len(self._ids)

    def at(self, position: int) -> Event:
        event = self._decoded.get(position)
        if event is None:
            if self._parsed is not None:
                return self._parsed[position]
            try:
                event = self._decode(position)
            except (ValueError, KeyError, TypeError, AttributeError):
                self._parsed = self._fallback()  # damaged after all: parse the data file afresh
                return self._parsed[position]
            self._decoded[position] = event
        return event

    def _decode(self, position: int) -> Event:
        line = self._content[self._offsets[position] : self._offsets[position + 1]]
        if zlib.crc32(line) != self._crc[position]:
            raise CacheDamaged(f"event line {position + 1} fails its CRC")
        record = json.loads(line)
        raw_date = record["date"]
        when = self._dates.get(raw_date)
        if when is None:
            when = self._dates[raw_date] = parse_optional_date(raw_date)
        if when is None or record["id"] != self._ids[position]:
            raise CacheDamaged(f"event line {position + 1} does not match the index")
        return event_from(record, when)

    @property
    def by_id(self) -> Mapping[str, Event]:
        return _ById(self)

    def position(self, identifier: str) -> int | None:
        if self._positions is None:
            self._positions = dict(zip(self._ids, range(len(self._ids)), strict=True))
        return self._positions.get(identifier)

    @property
    def ids(self) -> list[str]:
        return self._ids

    @property
    def referrers(self) -> Mapping[str, tuple[tuple[str, str], ...]]:
        return self._referrers

    def candidates(self, prefilter: Prefilter) -> Iterator[Event]:
        allowed: set[int] | None = None
        for name, wanted in prefilter.keys.items():
            postings = self._postings.get(name)
            if postings is None:
                continue  # not indexed here: the query checks it
            found = {position for key in wanted if key in postings for position in _unpack(postings[key])}
            allowed = found if allowed is None else allowed & found
        positions: Iterable[int] = range(len(self._ids)) if allowed is None else sorted(allowed)
        if prefilter.window is not None:
            low, high = prefilter.window[0].toordinal(), prefilter.window[1].toordinal()
            first, last = self._first, self._last
            positions = [position for position in positions if first[position] <= high and last[position] >= low]
        return (self.at(position) for position in positions)


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
