"""The validated data model: frozen dataclasses, no I/O."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol, overload

from .edtf import EdtfDate
from .vocab import Kind, Status


@dataclass(frozen=True, slots=True)
class Source:
    """An article kept with the data (``file``) or a web page (``url``), which the data cites. Every source
    belongs to a named ``corpus``; a page's text is never kept, only where and when it was read."""

    id: str
    file: str | None
    title: str
    publisher: str
    published: EdtfDate | None
    note: str | None = None
    url: str | None = None  # a web page's address
    language: str = "en"  # BCP 47 (en, ru, kk-Cyrl …)
    retrieved: EdtfDate | None = None
    archive_url: str | None = None
    corpus: str = "seeds"

    @property
    def is_web(self) -> bool:
        """A web page, whose quotes only the online ``timeline sources check`` can verify."""
        return self.url is not None

    @property
    def english(self) -> bool:
        """Whether its language is English (``en``, ``en-GB``…): its quotes need no translation."""
        return self.language.split("-")[0].lower() == "en"


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
    views: tuple[tuple[str, Actor], ...] = ()  # (corpus, the actor as that corpus alone tells it): ``in_corpus``

    def view(self, corpus: str) -> Actor:
        """The actor as ``corpus`` alone tells it: its own view where it has one (without views), else itself."""
        found = next((told for name, told in self.views if name == corpus), None)
        return self if found is None else replace(found, views=())

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
    translation: str | None = None  # the quote in English, in our words, when the source is in another language


@dataclass(frozen=True, slots=True)
class Relation:
    event: str
    relation: str
    alias: str | None = None  # the old id (an ``aliases`` entry of ``event``) the link was written with, if any


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
    aliases: tuple[str, ...] = ()  # ids the event had before it was renamed
    no_outcome: NoOutcome | None = None  # a plan whose outcome a corpus was searched for, and not found
    views: tuple[tuple[str, Event], ...] = ()  # (corpus, the event as that corpus alone tells it): ``in_corpus``

    def inferred_date(self) -> tuple[str, str, str] | None:
        """(id, date as written, note) if the date's evidence is inferred (a strict validation lists these), else None."""
        return (self.id, self.date.text, self.note or "") if self.evidence == "inferred" else None

    def view(self, corpus: str) -> Event:
        """The event as ``corpus`` alone tells it: its own view where it has one, else itself."""
        return next((told for name, told in self.views if name == corpus), self)


@dataclass(frozen=True, slots=True)
class NoOutcome:
    """What a search of one corpus for a plan's outcome found: nothing, as of a day (``no_outcome_found``)."""

    as_of: EdtfDate
    corpus: str
    note: str


class Memos(Protocol):
    """Values worked out from every event while a dataset is read (``validate``'s verdict), which the
    cache keeps for later runs (see ``Events.memo``). ``mark``: where the event's date is written (line
    and column), when the reader knows it."""

    def add(self, event: Event, mark: tuple[int, int] | None) -> None: ...

    def values(self) -> Mapping[str, str]: ...

    def inserted(self, kept: Mapping[str, str], line: int, lines: int) -> Mapping[str, str]:
        """``kept`` (the values of a file) once the events added here were inserted at ``line``, ``lines``
        lines long. Values it cannot bring up to date are left out (they are worked out again when asked)."""
        ...

    def refreshed(
        self, kept: Mapping[str, str], removed: Sequence[Event], line_of: Callable[[int], int | None]
    ) -> Mapping[str, str]:
        """``kept`` (the values of a file) once the file changed by hand: the events added here replaced
        ``removed``, and each old line is now at ``line_of`` (None for a line of an event that went). Values it
        cannot bring up to date are left out."""
        ...


class Progress(Protocol):
    """Hears how far a long piece of work has come (the command line draws it as a bar at a terminal).
    ``begin`` starts a step: what it is, how much there is to do (None when unknown), and in what unit
    (``bytes``, ``events``); ``advance`` says how much of it is done so far."""

    def begin(self, what: str, total: int | None, unit: str) -> None: ...

    def advance(self, done: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Prefilter:
    """What a query asks of every event, so that an event collection can skip the rest without decoding them.

    ``window`` is None when the query has no date bounds; with ``within``, only the events whose whole date
    (first to last day, an open end reaching the calendar's limit) lies inside it may meet the query, else
    every event whose date overlaps it. ``keys`` maps an index
    name (``kind``, ``status``, ``actor``, ``topic``, ``place_run``, ``source``) to the values wanted; a
    name that is absent is not filtered on. ``words``: the search texts (any text may match), each as its
    terms, which must all occur in an event's searchable text; a term is met by any of its spellings, and a
    spelling by all of its folded words. A collection may return more events than match (the query checks
    every condition again), never fewer, so it may ignore any index it does not keep.
    """

    window: tuple[date, date] | None = None
    keys: Mapping[str, frozenset[str]] = field(default_factory=dict)
    words: tuple[tuple[tuple[tuple[str, ...], ...], ...], ...] = ()  # texts (any) > terms (all) > spellings (any) > words
    within: bool = False


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

    def alias_of(self, identifier: str) -> str | None:
        """The id of the event that had ``identifier`` as an old id (``aliases``), or None."""
        return next((event.id for event in self if identifier in event.aliases), None)

    def renamed_links(self) -> list[tuple[str, str, str]]:
        """Every link written with an old id: (the linking event's id, the old id, the id it now is)."""
        return [
            (event.id, relation.alias, relation.event) for event in self for relation in event.related if relation.alias
        ]

    def ordered(self, prefilter: Prefilter, *, reverse: bool = False) -> Iterator[Event] | None:  # noqa: ARG002 - for stores
        """The candidates of ``prefilter`` in the order of ``query.order_key``, read as they are needed; None when this
        collection cannot give them in that order without reading them all (then the caller sorts)."""
        return None

    def contract_lines(
        self, prefilter: Prefilter, dataset: Dataset, *, reverse: bool = False  # noqa: ARG002 - for stores
    ) -> Iterator[str] | None:
        """Each matching event's contract JSON (one line of the JSON format) in ``query.order_key`` order, as a
        store kept it; None when this collection keeps none (then the caller encodes the events)."""
        return None

    def tally(self, prefilter: Prefilter) -> Tally | None:  # noqa: ARG002 - for stores
        """The :class:`Tally` of exactly the events that meet ``prefilter``, counted where they are stored;
        None when this collection cannot count without reading them (then the caller counts)."""
        return None

    def unresolved_plans(
        self, before: date, outcomes: tuple[str, ...], limit: int  # noqa: ARG002 - for stores
    ) -> tuple[list[Event], int] | None:
        """The first ``limit`` planned events (file order) whose due day (``query.due_date``) comes before
        ``before`` and that no event links to with one of the ``outcomes`` relations, and how many there are in all; None when
        this collection cannot tell without reading every plan (then the caller does)."""
        return None

    def inferred_dates(self) -> list[tuple[str, str, str]]:
        """The events whose date's evidence is inferred, as a strict validation lists them: (id, date as written,
        note), in file order."""
        return [entry for entry in (event.inferred_date() for event in self) if entry is not None]

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
        self._aliases: dict[str, str] | None = None

    def __len__(self) -> int:
        return len(self._events)

    def alias_of(self, identifier: str) -> str | None:
        if self._aliases is None:
            self._aliases = {alias: event.id for event in self._events for alias in event.aliases}
        return self._aliases.get(identifier)

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
        """All events inside (or, without ``within``, overlapping) the date window (no other index is kept in memory)."""
        if prefilter.window is None:
            return iter(self._events)
        start, end = prefilter.window
        if prefilter.within:
            return (event for event in self._events if event.date.span[0] >= start and event.date.span[1] <= end)
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


class CorpusEvents(Events):
    """The events of a dataset as one corpus tells them: those citing at least one of the ``sources`` (the
    corpus's source ids), each with only those citations and only its links to events that are kept too.
    Lookups go to the whole collection (``inner``), which the cache may answer from its indexes: its
    ``source`` index keeps the candidates to the corpus's events. Nothing is kept in a store (``memo``)."""

    def __init__(self, inner: Events, sources: frozenset[str], corpus: str = "") -> None:
        self._inner = inner
        self._sources = sources
        self._corpus = corpus  # an event's view of this name (``in_corpus``) is how the corpus tells it
        self._viewed: bool | None = None  # whether any event of the corpus has such a view
        self._members: list[Event] | None = None
        self._kept: dict[str, bool] = {}
        self._by_id: dict[str, Event] | None = None
        self._referrers: dict[str, tuple[tuple[str, str], ...]] | None = None

    def _cites(self, event: Event) -> bool:
        return any(citation.source in self._sources for citation in event.citations)

    def _keeps(self, identifier: str) -> bool:
        """Whether the event of this id (of the whole collection) belongs to the corpus."""
        if identifier not in self._kept:
            event = self._inner.by_id.get(identifier)
            self._kept[identifier] = event is not None and self._cites(event)
        return self._kept[identifier]

    def told(self, event: Event) -> Event | None:
        """``event`` as the corpus tells it, or None when it cites none of the corpus's sources: its view for the
        corpus where it has one (``in_corpus``), with only the corpus's citations, its links to the corpus's events
        (by the ids the corpus gives them), and a search for its outcome only if it was a search of this corpus."""
        citations = tuple(citation for citation in event.citations if citation.source in self._sources)
        if not citations:
            return None
        base = event.view(self._corpus)
        related = tuple(self._told_link(relation) for relation in base.related if self._keeps(relation.event))
        no_outcome = base.no_outcome if base.no_outcome is None or base.no_outcome.corpus == self._corpus else None
        unchanged = base is event and not event.views and related == event.related and no_outcome is event.no_outcome
        if unchanged and len(citations) == len(event.citations):
            return event
        return replace(base, citations=citations, related=related, no_outcome=no_outcome, views=())

    def _told_link(self, relation: Relation) -> Relation:
        """A link by the id its target has in the corpus (a renamed event keeps its old id in its view)."""
        target = self._inner.by_id.get(relation.event)
        told = relation.event if target is None else target.view(self._corpus).id
        return relation if told == relation.event else replace(relation, event=told)

    @property
    def viewed(self) -> bool:
        """Whether an event of the corpus has a view for it: its dates and order may then differ from the whole
        collection's, so the collection's date index, order and counts cannot answer for it."""
        if self._viewed is None:
            self._viewed = any(
                name == self._corpus for event in self._inner.candidates(self._narrowed(Prefilter())) for name, _ in event.views
            )
        return self._viewed

    def _narrowed(self, prefilter: Prefilter) -> Prefilter:
        wanted = self._sources & prefilter.keys["source"] if "source" in prefilter.keys else self._sources
        return replace(prefilter, keys={**prefilter.keys, "source": wanted})

    def _told_all(self, events: Iterable[Event]) -> Iterator[Event]:
        for event in events:
            found = self.told(event)
            if found is not None:
                yield found

    def _all(self) -> list[Event]:
        if self._members is None:
            self._members = list(self._told_all(self._inner.candidates(self._narrowed(Prefilter()))))
        return self._members

    def __len__(self) -> int:
        return len(self._all())

    def at(self, position: int) -> Event:
        return self._all()[position]

    def __iter__(self) -> Iterator[Event]:
        return iter(self._all())

    @property
    def by_id(self) -> Mapping[str, Event]:
        if self._by_id is None:
            self._by_id = {event.id: event for event in self._all()}
        return self._by_id

    @property
    def referrers(self) -> Mapping[str, tuple[tuple[str, str], ...]]:
        if self._referrers is None:
            found: dict[str, list[tuple[str, str]]] = {}
            for event in self._all():
                for relation in event.related:
                    found.setdefault(relation.event, []).append((event.id, relation.relation))
            self._referrers = {key: tuple(value) for key, value in found.items()}
        return self._referrers

    def alias_of(self, identifier: str) -> str | None:
        """The id the corpus gives the event of ``identifier``: an old id of it, or (where the corpus keeps an
        old id of a renamed event in its view) its id in the whole collection."""
        found = self._inner.alias_of(identifier)
        if found is None and self._inner.by_id.get(identifier) is not None:
            found = identifier
        if found is None or not self._keeps(found):
            return None
        told = self._inner.by_id[found].view(self._corpus).id
        return None if told == identifier else told

    def renamed_links(self) -> list[tuple[str, str, str]]:
        return [link for link in self._inner.renamed_links() if self._keeps(link[0]) and self._keeps(link[2])]

    def candidates(self, prefilter: Prefilter) -> Iterator[Event]:
        if self.viewed:  # the window is read from the events as the corpus dates them, one by one
            prefilter = replace(prefilter, window=None)
        return self._told_all(self._inner.candidates(self._narrowed(prefilter)))

    def ordered(self, prefilter: Prefilter, *, reverse: bool = False) -> Iterator[Event] | None:
        if self.viewed:
            return None
        found = self._inner.ordered(self._narrowed(prefilter), reverse=reverse)
        return None if found is None else self._told_all(found)

    def tally(self, prefilter: Prefilter) -> Tally | None:
        """The whole collection's counts of the corpus's events (a corpus drops citations and links, which
        no count reads), unless the corpus dates some of them otherwise."""
        return None if self.viewed else self._inner.tally(self._narrowed(prefilter))
