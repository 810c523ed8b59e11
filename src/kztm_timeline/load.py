"""Finding and loading the data file: file → composed document → validated model, through the parse cache."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from typing import IO, TYPE_CHECKING, Any

from .datafile.fs import file_digest
from .model import Dataset, Memos

if TYPE_CHECKING:
    from .datafile.splice import ListLayout

def load_dataset(
    path: str,
    *,
    cache: str | None = None,
    notice: Callable[[str], None] | None = None,
    memos: Callable[[Dataset], Memos] | None = None,
) -> Dataset:
    """Read, compose and validate; raise DataError listing every problem.

    With ``cache`` (a folder), a dataset validated before from the very same
    bytes and source texts is read from the parse cache instead, and a fresh
    parse is written there. A cache that cannot be read or written, or that this
    user does not own alone, is ignored; ``notice`` hears why. ``memos``: values worked out from every
    event of a fresh read (``validate``'s verdict), which the new cache keeps, as ``Events.memo`` would;
    it is given the dataset's sources and actors, and then each event.
    """
    if cache is None:
        return _parse(path, _read_data(path))[0]
    from . import cache as parse_cache
    from .store import file_stat

    with _collector_paused():
        cached = parse_cache.read(
            cache, path, lambda: file_digest(path), lambda: _parse(path, _read_data(path))[0].events, notice=notice
        )
    if cached is not None:
        return cached
    streamed = _stream_into_cache(path, cache, notice, memos)
    if streamed is not None:
        return streamed
    try:
        stat_before: list[int] | None = file_stat(path)
    except OSError:
        stat_before = None
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


class _NotStreamable(Exception):
    """The file cannot be read as a stream into the cache: it is read whole instead, which says why if it
    is bad data."""


class _Reading:
    """The data file as libyaml reads it, a chunk at a time: hashed, its UTF-8 checked, and scanned for
    characters only a whole parse may locate."""

    def __init__(self, handle: IO[bytes]) -> None:
        import codecs
        import hashlib

        from .text import UNSAFE_RE

        self.handle = handle
        self.digest = hashlib.sha256()
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.unsafe = UNSAFE_RE
        self.started = False

    def read(self, size: int) -> bytes:
        chunk = self.handle.read(size)
        if not self.started:
            self.started = True
            if chunk.startswith(b"\xef\xbb\xbf"):
                raise _NotStreamable("a byte-order mark")
        self.digest.update(chunk)
        try:
            text = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            raise _NotStreamable("not UTF-8") from None
        if self.unsafe.search(text):
            raise _NotStreamable("an invisible or control character")
        return chunk


def _stream_into_cache(
    path: str, folder: str, notice: Callable[[str], None] | None, memos: Callable[[Dataset], Memos] | None
) -> Dataset | None:
    """Read the data file as a stream into a new cache database, validating each event as it is read and
    holding none of them (peak memory does not grow with the file), then read the dataset back from it.
    None when that cannot be done (bad data, an unusual file, a cache folder that cannot be written): the
    caller then parses the file whole."""

    import sqlite3

    from . import cache as parse_cache
    from .datafile import yaml_read
    from .datafile.build import event_from
    from .datafile.fs import MAX_DATA_BYTES, open_regular
    from .datafile.validate import StreamChecker
    from .errors import DataError
    from .store import file_stat
    from .vocab import OUTCOMES

    articles = _Articles()
    state: dict[str, Any] = {}

    def take(top: dict[str, object], record: object, at: int, escaped: list[str]) -> None:
        if escaped and any(reading.unsafe.search(text) for text in escaped):
            raise _NotStreamable("an escaped invisible or control character")
        if "checker" not in state:
            if "sources" not in top or "actors" not in top:
                raise _NotStreamable("the events come before the sources and actors")
            state["registry"] = {"sources": top["sources"], "actors": top["actors"]}
            checker = state["checker"] = StreamChecker(path, top, articles.read)
            state["builder"] = parse_cache.Builder(folder, path, checker.dataset, notice)
            if memos is not None:
                state["memos"] = memos(checker.dataset)
        when = state["checker"].event(record)
        assert isinstance(record, dict)
        event = event_from(record, when)
        state["builder"].add(event, record, at)
        if "memos" in state:
            state["memos"].add(event, streaming.mark)

    try:
        stat_before: list[int] | None = file_stat(path)
    except OSError:
        stat_before = None
    try:
        with _collector_paused(), open_regular(path, MAX_DATA_BYTES) as handle:
            reading = _Reading(handle)
            streaming = yaml_read.Streamed("events", take)
            data, layout, escaped = yaml_read.compose_stream(path, reading, streaming)
            if "builder" not in state or any(reading.unsafe.search(text) for text in escaped):
                raise _NotStreamable("no events, or an escaped invisible or control character")
            if not isinstance(data, dict) or set(data) != {"sources", "actors", "events"} or data["events"] != []:
                raise _NotStreamable("other top-level keys")
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
                reading.digest.hexdigest(), stat_before, articles.digests, articles.stats, state["registry"], shape
            )
            if "memos" in state:
                meta.update({f"memo:{key}": value for key, value in state["memos"].values().items()})
            if not state["builder"].finish(meta, OUTCOMES):
                return None
    except (_NotStreamable, DataError, OSError, ValueError, KeyError, TypeError, sqlite3.Error) as error:
        if "builder" in state:
            state["builder"].discard()
        if notice is not None and not isinstance(error, DataError):
            notice(f"read whole: {error}")
        return None
    return parse_cache.read(
        folder, path, lambda: file_digest(path), lambda: _parse(path, _read_data(path))[0].events, notice=notice
    )


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
