"""What every change to the data file shares: the new records, checking the changed text whole, and writing it."""

from __future__ import annotations

import codecs
import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..datafile import yaml_read
from ..datafile.fs import (
    MAX_DATA_BYTES,
    read_bytes,
    read_text,
    write_file,
)
from ..datafile.splice import Splice
from ..datafile.validate import validate_document
from ..edtf import EdtfError, parse_edtf
from ..errors import DataError, Problem, UsageError
from ..model import Dataset, Memos
from ..query import resolve_actors
from ..text import shown, slugify, unique_id

if TYPE_CHECKING:
    from ..cache.adding import Indexed


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
        if event not in dataset.event_by_id:
            event = dataset.events.alias_of(event) or event  # an old id: the link names the event by its id of today
        related.append({"event": event, "relation": relation})
    identifier = given.id or unique_id(slugify(_date_slug(given.date) + " " + given.title), _Taken(dataset))
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


class _Taken:
    """The ids a new event may not have: every event's id and old id."""

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset

    def __contains__(self, identifier: object) -> bool:
        if not isinstance(identifier, str):
            return False
        return identifier in self._dataset.event_by_id or self._dataset.events.alias_of(identifier) is not None


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


@dataclass(frozen=True)
class Added:
    """What an add did: the new record's id and its YAML, and whether the file was written."""

    id: str
    yaml: str
    written: bool


NEW_EVENT = "the new event"
NEW_SOURCE = "the new source"


def relabel(problems: Sequence[Problem], spliced: Splice, label: str) -> list[Problem]:
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


def validate_new(path: str, spliced: Splice, label: str, read_source: Callable[[str], str] | None = None) -> Dataset:
    try:
        return validate_document(yaml_read.compose(path, spliced.text), read_source)
    except DataError as error:
        raise DataError(relabel(error.problems, spliced, label)) from None


def load_current(path: str) -> tuple[str, yaml_read.Document, Dataset]:
    text = read_text(path, limit=MAX_DATA_BYTES)  # without a byte-order mark; _write puts it back
    document = yaml_read.compose(path, text)
    return text, document, validate_document(document)


def date_and_id(dataset: Dataset, record: dict[str, object]) -> tuple[date, str]:
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


def open_for_add(
    path: str, folder: str, notice: Callable[[str], None] | None, memos: Callable[[Dataset], Memos] | None = None
) -> tuple[Indexed, str] | None:
    """The cache of the data file's current bytes (built first if there is none; bad data is reported then,
    as a parse would report it), and the SHA-256 of those bytes; None when no cache can be had. The file is
    read a chunk at a time: a large one is never held."""
    from ..cache import adding as index
    from ..datafile.fs import file_digest
    from ..load import load_dataset

    digest = file_digest(path)
    indexed = index.open_indexed(folder, path, digest, notice=notice)
    if indexed is None:
        load_dataset(path, cache=folder, notice=notice, memos=memos)
        digest = file_digest(path)
        indexed = index.open_indexed(folder, path, digest, notice=notice)
    return None if indexed is None else (indexed, digest)


def hashed(chunks: Iterable[bytes], update: Callable[[bytes], object]) -> Iterator[bytes]:
    for chunk in chunks:
        update(chunk)
        yield chunk


def write_data(path: str, text: str, committing: Callable[[], None] | None = None) -> None:
    """Replace the data file, keeping a UTF-8 byte-order mark if it had one; ``committing`` is called just
    before the new file takes the old one's place (see :func:`~kztm_timeline.datafile.fs.write_file`)."""
    bom = read_bytes(path, limit=MAX_DATA_BYTES).startswith(codecs.BOM_UTF8)
    write_file(path, (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"), committing=committing)
