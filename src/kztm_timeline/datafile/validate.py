"""The one checker of a data file: the shape of each record (:mod:`.shapes`) and the rules across records,
fed the same way whether the file is streamed into the cache (``load``) or read whole
(:func:`validate_document`). Reports every problem at once; where each one is, is found afterwards by one
walk over the file's YAML events (:func:`locate_all`), not by a second validator."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..edtf import EdtfDate, Precision
from ..errors import DataError, Problem
from ..model import Dataset, EventList
from ..text import normalize_quote, shown
from ..vocab import DEFAULT_CORPUS, OUTCOMES
from . import yaml_read
from .build import actor_from, event_from, mappings, parse_optional_date, source_from
from .fs import read_text, resolve_source_path
from .shapes import Findings, Found, check_record, check_text_safety, type_name
from .sources import Registry, check_citation, check_web_source, read_date, renamed_ids, source_kind, suggest

_REGISTRY = frozenset(("sources", "actors"))


class Checker:
    """Checks a data file fed to it in reading order: :meth:`begin` with the sources and actors, :meth:`event`
    for each event as it is read (nothing of it is kept but its id, whether it is planned, and its related
    entries, and its old ids), then :meth:`end` with the top level. :attr:`found` then lists the problems, each
    at its path in the plain values; as before any reader, a problem of shape hides the problems of rules
    (those need well-formed records)."""

    def __init__(self, file: str, read_source: Callable[[str], str], *, known: Mapping[str, bool] | None = None) -> None:
        self.file = file
        self.read_source = read_source
        self.shape = Findings()
        self.rules = Findings()
        self.registry: Registry | None = None
        self.registry_dates: dict[yaml_read.Path, EdtfDate] = {}
        self.seen: dict[str, int] = {}  # each event id, and the number of the first event with it
        self.planned: dict[str, bool] = {}
        self.known: Mapping[str, bool] = {} if known is None else known  # (not `or`: a mapping's length may cost a query)
        self.related: list[tuple[int, dict[str, object]]] = []
        self.aliased: list[tuple[int, dict[str, object]]] = []  # the events that name old ids of theirs
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
        if record.get("aliases"):
            self.aliased.append((index, record))
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
        self.check_links()

    def check_links(self) -> None:
        """The rules across events: old ids (``aliases``) that name no event of today, each claimed once, and
        every related entry against the events read (or known before), an old id standing for its event."""
        renamed = renamed_ids(self.aliased, self.seen, self.rules)
        aliased = {alias: self.planned[identifier] for alias, identifier in renamed.items()}
        planned = _Either(self.planned, _Either(aliased, self.known) if aliased else self.known)
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
    checker = addition_checker(known, data_path, read_source)
    checker.event(0, events[0], suspect=document.suspect)
    checker.check_links()
    if checker.found:
        raise DataError(locate_all(document.file, document.text, checker.found))


def addition_checker(known: Known, data_path: str, read_source: Callable[[str], str] | None = None) -> Checker:
    """A checker of events new to a dataset of which ``known`` is known (``add``'s one event, the events a
    refresh reads again after an edit by hand): each checked as :func:`validate_document` would check it in
    the whole file, reading only the articles the events cite."""
    checker = Checker(data_path, read_source or read_text, known=known.planned)
    source_files = {str(source["id"]): source.get("file") for source in known.sources}
    folded: dict[str, str | None] = {}

    def source_text(source: str) -> str | None:
        file = source_files.get(source)
        if file is None:
            return None  # a web page: its quotes are checked online
        if source not in folded:
            folded[source] = _source_text(checker.rules, data_path, str(file), ("events", 0), checker.read_source)
        return folded[source]

    kinds = {str(source["id"]): source_kind(source) for source in known.sources}
    actor_ids = {str(actor["id"]) for actor in known.actors}
    checker.registry = Registry(set(source_files), actor_ids, kinds, source_text, _corpora(known.sources))
    return checker


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


def _check_registry(
    found: Findings,
    file: str,
    data: Mapping[str, object],
    dates: dict[yaml_read.Path, EdtfDate],
    read_source: Callable[[str], str],
) -> Registry:
    """The sources and actors: unique ids and web addresses, dates, and every article kept with the data read."""
    sources = mappings(data.get("sources"))
    actors = mappings(data.get("actors"))
    source_ids = _unique_ids(found, sources, "sources", "source")
    actor_ids = _unique_ids(found, actors, "actors", "actor")
    folded: dict[str, str | None] = {}
    addresses: dict[str, int] = {}
    for index, source in enumerate(sources):
        path = ("sources", index)
        if source.get("published") is not None:
            read_date(found, source["published"], (*path, "published"), dates)
        if "url" in source:
            check_web_source(found, source, path, dates, addresses, index)
            folded[str(source["id"])] = None
        elif "file" in source:
            folded[str(source["id"])] = _source_text(found, file, str(source["file"]), (*path, "file"), read_source)
    for index, actor in enumerate(actors):
        for number, position in enumerate(mappings(actor.get("positions"))):
            if isinstance(position, dict) and position.get("span") is not None:
                read_date(found, position["span"], ("actors", index, "positions", number, "span"), dates)
    kinds = {str(source["id"]): source_kind(source) for source in sources}
    return Registry(source_ids, actor_ids, kinds, folded.get, _corpora(sources))


def _corpora(sources: Iterable[Mapping[str, object]]) -> frozenset[str]:
    return frozenset(str(source.get("corpus") or DEFAULT_CORPUS) for source in sources)


def _check_event(
    found: Findings, path: yaml_read.Path, event: dict[str, object], registry: Registry, dates: dict[yaml_read.Path, EdtfDate]
) -> None:
    """One event's date and references to the sources and actors (its related events are checked once
    every event is read: :func:`_check_related`)."""
    read_date(found, event["date"], (*path, "date"), dates)
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
                suggest(str(participant["actor"]), registry.actor_ids, "add it under actors:"),
            )
    for number, citation in enumerate(mappings(event.get("citations"))):
        check_citation(found, (*path, "citations", number), citation, registry)
    for number, relation in enumerate(mappings(event.get("related"))):
        if str(relation["event"]) == event["id"]:
            found.add((*path, "related", number, "event"), "an event cannot be related to itself", "name another event")
    _check_views(found, path, event, registry)
    _check_no_outcome(found, path, event, registry)


def _check_views(found: Findings, path: yaml_read.Path, event: dict[str, object], registry: Registry) -> None:
    """``in_corpus``: each names a corpus of the sources; a view's id is the event's or one of its old ids (its
    ``aliases``); its date is a date and its participants are actors."""
    views = event.get("in_corpus")
    if not isinstance(views, dict):
        return
    aliases = event.get("aliases")
    ids = {str(event["id"]), *(str(alias) for alias in (aliases if isinstance(aliases, list) else ()))}
    for corpus, view in views.items():
        where = (*path, "in_corpus", corpus)
        if corpus not in registry.corpora:
            hint = suggest(str(corpus), set(registry.corpora), "name a corpus of the sources")
            found.add(where, f"in_corpus names {shown(corpus)}, which no source belongs to", hint, at_key=True)
        if not isinstance(view, dict):
            continue
        if "id" in view and str(view["id"]) not in ids:
            found.add(
                (*where, "id"),
                f"the id {shown(view['id'])} of the view is neither the event's nor one of its aliases",
                "a view keeps an id the event had: add it to aliases",
            )
        if "date" in view:
            read_date(found, view["date"], (*where, "date"), {})
        for number, participant in enumerate(mappings(view.get("participants"))):
            if participant["actor"] not in registry.actor_ids:
                actor = shown(participant["actor"])
                found.add((*where, "participants", number, "actor"), f"unknown actor {actor}", "add it under actors:")


def _check_no_outcome(found: Findings, path: yaml_read.Path, event: dict[str, object], registry: Registry) -> None:
    """``no_outcome_found``: only a plan has an outcome to look for, in a corpus of the sources, as of a day."""
    search = event.get("no_outcome_found")
    if not isinstance(search, dict):
        return
    where = (*path, "no_outcome_found")
    if event.get("status") != "planned":
        hint = "remove it, or give the event status: planned"
        found.add(where, "no_outcome_found belongs to a planned event", hint, at_key=True)
    if search["corpus"] not in registry.corpora:
        hint = suggest(str(search["corpus"]), set(registry.corpora), "name a corpus of the sources")
        found.add((*where, "corpus"), f"no source belongs to the corpus {shown(search['corpus'])}", hint)
    days: dict[yaml_read.Path, EdtfDate] = {}
    read_date(found, search["as_of"], (*where, "as_of"), days)
    when = days.get((*where, "as_of"))
    if when is not None and (when.is_interval or when.precision is not Precision.DAY or when.qualifier is not None):
        day = shown(search["as_of"])
        found.add((*where, "as_of"), f"as_of {day} is not one day", "write the day it was searched: YYYY-MM-DD")


def _check_related(found: Findings, path: yaml_read.Path, event: dict[str, object], planned: Mapping[str, bool]) -> None:
    """An event's related entries, against every event id (``planned``: whether each one is a planned event)."""
    for number, relation in enumerate(mappings(event.get("related"))):
        target = str(relation["event"])
        if target == event["id"]:
            continue  # reported with the event itself
        target_planned = planned.get(target)
        if target_planned is None:
            hint = suggest(target, set(planned), "check the id")
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
    """The model of a checked file (``dates``: each event's, as the checker returned them); a link written with
    an old id (``aliases``) points at the event of today."""
    sources = tuple(source_from(record, parse_optional_date) for record in mappings(data.get("sources")))
    actors = tuple(actor_from(record, parse_optional_date) for record in mappings(data.get("actors")))
    records = mappings(data.get("events"))
    renamed = renamed_ids(((index, record) for index, record in enumerate(records) if "aliases" in record), ())
    events = EventList(event_from(record, _dated(when), renamed) for record, when in zip(records, dates, strict=True))
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
