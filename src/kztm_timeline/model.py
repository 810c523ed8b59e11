"""The validated data model: frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from .edtf import EdtfDate
from .kinds import Kind, Status


@dataclass(frozen=True)
class Source:
    id: str
    file: str
    title: str
    publisher: str
    published: EdtfDate | None
    note: str | None = None


@dataclass(frozen=True)
class Position:
    title: str
    span: EdtfDate | None


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Participant:
    actor: str
    role: str


@dataclass(frozen=True)
class Citation:
    source: str
    quote: str


@dataclass(frozen=True)
class Relation:
    event: str
    relation: str


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Dataset:
    """Sources, actors and events, with lookups by id. ``path`` is the data file."""

    path: str
    sources: tuple[Source, ...]
    actors: tuple[Actor, ...]
    events: tuple[Event, ...]
    source_by_id: dict[str, Source] = field(init=False, repr=False, compare=False)
    actor_by_id: dict[str, Actor] = field(init=False, repr=False, compare=False)
    event_by_id: dict[str, Event] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "source_by_id", {source.id: source for source in self.sources})
        object.__setattr__(self, "actor_by_id", {actor.id: actor for actor in self.actors})
        object.__setattr__(self, "event_by_id", {event.id: event for event in self.events})
