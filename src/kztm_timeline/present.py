"""The JSON contract: one event as an ordered mapping. Every exporter starts here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .edtf import display
from .kinds import KINDS
from .model import Dataset, Event
from .query import referenced_by

CONTRACT_VERSION = 1


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


def count_events(count: int) -> str:
    """``1 event``, ``2 events``."""
    return f"{count} event" if count == 1 else f"{count} events"


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def event_record(dataset: Dataset, event: Event) -> dict[str, object]:
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
                "file": dataset.source_by_id[citation.source].file,
                "title": dataset.source_by_id[citation.source].title,
                "quote": citation.quote,
            }
            for citation in event.citations
        ],
        "related": [{"id": relation.event, "relation": relation.relation} for relation in event.related],
        "referenced_by": [{"id": other.id, "relation": relation} for other, relation in referenced_by(dataset, event)],
    }


def participants_text(dataset: Dataset, event: Event) -> str:
    return ", ".join(f"{dataset.actor_by_id[participant.actor].name} ({participant.role})" for participant in event.participants)


def year_of(event: Event) -> str:
    """The year heading an event is grouped under: its first day's, or '…' when open."""
    return "…" if event.date.first is None else str(event.date.first.year)


def event_counts(dataset: Dataset) -> tuple[dict[str, int], dict[str, int]]:
    by_actor: dict[str, int] = {}
    by_source: dict[str, int] = {}
    for event in dataset.events:
        for actor_id in {participant.actor for participant in event.participants}:
            by_actor[actor_id] = by_actor.get(actor_id, 0) + 1
        for source_id in {citation.source for citation in event.citations}:
            by_source[source_id] = by_source.get(source_id, 0) + 1
    return by_actor, by_source


def actor_records(dataset: Dataset) -> list[dict[str, object]]:
    by_actor, _ = event_counts(dataset)
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
            "events": by_actor.get(actor.id, 0),
        }
        for actor in dataset.actors
    ]


def source_records(dataset: Dataset) -> list[dict[str, object]]:
    _, by_source = event_counts(dataset)
    return [
        {
            "id": source.id,
            "file": source.file,
            "title": source.title,
            "publisher": source.publisher,
            "published": None if source.published is None else source.published.text,
            "events": by_source.get(source.id, 0),
        }
        for source in dataset.sources
    ]
