"""The validated data model: frozen dataclasses, no I/O."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, overload

from .edtf import EdtfDate
from .vocab import Kind, Status


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
    sector: str | None = None

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
    evidence: str | None = None


class Memos(Protocol):
    """Values worked out from every event while a dataset is read (``validate``'s verdict), which the
    cache keeps for later runs (see ``Events.memo``). ``mark``: where the event's date is written (line
    and column), when the reader knows it."""

    def add(self, event: Event, mark: tuple[int, int] | None) -> None: ...

    def values(self) -> Mapping[str, str]: ...

    def inserted(
        self, kept: Mapping[str, str], line: int, lines: int, position_of: Callable[[str], int | None]
    ) -> Mapping[str, str]:
        """``kept`` (the values of a file) once the events added here were inserted at ``line``, ``lines``
        lines long; ``position_of`` gives an event's place in the new file. Values it cannot bring up to
        date are left out (they are worked out again when asked)."""
        ...

    def refreshed(
        self,
        kept: Mapping[str, str],
        removed: Sequence[Event],
        line_of: Callable[[int], int | None],
        position_of: Callable[[str], int | None],
    ) -> Mapping[str, str]:
        """``kept`` (the values of a file) once the file changed by hand: the events added here replaced
        ``removed``, and each old line is now at ``line_of`` (None for a line of an event that went).
        Values it cannot bring up to date are left out."""
        ...


@dataclass(frozen=True, slots=True)
class Prefilter:
    """What a query asks of every event, so that an event collection can skip the rest without decoding them.

    ``window`` is None when the query has no date bounds. ``keys`` maps an index
    name (``kind``, ``status``, ``actor``, ``topic``, ``place_run``) to the values wanted; a
    name that is absent is not filtered on. ``words``: the search texts, as
    folded words that must all occur in an event's searchable text (any text may match). A collection may return more events
    than match (the query checks every condition again), never fewer, so it may
    ignore any index it does not keep.
    """

    window: tuple[date, date] | None = None
    keys: Mapping[str, frozenset[str]] = field(default_factory=dict)
    words: tuple[tuple[str, ...], ...] = ()  # --search: any of these, each all of its (folded) words


@dataclass(frozen=True)
class Tally:
    """Counts over a selection of events, for ``stats``: how many begin on each first day (None for an
    open start), and per index (kind, status, actor, topic_name) how many events carry each key."""

    firsts: Mapping[date | None, int]
    keys: Mapping[str, Mapping[str, int]]


class Events(Sequence[Event]):
    """A dataset's events in file order, with the lookups a query needs.

    :class:`EventList` holds them in memory; the parse cache's collection
    decodes them on demand and answers :meth:`candidates` from its indexes.
    """

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
        """The events that may meet ``prefilter`` (a superset is allowed), in file order."""

    @abstractmethod
    def at(self, position: int) -> Event:
        """The event at ``position`` (0 ≤ position < len)."""

    def with_prefix(self, prefix: str) -> list[Event]:
        """The events whose id starts with ``prefix`` (none for an empty prefix), in file order."""
        return [event for event in self if prefix and event.id.startswith(prefix)]

    def ordered(self, prefilter: Prefilter, *, reverse: bool = False) -> Iterator[Event] | None:  # noqa: ARG002 - for stores
        """The candidates of ``prefilter`` by first day then id, read as they are needed; None when this
        collection cannot give them in that order without reading them all (then the caller sorts)."""
        return None

    def contract_lines(
        self, prefilter: Prefilter, dataset: Dataset, *, reverse: bool = False  # noqa: ARG002 - for stores
    ) -> Iterator[str] | None:
        """Each matching event's contract JSON (one line of the JSON format) by first day then id, as a
        store kept it; None when this collection keeps none (then the caller encodes the events)."""
        return None

    def tally(self, prefilter: Prefilter) -> Tally | None:  # noqa: ARG002 - for stores
        """The :class:`Tally` of exactly the events that meet ``prefilter``, counted where they are stored;
        None when this collection cannot count without reading them (then the caller counts)."""
        return None

    def unresolved_plans(
        self, before: date, outcomes: tuple[str, ...], limit: int  # noqa: ARG002 - for stores
    ) -> tuple[list[Event], int] | None:
        """The first ``limit`` planned events (file order) whose last day comes before ``before`` and that no
        event links to with one of the ``outcomes`` relations, and how many there are in all; None when
        this collection cannot tell without reading every plan (then the caller does)."""
        return None

    def memo(self, key: str, compute: Callable[[], str]) -> str:  # noqa: ARG002 - the key is for stores
        """``compute()``; a collection backed by a store may keep the value there for the next run."""
        return compute()

    @overload
    def __getitem__(self, position: int) -> Event: ...

    @overload
    def __getitem__(self, position: slice) -> Sequence[Event]: ...

    def __getitem__(self, position: int | slice) -> Event | Sequence[Event]:
        if isinstance(position, slice):
            return [self.at(number) for number in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(position)
        return self.at(position)

    def __iter__(self) -> Iterator[Event]:
        return (self.at(number) for number in range(len(self)))


class EventList(Events):
    """Events held in memory, as the validator builds them."""

    def __init__(self, events: Iterable[Event]) -> None:
        self._events = tuple(events)
        self._by_id = {event.id: event for event in self._events}
        found: dict[str, list[tuple[str, str]]] = {}
        for event in self._events:
            for relation in event.related:
                found.setdefault(relation.event, []).append((event.id, relation.relation))
        self._referrers = {key: tuple(value) for key, value in found.items()}
        self._memo: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._events)

    def at(self, position: int) -> Event:
        return self._events[position]

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    @property
    def by_id(self) -> Mapping[str, Event]:
        return self._by_id

    @property
    def referrers(self) -> Mapping[str, tuple[tuple[str, str], ...]]:
        return self._referrers

    def memo(self, key: str, compute: Callable[[], str]) -> str:
        """``compute()``, worked out once per run (the parse cache keeps it across runs)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def candidates(self, prefilter: Prefilter) -> Iterator[Event]:
        """All events inside the date window (no other index is kept in memory)."""
        if prefilter.window is None:
            return iter(self._events)
        start, end = prefilter.window
        return (event for event in self._events if event.date.span[0] <= end and event.date.span[1] >= start)


@dataclass(frozen=True, slots=True)
class Dataset:
    """Sources, actors and events, with lookups by id. ``path`` is the data file."""

    path: str
    sources: tuple[Source, ...]
    actors: tuple[Actor, ...]
    events: Events
    source_by_id: dict[str, Source] = field(init=False, repr=False, compare=False)
    actor_by_id: dict[str, Actor] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "source_by_id", {source.id: source for source in self.sources})
        object.__setattr__(self, "actor_by_id", {actor.id: actor for actor in self.actors})

    @property
    def event_by_id(self) -> Mapping[str, Event]:
        return self.events.by_id

    @property
    def referrers(self) -> Mapping[str, tuple[tuple[str, str], ...]]:
        return self.events.referrers

    def referenced_by(self, event: Event) -> list[tuple[Event, str]]:
        """Events whose ``related`` names ``event``, with the relation they give."""
        return [(self.event_by_id[other], relation) for other, relation in self.referrers.get(event.id, ())]
