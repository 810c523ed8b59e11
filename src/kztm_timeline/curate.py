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
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import yaml

from . import yamlsrc
from .edtf import EdtfError, parse_edtf
from .errors import DataError, Problem, TimelineError, UsageError
from .files import decode, read_bytes
from .model import Dataset
from .query import resolve_actors
from .records import resolve_source_path
from .store import atomic_write_bytes, file_lock
from .validate import validate
from .yamlout import Rendered, render_item

MAX_SLUG = 64

# Which option a field of a new record came from, for messages about it.
EVENT_OPTIONS = {
    "id": "--id",
    "date": "--date",
    "title": "--title",
    "kind": "--kind",
    "status": "--status",
    "participants": "--actor",
    "place": "--place",
    "topics": "--topic",
    "summary": "--summary",
    "citations": "--source/--quote",
    "related": "--related",
}
SOURCE_OPTIONS = {
    "id": "--id",
    "file": "PATH",
    "title": "--title",
    "publisher": "--publisher",
    "published": "--published",
}


def slugify(text: str, limit: int = MAX_SLUG) -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or (words[0][:limit] if words else "")


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever is free."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


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


def event_record(dataset: Dataset, given: EventInput) -> dict[str, object]:
    """The new event as a record in the file's key order. Raises UsageError on malformed options."""
    if len(given.sources) != len(given.quotes):
        raise UsageError(
            f"each --source needs its --quote: got {len(given.sources)} --source and {len(given.quotes)} --quote"
        )
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
    identifier = given.id or unique_id(slugify(_date_slug(given.date) + " " + given.title), set(dataset.event_by_id))
    record: dict[str, object] = {
        "id": identifier,
        "date": given.date,
        "title": given.title,
        "kind": given.kind,
        "status": given.status,
        "participants": participants,
        "place": given.place or None,
        "topics": list(given.topics),
        "summary": given.summary,
        "citations": [{"source": source, "quote": quote} for source, quote in zip(given.sources, given.quotes, strict=True)],
    }
    if related:
        record["related"] = related
    return record


def _actor_problem(dataset: Dataset, wanted: str, matches: set[str]) -> Problem:
    where = "the new event (--actor)"
    if matches:
        return Problem(where, None, None, f"{wanted!r} names several actors: {', '.join(sorted(matches))}", "give the id")
    names = {name: actor.id for actor in dataset.actors for name in (actor.id, *actor.names)}
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.6)
    if not close:
        return Problem(where, None, None, f"no actor {wanted!r}", "see `timeline actors`, or add the actor under actors:")
    identifier = names[close[0]]
    hint = f"did you mean {identifier!r}?" if close[0] == identifier else f"did you mean {identifier!r} ({close[0]})?"
    return Problem(where, None, None, f"no actor {wanted!r}", hint)


def _date_slug(text: str) -> str:
    return "-".join(re.findall(r"[0-9X]+", text.split("/")[0])).lower()


# ---------------------------------------------------------------- splicing


@dataclass(frozen=True)
class Splice:
    """The new file text, and where the new item's lines are in it (1-based, inclusive)."""

    text: str
    first_line: int
    last_line: int
    fields: tuple[str, ...]

    @property
    def block(self) -> str:
        """The inserted item's lines, with plain newlines."""
        lines = self.text.split("\n")[self.first_line - 1 : self.last_line]
        return "".join(line.removesuffix("\r") + "\n" for line in lines)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_number(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _list_node(document: yamlsrc.Document, key: str) -> tuple[yaml.Node, yaml.Node | None]:
    root = document.root
    assert isinstance(root, yaml.MappingNode)
    for number, (key_node, value_node) in enumerate(root.value):
        if key_node.value == key:
            following = root.value[number + 1][0] if number + 1 < len(root.value) else None
            return value_node, following
    raise TimelineError(f"the data file has no {key}: list")  # pragma: no cover - validation requires it


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def splice(document: yamlsrc.Document, text: str, key: str, position: int, record: dict[str, object]) -> Splice:
    """Insert ``record`` as item ``position`` of the top-level list ``key``, changing no other byte."""
    node, following = _list_node(document, key)
    flow = ("participants", "related")
    newline = "\r\n" if "\r\n" in text else "\n"  # new lines follow the file's line ends
    if isinstance(node, yaml.SequenceNode) and node.flow_style and not node.value:
        rendered = _with_newlines(render_item(record, 2, flow_records=flow), newline)
        start, end = node.start_mark.index, node.end_mark.index
        before = text[:start].rstrip(" ")
        new_text = before + newline + rendered.text + text[end:].lstrip(" ").removeprefix("\r").removeprefix("\n")
        first = _line_number(new_text, len(before) + 1)
        return _checked(document, new_text, key, position, record, first, rendered)
    if not isinstance(node, yaml.SequenceNode) or node.flow_style:
        raise TimelineError(f"cannot add to the {key}: list as it is written; write it as a block list (one '- ' per item)")
    items = node.value
    dash = items[0].start_mark.column - 2
    for item in items:
        start = _line_start(text, item.start_mark.index)
        if item.start_mark.column != dash + 2 or text[start + dash : start + dash + 2] != "- ":
            raise TimelineError(f"cannot add to the {key}: list as it is written; start each item with '- ' on its own line")
    rendered = _with_newlines(render_item(record, dash, flow_records=flow), newline)
    blank = len(items) < 2 or text[: _line_start(text, items[1].start_mark.index)].endswith(newline * 2)
    separator = newline if blank else ""
    if position < len(items):
        at = _line_start(text, items[position].start_mark.index)
        while at > 0:
            previous = _line_start(text, at - 1)
            if not _is_comment(text[previous:at]):
                break
            at = previous
        new_text = text[:at] + rendered.text + separator + text[at:]
        first = _line_number(new_text, at)
    else:
        at = len(text) if following is None else _line_start(text, following.start_mark.index)
        while at > 0:
            previous = _line_start(text, at - 1)
            line = text[previous:at]
            if line.strip() and not (_is_comment(line) and len(line) - len(line.lstrip()) <= dash):
                break
            at = previous
        head = text[:at] if text[:at].endswith("\n") else text[:at] + newline
        new_text = head + separator + rendered.text + text[at:]
        first = _line_number(new_text, len(head) + len(separator))
    return _checked(document, new_text, key, position, record, first, rendered)


def _with_newlines(rendered: Rendered, newline: str) -> Rendered:
    return rendered if newline == "\n" else Rendered(rendered.text.replace("\n", newline), rendered.fields)


def _checked(
    document: yamlsrc.Document, new_text: str, key: str, position: int, record: dict[str, object], first: int, rendered: Rendered
) -> Splice:
    old = document.data
    assert isinstance(old, dict)
    expected = dict(old)
    items = list(old[key]) if isinstance(old[key], list) else []
    items.insert(position, record)
    expected[key] = items
    try:
        new = yamlsrc.compose(document.file, new_text).data
    except DataError:
        new = None
    if new != expected:
        raise TimelineError(
            f"cannot insert into {document.file} without changing other lines (unusual layout); add the record by hand"
        )
    return Splice(new_text, first, first + len(rendered.fields) - 1, rendered.fields)


# ---------------------------------------------------------------- add


@dataclass(frozen=True)
class Added:
    """What an add did: the new record's id and its YAML, and whether the file was written."""

    id: str
    yaml: str
    written: bool


def _relabel(problems: Sequence[Problem], spliced: Splice, options: dict[str, str], what: str) -> list[Problem]:
    """Problems inside the new record are named by option; others get their old line numbers."""
    result = []
    size = spliced.last_line - spliced.first_line + 1
    for problem in problems:
        line = problem.line
        if line is not None and spliced.first_line <= line <= spliced.last_line:
            option = options.get(spliced.fields[line - spliced.first_line], "")
            label = f"the new {what}" + (f" ({option})" if option else "")
            result.append(Problem(label, None, None, problem.message, problem.hint))
        elif line is not None and line > spliced.last_line:
            result.append(Problem(problem.file, line - size, problem.column, problem.message, problem.hint))
        else:
            result.append(problem)
    return result


def _validate_new(
    path: str, spliced: Splice, options: dict[str, str], what: str, read_source: Callable[[str], str] | None = None
) -> Dataset:
    try:
        return validate(yamlsrc.compose(path, spliced.text), read_source)
    except DataError as error:
        raise DataError(_relabel(error.problems, spliced, options, what)) from None


def _load_current(path: str) -> tuple[str, yamlsrc.Document, Dataset]:
    text = yamlsrc.read_text(path)  # without a byte-order mark; _write puts it back
    document = yamlsrc.compose(path, text)
    return text, document, validate(document)


def add_event(path: str, build: Callable[[Dataset], dict[str, object]], *, dry_run: bool = False) -> Added:
    """Validate and insert a new event in date order; write atomically under the file's lock."""
    with file_lock(path, enabled=not dry_run):
        text, document, dataset = _load_current(path)
        record = build(dataset)
        try:
            first = parse_edtf(str(record["date"])).first or date.min
        except EdtfError as error:
            hint = "write EDTF, e.g. 2024-08-05 or 2021-10"
            raise DataError([Problem("the new event (--date)", None, None, f"invalid date: {error}", hint)]) from None
        identifier = str(record["id"])
        if identifier in dataset.event_by_id:
            taken = f"event id {identifier!r} is taken"
            raise DataError([Problem("the new event (--id)", None, None, taken, "choose another --id")])
        key = (first, identifier)
        position = 0
        for index, event in enumerate(dataset.events):
            if ((event.date.first or date.min), event.id) <= key:
                position = index + 1
        spliced = splice(document, text, "events", position, record)
        _validate_new(path, spliced, EVENT_OPTIONS, "event")
        block = spliced.block
        if not dry_run:
            _write(path, spliced.text)
        return Added(identifier, block, not dry_run)


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


def add_source(path: str, given: SourceInput, *, dry_run: bool = False) -> tuple[Added, str]:
    """Copy an article into the corpus folder and register it. Returns what was added and the copy's path."""
    raw = read_bytes(given.article)
    article_text = decode(given.article, raw)  # the copy is these bytes; the quote check reads this text
    with file_lock(path, enabled=not dry_run):
        text, document, dataset = _load_current(path)
        folder = corpus_folder(dataset)
        destination = os.path.join(folder, os.path.basename(given.article))
        for source in dataset.sources:
            resolved = resolve_source_path(path, source.file)
            if os.path.exists(resolved) and read_bytes(resolved) == raw:
                raise TimelineError(f"{given.article} is already registered as source {source.id!r}")
        if os.path.exists(destination) and read_bytes(destination) != raw:
            raise TimelineError(
                f"a different file named {os.path.basename(destination)!r} is already in {folder}; rename the article"
            )
        relative = os.path.relpath(destination, os.path.dirname(os.path.abspath(path))).replace(os.sep, "/")
        published = given.published or None
        identifier = given.id or unique_id(
            slugify(" ".join(filter(None, [published or "", given.title])), 40), set(dataset.source_by_id)
        )
        record: dict[str, object] = {
            "id": identifier,
            "file": relative,
            "title": given.title,
            "publisher": given.publisher,
            "published": published,
        }
        spliced = splice(document, text, "sources", len(dataset.sources), record)
        destination_abs = os.path.normpath(os.path.abspath(destination))

        def read_source(candidate: str) -> str:
            if os.path.normpath(candidate) == destination_abs:
                return article_text
            return yamlsrc.read_text(candidate)

        _validate_new(path, spliced, SOURCE_OPTIONS, "source", read_source)
        block = spliced.block
        if not dry_run:
            if not os.path.exists(destination):
                atomic_write_bytes(destination, raw)
            _write(path, spliced.text)
        return Added(identifier, block, not dry_run), destination


def _write(path: str, text: str) -> None:
    """Replace the data file, keeping a UTF-8 byte-order mark if it had one."""
    bom = read_bytes(path).startswith(codecs.BOM_UTF8)
    atomic_write_bytes(path, (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))
