"""Dates as checkable as quotes: each event's date against the evidence it names (``evidence:``).

* ``quoted``: a cited quote carries the date expression ("in October 2021", "on July 4", "next
  year"). The quote is read with ``extract``'s date parser, year-less and relative expressions
  resolved against the article's publication date; the event's date must lie within what one
  expression says and be no more precise than it.
* ``reported``: only the article's date bounds the event ("was signed", "will be held"). What
  happened must end on or before the publication day, what is planned must begin on or after it,
  and neither may be that very day as if the article had dated the event.
* ``inferred``: anything else; the event's ``note`` must say how, and the date may not name a
  plain day (an inference gives a month, a year, a qualified date or an interval). A strict
  validation lists them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from .edtf import EdtfDate, Precision, parse_edtf
from .errors import Problem
from .model import Dataset, Event
from .vocab import Status

_ORDER = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}


@dataclass(frozen=True)
class Finding:
    """A problem with one event's date evidence (``index`` is the event's position in the file)."""

    index: int
    event: Event
    message: str
    hint: str


def _published(dataset: Dataset, event: Event) -> list[date]:
    """The publication days of the event's cited articles (those that give one)."""
    return [day for citation in event.citations for day in _published_of(dataset, citation.source)]


def _within(inner: EdtfDate, outer: EdtfDate) -> bool:
    """``inner`` lies inside ``outer`` and is no more precise than it."""
    return (
        outer.span[0] <= inner.span[0]
        and inner.span[1] <= outer.span[1]
        and _ORDER[inner.precision] <= _ORDER[outer.precision]
    )


def _quoted(dataset: Dataset, event: Event) -> tuple[str, str] | None:
    from .extract import find_dates  # (its patterns cost start-up; only a quoted date needs them)

    expressions = []
    for citation in event.citations:
        published = next(iter(_published_of(dataset, citation.source)), None)
        # The date parser reads English: a quote in another language is dated by its translation.
        text = citation.quote if citation.translation is None else citation.translation
        for found in find_dates(text, published.year if published else None, published):
            expressions.append(f"{found.expression!r} = {found.edtf}")
            if _within(event.date, parse_edtf(found.edtf)):
                return None
    if not expressions:
        return "evidence: quoted, but no cited quote holds a date", "quote the words that date it, or say reported or inferred"
    return (
        f"the date {event.date.text} says more than its quotes do ({'; '.join(expressions)})",
        "write the date no more precisely than the quote gives it",
    )


def _published_of(dataset: Dataset, source_id: str) -> list[date]:
    published = dataset.source_by_id[source_id].published
    return [published.first] if published is not None and published.precision is Precision.DAY and published.first else []


def _reported(dataset: Dataset, event: Event) -> tuple[str, str] | None:
    days = _published(dataset, event)
    if not days:
        return "evidence: reported, but no cited article has a publication day", "say inferred, with a note"
    first, last = event.date.first, event.date.last
    pinned = event.date.precision is Precision.DAY and first == last and first in days
    if pinned:
        return (
            f"the date {event.date.text} is the article's own date, not the event's",
            "the article only bounds the event: write a month with ? or an open interval",
        )
    if event.status is Status.PLANNED:
        if first is not None and any(first >= day for day in days):
            return None
        return (
            f"a plan announced on {max(days).isoformat()} cannot begin before it ({event.date.text})",
            f"date it from the announcement, e.g. {max(days).isoformat()}/..",
        )
    if last is not None and any(last <= day for day in days):
        return None
    return (
        f"reported as done by {min(days).isoformat()}, but dated {event.date.text}, which runs later",
        "end the date on or before the publication day",
    )


def _plain_day(value: EdtfDate) -> bool:
    return not value.is_interval and value.precision is Precision.DAY and value.qualifier is None


def evidence_findings(dataset: Dataset) -> list[Finding]:
    """Every event whose date its named evidence does not support."""
    found = []
    for index, event in enumerate(dataset.events):
        problem = evidence_problem(dataset, event)
        if problem is not None:
            found.append(Finding(index, event, *problem))
    return found


def evidence_problem(dataset: Dataset, event: Event) -> tuple[str, str] | None:
    """What is wrong with one event's date given the evidence it names (message and hint), if anything, and
    then with the date of each view of it (``in_corpus``) given the evidence of that corpus's sources alone;
    ``dataset`` is read only for its sources."""
    found = _own_problem(dataset, event)
    for corpus, view in () if found is not None else event.views:
        cited = tuple(citation for citation in view.citations if dataset.source_by_id[citation.source].corpus == corpus)
        problem = _own_problem(dataset, dataclasses.replace(view, citations=cited))
        if problem is not None:
            return f"as the corpus {corpus} tells it: {problem[0]}", problem[1]
    return found


def _own_problem(dataset: Dataset, event: Event) -> tuple[str, str] | None:
    if event.evidence == "quoted":
        return _quoted(dataset, event)
    if event.evidence == "reported":
        return _reported(dataset, event)
    if event.evidence == "inferred" and not event.note:
        return ("evidence: inferred, but no note says how", "add a note: how the date was inferred")
    if event.evidence == "inferred" and _plain_day(event.date):
        return (
            f"the date {event.date.text} names a day, which an inference cannot give",
            "write the month or year the inference supports, or mark the day uncertain (?)",
        )
    return None


def finding_problem(file: str, event: Event, problem: tuple[str, str], line: int | None, column: int | None) -> Problem:
    """A finding as a ``file:line:col`` problem, at the event's ``date``."""
    message, hint = problem
    return Problem(file, line, column, message if message.startswith(event.id) else f"{event.id}: {message}", hint)


def located(dataset: Dataset, findings: list[Finding]) -> list[Problem]:
    """The findings as ``file:line:col`` problems, at each event's ``date``; the places are read from the
    data file as a stream (no node tree, so memory does not grow with the file)."""
    if not findings:
        return []
    from .datafile import yaml_read
    from .datafile.fs import MAX_DATA_BYTES, open_regular

    with open_regular(dataset.path, MAX_DATA_BYTES) as handle:
        marks = yaml_read.value_marks(handle, "events", "date", {finding.index for finding in findings})
    return [
        finding_problem(dataset.path, finding.event, (finding.message, finding.hint), *marks.get(finding.index, (None, None)))
        for finding in findings
    ]


def unstated_evidence(dataset: Dataset) -> list[Finding]:
    """Events that do not say where their date comes from (a strict validation refuses them)."""
    return [
        Finding(index, event, f"{event.id} does not say where its date comes from", "add evidence: quoted, reported or inferred")
        for index, event in enumerate(dataset.events)
        if event.evidence is None
    ]


@dataclass(frozen=True)
class Verdict:
    """What ``validate`` finds beyond the structure (which every load checks): the date-evidence
    problems, the events that do not say their evidence (errors under ``--strict``), the number of quotes
    verified against the articles kept with the data, the number of quotes of web pages, which only an online
    ``sources check`` verifies, and the inferred dates (listed under ``--strict``). It depends only on the data
    and the articles, so the cache keeps it for the next run over the same bytes: the problems and counts as
    one small answer, which a plain ``validate`` reads; the unstated-evidence problems apart; the inferred dates
    not at all (a strict validation reads them from the events, see ``Events.inferred_dates``)."""

    problems: tuple[Problem, ...]
    unstated: tuple[Problem, ...]
    quotes: int
    web: int = 0
    inferred: tuple[tuple[str, str, str], ...] = ()  # (id, EDTF date, note), in file order

    def to_json(self, data_file: str) -> dict[str, str]:
        """As JSON, in two parts kept apart: ``validate`` and ``validate:strict`` (the unstated-evidence
        problems, which only a strict validation reports and a large file may hold by the hundred
        thousand). The data file is written as "" and named again, as the user named it, when read. The
        inferred dates are not written (a large file holds them by the ten thousand, and a plain
        ``validate`` would read them all to print three numbers)."""
        import json

        def plain(problems: tuple[Problem, ...]) -> list[dict[str, object]]:
            return [
                dataclasses.asdict(dataclasses.replace(problem, file="" if problem.file == data_file else problem.file))
                for problem in problems
            ]

        main = {"problems": plain(self.problems), "quotes": self.quotes, "web": self.web}
        return {"validate": json.dumps(main), "validate:strict": json.dumps(plain(self.unstated))}

    @classmethod
    def from_json(cls, main: str, strict: str | None, data_file: str) -> Verdict:
        """The verdict :meth:`to_json` wrote; without its ``strict`` part, no unstated-evidence problem."""
        import json

        def problems(fields: list[dict[str, object]]) -> tuple[Problem, ...]:
            found = (Problem(**entry) for entry in fields)  # type: ignore[arg-type]  # a Problem's fields, as to_json wrote them
            return tuple(dataclasses.replace(problem, file=problem.file or data_file) for problem in found)

        value = json.loads(main)
        return cls(
            problems(value["problems"]),
            problems(json.loads(strict)) if strict is not None else (),
            int(value["quotes"]),
            int(value.get("web", 0)),
        )


class VerdictTally:
    """The verdict worked out one event at a time, as a dataset is read (see :class:`~kztm_timeline.model.Memos`):
    ``dataset`` is read for its sources only. Its :meth:`values` are the part of the verdict a plain
    ``validate`` needs (the unstated-evidence part is worked out when a strict validation asks)."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.placed: list[tuple[int, Problem]] = []
        self.unplaced: list[Finding] = []
        self.quotes = 0
        self.web = 0
        self.count = 0

    def add(self, event: Event, mark: tuple[int, int] | None) -> None:
        problem = evidence_problem(self.dataset, event)
        if problem is not None and mark is not None:
            self.placed.append((self.count, finding_problem(self.dataset.path, event, problem, *mark)))
        elif problem is not None:
            self.unplaced.append(Finding(self.count, event, *problem))
        web = sum(1 for citation in event.citations if self._web(citation.source))
        self.quotes += len(event.citations) - web
        self.web += web
        self.count += 1

    def _web(self, source: str) -> bool:
        found = self.dataset.source_by_id.get(source)
        return found is not None and found.is_web

    def verdict(self) -> Verdict:
        found = located(self.dataset, self.unplaced)  # in the order of their events, as the placed ones
        unplaced = zip((finding.index for finding in self.unplaced), found, strict=True)
        problems = sorted([*self.placed, *unplaced], key=lambda pair: pair[0])
        return Verdict(tuple(problem for _, problem in problems), (), self.quotes, self.web)

    def values(self) -> dict[str, str]:
        return {"validate": self.verdict().to_json(self.dataset.path)["validate"]}

    def inserted(self, kept: Mapping[str, str], line: int, lines: int) -> dict[str, str]:
        main = kept.get("validate")
        if main is None:
            return {}
        old = Verdict.from_json(main, None, self.dataset.path)
        mine = self.verdict()
        moved = [
            dataclasses.replace(problem, line=(problem.line or 0) + lines) if (problem.line or 0) >= line > 0 else problem
            for problem in old.problems
        ]
        problems = sorted([*moved, *mine.problems], key=lambda problem: (problem.line or 0, problem.column or 0))
        merged = Verdict(tuple(problems), (), old.quotes + mine.quotes, old.web + mine.web)
        return {"validate": merged.to_json(self.dataset.path)["validate"]}

    def refreshed(
        self, kept: Mapping[str, str], removed: Sequence[Event], line_of: Callable[[int], int | None]
    ) -> dict[str, str]:
        main = kept.get("validate")
        if main is None:
            return {}
        old = Verdict.from_json(main, None, self.dataset.path)
        mine = self.verdict()
        moved = []
        for problem in old.problems:
            line = None if problem.line is None else line_of(problem.line)
            if problem.line is None or line is not None:
                moved.append(dataclasses.replace(problem, line=line))
        problems = sorted([*moved, *mine.problems], key=lambda problem: (problem.line or 0, problem.column or 0))
        web = sum(1 for event in removed for citation in event.citations if self._web(citation.source))
        quotes = old.quotes - (sum(len(event.citations) for event in removed) - web) + mine.quotes
        merged = Verdict(tuple(problems), (), quotes, old.web - web + mine.web)
        return {"validate": merged.to_json(self.dataset.path)["validate"]}


def kept_verdict(dataset: Dataset, *, strict: bool = True) -> Verdict:
    """The verdict, read from the cache when a run over the same data worked it out before; without
    ``strict``, without its unstated-evidence part and its inferred dates (which are then not even read,
    nor worked out)."""

    def main() -> str:
        tally = VerdictTally(dataset)
        for event in dataset.events:
            tally.add(event, None)
        return tally.values()["validate"]

    def unstated() -> str:
        return Verdict((), tuple(located(dataset, unstated_evidence(dataset))), 0).to_json(dataset.path)["validate:strict"]

    kept = dataset.events.memo("validate", main)
    if not strict:
        return Verdict.from_json(kept, None, dataset.path)
    found = Verdict.from_json(kept, dataset.events.memo("validate:strict", unstated), dataset.path)
    return dataclasses.replace(found, inferred=tuple(dataset.events.inferred_dates()))
