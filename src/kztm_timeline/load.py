"""Finding and loading the data file: file → composed document → validated model, through the parse cache."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from typing import IO, TYPE_CHECKING, Any

from .datafile.fs import file_digest
from .model import Dataset, Memos, Progress

if TYPE_CHECKING:
    from .datafile.splice import ListLayout


def load_dataset(
    path: str,
    *,
    cache: str | None = None,
    notice: Callable[[str], None] | None = None,
    memos: Callable[[Dataset], Memos] | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Read, compose and validate; raise DataError listing every problem.

    With ``cache`` (a folder), a dataset validated before from the very same
    bytes and source texts is read from the parse cache instead, and a fresh
    parse is written there. A cache that cannot be read or written, or that this
    user does not own alone, is ignored; ``notice`` hears why. ``memos``: values worked out from every
    event of a fresh read (``validate``'s verdict), which the new cache keeps, as ``Events.memo`` would;
    it is given the dataset's sources and actors, and then each event. ``progress`` hears how a read that is
    not served by the cache goes: the bytes read, then the indexing of the new cache.
    """
    if cache is None:
        if progress is not None:
            progress.begin(f"reading {os.path.basename(path)}", None, "bytes")
        return _parse(path, _read_data(path))[0]
    from . import cache as parse_cache

    digest = _Digest(path)
    with _collector_paused():
        cached = parse_cache.read(cache, path, digest, lambda: _parse(path, _read_data(path))[0].events, notice=notice)
        if cached is None and parse_cache.refresh(cache, path, memos=memos, notice=notice, known=digest.known):
            cached = parse_cache.read(  # brought in step, reading only what changed
                cache, path, lambda: file_digest(path), lambda: _parse(path, _read_data(path))[0].events, notice=notice
            )
    if cached is not None:
        return cached
    try:
        streamed = _stream_into_cache(path, cache, notice, memos, progress)
    except NotStreamable as unusual:
        if notice is not None:
            notice(f"read whole: {unusual}")
        streamed = None
    if streamed is not None:
        return streamed
    return _read_whole_into_cache(path, cache, notice, memos, progress)


class _Digest:
    """The data file's SHA-256, worked out at most once a load, with the status the file had just before its bytes
    were read: a refresh takes it (:meth:`known`) while the file's status is still that one, rather than hash the
    file again."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.status: list[int] | None = None
        self.value: str | None = None

    def __call__(self) -> str:
        if self.value is None:
            from .store import file_stat

            self.status = file_stat(self.path)
            self.value = file_digest(self.path, remember=True)  # (validate's kept answer may have worked it out)
        return self.value

    def known(self, status: list[int]) -> str | None:
        """The digest, if it was worked out while the file had ``status``."""
        return self.value if self.status == status else None


def _read_whole_into_cache(
    path: str,
    cache: str,
    notice: Callable[[str], None] | None,
    memos: Callable[[Dataset], Memos] | None,
    progress: Progress | None,
) -> Dataset:
    """Read the file whole (an unusual file, or a cache folder that cannot be written while streaming), and
    write the cache from what was read."""
    from .cache import writer as parse_cache
    from .store import file_stat

    try:
        stat_before: list[int] | None = file_stat(path)
    except OSError:
        stat_before = None
    if progress is not None:
        progress.begin(f"reading {os.path.basename(path)}", None, "bytes")
    dataset, parsed = _parse(path, _read_data(path))
    kept: dict[str, str] = {}
    if memos is not None:
        tally = memos(dataset)
        for event in dataset.events:
            tally.add(event, None)
        kept.update(tally.values())
    for key, value in kept.items():
        dataset.events.memo(key, partial(str, value))  # this run reads them from memory
    if isinstance(parsed.plain, dict):
        if progress is not None:
            progress.begin("writing the cache", None, "")
        parse_cache.write(
            cache,
            path,
            parsed.data_digest,
            parsed.articles,
            parsed.plain,
            dataset,
            layout=parsed.layout,
            stat_before=stat_before,
            source_stats=parsed.article_stats,
            memos=kept,
            notice=notice,
        )
    return dataset


class NotStreamable(Exception):
    """The file cannot be read as a stream into the cache (an unusual layout, not bad data): it is read
    whole instead."""


class _Reading:
    """The data file as libyaml reads it, a chunk at a time: hashed, its UTF-8 checked, and scanned for
    characters that only a check of every text may locate (``suspect`` from the first one on)."""

    def __init__(self, path: str, handle: IO[bytes], progress: Progress | None = None) -> None:
        import codecs
        import hashlib

        from .text import UNSAFE_RE

        self.path = path
        self.handle = handle
        self.progress = progress
        self.done = 0
        self.digest = hashlib.sha256()
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.unsafe = UNSAFE_RE
        self.started = False
        self.suspect = False

    def read(self, size: int) -> bytes:
        chunk = self.handle.read(size)
        if self.progress is not None:
            self.done += len(chunk)
            self.progress.advance(self.done)
        if not self.started:
            self.started = True
            if chunk.startswith(b"\xef\xbb\xbf"):
                raise NotStreamable("a byte-order mark")
        self.digest.update(chunk)
        try:
            text = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            from .datafile.fs import decode

            decode(self.path, _read_data(self.path))  # says where, as a whole read does
            raise NotStreamable("not UTF-8") from None
        if not self.suspect and self.unsafe.search(text):
            self.suspect = True
        return chunk

    def note(self, escaped: list[str]) -> None:
        """Double-quoted texts just read: their escapes may make characters the bytes do not show."""
        if not self.suspect and any(self.unsafe.search(text) for text in escaped):
            self.suspect = True

    def head(self, size: int) -> str:
        """The text of the file's first ``size`` bytes."""
        with open(self.path, "rb") as handle:
            return handle.read(size).decode("utf-8", "replace")

    def char_at(self, index: int) -> str:
        with open(self.path, encoding="utf-8", newline="", errors="replace") as handle:
            handle.read(index)
            return handle.read(1)


def _stream_into_cache(
    path: str,
    folder: str,
    notice: Callable[[str], None] | None,
    memos: Callable[[Dataset], Memos] | None,
    progress: Progress | None = None,
) -> Dataset | None:
    """Read the data file as a stream into a new cache database, checking each event as it is read by the
    same checker a whole read uses and holding none of them (peak memory does not grow with the file), then
    read the dataset back from it. Raises DataError, each problem at its place, for bad data, and
    NotStreamable for an unusual file; None when the cache cannot be written (the caller then reads the
    file whole)."""
    import sqlite3

    from .datafile.fs import MAX_DATA_BYTES, open_regular
    from .store import file_stat

    try:
        stat_before: list[int] | None = file_stat(path)
    except OSError:
        stat_before = None
    from .datafile.fast_read import Declined

    streaming = _Streaming(path, folder, notice, memos)
    try:
        with _collector_paused(), open_regular(path, MAX_DATA_BYTES) as handle:
            if progress is not None:
                progress.begin(f"reading {os.path.basename(path)}", os.fstat(handle.fileno()).st_size, "bytes")
            try:
                streaming.run(_Reading(path, handle, progress), stat_before, fast=True)
            except Declined as declined:  # read again from the start, by libyaml
                streaming.discard()
                if notice is not None:
                    notice(f"read by libyaml: {declined}")
                handle.seek(0)
                if progress is not None:
                    progress.begin(f"reading {os.path.basename(path)} again", os.fstat(handle.fileno()).st_size, "bytes")
                streaming = _Streaming(path, folder, notice, memos)
                streaming.run(_Reading(path, handle, progress), stat_before, fast=False)
    except (OSError, ValueError, KeyError, TypeError, sqlite3.Error) as error:
        streaming.discard()
        if notice is not None and not isinstance(error, FileNotFoundError):
            notice(f"read whole: {error}")
        return None
    except BaseException:
        streaming.discard()
        raise
    if not streaming.written:
        return None
    from . import cache as parse_cache

    return parse_cache.read(
        folder, path, lambda: file_digest(path), lambda: _parse(path, _read_data(path))[0].events, notice=notice
    )


class _Streaming:
    """One streamed read: the reader hands each event to :meth:`take`, which checks it and, while no problem
    was found, adds it to the cache being built."""

    def __init__(
        self, path: str, folder: str, notice: Callable[[str], None] | None, memos: Callable[[Dataset], Memos] | None
    ) -> None:
        from .datafile.validate import Checker

        self.path, self.folder, self.notice, self.memos = path, folder, notice, memos
        self.articles = _Articles()
        self.checker = Checker(path, self.articles.read)
        self.begun = False
        self.registry: dict[str, object] = {}
        self.builder: Any = None
        self.tally: Memos | None = None
        self.written = False

    def run(self, reading: _Reading, stat_before: list[int] | None, *, fast: bool) -> None:
        """Read the file, by :mod:`~.datafile.fast_read` when ``fast`` (which may raise its ``Declined``), else
        by libyaml."""
        from .datafile import fast_read, yaml_read
        from .datafile.validate import locate_all
        from .errors import DataError

        self.reading = reading
        self.streamed = yaml_read.Streamed("events", self.take)
        if fast:
            data, layout, escaped = fast_read.read_block_style(reading, self.streamed)
        else:
            data, layout, escaped = yaml_read.compose_stream(self.path, reading, self.streamed, reading.char_at, reading.head)
        reading.note(escaped)
        if not self.begun and isinstance(data, dict):
            self.checker.begin(data, suspect=reading.suspect)
        self.checker.end(data, suspect=reading.suspect)
        if self.checker.found:
            self.discard()
            with open(self.path, "rb") as handle:
                raise DataError(locate_all(self.path, handle, self.checker.found))
        if self.builder is None:
            raise NotStreamable("no events")
        self.finish(reading, layout, stat_before)

    def take(self, top: dict[str, object], record: object, index: int, at: int, escaped: list[str]) -> None:
        reading = self.reading
        reading.note(escaped)
        if not self.begun:
            if "sources" not in top or "actors" not in top:
                raise NotStreamable("the events come before the sources and actors")
            self.begun = True
            self.checker.begin(top, suspect=reading.suspect)
            self.registry = {"sources": top["sources"], "actors": top["actors"]}
            if not self.checker.found:
                self.start()
        when = self.checker.event(index, record, suspect=reading.suspect)
        if self.checker.found:
            self.discard()
        elif self.builder is not None:
            from .datafile.build import event_from

            assert isinstance(record, dict)
            assert when is not None
            event = event_from(record, when)
            self.builder.add(event, record, at)
            if self.tally is not None:
                self.tally.add(event, self.streamed.mark)

    def start(self) -> None:
        from .cache import writer as parse_cache
        from .datafile.validate import build

        dataset = build(self.path, self.registry, [])
        self.builder = parse_cache.Builder(self.folder, self.path, dataset, self.notice)
        if self.memos is not None:
            self.tally = self.memos(dataset)

    def finish(self, reading: _Reading, layout: Any, stat_before: list[int] | None) -> None:
        from .cache import writer as parse_cache

        columns = layout.columns.get("events", set())
        names = list(layout.keys)
        after = names.index("events") + 1
        following = None
        if after < len(names):
            following = layout.keys[names[after]] - layout.key_columns[names[after]]
        events_key = layout.keys["events"] - layout.key_columns["events"]
        shape = None
        if len(columns) == 1 and "events" not in layout.flow and min(columns) >= 2:
            shape = {"dash": min(columns) - 2, "following": following, "key": events_key}
        meta = parse_cache.meta_values(
            reading.digest.hexdigest(), stat_before, self.articles.digests, self.articles.stats, self.registry, shape
        )
        if self.tally is not None:
            meta.update({f"memo:{key}": value for key, value in self.tally.values().items()})
        if reading.progress is not None:
            reading.progress.begin("indexing", None, "")
        self.written = self.builder.finish(meta)
        self.builder = None

    def discard(self) -> None:
        if self.builder is not None:
            self.builder.discard()
            self.builder = None


def _read_data(path: str) -> bytes:
    from .datafile.fs import MAX_DATA_BYTES, read_bytes

    return read_bytes(path, limit=MAX_DATA_BYTES)


@dataclass(frozen=True)
class _Parsed:
    """What a cache entry is keyed to: the SHA-256 of the data file's bytes and of every article,
    taken from exactly the bytes that were validated, and the plain values the dataset was built from."""

    data_digest: str
    articles: dict[str, str]
    plain: object
    layout: ListLayout | None
    article_stats: dict[str, list[int]]


def _parse(path: str, raw: bytes) -> tuple[Dataset, _Parsed]:
    """The validated dataset, and what the parse cache needs to store it."""
    import hashlib

    from .datafile import yaml_read
    from .datafile.fs import decode
    from .datafile.splice import list_layout
    from .datafile.validate import validate_document

    articles = _Articles()

    with _collector_paused():
        data_digest = hashlib.sha256(raw).hexdigest()
        text = decode(path, raw)
        del raw  # the bytes and the text together would double the peak (the caller keeps no reference)
        document = yaml_read.compose(path, text)
        del text
        dataset = validate_document(document, articles.read)
        return dataset, _Parsed(data_digest, articles.digests, document.data, list_layout(document, "events"), articles.stats)


class _Articles:
    """Reads the articles a data file cites, noting what the cache is keyed to: each one's SHA-256, taken
    from the very bytes that were checked, and its status, taken before them (so that a change meanwhile
    is never mistaken for none)."""

    def __init__(self) -> None:
        self.digests: dict[str, str] = {}
        self.stats: dict[str, list[int]] = {}

    def read(self, article: str) -> str:
        import hashlib

        from .datafile.fs import decode, read_bytes
        from .store import file_stat

        with suppress(OSError):
            self.stats[article] = file_stat(article)
        content = read_bytes(article)
        self.digests[article] = hashlib.sha256(content).hexdigest()
        return decode(article, content)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Build millions of objects without the cyclic GC re-scanning them all, then exempt them.

    The parse allocates no reference cycles, but each GC pass would walk every
    object built so far; at 100,000 events that is most of the parse's time.
    ``gc.freeze`` afterwards keeps later passes from walking the dataset too.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
