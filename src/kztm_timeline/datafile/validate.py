"""The one checker of a data file: the shape of each record (:mod:`.shapes`) and the rules across records,
fed the same way whether the file is streamed into the cache (``load``) or read whole
(:func:`validate_document`). Reports every problem at once; where each one is, is found afterwards by one
walk over the file's YAML events (:func:`locate_all`), not by a second validator."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..edtf import EdtfDate, EdtfError, parse_edtf
from ..errors import DataError, Problem
from ..model import Dataset, EventList
from ..text import MIN_QUOTE_WORDS, normalize_quote, quote_found, quote_too_short, shown
from ..vocab import OUTCOMES
from . import yaml_read
from .build import actor_from, event_from, mappings, parse_optional_date, source_from
from .fs import read_text, resolve_source_path
from .shapes import Findings, Found, check_record, check_text_safety, type_name

_REGISTRY = frozenset(("sources", "actors"))


@dataclass(frozen=True)
class _Registry:
    """What an event is checked against: the source and actor ids, and each source's folded text (None when
    it could not be read)."""

    source_ids: set[str]
    actor_ids: set[str]
    source_text: Callable[[str], str | None]


class Checker:
    """Checks a data file fed to it in reading order: :meth:`begin` with the sources and actors, :meth:`event`
    for each event as it is read (nothing of it is kept but its id, whether it is planned, and its related
    entries), then :meth:`end` with the top level. :attr:`found` then lists the problems, each at its path
    in the plain values; as before any reader, a problem of shape hides the problems of rules (those need
    well-formed records)."""

    def __init__(self, file: str, read_source: Callable[[str], str], *, known: Mapping[str, bool] | None = None) -> None:
        self.file = file
        self.read_source = read_source
        self.shape = Findings()
        self.rules = Findings()
        self.registry: _Registry | None = None
        self.registry_dates: dict[yaml_read.Path, EdtfDate] = {}
        self.seen: dict[str, int] = {}  # each event id, and the number of the first event with it
        self.planned: dict[str, bool] = {}
        self.known: Mapping[str, bool] = {} if known is None else known
        self.related: list[tuple[int, dict[str, object]]] = []
        self.count = 0

    def begin(self, top: Mapping[str, object], *, suspect: bool) -> None:
        """The sources and actors (``top`` may hold other keys: only those two are read here)."""
        registry = {key: top[key] for key in top if key in _REGISTRY}
        before = len(self.shape.items)
        check_record(self.shape, registry, "file", (), fields=registry.keys(), unknown=False)
        if suspect:
            check_text_safety(self.shape, registry)
        if len(self.shape.items) == before and registry.keys() == _REGISTRY:
            self.registry = _check_registry(self.rules, self.file, registry, self.registry_dates, self.read_source)

    def event(self, index: int, record: object, *, suspect: bool) -> EdtfDate | None:
        """Check one event (the ``index``-th); its date, or None when it has a problem."""
        self.count += 1
        path = ("events", index)
        before = len(self.shape.items)
        check_record(self.shape, record, "event", path)
        if suspect:
            check_text_safety(self.shape, record, path)
        if len(self.shape.items) != before or not isinstance(record, dict):
            return None
        identifier = str(record["id"])
        first = self.seen.setdefault(identifier, index)
        if first != index:
            self.rules.add(
                (*path, "id"),
                f"duplicate event id {shown(identifier)} (first used by event #{first + 1})",
                "give each a unique id",
            )
        self.planned[identifier] = record.get("status") == "planned"
        if record.get("related"):
            self.related.append((index, record))
        if self.registry is None:
            return None
        before = len(self.rules.items)
        dates: dict[yaml_read.Path, EdtfDate] = {}
        _check_event(self.rules, path, record, self.registry, dates)
        return dates.get((*path, "date")) if len(self.rules.items) == before else None

    def end(self, top: object, *, suspect: bool) -> None:
        """The top level (its events list read already, or empty), and the rules across events."""
        if not isinstance(top, dict):
            self.shape.add(
                (), f"the top level is {type_name(top)}, not a mapping", "start the file with sources:, actors: and events:"
            )
            return
        rest = {key: [] if key == "events" and isinstance(value, list) else value for key, value in top.items()}
        check_record(self.shape, rest, "file", (), fields={"events"} | (_REGISTRY - top.keys()))  # (the events: one by one)
        for key in _REGISTRY & top.keys():
            del rest[key]
        if suspect:
            check_text_safety(self.shape, rest)
        self.check_related()

    def check_related(self) -> None:
        """The related entries of the events read, against every event id (those read, then ``known``)."""
        planned = _Either(self.planned, self.known)
        for index, record in self.related:
            _check_related(self.rules, ("events", index), record, planned)

    @property
    def found(self) -> list[Found]:
        return self.shape.items or self.rules.items


def validate_document(document: yaml_read.Document, read_source: Callable[[str], str] | None = None) -> Dataset:
    """Check everything and build the model, or raise DataError listing all problems."""
    checker = Checker(document.file, read_source or read_text)
    data = document.data
    dates: list[EdtfDate | None] = []
    if isinstance(data, dict):
        checker.begin(data, suspect=document.suspect)
        events = data.get("events")
        if isinstance(events, list):
            dates = [checker.event(index, record, suspect=document.suspect) for index, record in enumerate(events)]
    checker.end(data, suspect=document.suspect)
    if checker.found:
        raise DataError(locate_all(document.file, document.text, checker.found))
    assert isinstance(data, dict)
    return build(document.file, data, dates)


def validate_addition(
    document: yaml_read.Document, known: Known, data_path: str, read_source: Callable[[str], str] | None = None
) -> None:
    """Check the one event in ``document`` (a list ``events`` of one item) against ``known``, as
    :func:`validate_document` would check it in the whole file; raise DataError listing every problem, at
    their places in ``document``. Only the articles it cites are read."""
    data = document.data
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or len(events) != 1:
        raise DataError([Problem(document.file, None, None, "expected exactly one event", "give one event")])
    checker = Checker(data_path, read_source or read_text, known=known.planned)
    source_files = {str(source["id"]): str(source["file"]) for source in known.sources}
    folded: dict[str, str | None] = {}

    def source_text(source: str) -> str | None:
        if source not in folded:
            folded[source] = _source_text(checker.rules, data_path, source_files[source], ("events", 0), checker.read_source)
        return folded[source]

    checker.registry = _Registry(set(source_files), {str(actor["id"]) for actor in known.actors}, source_text)
    checker.event(0, events[0], suspect=document.suspect)
    checker.check_related()
    if checker.found:
        raise DataError(locate_all(document.file, document.text, checker.found))


def locate_all(file: str, stream: Any, items: Iterable[Found]) -> list[Problem]:
    """The problems at their places, found by one walk over the YAML events of ``stream`` (the text, or the
    file opened in binary), sorted by place."""
    listed = list(items)
    marks = yaml_read.find_marks(stream, [(item.path, item.at_key) for item in listed])
    problems = []
    for item in listed:
        line, column = marks[(item.path, item.at_key)]
        problems.append(Problem(file, line, column, item.message, item.hint))
    problems.sort(key=lambda problem: (problem.line or 0, problem.column or 0))
    return problems


def _date(found: Findings, value: object, path: yaml_read.Path, dates: dict[yaml_read.Path, EdtfDate]) -> None:
    text = f"{value:04d}" if isinstance(value, int) else str(value)
    try:
        dates[path] = parse_edtf(text)
    except EdtfError as error:
        found.add(path, f"invalid date: {error}", "write an existing date in EDTF, e.g. 2021-10, 2020-09~ or 2024-08-05")


def _check_registry(
    found: Findings,
    file: str,
    data: Mapping[str, object],
    dates: dict[yaml_read.Path, EdtfDate],
    read_source: Callable[[str], str],
) -> _Registry:
    """The sources and actors: unique ids, dates, and every article read."""
    sources = mappings(data.get("sources"))
    actors = mappings(data.get("actors"))
    source_ids = _unique_ids(found, sources, "sources", "source")
    actor_ids = _unique_ids(found, actors, "actors", "actor")
    folded: dict[str, str | None] = {}
    for index, source in enumerate(sources):
        path = ("sources", index)
        if source.get("published") is not None:
            _date(found, source["published"], (*path, "published"), dates)
        folded[str(source["id"])] = _source_text(found, file, str(source["file"]), (*path, "file"), read_source)
    for index, actor in enumerate(actors):
        for number, position in enumerate(mappings(actor.get("positions"))):
            if isinstance(position, dict) and position.get("span") is not None:
                _date(found, position["span"], ("actors", index, "positions", number, "span"), dates)
    return _Registry(source_ids, actor_ids, folded.get)


def _check_event(
    found: Findings, path: yaml_read.Path, event: dict[str, object], registry: _Registry, dates: dict[yaml_read.Path, EdtfDate]
) -> None:
    """One event's date and references to the sources and actors (its related events are checked once
    every event is read: :func:`_check_related`)."""
    _date(found, event["date"], (*path, "date"), dates)
    roles = {str(participant.get("role")) for participant in mappings(event.get("participants"))}
    if roles == {"honoree"}:
        found.add(
            (*path, "participants"),
            "every participant is an honoree: nobody acts in this event",
            "add the actor who acts (the PLOVER source), e.g. the state that erects a monument",
        )
    for number, participant in enumerate(mappings(event.get("participants"))):
        if participant["actor"] not in registry.actor_ids:
            found.add(
                (*path, "participants", number, "actor"),
                f"unknown actor {shown(participant['actor'])}",
                _suggest(str(participant["actor"]), registry.actor_ids, "add it under actors:"),
            )
    for number, citation in enumerate(mappings(event.get("citations"))):
        _check_citation(found, (*path, "citations", number), citation, registry)
    for number, relation in enumerate(mappings(event.get("related"))):
        if str(relation["event"]) == event["id"]:
            found.add((*path, "related", number, "event"), "an event cannot be related to itself", "name another event")


def _check_citation(found: Findings, path: yaml_read.Path, citation: dict[str, object], registry: _Registry) -> None:
    source_id = str(citation["source"])
    if source_id not in registry.source_ids:
        found.add(
            (*path, "source"),
            f"unknown source {shown(source_id)}",
            _suggest(source_id, registry.source_ids, "add it under sources:"),
        )
        return
    if quote_too_short(str(citation["quote"])):
        found.add(
            (*path, "quote"),
            f"quote is shorter than {MIN_QUOTE_WORDS} words",
            "quote enough of the sentence to pin the passage down",
        )
        return
    text = registry.source_text(source_id)
    if text is not None and not quote_found(str(citation["quote"]), text):
        found.add(
            (*path, "quote"),
            f"quote not found in source {shown(source_id)}",
            "copy the words exactly from the article; join separate fragments with '...'",
        )


def _check_related(found: Findings, path: yaml_read.Path, event: dict[str, object], planned: Mapping[str, bool]) -> None:
    """An event's related entries, against every event id (``planned``: whether each one is a planned event)."""
    for number, relation in enumerate(mappings(event.get("related"))):
        target = str(relation["event"])
        if target == event["id"]:
            continue  # reported with the event itself
        target_planned = planned.get(target)
        if target_planned is None:
            hint = _suggest(target, set(planned), "check the id")
            found.add((*path, "related", number, "event"), f"unknown event {shown(target)}", hint)
        elif relation["relation"] in OUTCOMES and not target_planned:
            found.add(
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


def _unique_ids(found: Findings, items: list[dict[str, object]], key: str, what: str) -> set[str]:
    seen: dict[str, int] = {}
    for index, record in enumerate(items):
        identifier = str(record["id"])
        if identifier in seen:
            found.add(
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
    found: Findings, data_path: str, file: str, path: yaml_read.Path, read_source: Callable[[str], str]
) -> str | None:
    resolved = resolve_source_path(data_path, file)
    try:
        return normalize_quote(read_source(resolved))
    except DataError as error:
        problem = error.problems[0]
        found.add(path, f"source file {shown(file)}: {problem.message}", problem.hint)
        return None


def build(file: str, data: Mapping[str, object], dates: list[EdtfDate | None]) -> Dataset:
    """The model of a checked file (``dates``: each event's, as the checker returned them)."""
    sources = tuple(source_from(record, parse_optional_date) for record in mappings(data.get("sources")))
    actors = tuple(actor_from(record, parse_optional_date) for record in mappings(data.get("actors")))
    events = EventList(event_from(record, _dated(when)) for record, when in zip(mappings(data.get("events")), dates, strict=True))
    return Dataset(file, sources, actors, events)


def _dated(when: EdtfDate | None) -> EdtfDate:
    assert when is not None  # a checked event has its date
    return when


class _Either(Mapping[str, bool]):
    """The events read so far, then those known before (an event being added, then the cache's)."""

    def __init__(self, first: Mapping[str, bool], then: Mapping[str, bool]) -> None:
        self.first, self.then = first, then

    def __getitem__(self, identifier: str) -> bool:
        found = self.first.get(identifier)
        return self.then[identifier] if found is None else found

    def __iter__(self) -> Iterator[str]:
        yield from self.first
        yield from (identifier for identifier in self.then if identifier not in self.first)

    def __len__(self) -> int:
        return sum(1 for _ in self)
