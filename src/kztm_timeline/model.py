"""The validated data model: frozen dataclasses, no I/O."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from .edtf import EdtfDate
from .kinds import Kind, Status


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    file: str
    title: str
    publisher: str
    published: EdtfDate | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Position:
    title: str
    span: EdtfDate | None


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    type: str
    country: str | None
    variants: tuple[str, ...]
    positions: tuple[Position, ...] = ()
    note: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name first, then every variant."""
        return (self.name, *self.variants)


@dataclass(frozen=True, slots=True)
class Participant:
    actor: str
    role: str


@dataclass(frozen=True, slots=True)
class Citation:
    source: str
    quote: str


@dataclass(frozen=True, slots=True)
class Relation:
    event: str
    relation: str


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    date: EdtfDate
    title: str
    kind: Kind
    status: Status
    participants: tuple[Participant, ...]
    place: str | None
    topics: tuple[str, ...]
    summary: str
    citations: tuple[Citation, ...]
    related: tuple[Relation, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Prefilter:
    """What a query asks of every event, for a store to skip the rest without decoding them.

    Each field is None when the query does not filter on it. ``topics`` are folded
    (``query.fold``). A store may return more events than match; never fewer.
    """

    window: tuple[date, date] | None = None
    kinds: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    actors: frozenset[str] | None = None
    topics: frozenset[str] | None = None


class EventStore(Sequence[Event]):
    """Events decoded on demand (from the parse cache), with the lookups a Dataset needs."""

    @property
    @abstractmethod
    def by_id(self) -> Mapping[str, Event]:
        """Events by id."""

    @property
    @abstractmethod
    def referrers(self) -> Mapping[str, tuple[tuple[str, str], ...]]:
        """For each event id, the (id, relation) of every event whose ``related`` names it."""

    @abstractmethod
    def candidates(self, prefilter: Prefilter) -> Iterator[Event]:
        """The events that may meet ``prefilter`` (a superset is allowed), in order, decoding only those."""


def _referrers(events: Sequence[Event]) -> dict[str, tuple[tuple[str, str], ...]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for event in events:
        for relation in event.related:
            found.setdefault(relation.event, []).append((event.id, relation.relation))
    return {key: tuple(value) for key, value in found.items()}


@dataclass(frozen=True, slots=True)
class Dataset:
    """Sources, actors and events, with lookups by id. ``path`` is the data file.

    ``events`` is a tuple, or an EventStore that decodes events only when asked.
    """

    path: str
    sources: tuple[Source, ...]
    actors: tuple[Actor, ...]
    events: Sequence[Event]
    source_by_id: dict[str, Source] = field(init=False, repr=False, compare=False)
    actor_by_id: dict[str, Actor] = field(init=False, repr=False, compare=False)
    event_by_id: Mapping[str, Event] = field(init=False, repr=False, compare=False)
    referrers: Mapping[str, tuple[tuple[str, str], ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "source_by_id", {source.id: source for source in self.sources})
        object.__setattr__(self, "actor_by_id", {actor.id: actor for actor in self.actors})
        if isinstance(self.events, EventStore):
            object.__setattr__(self, "event_by_id", self.events.by_id)
            object.__setattr__(self, "referrers", self.events.referrers)
        else:
            object.__setattr__(self, "event_by_id", {event.id: event for event in self.events})
            object.__setattr__(self, "referrers", _referrers(self.events))

    def candidates(self, prefilter: Prefilter) -> Iterator[Event]:
        """Events that may meet ``prefilter``: from a store, only those its indexes allow; otherwise all of them
        inside the date window (the query checks every condition again)."""
        if isinstance(self.events, EventStore):
            return self.events.candidates(prefilter)
        if prefilter.window is None:
            return iter(self.events)
        start, end = prefilter.window
        return (
            event
            for event in self.events
            if (event.date.first or date.min) <= end and (event.date.last or date.max) >= start
        )
