"""Validation of a composed data file into the model. Reports every problem at once."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from ..edtf import EdtfDate, EdtfError, parse_edtf
from ..errors import DataError, Problem
from ..model import Dataset, EventList
from ..text import MIN_QUOTE_WORDS, first_unsafe, normalize_quote, quote_found, quote_too_short, shown
from ..vocab import OUTCOMES
from . import yaml_read
from .build import actor_from, event_from, mappings, parse_optional_date, source_from
from .fs import read_text, resolve_source_path
from .schema import SHAPES, SLUG_PATTERN, Field, T

_SLUG_RE = re.compile(SLUG_PATTERN)


@dataclass
class _Found:
    path: yaml_read.Path
    message: str
    hint: str
    at_key: bool = False


@dataclass
class _Checker:
    items: list[_Found] = field(default_factory=list)

    def add(self, path: yaml_read.Path, message: str, hint: str, *, at_key: bool = False) -> None:
        self.items.append(_Found(path, message, hint, at_key))


def validate_document(document: yaml_read.Document, read_source: Callable[[str], str] | None = None) -> Dataset:
    """Check everything and build the model, or raise DataError listing all problems."""
    checker = _Checker()
    data = document.data
    if not isinstance(data, dict):
        checker.add(
            (), f"the top level is {_type_name(data)}, not a mapping", "start the file with sources:, actors: and events:"
        )
    else:
        _check_record(checker, data, "file", ())
        _check_text_safety(checker, data, document.suspect)
    dates: dict[yaml_read.Path, EdtfDate] = {}
    if not checker.items and isinstance(data, dict):
        _check_semantics(checker, document, data, dates, read_source or read_text)
    if checker.items:
        raise DataError(_locate_all(document, checker.items))
    assert isinstance(data, dict)
    return _build(document.file, data, dates)


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


_MISSING = object()
_KNOWN: dict[str, dict[str, Field]] = {record: {spec.name: spec for spec in fields} for record, fields in SHAPES.items()}


def _check_record(checker: _Checker, value: object, record: str, path: yaml_read.Path) -> None:
    # Hot at 100,000 events: paths are built only when a problem is found.
    fields = SHAPES[record]
    if type(value) is not dict:
        checker.add(path, f"expected a mapping ({record}), found {_type_name(value)}", f"write the {record} as key: value lines")
        return
    known = _KNOWN[record]
    if not value.keys() <= known.keys():
        for key in value:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f"did you mean {shown(close[0])}?" if close else f"allowed keys: {', '.join(known)}"
                checker.add((*path, key), f"unknown key {shown(key)} in {record}", hint, at_key=True)
    for spec in fields:
        field_value = value.get(spec.name, _MISSING)
        kind = spec.type
        if type(field_value) is str and field_value:  # the common cases, inline
            if kind is T.TEXT and not field_value.isspace() and (spec.multiline or _one_line(field_value)):
                continue
            if kind is T.SLUG and _SLUG_RE.match(field_value):
                continue
            if kind is T.CHOICE and field_value in spec.choices:
                continue
        if field_value is _MISSING:
            if spec.required:
                checker.add(
                    path,
                    f"{record} is missing the required key {shown(spec.name)}",
                    f"add {spec.name}: ({spec.description.rstrip('.')})",
                )
            continue
        _check_field(checker, value[spec.name], spec, path)


def _check_field(checker: _Checker, value: object, spec: Field, parent: yaml_read.Path) -> None:
    kind = spec.type
    if kind is T.TEXT and type(value) is str and value and not value.isspace() and (spec.multiline or _one_line(value)):
        return  # the common case, first
    if value is None:
        if not spec.nullable:
            checker.add((*parent, spec.name), f"{spec.name} is empty", f"give a value: {spec.description.rstrip('.')}")
        return
    path = (*parent, spec.name)
    if kind is T.TEXT or kind is T.SLUG:
        if not isinstance(value, str):
            checker.add(path, f"{spec.name} must be text, found {_type_name(value)}", "quote the value")
        elif not value or value.isspace():
            checker.add(path, f"{spec.name} is blank", "write a value, or remove the key if it is optional")
        elif kind is T.SLUG and not _SLUG_RE.match(value):
            checker.add(path, f"{spec.name} {shown(value)} is not a slug", "use lower-case letters, digits and single hyphens")
        elif not spec.multiline and not _one_line(value):
            checker.add(path, f"{spec.name} holds a line break or tab", _ONE_LINE_HINT)
    elif kind is T.EDTF:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            checker.add(
                path, f"{spec.name} must be an EDTF date, found {_type_name(value)}", "write it like 2021-10 or 2024-08-05"
            )
    elif kind is T.CHOICE:
        if not isinstance(value, str) or value not in spec.choices:
            given = value if isinstance(value, str) else _type_name(value)
            close = difflib.get_close_matches(given, spec.choices, n=1, cutoff=0.6)
            hint = f"did you mean {shown(close[0])}?" if close else f"use one of: {', '.join(spec.choices)}"
            checker.add(path, f"{spec.name} {shown(given)} is not allowed", hint)
    elif kind is T.TEXTS:
        if not isinstance(value, list):
            checker.add(path, f"{spec.name} must be a list, found {_type_name(value)}", "write it as [a, b] or as - items")
            return
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item or item.isspace():
                checker.add((*path, index), f"{spec.name} items must be non-empty text", "quote the item")
            elif not _one_line(item):
                checker.add((*path, index), f"{spec.name} items hold a line break or tab", _ONE_LINE_HINT)
    else:
        if not isinstance(value, list):
            checker.add(path, f"{spec.name} must be a list, found {_type_name(value)}", "write each item as a - entry")
            return
        if len(value) < spec.min_items:
            checker.add(path, f"{spec.name} needs at least {spec.min_items} item(s)", f"add a {spec.record}")
        for index, item in enumerate(value):
            _check_record(checker, item, spec.record, (*path, index))


_ONE_LINE_HINT = "write it on one line: only summaries, notes and quotes may span lines"


def _one_line(text: str) -> bool:
    return "\n" not in text and "\t" not in text and "\r" not in text


def _check_text_safety(checker: _Checker, data: object, suspect: bool) -> None:
    if not suspect:
        return  # no unsafe character anywhere in the file's text or its escapes: nothing to locate
    for path, text in yaml_read.iter_paths(data):
        found = first_unsafe(text)
        if found is not None:
            checker.add(
                path,
                f"text contains the invisible or control character {found}",
                "remove it: it could alter the terminal or hide text",
            )


def _date(checker: _Checker, value: object, path: yaml_read.Path, dates: dict[yaml_read.Path, EdtfDate]) -> None:
    text = f"{value:04d}" if isinstance(value, int) else str(value)
    try:
        dates[path] = parse_edtf(text)
    except EdtfError as error:
        checker.add(path, f"invalid date: {error}", "write an existing date in EDTF, e.g. 2021-10, 2020-09~ or 2024-08-05")


def _check_semantics(
    checker: _Checker,
    document: yaml_read.Document,
    data: dict[str, object],
    dates: dict[yaml_read.Path, EdtfDate],
    read_source: Callable[[str], str],
) -> None:
    events = mappings(data.get("events"))
    planned = {str(event["id"]): event.get("status") == "planned" for event in events}
    source_ids, actor_ids, folded = _check_registry(checker, document.file, data, dates, read_source)
    _unique_ids(checker, events, "events", "event")
    for index, event in enumerate(events):
        _check_event(checker, ("events", index), event, actor_ids, source_ids, folded.get, planned, dates)


def _check_registry(
    checker: _Checker,
    file: str,
    data: dict[str, object],
    dates: dict[yaml_read.Path, EdtfDate],
    read_source: Callable[[str], str],
) -> tuple[set[str], set[str], dict[str, str | None]]:
    """The sources and actors: unique ids, dates, and every article read (its folded text, or None when it
    could not be read). Returns the source ids, the actor ids and the folded texts."""
    sources = mappings(data.get("sources"))
    actors = mappings(data.get("actors"))
    source_ids = _unique_ids(checker, sources, "sources", "source")
    actor_ids = _unique_ids(checker, actors, "actors", "actor")
    folded: dict[str, str | None] = {}
    for index, source in enumerate(sources):
        path = ("sources", index)
        if source.get("published") is not None:
            _date(checker, source["published"], (*path, "published"), dates)
        folded[str(source["id"])] = _source_text(checker, file, str(source["file"]), (*path, "file"), read_source)
    for index, actor in enumerate(actors):
        for number, position in enumerate(mappings(actor.get("positions"))):
            if isinstance(position, dict) and position.get("span") is not None:
                _date(checker, position["span"], ("actors", index, "positions", number, "span"), dates)
    return source_ids, actor_ids, folded


def _check_event(
    checker: _Checker,
    path: yaml_read.Path,
    event: dict[str, object],
    actor_ids: set[str],
    source_ids: set[str],
    source_text: Callable[[str], str | None],
    planned: Mapping[str, bool],
    dates: dict[yaml_read.Path, EdtfDate],
) -> None:
    """One event's dates and references: ``source_text`` gives a source's folded text (None when it could
    not be read), ``planned`` whether each event id is a planned event."""
    _date(checker, event["date"], (*path, "date"), dates)
    roles = {str(participant.get("role")) for participant in mappings(event.get("participants"))}
    if roles == {"honoree"}:
        checker.add(
            (*path, "participants"),
            "every participant is an honoree: nobody acts in this event",
            "add the actor who acts (the PLOVER source), e.g. the state that erects a monument",
        )
    for number, participant in enumerate(mappings(event.get("participants"))):
        if participant["actor"] not in actor_ids:
            checker.add(
                (*path, "participants", number, "actor"),
                f"unknown actor {shown(participant['actor'])}",
                _suggest(str(participant["actor"]), actor_ids, "add it under actors:"),
            )
    for number, citation in enumerate(mappings(event.get("citations"))):
        cite_path = (*path, "citations", number)
        source_id = str(citation["source"])
        if source_id not in source_ids:
            checker.add(
                (*cite_path, "source"),
                f"unknown source {shown(source_id)}",
                _suggest(source_id, source_ids, "add it under sources:"),
            )
            continue
        if quote_too_short(str(citation["quote"])):
            checker.add(
                (*cite_path, "quote"),
                f"quote is shorter than {MIN_QUOTE_WORDS} words",
                "quote enough of the sentence to pin the passage down",
            )
            continue
        text = source_text(source_id)
        if text is not None and not quote_found(str(citation["quote"]), text):
            checker.add(
                (*cite_path, "quote"),
                f"quote not found in source {shown(source_id)}",
                "copy the words exactly from the article; join separate fragments with '...'",
            )
    for number, relation in enumerate(mappings(event.get("related"))):
        target = str(relation["event"])
        if target == event["id"]:
            checker.add((*path, "related", number, "event"), "an event cannot be related to itself", "name another event")
            continue
        target_planned = planned.get(target)
        if target_planned is None:
            hint = _suggest(target, set(planned), "check the id")
            checker.add((*path, "related", number, "event"), f"unknown event {shown(target)}", hint)
        elif relation["relation"] in OUTCOMES and not target_planned:
            checker.add(
                (*path, "related", number, "relation"),
                f"{relation['relation']} names {shown(target)}, which is not a planned event",
                "an outcome (fulfils, cancels, postpones) points at an event with status: planned",
            )


@dataclass(frozen=True)
class Known:
    """What the rest of the dataset holds, for checking one new event without reading the data file: the
    sources and actors as written (plain records), and whether each event id is a planned event."""

    sources: list[dict[str, object]]
    actors: list[dict[str, object]]
    planned: Mapping[str, bool]


class _AnyEvent(Mapping[str, bool]):
    """Every id names a planned event: related events are checked once all events are read."""

    def __getitem__(self, identifier: str) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


class StreamChecker:
    """Checks a data file's records as they are read, one event at a time, with the sources and actors
    read before them: every rule of :func:`validate_document` except those across events (unique ids,
    related events), which the caller checks once all are read, and the text-safety walk, for which the
    caller scans the text as it reads it. A problem raises DataError without its place: the caller then
    validates the whole file, which says where."""

    def __init__(self, file: str, top: dict[str, object], read_source: Callable[[str], str]) -> None:
        checker = _Checker()
        data = {"sources": top.get("sources"), "actors": top.get("actors"), "events": []}
        _check_record(checker, data, "file", ())
        dates: dict[yaml_read.Path, EdtfDate] = {}
        if not checker.items:
            self.source_ids, self.actor_ids, self.folded = _check_registry(checker, file, data, dates, read_source)
        _raise_unplaced(file, checker)
        self.dataset = _build(file, data, dates)
        self.file = file

    def event(self, record: object) -> EdtfDate:
        """Check one event; its date."""
        checker = _Checker()
        _check_record(checker, record, "event", ())
        dates: dict[yaml_read.Path, EdtfDate] = {}
        if not checker.items and isinstance(record, dict):
            _check_event(checker, (), record, self.actor_ids, self.source_ids, self.folded.get, _AnyEvent(), dates)
        _raise_unplaced(self.file, checker)
        return dates[("date",)]


def _raise_unplaced(file: str, checker: _Checker) -> None:
    if checker.items:
        raise DataError([Problem(file, None, None, item.message, item.hint) for item in checker.items])


def validate_addition(
    document: yaml_read.Document, known: Known, data_path: str, read_source: Callable[[str], str] | None = None
) -> None:
    """Check the one event in ``document`` (a list ``events`` of one item) against ``known``, as
    :func:`validate_document` would check it in the whole file; raise DataError listing every problem, at
    their places in ``document``. Only the articles it cites are read."""
    checker = _Checker()
    data = document.data
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or len(events) != 1:
        raise DataError([Problem(document.file, None, None, "expected exactly one event", "give one event")])
    _check_record(checker, events[0], "event", ("events", 0))
    _check_text_safety(checker, data, document.suspect)
    if not checker.items:
        event = events[0]
        source_files = {str(source["id"]): str(source["file"]) for source in known.sources}
        folded: dict[str, str | None] = {}

        def source_text(source: str) -> str | None:
            if source not in folded:
                folded[source] = _source_text(checker, data_path, source_files[source], ("events", 0), read_source or read_text)
            return folded[source]

        actor_ids = {str(actor["id"]) for actor in known.actors}
        _check_event(checker, ("events", 0), event, actor_ids, set(source_files), source_text, known.planned, {})
    if checker.items:
        raise DataError(_locate_all(document, checker.items))


def _unique_ids(checker: _Checker, items: list[dict[str, object]], key: str, what: str) -> set[str]:
    seen: dict[str, int] = {}
    for index, record in enumerate(items):
        identifier = str(record["id"])
        if identifier in seen:
            checker.add(
                (key, index, "id"),
                f"duplicate {what} id {shown(identifier)} (first used by {what} #{seen[identifier] + 1})",
                "give each a unique id",
            )
        else:
            seen[identifier] = index
    return set(seen)


def _suggest(value: str, known: set[str], otherwise: str) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return f"did you mean {shown(close[0])}?" if close else otherwise


def _source_text(
    checker: _Checker, data_path: str, file: str, path: yaml_read.Path, read_source: Callable[[str], str]
) -> str | None:
    resolved = resolve_source_path(data_path, file)
    try:
        return normalize_quote(read_source(resolved))
    except DataError as error:
        problem = error.problems[0]
        checker.add(path, f"source file {shown(file)}: {problem.message}", problem.hint)
        return None


def _locate_all(document: yaml_read.Document, items: list[_Found]) -> list[Problem]:
    """Every problem with its line and column, in file order: all placed in one pass over the text."""
    found = yaml_read.places(document.text, ((item.path, item.at_key) for item in items))
    problems = [Problem(document.file, *found[(item.path, item.at_key)], item.message, item.hint) for item in items]
    problems.sort(key=lambda problem: (problem.line or 0, problem.column or 0))
    return problems


def _build(file: str, data: dict[str, object], dates: dict[yaml_read.Path, EdtfDate]) -> Dataset:
    sources = tuple(source_from(record, parse_optional_date) for record in mappings(data.get("sources")))
    actors = tuple(actor_from(record, parse_optional_date) for record in mappings(data.get("actors")))
    events = EventList(
        event_from(record, dates[("events", index, "date")]) for index, record in enumerate(mappings(data.get("events")))
    )
    return Dataset(file, sources, actors, events)

