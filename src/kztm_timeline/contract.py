"""The JSON contract (events, actors, sources as ordered mappings) and what every exporter is given (View)."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from . import __version__
from .datafile.fs import resolve_source_path
from .edtf import display
from .errors import UsageError
from .model import Actor, Dataset, Event, Tally
from .query import PlanState, Query
from .text import escape_json, shown
from .vocab import KINDS

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


EVENT_FIELDS = (
    "id",
    "date",
    "start",
    "end",
    "precision",
    "qualifier",
    "display_date",
    "title",
    "kind",
    "cameo",
    "plover",
    "status",
    "summary",
    "note",
    "actors",
    "place",
    "topics",
    "sources",
    "related",
    "referenced_by",
)
ACTOR_FIELDS = ("id", "name", "type", "country", "variants", "positions", "events")
SOURCE_FIELDS = ("id", "file", "title", "publisher", "published", "events", "path")
PLAN_FIELDS = ("id", "date", "display_date", "latest", "title", "state", "outcomes")
STATS_FIELDS = ("group", "key", "count")


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
        "sources": [
            {
                "source": citation.source,
                "title": dataset.source_by_id[citation.source].title,
                "publisher": dataset.source_by_id[citation.source].publisher,
                "quote": citation.quote,
            }
            for citation in event.citations
        ],
        "related": [{"id": relation.event, "relation": relation.relation} for relation in event.related],
        "referenced_by": [{"id": other.id, "relation": relation} for other, relation in dataset.referenced_by(event)],
    }


def participants_text(dataset: Dataset, event: Event, *, roles: bool = True, separator: str = ", ") -> str:
    """``Kassym-Jomart Tokayev (caller), Serdar Berdimuhamedov (callee)``: names in the event's order."""
    return separator.join(
        dataset.actor_by_id[p.actor].name + (f" ({p.role})" if roles else "") for p in event.participants
    )


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
            "file": source.file,
            "title": source.title,
            "publisher": source.publisher,
            "published": None if source.published is None else source.published.text,
            "events": by_source[source.id],
            "path": os.path.abspath(resolve_source_path(dataset.path, source.file)),
        }
        for source in dataset.sources
    ]


def year_of(event: Event) -> str:
    """The year heading an event is grouped under: its first day's, or '…' when open."""
    return "…" if event.date.first is None else str(event.date.first.year)


OPEN_START = "…"  # the year key of events with an open start (``../2021``) when no bound says more


def stats_json(counts: Tally, query: Query | None = None) -> dict[str, dict[str, int]]:
    """Events by year, kind, actor, topic and status (from :func:`~kztm_timeline.query.tally`): each
    ordered by count (descending), then by name; years in calendar order, every year from the first to the
    last counted (and every year asked for) included, empty ones with 0.

    An event is counted once, under the first year of its span inside the query's date bounds; so
    ``--year 2021`` counts only 2021, and an event that began in 2020 and ran into 2021 counts there.
    An event with an open start and no lower bound to clip it is counted under "…", first.
    """
    window = None if query is None else query.window()
    low = date.min if window is None else window[0]
    by_year: Counter[str] = Counter()
    for first, count in counts.firsts.items():
        if first is None and low == date.min:
            by_year[OPEN_START] += count
        else:
            by_year[str(max(first or date.min, low).year)] += count
    years = [int(year) for year in by_year if year != OPEN_START]
    asked = list(query.years) if query is not None else []
    if years or asked:
        axis = range(min(years + asked), max(years + asked) + 1)
        if window is not None:
            axis = range(max(axis.start, window[0].year), min(axis.stop, window[1].year + 1))
        calendar = {str(year): by_year.get(str(year), 0) for year in axis}
    else:
        calendar = {}
    if OPEN_START in by_year:
        calendar = {OPEN_START: by_year[OPEN_START], **calendar}

    def ordered(name: str) -> dict[str, int]:
        found = counts.keys.get(name, {})
        return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))

    return {
        "by_year": calendar,
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
    """The source and recipient actors of ``event`` (the validator makes sure there is a source)."""
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
        "title": plan.event.title,
        "state": plan.state,
        "outcomes": [{"id": other, "relation": relation} for other, relation in plan.outcomes],
    }


# ---------------------------------------------------------------- picking fields


def pick_fields(asked: str, available: Sequence[str]) -> tuple[str, ...]:
    """The fields of a comma-separated list ``a,b,c``, in the order asked; an unknown one is a UsageError
    naming the closest known ones, and then all of them."""
    import difflib

    wanted = tuple(name.strip() for name in asked.split(",") if name.strip())
    if not wanted:
        raise UsageError(f"no field names given; choose from: {', '.join(available)}")
    for name in wanted:
        if name not in available:
            close = difflib.get_close_matches(name, available, n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise UsageError(f"no field {shown(name)}; {hint}choose from: {', '.join(available)}")
    return wanted


def only_fields(record: dict[str, object], fields: Sequence[str] | None) -> dict[str, object]:
    """``record`` with just ``fields``, in that order (all of it when ``fields`` is None)."""
    if fields is None:
        return record
    return {name: record[name] for name in fields}


def cell(value: object) -> str:
    """A JSON value as one cell of CSV or of a table: lists joined by "; ", an object by its id (or its
    values joined by "/"), null as the empty string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(cell(item) for item in value)
    if isinstance(value, dict):
        for key in ("id", "source"):
            if key in value:
                return cell(value[key])
        return "/".join(cell(item) for item in value.values() if item is not None)
    return str(value)
