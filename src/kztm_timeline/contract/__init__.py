"""The JSON contract (events, actors, sources as ordered mappings) and what every exporter is given (View)."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .. import __version__
from ..datafile.fs import resolve_source_path
from ..edtf import Precision, SimpleDate, display, display_end, month_text
from ..model import Actor, Citation, Dataset, Event, Position, Tally
from ..query import PlanState, Query
from ..text import escape_json
from ..vocab import KINDS

TOOL_VERSION = __version__  # what the exports name as their producer


@dataclass(frozen=True)
class View:
    """What an exporter renders: the dataset, the selected events and output settings."""

    dataset: Dataset
    events: tuple[Event, ...]
    color: bool = False
    width: int = 100
    highlight: tuple[str, ...] = ()
    title: str = "Kazakhstan–Turkmenistan relations"
    options: dict[str, str] = field(default_factory=dict)


def dumps(value: object, *, pretty: bool = True, spaced: bool = False) -> str:
    """The one JSON writer: every JSON and JSON Lines text the tool writes comes from here. Keys in their
    given order, letters of any script as they are, and every unsafe character (C0 and C1 controls, soft
    hyphen, bidi controls, lone surrogates...) as a ``\\uXXXX`` escape, so that a strict parser reads back
    the very string (see :func:`~kztm_timeline.text.escape_json`).

    ``pretty``: indented by two spaces; otherwise one line, with ``,`` and ``:`` between items, or with
    ``spaced``, ``, `` and ``: `` (the lines of the JSON array of events)."""
    if pretty:
        text = json.dumps(value, ensure_ascii=False, indent=2)
    elif spaced:
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return escape_json(text)


def count_events(count: int) -> str:
    """``1 event``, ``2 events``."""
    return f"{count} event" if count == 1 else f"{count} events"


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def event_json(dataset: Dataset, event: Event) -> dict[str, object]:
    """One event in the documented JSON shape. Key order is part of the contract."""
    info = KINDS[event.kind]
    return {
        "id": event.id,
        "date": event.date.text,
        "start": iso(event.date.first),
        "end": iso(event.date.last),
        "precision": event.date.precision.value,
        "qualifier": None if event.date.qualifier is None else event.date.qualifier.value,
        "display_date": display(event.date),
        "title": event.title,
        "kind": event.kind.value,
        "cameo": info.cameo,
        "plover": {"event": info.plover_event, "mode": info.plover_mode or None, "context": info.plover_context},
        "status": event.status.value,
        "summary": event.summary,
        "note": event.note,
        "actors": [
            {"id": participant.actor, "name": dataset.actor_by_id[participant.actor].name, "role": participant.role}
            for participant in event.participants
        ],
        "place": event.place,
        "topics": list(event.topics),
        "sources": [citation_json(dataset, citation) for citation in event.citations],
        "related": [{"id": relation.event, "relation": relation.relation} for relation in event.related],
        "referenced_by": [{"id": other.id, "relation": relation} for other, relation in dataset.referenced_by(event)],
    }


def citation_json(dataset: Dataset, citation: Citation) -> dict[str, object]:
    """One citation of an event: the source's id, headline and publisher, the quote, the page's address (null
    for an article kept with the data), the quote's language (its source's) and its translation into English
    (null for a quote in English)."""
    source = dataset.source_by_id[citation.source]
    return {
        "source": citation.source,
        "title": source.title,
        "publisher": source.publisher,
        "quote": citation.quote,
        "url": source.url,
        "language": source.language,
        "translation": citation.translation,
    }


def participants_text(dataset: Dataset, event: Event, *, roles: bool = True, separator: str = ", ") -> str:
    """``Kassym-Jomart Tokayev (caller), Serdar Berdimuhamedov (callee)``: names in the event's order."""
    return separator.join(
        dataset.actor_by_id[p.actor].name + (f" ({p.role})" if roles else "") for p in event.participants
    )


def position_text(position: Position) -> str:
    """An office as the sources attest it, not as a term of office: "President of Kazakhstan (in sources of
    Oct 2021 to Aug 2024)"; a span is read at most to the month."""
    span = position.span
    if span is None or (span.first is None and span.last is None):
        return f"{position.title} (no date in the sources)"

    def month(day: date | None, simple: SimpleDate | None) -> str:
        if day is None:
            return "…"
        return str(day.year) if simple is not None and simple.precision is Precision.YEAR else month_text(day)

    first = month(span.first, span.start)
    last = month(span.last, span.end if span.is_interval else span.start)
    attested = first if first == last else f"{first} to {last}"
    return f"{position.title} (in sources of {attested})"


def participant_text(dataset: Dataset, actor_id: str, role: str) -> str:
    """A participant as ``show`` names one: "Kassym-Jomart Tokayev (participant), President of Kazakhstan (in
    sources of Oct 2021 to Aug 2024)"."""
    actor = dataset.actor_by_id[actor_id]
    return ", ".join([f"{actor.name} ({role})", *(position_text(position) for position in actor.positions)])


def actors_json(dataset: Dataset) -> list[dict[str, object]]:
    by_actor, _ = citing_counts(dataset)
    return [
        {
            "id": actor.id,
            "name": actor.name,
            "type": actor.type,
            "country": actor.country,
            "variants": list(actor.variants),
            "positions": [
                {"title": position.title, "span": None if position.span is None else position.span.text}
                for position in actor.positions
            ],
            "events": by_actor[actor.id],
        }
        for actor in dataset.actors
    ]


def sources_json(dataset: Dataset) -> list[dict[str, object]]:
    _, by_source = citing_counts(dataset)
    return [
        {
            "id": source.id,
            "corpus": source.corpus,
            "file": source.file,
            "url": source.url,
            "title": source.title,
            "publisher": source.publisher,
            "published": None if source.published is None else source.published.text,
            "language": source.language,
            "retrieved": None if source.retrieved is None else source.retrieved.text,
            "archive_url": source.archive_url,
            "events": by_source[source.id],
            "path": None if source.file is None else os.path.abspath(resolve_source_path(dataset.path, source.file)),
        }
        for source in dataset.sources
    ]


def heading_of(event: Event) -> str:
    """The heading an event is grouped under: the year of its first day; for a date open (or unknown) at its
    start, what is known of it: "Before 16 May 2023", "Before c. 2021"."""
    if event.date.first is None:
        return f"Before {display_end(event.date)}"
    return str(event.date.first.year)


OPEN_START = "open_start"  # the key under which events open at their start are counted when no bound says more


def stats_json(counts: Tally, query: Query | None = None) -> dict[str, dict[str, int]]:
    """Events by year, kind, actor, topic and status (from :func:`~kztm_timeline.query.tally`): each
    ordered by count (descending), then by name; years in calendar order, every year from the first to the
    last counted (and every year asked for) included, empty ones with 0.

    An event is counted once, under the first year of its span inside the query's date bounds; so an event
    that began in 2020 and ran into 2021 counts under 2021 for the year 2021 with overlapping dates. An event with
    an open start and no lower bound to clip it has no year of its own: ``by_year`` holds years only, and
    such events are counted under ``without_year``'s ``open_start`` (0 when there are none).
    """
    window = None if query is None else query.window()
    low = date.min if window is None else window[0]
    by_year: Counter[int] = Counter()
    open_start = 0
    for first, count in counts.firsts.items():
        if first is None and low == date.min:
            open_start += count
        else:
            by_year[max(first or date.min, low).year] += count
    years = list(by_year)
    asked = list(query.years) if query is not None else []
    if years or asked:
        axis = range(min(years + asked), max(years + asked) + 1)
        if window is not None:
            axis = range(max(axis.start, window[0].year), min(axis.stop, window[1].year + 1))
        calendar = {str(year): by_year.get(year, 0) for year in axis}
    else:
        calendar = {}

    def ordered(name: str) -> dict[str, int]:
        found = counts.keys.get(name, {})
        return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))

    return {
        "by_year": calendar,
        "without_year": {OPEN_START: open_start},
        "by_kind": ordered("kind"),
        "by_actor": ordered("actor"),
        "by_topic": ordered("topic_name"),
        "by_status": ordered("status"),
    }


def stats_rows(found: dict[str, dict[str, int]]) -> list[dict[str, object]]:
    """The counts of :func:`stats_json` as flat records (``--format csv``/``jsonl``): group, key, count."""
    return [
        {"group": group.removeprefix("by_"), "key": key, "count": count}
        for group, counts in found.items()
        for key, count in counts.items()
    ]


def citing_counts(dataset: Dataset) -> tuple[dict[str, int], dict[str, int]]:
    """How many events name each actor, and how many cite each source (every id present, zero included)."""
    by_actor = dict.fromkeys(dataset.actor_by_id, 0)
    by_source = dict.fromkeys(dataset.source_by_id, 0)
    for event in dataset.events:
        for actor_id in {participant.actor for participant in event.participants}:
            by_actor[actor_id] = by_actor.get(actor_id, 0) + 1
        for source_id in {citation.source for citation in event.citations}:
            by_source[source_id] = by_source.get(source_id, 0) + 1
    return by_actor, by_source


_ACTING = {"visitor", "caller", "organiser"}
_RECEIVING = {"host", "callee"}


def sides(dataset: Dataset, event: Event) -> tuple[list[Actor], list[Actor]]:
    """The PLOVER actor and recipient entities of ``event``, as the manual's CONSULT section has them: the visitor
    (or caller, or organiser) is the actor and the host (or callee) the recipient; where no side is distinguished,
    every participant is an actor and there is no recipient. Honorees are neither. (The validator makes sure an
    event has a participant who is not an honoree.)"""
    people = [(dataset.actor_by_id[p.actor], p.role) for p in event.participants if p.role != "honoree"]
    receiving = [actor for actor, role in people if role in _RECEIVING]
    others = [actor for actor, role in people if role not in _RECEIVING]
    if not receiving or not others:
        return [actor for actor, _ in people], []
    acting = [actor for actor, role in people if role in _ACTING] or others
    return acting, receiving


def plan_json(plan: PlanState) -> dict[str, object]:
    """One plan and its state, as ``timeline plans`` prints it in JSON."""
    return {
        "id": plan.event.id,
        "date": plan.event.date.text,
        "display_date": display(plan.event.date),
        "latest": iso(plan.latest),
        "due": iso(plan.due),
        "title": plan.event.title,
        "state": plan.state,
        "outcomes": [{"id": other, "relation": relation} for other, relation in plan.outcomes],
        "no_outcome_found": None
        if plan.searched is None
        else {"as_of": iso(plan.searched.as_of.first), "corpus": plan.searched.corpus, "note": plan.searched.note},
    }
