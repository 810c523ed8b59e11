"""Proposing candidate events from an article: every sentence that carries a date.

Recognised date expressions: ``2024-08-05``, ``16.05.2023``, ``August 5, 2024``,
``5 August 2024``, ``October 2021``, ``July 4`` and ``4 July`` (the year from the
nearest year named before, else the article's own year), ``in 2017`` (a year after
a preposition), and ``next year``, ``this year``, ``last year``, ``next month`` and
``last month``, resolved against the article's date; runs of days (``May 10–11``,
``18-19 April 2017``, ``23 and 24 June``: an interval); a sentence that opens with
``Today,`` (the article's own day); and the month names of the public record's other
languages, in the forms a date takes (Russian ``9 августа 2024``, ``в октябре 1992``;
Kazakh ``23 және 24 маусымда``; Turkmen ``5-nji oktýabrda``, ``1992-nji ýylyň
oktýabrynda``). A line that holds little besides a date (a dateline such as
``Published 16.05.2023``) is not a candidate, but it dates an unregistered article.
"""

from __future__ import annotations

import calendar
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from .datafile.fs import read_text, resolve_source_path
from .edtf import parse_edtf
from .errors import TimelineError
from .model import Dataset, Source
from .query import find_source
from .text import escape_controls, fold, normalize_quote, quote_found, shown, slugify
from .vocab import KINDS, Kind, Status

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
# The stems of the month names in the public record's other languages: Russian (январь, января, январе), Kazakh and
# Turkmen (whose case endings follow the stem: маусымда, oktýabrynda). Each matches its stem plus any ending.
_STEMS = {
    1: ("январ", "қаңтар", "ýanwar"), 2: ("феврал", "ақпан", "fewral"), 3: ("март", "наурыз", "mart"),
    4: ("апрел", "сәуір", "aprel"), 5: ("ма[йяе]", "мамыр", "maý"), 6: ("июн", "маусым", "iýun"),
    7: ("июл", "шілде", "iýul"), 8: ("август", "тамыз", "awgust"), 9: ("сентябр", "қыркүйек", "sentýabr"),
    10: ("октябр", "қазан", "oktýabr"), 11: ("ноябр", "қараша", "noýabr"), 12: ("декабр", "желтоқсан", "dekabr"),
}  # fmt: skip
_MONTH = (
    r"(?P<month>"
    + "|".join(sorted(_MONTHS, key=len, reverse=True))
    + r")\.?(?!\w)|(?P<stem>"
    + "|".join(stem for stems in _STEMS.values() for stem in stems)
    + r")\w*"
)
_MONTH = rf"(?:{_MONTH})"
_ORDINAL = r"(?:st|nd|rd|th|-?(?:nji|njy|njü|inji|ynjy|unjy|ünji))?"  # English, and Turkmen (5-nji)
_DAY = rf"(?P<day>[0-3]?\d){_ORDINAL}"
_FIRST_DAY = rf"(?P<first>[0-3]?\d){_ORDINAL}"
_DAY_RUN = r"\s*(?:[-–—]|\s(?:and|и|және|we)\s)\s*"  # 10–11, 23 and 24, 23 и 24, 23 және 24, 23 we 24
_YEAR = r"(?P<year>1[89]\d\d|20\d\d|21\d\d)"
_YEAR_WORD = r"(?:-?(?:nji|njy|njü|inji|ynjy|unjy|ünji))?\s+(?:ýyly\w*|жыл\w*|года?)"  # 1992-nji ýylyň, 2024 жылғы
_PREPOSITION = r"(?:in|since|from|until|till|by|during|before|after|of|early|late|mid|в|с|до|к)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("iso", rf"\b{_YEAR}-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
        ("dotted", rf"\b(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.{_YEAR}\b"),
        ("month-days", rf"\b{_MONTH}\s+{_FIRST_DAY}{_DAY_RUN}{_DAY}\b(?:,?\s+{_YEAR}\b)?"),
        ("days-month", rf"\b{_FIRST_DAY}{_DAY_RUN}{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR}\b)?"),
        ("year-day-month", rf"\b{_YEAR}{_YEAR_WORD}\s+{_DAY}\s+{_MONTH}"),
        ("year-month", rf"\b{_YEAR}{_YEAR_WORD}\s+{_MONTH}"),
        ("month-day-year", rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),
        ("day-month-year", rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b"),
        ("month-year", rf"\b{_MONTH},?\s+{_YEAR}\b"),
        ("month-day", rf"\b{_MONTH}\s+{_DAY}\b(?![.,]?\s*\d)"),
        ("day-month", rf"\b{_DAY}\s+{_MONTH}\b(?!,?\s*\d)"),
        ("year", rf"\b{_PREPOSITION}\s+(?:the\s+year\s+)?{_YEAR}\b(?![-–]\d)"),
        ("relative", r"\b(?P<which>next|this|last|previous|coming)\s+(?P<unit>year|month)\b"),
        ("today", r"^(?:Today|Сегодня|Бүгін|Şu gün|Bu gün),"),
    )
)

# First match wins: the more specific cues come first.
_KIND_CUES: tuple[tuple[str, Kind], ...] = (
    ("telephone", Kind.TELEPHONE_CALL),
    ("phone", Kind.TELEPHONE_CALL),
    ("state visit", Kind.STATE_VISIT),
    ("official visit", Kind.OFFICIAL_VISIT),
    ("working visit", Kind.WORKING_VISIT),
    ("summit", Kind.SUMMIT),
    ("signed", Kind.AGREEMENT_SIGNING),
    ("agreement", Kind.AGREEMENT_SIGNING),
    ("treaty", Kind.AGREEMENT_SIGNING),
    ("monument", Kind.CULTURAL_EVENT),
    ("sculpture", Kind.CULTURAL_EVENT),
    ("anniversary", Kind.CULTURAL_EVENT),
    ("commission", Kind.COMMISSION_SESSION),
    ("parliament", Kind.PARLIAMENTARY_MEETING),
    ("wreath", Kind.CEREMONY),
    ("diplomatic relations", Kind.DIPLOMATIC_RELATIONS),
    ("talks", Kind.TALKS),
    ("negotiation", Kind.TALKS),
    ("visit", Kind.VISIT),
)
_PLANNED_CUES = ("will be", "will take", "is to be", "are to be", "to be held", "plans to", "planned", "expediency of")
_MIN_WORDS = 3


@dataclass(frozen=True)
class DateFound:
    expression: str
    edtf: str
    start: int


@dataclass(frozen=True)
class Candidate:
    """One proposed event: a dated sentence with what could be guessed about it."""

    line: int
    sentence: str
    expression: str
    date: str
    actors: tuple[str, ...]
    kind: Kind
    status: Status
    present: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    """An article to extract from: its text, the source id it is (or would be) cited as, and its date."""

    text: str
    source: str
    published: date | None
    registered: bool


def sentences(text: str) -> list[tuple[int, str]]:
    """Each sentence with its 1-based line; white space runs become single spaces."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for piece in re.split(r"(?<=[.!?])\s+(?=[A-Z«\"“'])", line.strip()):
            piece = " ".join(piece.split())
            if piece:
                found.append((number, piece))
    return found


def _day(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# A cold read dates every quoted event's quotes, so a sentence is searched only for the patterns it can hold:
# those that need no digit ("next year", "Today,") when it has none (half of the public record's quotes), and
# those that name no month when no word of it is a month's (every other pattern has a month word after a
# word boundary). The places where a month word starts are found in one pass, and the patterns that begin
# with one are tried only there (each would otherwise try its month names at every place of the sentence).
_WORD_PATTERNS = tuple((name, pattern) for name, pattern in _PATTERNS if name in ("relative", "today"))
_NO_MONTH = ("iso", "dotted", "year", "relative", "today")
_NO_MONTH_PATTERNS = tuple((name, pattern) for name, pattern in _PATTERNS if name in _NO_MONTH)
_MONTH_FIRST = frozenset(("month-days", "month-day-year", "month-year", "month-day"))  # each begins \b{_MONTH}
_DIGIT_RE = re.compile(r"\d")
_MONTH_AT_RE = re.compile(rf"(?=\b{_MONTH})", re.IGNORECASE)


def find_dates(sentence: str, context_year: int | None, published: date | None) -> list[DateFound]:
    """Date expressions in ``sentence``, each once, in order; overlapping matches keep the first pattern's."""
    if _DIGIT_RE.search(sentence) is None:
        return dates_by(_WORD_PATTERNS, sentence, context_year, published)
    months = [match.start() for match in _MONTH_AT_RE.finditer(sentence)]
    if not months:
        return dates_by(_NO_MONTH_PATTERNS, sentence, context_year, published)
    return dates_by(_PATTERNS, sentence, context_year, published, months)


def dates_by(
    patterns: tuple[tuple[str, re.Pattern[str]], ...],
    sentence: str,
    context_year: int | None,
    published: date | None,
    months: list[int] | None = None,
) -> list[DateFound]:
    """:func:`find_dates` by ``patterns`` (named patterns, the first to match a place keeping it); ``months``:
    every place a month word starts, where alone the patterns that begin with one are tried."""
    taken: list[tuple[int, int]] = []
    found: list[DateFound] = []
    for name, pattern in patterns:
        matches = _at(pattern, sentence, months) if months is not None and name in _MONTH_FIRST else pattern.finditer(sentence)
        for match in matches:
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            edtf = _resolve(name, match, context_year, published)
            taken.append((match.start(), match.end()))
            if edtf is not None:
                found.append(DateFound(match.group(), edtf, match.start()))
    found.sort(key=lambda item: item.start)
    unique: dict[str, DateFound] = {}
    for item in found:
        unique.setdefault(item.edtf, item)
    return list(unique.values())


def _at(pattern: re.Pattern[str], sentence: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(sentence)`` gives, for a pattern that can match only at ``starts`` (ascending)."""
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(sentence, start)) is not None:
            end = match.end()
            yield match


def _resolve(name: str, match: re.Match[str], context_year: int | None, published: date | None) -> str | None:
    groups = match.groupdict()
    month = _month(groups)
    year = int(groups["year"]) if groups.get("year") else context_year
    if name == "today":
        return published.isoformat() if published is not None else None
    if name == "relative":
        if published is None:
            return None
        step = {"next": 1, "coming": 1, "this": 0, "last": -1, "previous": -1}[groups["which"].lower()]
        if groups["unit"].lower() == "year":
            return f"{published.year + step:04d}"
        index = published.year * 12 + published.month - 1 + step
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    if year is None or (name != "year" and not 1 <= month <= 12):
        return None
    if name == "year":
        return f"{year:04d}"
    if name in ("month-year", "year-month"):
        return f"{year:04d}-{month:02d}"
    if name in ("month-days", "days-month"):
        first, last = _day(year, month, int(groups["first"])), _day(year, month, int(groups["day"]))
        return f"{first}/{last}" if first and last and first < last else None
    return _day(year, month, int(groups["day"]))


def _month(groups: dict[str, str | None]) -> int:
    """The month a match names: a number, an English name or abbreviation, or a stem of another language's name."""
    stem = (groups.get("stem") or "").lower()
    if stem:
        return next(number for number, stems in _STEMS.items() if any(re.fullmatch(s, stem) for s in stems))
    text = (groups.get("month") or "").lower().rstrip(".")
    return int(text) if text.isdigit() else _MONTHS.get(text, 0)


def _is_dateline(sentence: str) -> bool:
    """A sentence that ends in a date: ``ASHGABAT, Turkmenistan, October 31.``"""
    stripped = sentence.rstrip(". ")
    return any(match.end() == len(stripped) for _, pattern in _PATTERNS for match in pattern.finditer(stripped))


def _year_of(found: DateFound) -> int:
    return int(found.edtf[:4])


def article_date(text: str) -> date | None:
    """The first full date in the first five lines (a dateline), if any."""
    for _, sentence in sentences("\n".join(text.splitlines()[:5])):
        for found in find_dates(sentence, None, None):
            if len(found.edtf) == 10:
                return date.fromisoformat(found.edtf)
    return None


def actors_in(dataset: Dataset, sentence: str) -> tuple[str, ...]:
    """Ids of the actors named in ``sentence`` by any spelling, in registry order."""
    text = f" {' '.join(re.findall(r'[a-z0-9]+', fold(sentence)))} "
    found = []
    for actor in dataset.actors:
        for name in actor.names:
            words = " ".join(re.findall(r"[a-z0-9]+", fold(name)))
            if words and f" {words} " in text:
                found.append(actor.id)
                break
    return tuple(found)


def guess_kind(sentence: str) -> Kind:
    folded = fold(sentence)
    for cue, kind in _KIND_CUES:
        if cue in folded:
            return kind
    return Kind.TALKS


def _status(sentence: str, edtf: str, published: date | None) -> Status:
    first = parse_edtf(edtf).first
    if published is not None and first is not None and first > published:
        return Status.PLANNED
    folded = fold(sentence)
    return Status.PLANNED if any(cue in folded for cue in _PLANNED_CUES) else Status.HAPPENED


def _present(dataset: Dataset, article: Article, sentence: str, edtf: str, actors: tuple[str, ...]) -> tuple[str, ...]:
    first, last = parse_edtf(edtf).span
    states = {actor.id for actor in dataset.actors if actor.type == "state"}
    specific = set(actors) - states
    wanted = specific or set(actors)
    normalized_sentence = normalize_quote(sentence)
    cited_matches, actor_matches = [], []
    for event in dataset.events:
        start, end = event.date.span
        if not (start <= last and end >= first):
            continue
        cited = any(
            citation.source == article.source and quote_found(citation.quote, normalized_sentence) for citation in event.citations
        )
        shared = wanted & {participant.actor for participant in event.participants}
        if cited:
            cited_matches.append(event.id)
        elif shared:
            actor_matches.append(event.id)
    return tuple(cited_matches or actor_matches)


def find_candidates(dataset: Dataset, article: Article) -> list[Candidate]:
    """Candidate events, in article order: one per distinct date in each dated sentence."""
    candidates = []
    context_year = article.published.year if article.published else None
    dateline: tuple[int, list[DateFound]] | None = None
    for index, (line, sentence) in enumerate(sentences(article.text)):
        dates = find_dates(sentence, context_year, article.published)
        if not dates and dateline is not None and dateline[0] == line:
            dates = dateline[1]
        dateline = None
        if not dates:
            continue
        if index < 2 and _is_dateline(sentence):
            # "ASHGABAT, October 31." dates the story's first sentence, not itself.
            dateline = (line, dates)
            continue
        explicit = [found for found in dates if re.search(r"\d{4}", found.expression)]
        if explicit:
            context_year = _year_of(explicit[-1])
        rest = sentence
        for found in dates:
            rest = rest.replace(found.expression, " ")
        if len(re.findall(r"[^\W\d_]{3,}", rest)) < _MIN_WORDS:
            continue
        actors = actors_in(dataset, sentence)
        kind = guess_kind(sentence)
        for found in dates:
            candidates.append(
                Candidate(
                    line=line,
                    sentence=sentence,
                    expression=found.expression,
                    date=found.edtf,
                    actors=actors,
                    kind=kind,
                    status=_status(sentence, found.edtf, article.published),
                    present=_present(dataset, article, sentence, found.edtf, actors),
                )
            )
    return candidates


def stub(dataset: Dataset, article: Article, candidate: Candidate) -> dict[str, object]:
    """A data-file record for ``candidate``, with TODO marks where a curator must write."""
    label = KINDS[candidate.kind].label
    specific = [actor for actor in candidate.actors if dataset.actor_by_id[actor].type != "state"] or list(candidate.actors)
    names = [dataset.actor_by_id[actor].name for actor in specific]
    slug = slugify(" ".join([candidate.date.replace("-", " "), label, *specific[:1]]))
    return {
        "id": slug,
        "date": candidate.date,
        "title": f"TODO: {label}" + (f" ({', '.join(names)})" if names else ""),
        "kind": candidate.kind.value,
        "status": candidate.status.value,
        "participants": [{"actor": actor, "role": "participant"} for actor in candidate.actors],
        "place": None,
        "topics": [],
        "summary": "TODO: what happened, in your own words.",
        "citations": [{"source": article.source, "quote": candidate.sentence}],
    }


def source_article(source: Source, text: str) -> Article:
    published = source.published.first if source.published and source.published.precision.value == "day" else None
    return Article(text, source.id, published or article_date(text), True)


def load_article(dataset: Dataset, wanted: str) -> Article:
    """A registered source by id, or an article file by path (matched to its source when registered)."""
    source = dataset.source_by_id.get(wanted)
    if source is None and os.path.exists(wanted) and not os.path.isdir(wanted):
        wanted_path = os.path.realpath(wanted)
        for candidate in dataset.sources:
            if candidate.file is None:
                continue
            if os.path.realpath(resolve_source_path(dataset.path, candidate.file)) == wanted_path:
                source = candidate
                break
        if source is None:
            text = read_text(wanted)
            stem = os.path.splitext(os.path.basename(wanted))[0]
            return Article(text, slugify(stem, 40) or "new-source", article_date(text), False)
    if source is None:
        source = find_source(dataset, wanted)  # a unique prefix of an id, else a LookupFailed with suggestions
    return source_article(source, article_text(dataset, source))


def article_text(dataset: Dataset, source: Source) -> str:
    """The text of an article kept with the data; TimelineError for a web page, whose text is never kept."""
    if source.file is None:
        raise TimelineError(
            f"{source.id} is a web page ({source.url}); its text is not kept with the data. "
            "'timeline sources check' reads it online; to work on its text, save a copy and pass its path"
        )
    return read_text(resolve_source_path(dataset.path, source.file))




def candidate_json(dataset: Dataset, article: Article, candidate: Candidate) -> dict[str, object]:
    """The JSON form of a candidate (documented in the README)."""
    return {
        "source": article.source,
        "line": candidate.line,
        "expression": candidate.expression,
        "date": candidate.date,
        "actors": list(candidate.actors),
        "kind": candidate.kind.value,
        "status": candidate.status.value,
        "quote": candidate.sentence,
        "already_present": list(candidate.present),
        "stub": stub(dataset, article, candidate),
    }


def stubs_yaml(dataset: Dataset, article: Article, candidates: list[Candidate]) -> str:
    """YAML stubs to review and paste under ``events:``; candidates already present are commented out."""
    from .datafile.yaml_write import render_item

    new = sum(1 for candidate in candidates if not candidate.present)
    lines = [
        f"# {len(candidates)} candidate{'s' if len(candidates) != 1 else ''} from {article.source}; "
        f"{new} new, {len(candidates) - new} already present.",
        "# Review each: write the title and summary in your own words, fix kind, status and roles,",
        "# then paste the new ones under events: and run `timeline validate`.",
    ]
    for candidate in candidates:
        lines.append("")
        lines.append(f"# line {candidate.line}: {shown(candidate.expression)} -> {candidate.date}")
        if candidate.present:
            lines.append(f"# already present: {', '.join(candidate.present)}")
            lines.append(f"# quote: {escape_controls(candidate.sentence, keep_newlines=False)}")
        else:
            item = render_item(stub(dataset, article, candidate), 2, flow_records=("participants",)).text
            lines.append(item.rstrip("\n"))
    datable = datable_phrases(article.text)
    if datable:
        lines += ["", "# Undated but datable (another source may give the day):"]
        for lead in datable:
            lines.append(f"# line {lead.line}: {shown(lead.phrase)}: {escape_controls(lead.sentence, keep_newlines=False)}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- datable phrases

# Phrases that point at a date without giving one: a meeting or visit called recent, previous or next, a
# span of years counted from some event, "recently". Each is a lead for a curator: another source may date it.
_DATABLE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\b(?:the|its|their|his|our)\s+(?:recent|latest|last|previous|past|earlier|former|first|forthcoming|upcoming|"
        r"next|coming|current)\s+(?:(?:state|official|working|high-level|bilateral)\s+)?(?:visits?|meetings?|talks|"
        r"sessions?|summits?|negotiations|consultations|conversations?|contacts|agreements?|years|decades?)\b",
        r"\b(?:the|a)\s+\d{1,3}-year\s+(?:period|history|anniversary|partnership|relations?)\b",
        r"\b(?:over|in|during|for)\s+the\s+(?:past|last)\s+(?:\d{1,3}|two|three|four|five|ten|twenty|thirty)\s+years\b",
        r"\b\d{1,3}(?:th|st|nd|rd)\s+anniversary\b",
        r"\brecently\b",
        r"\bsince\s+the\s+(?:first\s+(?:days|years)\s+of\s+)?independence\b",
    )
)


@dataclass(frozen=True)
class Datable:
    """A phrase that points at a date without giving one, where it stands in the article."""

    line: int
    phrase: str
    sentence: str


def datable_phrases(text: str) -> list[Datable]:
    """Undated but datable phrases ("the recent visit", "the previous meetings", "the 30-year period"), each
    once per sentence, in article order, with the sentence that holds it. Sentences that give a date of their
    own (as ``extract`` reads them) are left out: the date is there."""
    found = []
    for line, sentence in sentences(text):
        if find_dates(sentence, None, None):
            continue
        taken: list[tuple[int, int]] = []
        for pattern in _DATABLE_PATTERNS:
            for match in pattern.finditer(sentence):
                if any(start < match.end() and match.start() < end for start, end in taken):
                    continue
                taken.append(match.span())
                found.append((line, match.start(), Datable(line, match.group(), sentence)))
    return [item for _, _, item in sorted(found, key=lambda entry: (entry[0], entry[1]))]
