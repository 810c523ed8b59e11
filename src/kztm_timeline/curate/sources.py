"""``sources add``: an article copied into the corpus and registered, or a web page registered (its text never
kept), through the cache where it can serve."""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..datafile import yaml_read
from ..datafile.fs import (
    MAX_DATA_BYTES,
    Scan,
    decode,
    named,
    read_bytes,
    read_text,
    resolve_source_path,
    scan_text,
    spliced_bytes,
    write_file,
)
from ..datafile.lock import file_lock
from ..datafile.splice import Splice, splice
from ..errors import CacheDamaged, DataError, TimelineError
from ..model import Dataset, Memos
from ..text import shown, slugify, unique_id
from .records import NEW_SOURCE, Added, hashed, load_current, open_for_add, validate_new, write_data

if TYPE_CHECKING:
    from ..cache.adding import Indexed


@dataclass(frozen=True)
class SourceInput:
    """What a curator gives ``timeline sources add``: an article's file (``article``), or a web page (``url``,
    with the language it is in and the day it was read). A page's text is never copied or kept."""

    article: str | None
    title: str
    publisher: str
    published: str | None = None
    id: str | None = None
    url: str | None = None
    language: str | None = None
    retrieved: str | None = None
    archive_url: str | None = None
    corpus: str | None = None


def corpus_folder(dataset: Dataset) -> str:
    """Where articles are kept: the folder of the last registered article's file (else ``seeds/`` beside the
    data file's folder, as the shipped dataset lays them out)."""
    files = [source.file for source in dataset.sources if source.file is not None]
    if not files:
        return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(dataset.path))), "seeds")
    return os.path.dirname(resolve_source_path(dataset.path, files[-1]))


def add_source(
    path: str,
    given: SourceInput,
    *,
    dry_run: bool = False,
    cache: str | None = None,
    notice: Callable[[str], None] | None = None,
    memos: Callable[[Dataset], Memos] | None = None,
    committing: Callable[[], None] | None = None,
) -> tuple[Added, str]:
    """Copy an article into the corpus folder and register it. Returns what was added and the copy's path.

    With ``cache`` (the parse cache's folder), only the part of the file above the events list is composed
    and validated, and the cache is updated in step, when the sources and actors come first in the file;
    otherwise the whole file is parsed and validated with the new source. A web page is registered alone:
    nothing is copied, and the path returned is its address. ``committing`` is called just before the new data
    file takes the old one's place (the commit)."""
    if given.article is None:
        raw, article_text = b"", ""
    else:
        raw = read_bytes(given.article)
        article_text = decode(given.article, raw)  # the copy is these bytes; the quote check reads this text
    path = os.path.realpath(path)
    with file_lock(path, enabled=not dry_run):
        if cache is not None:
            added = _add_source_through_cache(
                path, given, raw, article_text, cache, notice, memos, dry_run=dry_run, committing=committing
            )
            if added is not None:
                return added
        text, document, dataset = load_current(path)
        record, destination = _new_source(path, dataset, given, raw)
        spliced = splice(document, text, "sources", len(dataset.sources), record)
        validate_new(path, spliced, NEW_SOURCE, _reader(destination, article_text))
        if not dry_run:
            if given.article is not None and not os.path.exists(destination):
                write_file(destination, raw)
            write_data(path, spliced.text, committing)
        return Added(str(record["id"]), spliced.block, not dry_run), destination


def _new_source(path: str, dataset: Dataset, given: SourceInput, raw: bytes) -> tuple[dict[str, object], str]:
    """The new source's record, and where its article's copy goes (a web page's: its address); TimelineError
    if the article or page is registered already, or if another file of its name is in the corpus folder."""
    if given.article is None:
        return _new_web_source(dataset, given), str(given.url)
    folder = corpus_folder(dataset)
    destination = os.path.join(folder, utf8_name(os.path.basename(given.article)))
    for source in dataset.sources:
        if source.file is None:
            continue
        resolved = resolve_source_path(path, source.file)
        if os.path.exists(resolved) and read_bytes(resolved) == raw:
            raise TimelineError(f"{named(given.article)} is already registered as source {shown(source.id)}")
    if os.path.exists(destination) and read_bytes(destination) != raw:
        raise TimelineError(
            f"a different file named {shown(os.path.basename(destination))} is already in {named(folder)}; rename the article"
        )
    relative = os.path.relpath(destination, os.path.dirname(os.path.abspath(path))).replace(os.sep, "/")
    if utf8_name(relative) != relative:
        raise TimelineError(
            f"the data file cannot name {named(destination)}: the path from its folder holds bytes that are not UTF-8; "
            "rename the folders between them"
        )
    record: dict[str, object] = {
        "id": _source_id(dataset, given),
        "file": relative,
        "title": given.title,
        "publisher": given.publisher,
        "published": given.published or None,
    }
    if given.language:
        record["language"] = given.language
    if given.corpus:
        record["corpus"] = given.corpus
    return record, destination


def utf8_name(name: str) -> str:
    """A file name the UTF-8 data file can hold: each byte of ``name`` that is not UTF-8 (decoded as Python decodes
    file names, a lone surrogate) written as ``%XX``; ``\\xff\\xfe.txt`` becomes ``%FF%FE.txt``."""
    return re.sub("[\udc80-\udcff]", lambda match: f"%{ord(match.group()) - 0xDC00:02X}", name)


def _source_id(dataset: Dataset, given: SourceInput) -> str:
    published = given.published or ""
    return given.id or unique_id(slugify(" ".join(filter(None, [published, given.title])), 40), dataset.source_by_id)


def _new_web_source(dataset: Dataset, given: SourceInput) -> dict[str, object]:
    """A web page's record, in the order the data file lists a source's keys; the validation that follows
    names any value missing or malformed."""
    for source in dataset.sources:
        if source.url is not None and source.url == given.url:
            raise TimelineError(f"{given.url} is already registered as source {shown(source.id)}")
    record: dict[str, object] = {
        "id": _source_id(dataset, given),
        "url": given.url,
        "title": given.title,
        "publisher": given.publisher,
        "published": given.published or None,
        "language": given.language,
        "retrieved": given.retrieved,
    }
    if given.archive_url:
        record["archive_url"] = given.archive_url
    record["corpus"] = given.corpus
    return {key: value for key, value in record.items() if value is not None or key == "published"}


def _reader(destination: str, article_text: str) -> Callable[[str], str]:
    """Reads the articles, the new one (not copied yet) from the text in hand."""
    destination_abs = os.path.normpath(os.path.abspath(destination))

    def read_source(candidate: str) -> str:
        if os.path.normpath(candidate) == destination_abs:
            return article_text
        return read_text(candidate)

    return read_source


def _add_source_through_cache(
    path: str,
    given: SourceInput,
    raw: bytes,
    article_text: str,
    folder: str,
    notice: Callable[[str], None] | None,
    memos: Callable[[Dataset], Memos] | None,
    *,
    dry_run: bool,
    committing: Callable[[], None] | None,
) -> tuple[Added, str] | None:
    """``sources add`` through the cache: None when the cache cannot serve (then the caller parses the file)."""

    opened = open_for_add(path, folder, notice, memos)
    if opened is None:
        return None
    indexed, data_digest = opened
    try:
        if indexed.key is None:
            return None
        key = indexed.key
        scan = scan_text(path, [key], [(0, key)], limit=MAX_DATA_BYTES)
        if scan.digest != data_digest:
            return None  # changed since the cache was opened
        head = scan.texts[(0, key)]  # everything above the events: line
        try:
            document = yaml_read.compose(path, head)
        except DataError:
            return None
        if document.data != {"sources": indexed.registry["sources"], "actors": indexed.registry["actors"]}:
            return None  # the events do not come last: the whole file is composed instead
        record, destination = _new_source(path, indexed.dataset, given, raw)
        spliced = splice(document, head, "sources", len(indexed.registry["sources"]), record)
        checked = Splice(spliced.text + "events: []\n", spliced.first_line, spliced.last_line, spliced.fields)
        validate_new(path, checked, NEW_SOURCE, _reader(destination, article_text))
        added = Added(str(record["id"]), spliced.block, not dry_run)
        if dry_run:
            return added, destination
        _write_source(path, indexed, record, (destination, raw), (head, key, spliced, scan), memos, notice, committing)
        return added, destination
    except CacheDamaged:
        return None
    finally:
        indexed.close()


def _write_source(
    path: str,
    indexed: Indexed,
    record: dict[str, object],
    article: tuple[str, bytes],
    change: tuple[str, int, Splice, Scan],
    memos: Callable[[Dataset], Memos] | None,
    notice: Callable[[str], None] | None,
    committing: Callable[[], None] | None,
) -> None:
    """Copy the article (``article``: where to, its bytes), write the new head of the file (``change``: the
    old head, where the events: line starts, the splice, the scan that read it), and bring the cache in step."""
    import hashlib

    from ..cache import adding as index

    destination, raw = article
    head, key, spliced, scan = change
    web = "file" not in record  # a web page: nothing to copy
    if not web and not os.path.exists(destination):
        write_file(destination, raw)
    digest = hashlib.sha256()
    start = len(codecs.BOM_UTF8) if scan.bom else 0
    replacement = spliced.text.encode("utf-8")
    new_bytes = spliced_bytes(path, start, scan.places[key][0], replacement, scan.digest, limit=MAX_DATA_BYTES)
    write_file(path, hashed(new_bytes, digest.update), committing=committing)
    index.record_source(
        indexed,
        record,
        None if web else resolve_source_path(path, str(record["file"])),
        hashlib.sha256(raw).hexdigest(),
        at=key,
        size=len(spliced.text) - len(head),
        data_digest=digest.hexdigest(),
        memos=None if memos is None else memos(indexed.dataset),  # no event: only the lines below move
        lines=(spliced.first_line, spliced.text.count("\n") - head.count("\n")),
        notice=notice,
    )
