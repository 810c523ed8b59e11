"""Counts of events by year, kind, actor, topic and status."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .model import Event
from .present import year_of


def stats(events: Sequence[Event]) -> dict[str, dict[str, int]]:
    """Each mapping ordered by count (descending), then by name; years in calendar order."""
    by_year = Counter(year_of(event) for event in events)
    by_kind = Counter(event.kind.value for event in events)
    by_actor = Counter(participant.actor for event in events for participant in {p.actor: p for p in event.participants}.values())
    by_topic = Counter(topic for event in events for topic in set(event.topics))
    by_status = Counter(event.status.value for event in events)

    def ordered(counter: Counter[str]) -> dict[str, int]:
        return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))

    return {
        "by_year": dict(sorted(by_year.items())),
        "by_kind": ordered(by_kind),
        "by_actor": ordered(by_actor),
        "by_topic": ordered(by_topic),
        "by_status": ordered(by_status),
    }
