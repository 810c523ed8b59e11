"""Asking the dataset: dates as users type them, filters, lookups by id, and counts. Pure functions over the model."""

# Over the 500-line aim (about 690): splitting it needs a new top-level unit or a package, which moves every import of
# it; the next split is plans (due dates, states) into a module of their own.

from __future__ import annotations

import calendar
import difflib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from itertools import islice

from .edtf import EdtfError, day_text, display, parse_edtf
from .errors import LookupFailed, UsageError
from .model import Actor, CorpusEvents, Dataset, Event, NoOutcome, Prefilter, Source, Tally
from .text import contains_name, contains_words, fold, name_words, romanized, same_name, shown
from .vocab import KINDS, OUTCOMES, PLACE_NAMES, Kind, Status

Spelling = tuple[str, ...]  # the folded words of one way to write a name, which must all occur
Term = tuple[Spelling, ...]  # one thing searched for: any of its spellings

_ISO_RE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")


_AGO_RE = re.compile(r"([0-9]{1,4}) +(day|week|month|year)s? +ago")
_NAMED_RE = re.compile(r"(last|this) +(week|month|year)")


def relative_date_range(text: str, today: date) -> tuple[date, date] | None:
    """Dates as people say them, counted from ``today``: ``today``, ``yesterday``, ``N days ago`` (also
    weeks, months, years: one day), ``last year``, ``this month``, ``last week`` (a whole calendar year,
    month, or Monday-to-Sunday week). None for anything else."""
    from dateutil.relativedelta import relativedelta  # deferred: only these forms need it

    cleaned = " ".join(text.lower().split())
    if cleaned == "today":
        return today, today
    if cleaned == "yesterday":
        day = today - relativedelta(days=1)
        return day, day
    ago = _AGO_RE.fullmatch(cleaned)
    if ago is not None:
        count, unit = int(ago.group(1)), ago.group(2)
        try:
            day = today - relativedelta(**{f"{unit}s": count})  # type: ignore[arg-type]  # days, weeks, months or years
        except (ValueError, OverflowError):
            raise UsageError(f"{shown(text)} reaches before the year 1") from None
        return day, day
    named = _NAMED_RE.fullmatch(cleaned)
    if named is not None:
        back = 1 if named.group(1) == "last" else 0
        if named.group(2) == "year":
            return date(today.year - back, 1, 1), date(today.year - back, 12, 31)
        if named.group(2) == "month":
            first = today.replace(day=1) - relativedelta(months=back)
            return first, first + relativedelta(months=1, days=-1)
        monday = today - relativedelta(days=today.weekday(), weeks=back)
        return monday, monday + relativedelta(days=6)
    return None


def user_date_range(text: str, today: date | None = None) -> tuple[date, date]:
    """First and last day a user's date covers: "2022" is all of 2022, "Oct 2021" all of October,
    "last year" all of last year (see :func:`relative_date_range`; ``today`` defaults to the system's).

    ISO forms are read directly; anything else goes to python-dateutil, which is
    imported only here. A date without a year is refused rather than guessed.
    """
    cleaned = text.strip()
    if not _ISO_RE.fullmatch(cleaned):
        relative = relative_date_range(cleaned, today or date.today())
        if relative is not None:
            return relative
    if _ISO_RE.fullmatch(cleaned):
        try:
            return parse_edtf(cleaned).span
        except EdtfError as error:
            raise UsageError(f"{shown(text)} is not a valid date: {error}") from None
    from dateutil import parser  # deferred: costs start-up time on every other path

    try:
        low = parser.parse(cleaned, default=datetime(4, 1, 1))
        high = parser.parse(cleaned, default=datetime(8, 12, 31))
    except (ValueError, OverflowError):
        raise UsageError(
            f'{shown(text)} is not a date I can read; try 2021-10, "Oct 2021", "5 August 2024", "2 years ago" or "last year"'
        ) from None
    if low.year != high.year:
        raise UsageError(f"{shown(text)} has no year; add one, e.g. {shown(cleaned + ' 2024')}")
    return low.date(), high.date()


class Reach(StrEnum):
    """Which events a date range (``--year``, ``--since``, ``--until``) selects.

    ``within`` (the default): those whose whole date lies in the range, from its first day to its last (an
    open end reaches the calendar's limit, so ``2023-10/..`` lies within ``--since 2023`` but not within
    ``--year 2024``). ``overlapping`` (``--overlapping``): those too that only may fall in it, whose date
    overlaps the range without lying in it. ``partly``: only the latter (shown apart at a terminal)."""

    WITHIN = "within"
    OVERLAPPING = "overlapping"
    PARTLY = "partly"


@dataclass(frozen=True)
class Query:
    """What to select. Different filters combine with AND; repeated values of one filter are any-of."""

    years: tuple[int, ...] = ()
    since: date | None = None
    until: date | None = None
    kinds: tuple[Kind, ...] = ()
    actors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    statuses: tuple[Status, ...] = ()
    search: tuple[str, ...] = ()
    limit: int | None = None
    reverse: bool = False
    corpus: str | None = None  # applied to the dataset (within_corpus) before the query; not in describe()
    reach: Reach = Reach.WITHIN

    @property
    def dated(self) -> bool:
        """Whether the query has a date range at all (else ``reach`` changes nothing)."""
        return bool(self.years or self.since or self.until)

    def window(self) -> tuple[date, date] | None:
        """The outer date bounds of the year, since and until filters; None when there are none.
        (The window may be empty, first day after last, when the filters exclude each other.)"""
        if not (self.years or self.since or self.until):
            return None
        since = self.since or date.min
        until = self.until or date.max
        low = max(since, date(min(self.years), 1, 1)) if self.years else since
        high = min(until, date(max(self.years), 12, 31)) if self.years else until
        return low, high

    def range_words(self) -> str:
        """The date range in words, for a heading: "2024", "2017 or 2022", "1 Oct 2021 to 31 Dec 2022"."""
        parts = []
        if self.years:
            years = [str(year) for year in sorted(set(self.years))]
            parts.append(years[0] if len(years) == 1 else f"{', '.join(years[:-1])} or {years[-1]}")
        if self.since and self.until:
            parts.append(f"{day_text(self.since)} to {day_text(self.until)}")
        elif self.since:
            parts.append(f"the days from {day_text(self.since)}")
        elif self.until:
            parts.append(f"the days up to {day_text(self.until)}")
        return ", within ".join(parts)

    def describe(self) -> str:
        """The filters in words, for a page's footer: "year 2024; kind summit", or "all events"."""
        parts = [
            f"{name} {', '.join(str(value) for value in values)}"
            for name, values in (
                ("year", self.years),
                ("kind", self.kinds),
                ("actor", self.actors),
                ("topic", self.topics),
                ("place", self.places),
                ("status", self.statuses),
                ("search", self.search),
            )
            if values
        ]
        if self.since:
            parts.append(f"since {self.since.isoformat()}")
        if self.until:
            parts.append(f"until {self.until.isoformat()}")
        if self.dated and self.reach is not Reach.WITHIN:
            overlapping = self.reach is Reach.OVERLAPPING
            parts.append("with the dates that overlap the range" if overlapping else "dates that overlap the range only")
        if self.limit is not None:
            parts.append(f"at most {self.limit}")
        return "; ".join(parts) or "all events"


def corpora(dataset: Dataset) -> list[str]:
    """The names of the corpora the dataset's sources belong to, in the order they first appear."""
    return list(dict.fromkeys(source.corpus for source in dataset.sources))


def within_corpus(dataset: Dataset, corpus: str | None) -> Dataset:
    """The dataset as one corpus tells it (see :class:`~kztm_timeline.model.CorpusEvents`): its sources only,
    the events citing at least one of them with only those citations, and only the links between such events;
    the actors who take part in those events; and each event and actor as the corpus tells it (``in_corpus``).
    None (no corpus asked for), or the corpus of every source, gives the dataset itself. A corpus is named as
    written or loosely (see :func:`loose`); an unknown one is refused as the other closed vocabularies are: a
    UsageError with the closest names and the corpora there are."""
    if corpus is None:
        return dataset
    names = corpora(dataset)
    if corpus not in names:
        matched = [name for name in names if loose(name) == loose(corpus)]
        if not matched:
            raise refused("corpus", corpus, names, every="`timeline sources` lists every source's corpus")
        corpus = matched[0]
    kept = tuple(source for source in dataset.sources if source.corpus == corpus)
    if len(kept) == len(dataset.sources):
        return dataset
    events = CorpusEvents(dataset.events, frozenset(source.id for source in kept), corpus)
    taking_part = {participant.actor for event in events for participant in event.participants}
    actors = tuple(actor.view(corpus) for actor in dataset.actors if actor.id in taking_part)
    return Dataset(dataset.path, kept, actors, events)


def date_fit(query: Query, span: tuple[date, date]) -> Reach | None:
    """How a date whose first and last days are ``span`` meets the query's date range: ``within`` it (every day
    of it is in the range), only ``partly`` (some day is), or None (no day is). The range is every day
    from ``since`` to ``until`` whose year is one of ``years`` (any year, when none are given)."""
    first, last = span
    low, high = query.since or date.min, query.until or date.max
    start, end = max(first, low), min(last, high)
    if start > end or (query.years and not any(start.year <= year <= end.year for year in query.years)):
        return None
    if first < low or last > high:
        return Reach.PARTLY
    if query.years:
        years = set(query.years)
        year = first.year
        while year <= last.year:  # stops at the first year not asked for: never more steps than years asked
            if year not in years:
                return Reach.PARTLY
            year += 1
    return Reach.WITHIN


def reaches(query: Query, span: tuple[date, date]) -> bool:
    """Whether a date whose first and last days are ``span`` is selected by the query's date range and reach."""
    if not query.dated:
        return True
    fit = date_fit(query, span)
    if fit is None:
        return False
    return query.reach is Reach.OVERLAPPING or fit is query.reach


def actor_matches(actor: Actor, text: str) -> bool:
    """An id, a name or variant, or a run of whole words of one (``Berdimuhamedow``), in any script and
    romanization (``Токаев`` and ``Tokaev`` are Tokayev: see :func:`~kztm_timeline.text.romanized`), each
    word as a spelling of the same name (``Makhtumkuli`` is Magtymguly: see :func:`~kztm_timeline.text.same_name`)."""
    wanted = fold(text).strip()
    if not wanted:
        return False
    if wanted == actor.id:
        return True
    wanted_words = name_words(text)
    return any(fold(name) == wanted or contains_name(name_words(name), wanted_words) for name in actor.names)


def resolve_actors(dataset: Dataset, texts: Iterable[str]) -> set[str]:
    """Actor ids named by ``texts``; an unknown name is a UsageError with a suggestion."""
    found: set[str] = set()
    for text in texts:
        matched = {actor.id for actor in dataset.actors if actor_matches(actor, text)}
        if not matched:
            names = [name for actor in dataset.actors for name in (actor.id, *actor.names)]
            close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(repr(name) for name in close)}?" if close else "; see `timeline actors`"
            raise UsageError(f"no actor matches {shown(text)}{hint}")
        found |= matched
    return found


def loose(text: str) -> str:
    """A name of a closed vocabulary as it is compared: case, diacritics, and runs of spaces, hyphens and
    underscores ignored ("High level dialogue", "high_level-dialogue" → "high-level-dialogue")."""
    return "-".join(fold(text).replace("_", " ").replace("-", " ").split())


MAX_CHOICES_SHOWN = 30  # a vocabulary longer than this is not listed in full in a message


def refused(what: str, text: str, choices: Iterable[str], *, every: str) -> UsageError:
    """The usage error for ``text`` that no ``what`` of ``choices`` is: the closest ones, and every choice
    where there are few, else ``every`` (where to see them all)."""
    listed = list(dict.fromkeys(choices))
    by_loose = {loose(choice): choice for choice in listed}
    close = [by_loose[key] for key in difflib.get_close_matches(loose(text), list(by_loose), n=3, cutoff=0.6)]
    hint = f"; did you mean {', '.join(repr(choice) for choice in close)}?" if close else ""
    rest = f"choose from {', '.join(listed)}" if len(listed) <= MAX_CHOICES_SHOWN else every
    return UsageError(f"no {what} {shown(text)}{hint} ({rest})")


def kind_named(text: str) -> Kind:
    """The kind ``text`` names: its value (``state_visit``) or its label as ``stats`` prints it ("State
    visit"), in any case and with spaces, hyphens or underscores; else a UsageError with suggestions."""
    wanted = loose(text)
    for kind in Kind:
        if wanted in (loose(kind.value), loose(KINDS[kind].label)):
            return kind
    raise refused("kind", text, [kind.value for kind in Kind], every="")


def status_named(text: str) -> Status:
    """The status ``text`` names, in any case; else a UsageError naming both."""
    for status in Status:
        if loose(text) == status.value:
            return status
    raise refused("status", text, [status.value for status in Status], every="")


def topic_vocabulary(dataset: Dataset) -> list[str]:
    """Every topic the events carry, as written (by the cache's index where it can count them)."""
    counted = dataset.events.tally(Prefilter())
    if counted is not None:
        return sorted(counted.keys.get("topic_name", {}))
    return sorted({topic for event in dataset.events for topic in event.topics})


def _carried(dataset: Dataset, topic: str) -> bool:
    """Whether some event carries the (folded) ``topic``: one lookup in the cache's index."""
    candidates = dataset.events.candidates(Prefilter(keys={"topic": frozenset({topic})}))
    return any(topic in {fold(written) for written in event.topics} for event in candidates)


def resolve_topics(dataset: Dataset, texts: Iterable[str]) -> set[str]:
    """The folded topics ``texts`` name, as written or as ``stats`` prints them ("high level dialogue" is
    high-level-dialogue); a topic no event carries is a UsageError with suggestions."""
    found: set[str] = set()
    vocabulary: list[str] | None = None
    for text in texts:
        guesses = [guess for guess in dict.fromkeys((fold(text), loose(text))) if _carried(dataset, guess)]
        if guesses:
            found.add(guesses[0])
            continue
        vocabulary = topic_vocabulary(dataset) if vocabulary is None else vocabulary
        matched = {fold(topic) for topic in vocabulary if loose(topic) == loose(text)}
        if not matched:
            raise refused("topic", text, vocabulary, every="`timeline stats` lists every topic")
        found |= matched
    return found


def haystack(dataset: Dataset, event: Event) -> str:
    """Everything ``--search`` looks through, folded and romanized: title, summary, place, quotes (and their
    translations), and the names and variants of the participants."""
    parts = [event.title, event.summary, event.place or ""]
    parts.extend(citation.quote for citation in event.citations)
    parts.extend(citation.translation for citation in event.citations if citation.translation)
    for participant in event.participants:
        actor = dataset.actor_by_id.get(participant.actor)
        if actor is not None:
            parts.extend(actor.names)
    return romanized(fold("\n".join(parts)))


def search_matches(dataset: Dataset, event: Event, text: str) -> bool:
    """Every word of ``text`` occurs in the event's searchable text (see :func:`search_terms`)."""
    return terms_match(search_terms(dataset, text), haystack(dataset, event))


def terms_match(terms: tuple[Term, ...], hay: str) -> bool:
    """Every term occurs in ``hay`` (a :func:`haystack`): one of its spellings, all of that one's words."""
    return all(any(all(word in hay for word in spelling) for spelling in term) for term in terms)


@cache
def _place_names() -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The place table (vocab.PLACE_NAMES), each name as its folded words (worked out once a run)."""
    return tuple(tuple(tuple(name_words(name)) for name in names) for names in PLACE_NAMES)


def _place_at(words: list[str], start: int) -> tuple[list[list[str]], int]:
    """The names of the place of the table that ``words`` name from ``start`` on (the longest run, each word
    a spelling of the same name), and how many words they take; ([], 0) when they name none."""
    best: tuple[list[list[str]], int] = ([], 0)
    for names in _place_names():
        for name in names:
            size = len(name)
            run = words[start : start + size]
            if size > best[1] and len(run) == size and all(same_name(a, b) for a, b in zip(run, name, strict=True)):
                best = ([list(each) for each in names], size)
    return best


def place_forms(text: str) -> list[list[str]]:
    """The ways to write the place ``text`` names, as folded words: its own words, and when it names a place
    of the table (vocab.PLACE_NAMES) in any spelling, every name of that place (``Nur-Sultan``: astana, nur
    sultan, akmola …)."""
    wanted = name_words(text)
    names, size = _place_at(wanted, 0)
    if not names or size != len(wanted):
        return [wanted]
    return [wanted, *(name for name in names if name != wanted)]


def _name_vocabulary(dataset: Dataset) -> set[str]:
    """The words of every actor's names and variants, and of the place table: what a searched word may be
    another spelling of."""
    found = {word for actor in dataset.actors for name in actor.names for word in name_words(name)}
    found.update(word for names in _place_names() for name in names for word in name)
    return found


def search_terms(dataset: Dataset, text: str) -> tuple[Term, ...]:
    """What ``--search TEXT`` looks for: each folded word, with the other spellings the data knows of it (a
    word of an actor's names or of the place table that is the same name: ``Makhtumkuli`` finds Magtymguly);
    a run of words that names a place of the table stands for every name of that place (``Nur-Sultan``
    finds Astana)."""
    words = name_words(text)
    vocabulary: set[str] | None = None
    terms: list[Term] = []
    position = 0
    while position < len(words):
        names, size = _place_at(words, position)
        if names:
            run = tuple(words[position : position + size])
            terms.append(tuple(dict.fromkeys([run, *(tuple(name) for name in names)])))
            position += size
            continue
        word = words[position]
        if vocabulary is None:
            vocabulary = _name_vocabulary(dataset)
        others = sorted(other for other in vocabulary if other != word and same_name(word, other))
        terms.append(((word,), *((other,) for other in others)))
        position += 1
    return tuple(terms)


def _place_matches(place: str | None, forms: list[list[str]]) -> bool:
    return place is not None and any(contains_words(name_words(place), form) for form in forms)


def _prefilter(dataset: Dataset, query: Query) -> tuple[set[str], set[str], Prefilter]:
    """The actor ids and folded topics the query names, and what an event collection can skip by."""
    actor_ids = resolve_actors(dataset, query.actors) if query.actors else set()
    topics = resolve_topics(dataset, query.topics) if query.topics else set()
    places = [form for text in query.places for form in place_forms(text)]
    keys = {
        "kind": frozenset(kind.value for kind in query.kinds),
        "status": frozenset(status.value for status in query.statuses),
        "actor": frozenset(actor_ids),
        "topic": frozenset(topics),
        # a place matches a run of whole words: the cache indexes every run of each event's place
        "place_run": frozenset(" ".join(words) for words in places) if places and all(places) else frozenset(),
    }
    words = tuple(search_terms(dataset, text) for text in query.search)
    wanted = {name: wanted for name, wanted in keys.items() if wanted}
    return actor_ids, topics, Prefilter(query.window(), wanted, words, within=query.reach is Reach.WITHIN)


def _exact(query: Query) -> bool:
    """Whether the cache's indexes answer ``query`` exactly: dates, at most one year, kinds, statuses,
    actors, topics and places (runs of words) are exact there; search words only narrow the events down."""
    wordless_place = any(not name_words(text) for text in query.places)
    partly = query.dated and query.reach is Reach.PARTLY  # the indexes give the overlapping ones, not only those
    return not (wordless_place or query.search or len(query.years) > 1 or partly)


def contract_lines(dataset: Dataset, query: Query) -> Iterator[str] | None:
    """The JSON line of each event matching ``query``, in order and limited, as the cache kept it (no
    event decoded); None when the cache cannot answer the query exactly (then events are encoded)."""
    if not _exact(query):
        return None
    _, _, prefilter = _prefilter(dataset, query)
    window = prefilter.window
    if window is not None and window[0] > window[1]:
        return iter(())
    found = dataset.events.contract_lines(prefilter, dataset, reverse=query.reverse)
    if found is None or query.limit is None:
        return found
    return islice(found, query.limit)


def tally(dataset: Dataset, query: Query) -> Tally:
    """Counts over the events matching ``query`` (for ``stats``): by the cache's indexes when they answer
    the query exactly (see :func:`_exact`), else by reading them."""
    _, _, prefilter = _prefilter(dataset, query)
    window = prefilter.window
    if window is not None and window[0] > window[1]:
        return Tally({}, {})
    if _exact(query) and query.limit is None:
        counted = dataset.events.tally(prefilter)
        if counted is not None:
            return counted
    events = select(dataset, query)
    keys: dict[str, Counter[str]] = {"kind": Counter(), "status": Counter(), "actor": Counter(), "topic_name": Counter()}
    for event in events:
        keys["kind"][event.kind.value] += 1
        keys["status"][event.status.value] += 1
        keys["actor"].update({participant.actor for participant in event.participants})
        keys["topic_name"].update(set(event.topics))
    return Tally(Counter(event.date.first for event in events), keys)


def order_key(event: Event) -> tuple[date, date, str]:
    """How results are ordered: by first day, then id; events open at their start (which sort first) by
    their last day, so that each heading "Before …" comes in time order."""
    first, last = event.date.span
    return first, last if event.date.first is None else date.min, event.id


def count_partly(dataset: Dataset, query: Query) -> int:
    """How many events only may fall in the query's date range (:attr:`Reach.PARTLY`): those ``--overlapping``
    adds. Counted by the cache's indexes when they answer the query exactly."""
    if not query.dated:
        return 0
    every = replace(query, limit=None, reach=Reach.OVERLAPPING)
    inside = replace(every, reach=Reach.WITHIN)
    return sum(tally(dataset, every).firsts.values()) - sum(tally(dataset, inside).firsts.values())


def select(dataset: Dataset, query: Query) -> list[Event]:
    """The events matching ``query``, in :func:`order_key` order (reversed on request), limited."""
    return list(stream(dataset, query))


def stream(dataset: Dataset, query: Query) -> Iterator[Event]:
    """The events of :func:`select`, yielded as they are found: from an indexed collection (the cache)
    the first one comes before the rest are read, so ``| head`` answers at once and memory does not
    grow with the answer. Filters are checked here (an unknown actor raises at once, before any event)."""
    actor_ids, topics, prefilter = _prefilter(dataset, query)
    places = [place_forms(text) for text in query.places]
    window = prefilter.window
    if window is not None and window[0] > window[1]:
        return iter(())

    def matches(event: Event) -> bool:
        if not reaches(query, event.date.span):
            return False
        if query.kinds and event.kind not in query.kinds:
            return False
        if query.statuses and event.status not in query.statuses:
            return False
        if actor_ids and not any(participant.actor in actor_ids for participant in event.participants):
            return False
        if topics and not any(fold(topic) in topics for topic in event.topics):
            return False
        if places and not any(_place_matches(event.place, forms) for forms in places):
            return False
        if not prefilter.words:
            return True
        hay = haystack(dataset, event)
        return any(terms_match(terms, hay) for terms in prefilter.words)

    ordered = dataset.events.ordered(prefilter, reverse=query.reverse)  # the cache skips what cannot match, undecoded
    if ordered is None:
        found = [event for event in dataset.events.candidates(prefilter) if matches(event)]
        found.sort(key=order_key, reverse=query.reverse)
        selected: Iterator[Event] = iter(found)
    else:
        selected = (event for event in ordered if matches(event))
    return selected if query.limit is None else islice(selected, query.limit)


def find_event(dataset: Dataset, wanted: str) -> Event:
    """An exact id, an old id of a renamed event (``aliases``), or a unique id prefix; otherwise LookupFailed
    with the closest ids and titles."""
    exact = dataset.event_by_id.get(wanted)
    if exact is not None:
        return exact
    renamed = dataset.events.alias_of(wanted)
    if renamed is not None:
        return dataset.event_by_id[renamed]
    prefixed = dataset.events.with_prefix(wanted)
    if len(prefixed) == 1:
        return prefixed[0]
    if len(prefixed) > 1:
        choices = tuple(f"{event.id}  {event.title}" for event in prefixed[:8])
        raise LookupFailed(f"{shown(wanted)} is the prefix of {len(prefixed)} events", choices)
    return _no_such_event(dataset, wanted)


def find_source(dataset: Dataset, wanted: str) -> Source:
    """A source by exact id or unique id prefix; otherwise LookupFailed with the closest ids."""
    exact = dataset.source_by_id.get(wanted)
    if exact is not None:
        return exact
    prefixed = [source for source in dataset.sources if wanted and source.id.startswith(wanted)]
    if len(prefixed) == 1:
        return prefixed[0]
    if prefixed:
        raise LookupFailed(f"{shown(wanted)} is the prefix of {len(prefixed)} sources", tuple(s.id for s in prefixed))
    close = difflib.get_close_matches(wanted, sorted(dataset.source_by_id), n=3, cutoff=0.5)
    raise LookupFailed(f"no source {shown(wanted)}; see `timeline sources`", tuple(close))


def _no_such_event(dataset: Dataset, wanted: str) -> Event:
    ids = list(dataset.event_by_id)
    close = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.4)
    by_title = [
        event.id
        for event in dataset.events.candidates(Prefilter(words=(search_terms(dataset, wanted),)))
        if search_matches(dataset, event, wanted) and event.id not in close
    ]
    suggestions = tuple(f"{event_id}  {dataset.event_by_id[event_id].title}" for event_id in [*close, *by_title][:5])
    raise LookupFailed(f"no event {shown(wanted)}", suggestions)


DUE_MONTHS = 12  # a plan whose date gives no end falls due this many months after it was announced


def due_date(event: Event) -> tuple[date, str]:
    """The day by which a planned event should have happened, and why that day.

    A date with an end says when: a plan falls due on its last possible day. Its source's words set it
    where they give one (``evidence: quoted``: "next year", said on 31 October 2023, dates the plan 2024,
    which ends on 31 December 2024). A plan open at its end (``2024-08-06/..``: "will be held", no date
    given) falls due :data:`DUE_MONTHS` months after it was announced, the last day of its start
    (6 August 2025; ``2023-10/..`` on 31 October 2024)."""
    when = event.date
    if when.last is not None:
        if event.evidence == "quoted":
            return when.last, f"the end of {display(when)}, as its source says"
        return when.last, f"the end of its date, {display(when)}"
    assert when.start is not None  # an interval has at least one known end
    announced = when.start.last
    year, month = divmod(announced.month - 1 + DUE_MONTHS, 12)
    year += announced.year
    month += 1
    if year > 9999:
        return date.max, "twelve months after it was announced: past the calendar's end"
    day = min(announced.day, calendar.monthrange(year, month)[1])
    return date(year, month, day), f"twelve months after it was announced, {day_text(announced)}"


@dataclass(frozen=True)
class PlanState:
    """A planned event and what became of it by ``as_of``: open, fulfilled, cancelled, postponed or overdue."""

    event: Event
    state: str
    outcomes: tuple[tuple[str, str], ...]  # (event id, relation) of the events that record its outcome
    latest: date | None  # its latest possible day; None for a plan open at its end
    due: date  # the day it falls due (see :func:`due_date`)
    reason: str  # why that day: "twelve months after it was announced, 6 Aug 2024"
    searched: NoOutcome | None = None  # a search of a corpus for its outcome, which found none

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"

    def short(self) -> str:
        """The state in a few words, as the plans table shows it: "fulfilled by …", "open: due by 6 Aug 2025",
        "overdue: no outcome recorded since 6 Aug 2025", or, where a corpus was searched for its outcome and none
        was found, "overdue: no outcome found in corpus public-record as of 2 Dec 2026"."""
        if self.searched is not None and self.state in ("overdue", "open"):
            return f"{self.state}: no outcome found in corpus {self.searched.corpus} as of {display(self.searched.as_of)}"
        if self.overdue:
            return f"overdue: no outcome recorded since {day_text(self.due)}"
        if self.state == "open":
            return f"open: due by {day_text(self.due)}"
        return f"{self.state} by {', '.join(other for other, _ in self.outcomes)}"

    def summary(self) -> str:
        """The state in words with why it falls due then: "overdue: no outcome recorded since 6 Aug 2025 (due
        twelve months after it was announced, 6 Aug 2024)"."""
        if self.state not in ("overdue", "open"):
            return self.short()
        if self.searched is not None:
            return f"{self.short()} (due {day_text(self.due)}: {self.reason})"
        return f"{self.short()} (due {self.reason})" if self.overdue else f"{self.short()} ({self.reason})"


def plan_states(dataset: Dataset, events: Iterable[Event], as_of: date) -> list[PlanState]:
    """The state of every planned event among ``events``.

    An outcome recorded by a later event decides (fulfilled before cancelled before postponed);
    with none, a plan whose due day (see :func:`due_date`) lies before ``as_of`` is overdue, else open.
    """
    found = []
    for event in events:
        if event.status is not Status.PLANNED:
            continue
        outcomes = tuple((other, relation) for other, relation in dataset.referrers.get(event.id, ()) if relation in OUTCOMES)
        relations = {relation for _, relation in outcomes}
        due, reason = due_date(event)
        state = next((OUTCOMES[relation] for relation in OUTCOMES if relation in relations), None)
        if state is None:
            state = "overdue" if due < as_of else "open"
        found.append(PlanState(event, state, outcomes, event.date.last, due, reason, event.no_outcome))
    return found


def overdue_plans(dataset: Dataset, as_of: date, limit: int) -> tuple[list[PlanState], int]:
    """The first ``limit`` overdue plans (file order) and how many there are: by the cache's indexes when
    it keeps them (reading only those events), else by judging every plan with :func:`plan_states`."""
    found = dataset.events.unresolved_plans(as_of, tuple(OUTCOMES), limit)
    if found is not None:
        events, total = found
        return [PlanState(event, "overdue", (), event.date.last, *due_date(event), event.no_outcome) for event in events], total
    planned = dataset.events.candidates(Prefilter(keys={"status": frozenset({Status.PLANNED.value})}))
    overdue = [plan for plan in plan_states(dataset, planned, as_of) if plan.overdue]
    return overdue[:limit], len(overdue)
