"""Filtering and ordering events. Pure functions over the model."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .errors import LookupFailed, UsageError
from .kinds import Kind, Status
from .model import Actor, Dataset, Event, Prefilter

_WORD_RE = re.compile(r"\w+")


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form: NFKD, combining marks dropped, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """:func:`fold` of ``text`` plus, for each folded character, its index in ``text``."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = fold(char)
        folded.append(piece)
        origin.extend([index] * len(piece))
    return "".join(folded), origin


def words(text: str) -> list[str]:
    return _WORD_RE.findall(fold(text))


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


def span(event: Event) -> tuple[date, date]:
    """First and last day an event covers; open or unknown ends reach the calendar's limits."""
    return (event.date.first or date.min, event.date.last or date.max)


def overlaps(event: Event, start: date, end: date) -> bool:
    first, last = span(event)
    return first <= end and last >= start


def actor_matches(actor: Actor, text: str) -> bool:
    """An id, a name or variant, or a run of whole words of one (``Berdimuhamedow``)."""
    wanted = fold(text).strip()
    if not wanted:
        return False
    if wanted == actor.id:
        return True
    wanted_words = words(text)
    for name in actor.names:
        if fold(name) == wanted:
            return True
        name_words = words(name)
        size = len(wanted_words)
        if size and any(name_words[i : i + size] == wanted_words for i in range(len(name_words) - size + 1)):
            return True
    return False


def resolve_actors(dataset: Dataset, texts: Iterable[str]) -> set[str]:
    """Actor ids named by ``texts``; an unknown name is a UsageError with a suggestion."""
    found: set[str] = set()
    for text in texts:
        matched = {actor.id for actor in dataset.actors if actor_matches(actor, text)}
        if not matched:
            names = [name for actor in dataset.actors for name in (actor.id, *actor.names)]
            close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(repr(name) for name in close)}?" if close else "; see `timeline actors`"
            raise UsageError(f"no actor matches {text!r}{hint}")
        found |= matched
    return found


def haystack(dataset: Dataset, event: Event) -> str:
    """Everything ``--search`` looks through, folded."""
    parts = [event.title, event.summary]
    parts.extend(citation.quote for citation in event.citations)
    for participant in event.participants:
        actor = dataset.actor_by_id.get(participant.actor)
        if actor is not None:
            parts.extend(actor.names)
    return fold("\n".join(parts))


def search_matches(dataset: Dataset, event: Event, text: str) -> bool:
    """Every word of ``text`` occurs in the event's searchable text."""
    terms = words(text)
    if not terms:
        return True
    hay = haystack(dataset, event)
    return all(term in hay for term in terms)


def _place_matches(place: str | None, text: str) -> bool:
    if place is None:
        return False
    wanted = words(text)
    have = words(place)
    size = len(wanted)
    return bool(size) and any(have[i : i + size] == wanted for i in range(len(have) - size + 1))


def select(dataset: Dataset, query: Query) -> list[Event]:
    """The events matching ``query``, by first day then id (reversed on request), limited."""
    actor_ids = resolve_actors(dataset, query.actors) if query.actors else set()
    topics = {fold(topic) for topic in query.topics}
    since = query.since or date.min
    until = query.until or date.max
    window = None
    if query.years or query.since or query.until:
        # Only events inside the outer window can match.
        low = max(since, date(min(query.years), 1, 1)) if query.years else since
        high = min(until, date(max(query.years), 12, 31)) if query.years else until
        if low > high:
            return []
        window = (low, high)
    prefilter = Prefilter(
        window=window,
        kinds=frozenset(kind.value for kind in query.kinds) or None,
        statuses=frozenset(status.value for status in query.statuses) or None,
        actors=frozenset(actor_ids) or None,
        topics=frozenset(topics) or None,
    )
    pool: Iterable[Event] = dataset.candidates(prefilter)  # a store skips what cannot match, undecoded
    selected = []
    for event in pool:
        if (query.since or query.until) and not overlaps(event, since, until):
            continue
        if query.years and not any(overlaps(event, date(year, 1, 1), date(year, 12, 31)) for year in query.years):
            continue
        if query.kinds and event.kind not in query.kinds:
            continue
        if query.statuses and event.status not in query.statuses:
            continue
        if actor_ids and not any(participant.actor in actor_ids for participant in event.participants):
            continue
        if topics and not any(fold(topic) in topics for topic in event.topics):
            continue
        if query.places and not any(_place_matches(event.place, place) for place in query.places):
            continue
        if query.search and not any(search_matches(dataset, event, text) for text in query.search):
            continue
        selected.append(event)
    selected.sort(key=lambda event: (span(event)[0], event.id), reverse=query.reverse)
    if query.limit is not None:
        selected = selected[: query.limit]
    return selected


def find_event(dataset: Dataset, wanted: str) -> Event:
    """An exact id or a unique id prefix; otherwise LookupFailed with the closest ids and titles."""
    exact = dataset.event_by_id.get(wanted)
    if exact is not None:
        return exact
    prefixed = [event for event in dataset.events if wanted and event.id.startswith(wanted)]
    if len(prefixed) == 1:
        return prefixed[0]
    if len(prefixed) > 1:
        choices = tuple(f"{event.id}  {event.title}" for event in prefixed[:8])
        raise LookupFailed(f"{wanted!r} is the prefix of {len(prefixed)} events", choices)
    return _no_such_event(dataset, wanted)


def _no_such_event(dataset: Dataset, wanted: str) -> Event:
    ids = [event.id for event in dataset.events]
    close = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.4)
    by_title = [event.id for event in dataset.events if search_matches(dataset, event, wanted) and event.id not in close]
    suggestions = tuple(f"{event_id}  {dataset.event_by_id[event_id].title}" for event_id in [*close, *by_title][:5])
    raise LookupFailed(f"no event {wanted!r}", suggestions)


def referenced_by(dataset: Dataset, event: Event) -> list[tuple[Event, str]]:
    """Events whose ``related`` names ``event``, with the relation they give."""
    return [(dataset.event_by_id[other], relation) for other, relation in dataset.referrers.get(event.id, ())]
