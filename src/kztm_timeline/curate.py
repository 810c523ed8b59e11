"""Growing the data file safely: ``add`` and ``sources add``.

The new record is written in the file's own style and spliced into the text,
so no other byte changes: comments, formatting and key order stay as they are.
Before anything is written, the new text is composed again and must read back
as the old data plus exactly the new record, and the whole dataset (quotes
included) must validate. The write is atomic and serialised by a file lock.
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .datafile import yaml_read
from .datafile.build import event_from
from .datafile.fs import (
    MAX_DATA_BYTES,
    decode,
    read_bytes,
    read_text,
    resolve_source_path,
    scan_text,
    spliced_bytes,
    write_file,
)
from .datafile.lock import file_lock
from .datafile.splice import Splice, insert_item, item_block, remove_items, replace_item, splice
from .datafile.validate import Known, validate_addition, validate_document
from .edtf import EdtfError, parse_edtf
from .errors import CacheDamaged, DataError, Problem, TimelineError, UsageError
from .model import Dataset, Memos
from .query import resolve_actors
from .text import shown, slugify, unique_id

if TYPE_CHECKING:
    from .cache import Indexed


def split_pair(value: str, default: str) -> tuple[str, str]:
    """``ID[:NAME]`` into its two parts; the name defaults to ``default``."""
    name, _, second = value.partition(":")
    return name.strip(), (second.strip() or default)


@dataclass(frozen=True)
class EventInput:
    """What a curator gives ``timeline add``. Required values are checked by the caller."""

    date: str
    title: str
    kind: str
    status: str
    actors: tuple[str, ...]
    summary: str
    sources: tuple[str, ...]
    quotes: tuple[str, ...]
    id: str | None = None
    place: str | None = None
    topics: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    evidence: str | None = None
    note: str | None = None


def new_event(dataset: Dataset, given: EventInput) -> dict[str, object]:
    """The new event as a mapping in the file's key order; DataError for an actor no name identifies."""
    participants = []
    problems = []
    for value in given.actors:
        actor, role = split_pair(value, "participant")
        if actor not in dataset.actor_by_id:
            try:
                matches = resolve_actors(dataset, [actor])
            except UsageError:
                matches = set()
            if len(matches) == 1:
                actor = matches.pop()
            else:
                problems.append(_actor_problem(dataset, actor, matches))
        participants.append({"actor": actor, "role": role})
    if problems:
        raise DataError(problems)
    related = []
    for value in given.related:
        event, relation = split_pair(value, "mentions")
        related.append({"event": event, "relation": relation})
    identifier = given.id or unique_id(slugify(_date_slug(given.date) + " " + given.title), dataset.event_by_id)
    record: dict[str, object] = {
        "id": identifier,
        "date": given.date,
        **({"evidence": given.evidence} if given.evidence else {}),
        "title": given.title,
        "kind": given.kind,
        "status": given.status,
        "participants": participants,
        "place": given.place or None,
        "topics": list(given.topics),
        "summary": given.summary,
        **({"note": given.note} if given.note else {}),
        "citations": [{"source": source, "quote": quote} for source, quote in zip(given.sources, given.quotes, strict=True)],
    }
    if related:
        record["related"] = related
    return record


def _actor_problem(dataset: Dataset, wanted: str, matches: set[str]) -> Problem:
    def problem(message: str, hint: str) -> Problem:
        return Problem(NEW_EVENT, None, None, message, hint, field="participants")

    if matches:
        return problem(f"{shown(wanted)} names several actors: {', '.join(sorted(matches))}", "give the id")
    names = {name: actor.id for actor in dataset.actors for name in (actor.id, *actor.names)}
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.6)
    if not close:
        return problem(f"no actor {shown(wanted)}", "see `timeline actors`, or add the actor under actors:")
    identifier = names[close[0]]
    hint = f"did you mean {shown(identifier)}?" if close[0] == identifier else f"did you mean {shown(identifier)} ({close[0]})?"
    return problem(f"no actor {shown(wanted)}", hint)


def _date_slug(text: str) -> str:
    return "-".join(re.findall(r"[0-9X]+", text.split("/")[0])).lower()


# ---------------------------------------------------------------- add


@dataclass(frozen=True)
class Added:
    """What an add did: the new record's id and its YAML, and whether the file was written."""

    id: str
    yaml: str
    written: bool


NEW_EVENT = "the new event"
NEW_SOURCE = "the new source"


def _relabel(problems: Sequence[Problem], spliced: Splice, label: str) -> list[Problem]:
    """Problems inside the new record are named by its field; others get their old line numbers."""
    result = []
    size = spliced.last_line - spliced.first_line + 1
    for problem in problems:
        line = problem.line
        if line is not None and spliced.first_line <= line <= spliced.last_line:
            field = spliced.fields[line - spliced.first_line]
            result.append(Problem(label, None, None, problem.message, problem.hint, field=field))
        elif line is not None and line > spliced.last_line:
            result.append(Problem(problem.file, line - size, problem.column, problem.message, problem.hint))
        else:
            result.append(problem)
    return result


def _validate_new(path: str, spliced: Splice, label: str, read_source: Callable[[str], str] | None = None) -> Dataset:
    try:
        return validate_document(yaml_read.compose(path, spliced.text), read_source)
    except DataError as error:
        raise DataError(_relabel(error.problems, spliced, label)) from None


def _load_current(path: str) -> tuple[str, yaml_read.Document, Dataset]:
    text = read_text(path, limit=MAX_DATA_BYTES)  # without a byte-order mark; _write puts it back
    document = yaml_read.compose(path, text)
    return text, document, validate_document(document)


def add_event(
    path: str,
    build: Callable[[Dataset], dict[str, object]],
    *,
    dry_run: bool = False,
    cache: str | None = None,
    notice: Callable[[str], None] | None = None,
    memos: Callable[[Dataset], Memos] | None = None,
    committing: Callable[[], None] | None = None,
) -> Added:
    """Validate and insert a new event in date order; write atomically under the file's lock.

    With ``cache`` (the parse cache's folder), the event is checked against the cache of the file's
    current bytes and inserted without parsing the file, and the cache is updated in step (it is built
    first if there is none; ``memos`` works out what the cache keeps, as for ``load_dataset``, and brings
    it up to date with the new event); when that cannot be done (no usable cache, an unusual layout), the whole
    file is parsed and validated with the new event instead. Either way the same checks pass or fail.
    A data file reached through a symbolic link is updated where it really is, under its real path's lock.
    """
    path = os.path.realpath(path)
    with file_lock(path, enabled=not dry_run):
        if cache is not None:
            added = _add_indexed(path, build, cache, notice, memos, dry_run=dry_run, committing=committing)
            if added is not None:
                return added
        text, document, dataset = _load_current(path)
        record = build(dataset)
        first, identifier = _date_and_id(dataset, record)
        key = (first, identifier)
        position = 0
        for index, event in enumerate(dataset.events):
            if (event.date.span[0], event.id) <= key:
                position = index + 1
        spliced = splice(document, text, "events", position, record)
        _validate_new(path, spliced, NEW_EVENT)
        block = spliced.block
        if not dry_run:
            _write(path, spliced.text, committing)
        return Added(identifier, block, not dry_run)


def _date_and_id(dataset: Dataset, record: dict[str, object]) -> tuple[date, str]:
    """The new event's first day and its id, once the date reads as EDTF and the id is free."""
    try:
        first = parse_edtf(str(record["date"])).span[0]
    except EdtfError as error:
        hint = "write EDTF, e.g. 2024-08-05 or 2021-10"
        raise DataError([Problem(NEW_EVENT, None, None, f"invalid date: {error}", hint, field="date")]) from None
    identifier = str(record["id"])
    if identifier in dataset.event_by_id:
        taken = f"event id {shown(identifier)} is taken"
        raise DataError([Problem(NEW_EVENT, None, None, taken, "choose another id", field="id")])
    return first, identifier


def _add_indexed(
    path: str,
    build: Callable[[Dataset], dict[str, object]],
    folder: str,
    notice: Callable[[str], None] | None,
    memos: Callable[[Dataset], Memos] | None,
    *,
    dry_run: bool,
    committing: Callable[[], None] | None,
) -> Added | None:
    """``add`` through the cache: None when the cache cannot serve (then the caller parses the file)."""
    import hashlib

    from . import cache as index

    opened = _indexed(path, folder, notice, memos)
    if opened is None:
        return None
    indexed, data_digest = opened
    try:
        if indexed.dash is None or indexed.key is None:
            return None
        dataset = indexed.dataset
        record = build(dataset)
        first, identifier = _date_and_id(dataset, record)
        position = indexed.position_for(first, identifier)
        count = indexed.count
        # Only the part of the file around the new item is read as text: from the line of the item before
        # it (or of the events: key) to the line of the item after the next (or the following key, or the end).
        base = indexed.start(position - 1) if position > 0 else indexed.key
        following = indexed.following
        end = indexed.start(position + 1) if position + 1 < count else following
        ranges: list[tuple[int, int | None]] = [(base, end)]
        second = indexed.start(1) if count > 1 else 0
        if position >= 2:
            ranges.append((max(second - 4, 0), second))  # whether items are set apart by blank lines
        scan = scan_text(path, [base], ranges, limit=MAX_DATA_BYTES)
        if scan.digest != data_digest:
            return None  # changed since the cache was opened
        part = scan.texts[(base, end)]
        newline = "\r\n" if scan.crlf else "\n"
        blank = None if position < 2 else scan.texts[ranges[1]].endswith(newline * 2)
        inserted = insert_item(
            part,
            indexed.dash,
            lambda number: indexed.start(number) - base,
            count,
            None if following is None else following - base,
            position,
            record,
            blank=blank,
            crlf=scan.crlf,
        )
        rendered = inserted.rendered.text.replace(newline, "\n")
        _validate_alone(path, rendered, inserted.rendered.fields, indexed)
        # The neighbours, read back around the new item, must be what they were: then no other byte of the
        # file reads differently (a block list's items are separate once each starts a line at the same column).
        start = indexed.start(position - 1) - base if position > 0 else inserted.at
        expected = [indexed.record(position - 1)] if position > 0 else []
        expected.append(record)
        if position < count:
            expected.append(indexed.record(position))
        window = part[start : inserted.at] + inserted.inserted + part[inserted.at :]
        if yaml_read.compose(path, "events:" + newline + window).data != {"events": expected}:
            return None  # an unusual layout: the whole file is composed instead, and says why
        if dry_run:
            return Added(identifier, rendered, False)
        base_byte, base_lines = scan.places[base]
        at_byte = base_byte + len(part[: inserted.at].encode("utf-8"))
        line = base_lines + part.count("\n", 0, inserted.at) + 1  # where the insertion starts
        item_line = line + inserted.inserted.count("\n", 0, inserted.item - inserted.at)
        digest = hashlib.sha256()
        new_bytes = spliced_bytes(path, at_byte, at_byte, inserted.inserted.encode("utf-8"), scan.digest, limit=MAX_DATA_BYTES)
        write_file(path, _hashed(new_bytes, digest.update), committing=committing)
        event = event_from(record, parse_edtf(str(record["date"])))
        tally = None
        if memos is not None:
            tally = memos(dataset)
            fields = inserted.rendered.fields
            tally.add(event, (item_line + fields.index("date"), indexed.dash + len("- date: ") + 1))
        index.record_addition(
            indexed,
            event,
            record,
            position,
            at=base + inserted.at,
            size=inserted.size,
            item=base + inserted.item,
            data_digest=digest.hexdigest(),
            memos=tally,
            lines=(line, inserted.inserted.count("\n")),
            notice=notice,
        )
        return Added(identifier, rendered, True)
    except CacheDamaged:
        return None
    finally:
        indexed.close()


def _indexed(
    path: str, folder: str, notice: Callable[[str], None] | None, memos: Callable[[Dataset], Memos] | None = None
) -> tuple[Indexed, str] | None:
    """The cache of the data file's current bytes (built first if there is none; bad data is reported then,
    as a parse would report it), and the SHA-256 of those bytes; None when no cache can be had. The file is
    read a chunk at a time: a large one is never held."""
    from . import cache as index
    from .datafile.fs import file_digest
    from .load import load_dataset

    digest = file_digest(path)
    indexed = index.open_indexed(folder, path, digest, notice=notice)
    if indexed is None:
        load_dataset(path, cache=folder, notice=notice, memos=memos)
        digest = file_digest(path)
        indexed = index.open_indexed(folder, path, digest, notice=notice)
    return None if indexed is None else (indexed, digest)


def _hashed(chunks: Iterable[bytes], update: Callable[[bytes], object]) -> Iterator[bytes]:
    for chunk in chunks:
        update(chunk)
        yield chunk


def _validate_alone(path: str, rendered: str, fields: tuple[str, ...], indexed: Indexed) -> None:
    """Check the new event (its YAML block, as it will be written) against the cache, as the whole file
    would be checked with it; problems are named by the field they are in."""
    text = "events:\n" + rendered
    known = Known(indexed.registry["sources"], indexed.registry["actors"], indexed.planned)
    try:
        validate_addition(yaml_read.compose(NEW_EVENT, text), known, path)
    except DataError as error:
        spliced = Splice(text, 2, 1 + len(fields), fields)
        raise DataError(_relabel(error.problems, spliced, NEW_EVENT)) from None


# ---------------------------------------------------------------- sources add


@dataclass(frozen=True)
class SourceInput:
    article: str
    title: str
    publisher: str
    published: str | None = None
    id: str | None = None


def corpus_folder(dataset: Dataset) -> str:
    """Where articles are kept: the folder of the last registered source's file."""
    return os.path.dirname(resolve_source_path(dataset.path, dataset.sources[-1].file))


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
    otherwise the whole file is parsed and validated with the new source."""
    raw = read_bytes(given.article)
    article_text = decode(given.article, raw)  # the copy is these bytes; the quote check reads this text
    path = os.path.realpath(path)
    with file_lock(path, enabled=not dry_run):
        if cache is not None:
            added = _add_source_indexed(
                path, given, raw, article_text, cache, notice, memos, dry_run=dry_run, committing=committing
            )
            if added is not None:
                return added
        text, document, dataset = _load_current(path)
        record, destination = _new_source(path, dataset, given, raw)
        spliced = splice(document, text, "sources", len(dataset.sources), record)
        _validate_new(path, spliced, NEW_SOURCE, _reader(destination, article_text))
        if not dry_run:
            if not os.path.exists(destination):
                write_file(destination, raw)
            _write(path, spliced.text, committing)
        return Added(str(record["id"]), spliced.block, not dry_run), destination


def _new_source(path: str, dataset: Dataset, given: SourceInput, raw: bytes) -> tuple[dict[str, object], str]:
    """The new source's record, and where its article's copy goes; TimelineError if the article is registered
    already, or if another file of its name is in the corpus folder."""
    folder = corpus_folder(dataset)
    destination = os.path.join(folder, utf8_name(os.path.basename(given.article)))
    for source in dataset.sources:
        resolved = resolve_source_path(path, source.file)
        if os.path.exists(resolved) and read_bytes(resolved) == raw:
            raise TimelineError(f"{given.article} is already registered as source {shown(source.id)}")
    if os.path.exists(destination) and read_bytes(destination) != raw:
        raise TimelineError(
            f"a different file named {shown(os.path.basename(destination))} is already in {folder}; rename the article"
        )
    relative = os.path.relpath(destination, os.path.dirname(os.path.abspath(path))).replace(os.sep, "/")
    if utf8_name(relative) != relative:
        raise TimelineError(
            f"the data file cannot name {destination}: the path from its folder holds bytes that are not UTF-8; "
            "rename the folders between them"
        )
    published = given.published or None
    identifier = given.id or unique_id(slugify(" ".join(filter(None, [published or "", given.title])), 40), dataset.source_by_id)
    record: dict[str, object] = {
        "id": identifier,
        "file": relative,
        "title": given.title,
        "publisher": given.publisher,
        "published": published,
    }
    return record, destination


def utf8_name(name: str) -> str:
    """A file name the UTF-8 data file can hold: each byte of ``name`` that is not UTF-8 (decoded as Python decodes
    file names, a lone surrogate) written as ``%XX``; ``\\xff\\xfe.txt`` becomes ``%FF%FE.txt``."""
    return re.sub("[\udc80-\udcff]", lambda match: f"%{ord(match.group()) - 0xDC00:02X}", name)


def _reader(destination: str, article_text: str) -> Callable[[str], str]:
    """Reads the articles, the new one (not copied yet) from the text in hand."""
    destination_abs = os.path.normpath(os.path.abspath(destination))

    def read_source(candidate: str) -> str:
        if os.path.normpath(candidate) == destination_abs:
            return article_text
        return read_text(candidate)

    return read_source


def _add_source_indexed(
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
    import hashlib

    from . import cache as index

    opened = _indexed(path, folder, notice, memos)
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
        _validate_new(path, checked, NEW_SOURCE, _reader(destination, article_text))
        added = Added(str(record["id"]), spliced.block, not dry_run)
        if dry_run:
            return added, destination
        if not os.path.exists(destination):
            write_file(destination, raw)
        digest = hashlib.sha256()
        start = len(codecs.BOM_UTF8) if scan.bom else 0
        replacement = spliced.text.encode("utf-8")
        new_bytes = spliced_bytes(path, start, scan.places[key][0], replacement, scan.digest, limit=MAX_DATA_BYTES)
        write_file(path, _hashed(new_bytes, digest.update), committing=committing)
        index.record_source(
            indexed,
            record,
            resolve_source_path(path, str(record["file"])),
            hashlib.sha256(raw).hexdigest(),
            at=key,
            size=len(spliced.text) - len(head),
            data_digest=digest.hexdigest(),
            memos=None if memos is None else memos(indexed.dataset),  # no event: only the lines below move
            lines=(spliced.first_line, spliced.text.count("\n") - head.count("\n")),
            notice=notice,
        )
        return added, destination
    except CacheDamaged:
        return None
    finally:
        indexed.close()


def _write(path: str, text: str, committing: Callable[[], None] | None) -> None:
    """Replace the data file, keeping a UTF-8 byte-order mark if it had one; ``committing`` is called just
    before the new file takes the old one's place (see :func:`~kztm_timeline.datafile.fs.write_file`)."""
    bom = read_bytes(path, limit=MAX_DATA_BYTES).startswith(codecs.BOM_UTF8)
    write_file(path, (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"), committing=committing)


# ---------------------------------------------------------------- init


def copy_dataset(dataset: Dataset, folder: str) -> str:
    """Copy the data file and every article it cites into ``folder``, keeping their relative layout
    (``data/events.yaml`` beside ``seeds/``), so the copy validates as it is. Returns the new data file's path.

    Nothing is written if any file is already there.
    """
    root = os.path.dirname(os.path.dirname(os.path.realpath(dataset.path)))
    files = [os.path.realpath(dataset.path)]
    files += [os.path.realpath(resolve_source_path(dataset.path, source.file)) for source in dataset.sources]
    plan = []
    for file in dict.fromkeys(files):
        relative = os.path.relpath(file, root)
        if relative.startswith(os.pardir):
            raise TimelineError(f"cannot copy {file}: it lies outside {root}")
        plan.append((file, os.path.join(folder, relative)))
    taken = [target for _, target in plan if os.path.lexists(target)]
    if taken:
        raise TimelineError(f"{taken[0]} already exists; choose an empty folder")
    for source, target in plan:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        write_file(target, read_bytes(source, limit=MAX_DATA_BYTES))
    return plan[0][1]


# ---------------------------------------------------------------- edit and remove


@dataclass(frozen=True)
class EditStart:
    """An event's block as the file has it, for an editor, and what the file was when it was read."""

    id: str
    block: str
    digest: str


@dataclass(frozen=True)
class Changed:
    """A change to the data file: its text before and after, and whether it was written."""

    id: str
    before: str
    after: str
    written: bool
    unlinked: tuple[str, ...] = ()  # events whose links to a removed event went too

    def diff(self, name: str) -> str:
        """The change as a unified diff, as ``git diff`` shows it."""
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True), self.after.splitlines(keepends=True), f"a/{name}", f"b/{name}"
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


EDITED_EVENT = "the edited event"


def _digest(path: str) -> str:
    import hashlib

    return hashlib.sha256(read_bytes(path, limit=MAX_DATA_BYTES)).hexdigest()


def _position(dataset: Dataset, wanted: str) -> tuple[str, int]:
    from .query import find_event

    identifier = find_event(dataset, wanted).id
    return identifier, next(number for number, event in enumerate(dataset.events) if event.id == identifier)


def start_edit(path: str, wanted: str) -> EditStart:
    """The block of the event ``wanted`` (an id or a unique prefix) as written in the file."""
    path = os.path.realpath(path)
    digest = _digest(path)
    text, document, dataset = _load_current(path)
    identifier, position = _position(dataset, wanted)
    start, end = item_block(document, text, "events", position)
    return EditStart(identifier, text[start:end].replace("\r\n", "\n"), digest)


def _edited_problems(problems: Sequence[Problem], first: int, size: int, old_size: int, label: str) -> list[Problem]:
    """Problems inside the edited block are named by ``label`` and their line in it; the others keep the
    line numbers the file has now."""
    result = []
    for problem in problems:
        line = problem.line
        if line is not None and first <= line < first + size:
            result.append(Problem(label, line - first + 1, problem.column, problem.message, problem.hint))
        elif line is not None and line >= first + size:
            result.append(Problem(problem.file, line - size + old_size, problem.column, problem.message, problem.hint))
        else:
            result.append(problem)
    return result


def finish_edit(
    path: str,
    started: EditStart,
    block: str,
    *,
    dry_run: bool = False,
    label: str = EDITED_EVENT,
    committing: Callable[[], None] | None = None,
) -> Changed:
    """Put the edited ``block`` in place of the event, once the whole dataset (quotes included) validates
    with it; atomically, under the file's lock. Refused if the file changed since :func:`start_edit`."""
    path = os.path.realpath(path)
    with file_lock(path, enabled=not dry_run):
        if _digest(path) != started.digest:
            raise TimelineError(f"{path} changed while you were editing; nothing was written")
        text, document, dataset = _load_current(path)
        _, position = _position(dataset, started.id)
        new_text, first = replace_item(document, text, "events", position, block)
        size = block.rstrip("\n").count("\n") + 1
        try:
            edited = validate_document(yaml_read.compose(path, new_text))
        except DataError as error:
            old_size = started.block.rstrip("\n").count("\n") + 1
            raise DataError(_edited_problems(error.problems, first, size, old_size, label)) from None
        if new_text == text:
            return Changed(started.id, text, text, False)
        if not dry_run:
            _write(path, new_text, committing)
        return Changed(edited.events[position].id, text, new_text, not dry_run)


class StillLinked(TimelineError):
    """An event that other events link to, which was not to be removed with its links."""

    def __init__(self, identifier: str, owners: tuple[str, ...]) -> None:
        super().__init__(f"{identifier} is linked from {', '.join(owners)}; remove those links first")
        self.owners = owners


def remove_event(
    path: str, wanted: str, *, force: bool = False, dry_run: bool = False, committing: Callable[[], None] | None = None
) -> Changed:
    """Remove an event (an id or a unique prefix). Refused while other events link to it, unless ``force``,
    which removes those links too. Every other byte stays; written atomically under the file's lock."""
    path = os.path.realpath(path)
    with file_lock(path, enabled=not dry_run):
        text, document, dataset = _load_current(path)
        identifier, position = _position(dataset, wanted)
        links = [
            (number, "related", index)
            for number, event in enumerate(dataset.events)
            for index, relation in enumerate(event.related)
            if relation.event == identifier
        ]
        owners = tuple(dict.fromkeys(dataset.events[number].id for number, _, _ in links))
        if owners and not force:
            raise StillLinked(identifier, owners)
        new_text = remove_items(document, text, "events", position, links)
        validate_document(yaml_read.compose(path, new_text))
        if not dry_run:
            _write(path, new_text, committing)
        return Changed(identifier, text, new_text, not dry_run, owners)
