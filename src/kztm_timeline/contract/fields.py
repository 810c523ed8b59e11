"""Every table the tool writes, field by field, declared once: name, type, description, and how each format
writes it. The JSON Schema of the output, the CSV header, the Frictionless ``datapackage.json`` and the Parquet
schema are all derived from these declarations, and ``--fields`` takes their names in every format.

JSON keeps a field's nesting. CSV and Parquet (and ``-f table`` with ``--fields``) flatten it by one rule:

* a field holding one value is one column of its name (``title``);
* a field holding an object is one column per member, named ``FIELD_MEMBER``
  (``plover`` → ``plover_event``, ``plover_mode``, ``plover_context``);
* a list of values is one column (``topics``); a list of objects is one column per member, named
  ``FIELD_MEMBER`` (``actors`` → ``actors_id``, ``actors_name``, ``actors_role``), each holding that
  member's values in the order of the items;
* a list column is a typed list in Parquet and its items joined by ``"; "`` in CSV; null and an empty list
  are an empty CSV cell;
* a free-form object (``extract``'s ``stub``: an event as the data file takes it) is one column holding
  its JSON text.
"""

# Over the 500-line aim: one declaration per field of every table, which reads best together.
from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from operator import itemgetter
from typing import Any, NamedTuple

from ..datafile.patterns import LANGUAGE_PATTERN
from ..edtf import Precision, Qualifier
from ..errors import UsageError
from ..text import shown
from ..vocab import ACTOR_TYPES, RELATIONS, ROLES, Kind, Status

# What is declared here is the output contract; its version is kztm_timeline.CONTRACT_VERSION.
LIST_SEPARATOR = "; "  # between the items of a list in a CSV cell
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
LANGUAGE_TAG = LANGUAGE_PATTERN  # a BCP 47 tag in the forms sources use, as the data file takes it


class FieldType(StrEnum):
    """What one value (or each item of a list) is."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"  # a day, YYYY-MM-DD: a string in JSON, a date in CSV's datapackage and in Parquet
    OBJECT = "object"  # a free-form object (the data file's own shape): its JSON text in CSV and Parquet


@dataclass(frozen=True)
class OutputField:
    """One field of a record, or one member of a field that holds objects."""

    name: str
    type: FieldType
    description: str
    nullable: bool = False  # the value (or the object) may be null; a list is never null, only empty
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    many: bool = False  # a list of values, or of objects when it has members
    members: tuple[OutputField, ...] = ()  # the object's members, in their JSON order
    positional: bool = False  # JSON writes each object as an array of its members' values, in order
    min_items: int = 0


@dataclass(frozen=True)
class Table:
    """The records one command writes: ``name`` names its CSV file (``events.csv``) and its resource in
    ``datapackage.json``; ``record`` names one record in the JSON Schema; ``key`` is its primary key."""

    name: str
    record: str
    title: str
    fields: tuple[OutputField, ...]
    key: tuple[str, ...] = ("id",)


class FlatColumn(NamedTuple):
    """One flat column: a field, or one member of a field that holds objects."""

    name: str
    field: OutputField
    member: OutputField | None

    @property
    def type(self) -> FieldType:
        return (self.member or self.field).type

    @property
    def many(self) -> bool:
        return self.field.many

    @property
    def nullable(self) -> bool:
        return not self.many and (self.field.nullable or (self.member is not None and self.member.nullable))

    @property
    def description(self) -> str:
        if self.member is None:
            return self.field.description
        each = "each item's " if self.many else ""
        return f"{self.field.name}: {each}{self.member.name}. {self.member.description}"


class Pick(NamedTuple):
    """One name given to ``--fields``: a whole field, or one member of it."""

    field: OutputField
    member: OutputField | None


def _text(name: str, description: str, **more: Any) -> OutputField:
    return OutputField(name, FieldType.STRING, description, **more)


_LINK = (
    _text("id", "The other event's id.", pattern=SLUG),
    _text("relation", "How the events relate.", choices=RELATIONS),
)

EVENTS = Table(
    "events",
    "event",
    "Events",
    (
        _text("id", "Stable event id (see `timeline show ID`).", pattern=SLUG),
        _text("date", "The EDTF date exactly as written in the data, at the precision the source gives."),
        OutputField("start", FieldType.DATE, "First day the date covers; null for an open or unknown start.", nullable=True),
        OutputField("end", FieldType.DATE, "Last day the date covers; null for an open or unknown end.", nullable=True),
        _text("precision", "year, month or day (for an interval, the coarser of its ends).",
              choices=tuple(p.value for p in Precision)),
        _text("qualifier", "uncertain (?), approximate (~), uncertain-approximate (%), or null.", nullable=True,
              choices=tuple(q.value for q in Qualifier)),
        _text("display_date", "The date as people write it: 'Oct 2021', 'c. 1993', 'from 6 Aug 2024'."),
        _text("title", "Short title, in our own words."),
        _text("kind", "Event kind (see the kind table); maps to CAMEO and PLOVER.", choices=tuple(k.value for k in Kind)),
        _text("cameo", "CAMEO event code: text with its leading zero ('054'), never a number.", pattern=r"^[0-9]{2,4}$"),
        OutputField(
            "plover",
            FieldType.STRING,
            "PLOVER event type, mode and context of the kind.",
            members=(
                _text("event", "PLOVER event category."),
                _text("mode", "PLOVER mode, or null where the manual gives none.", nullable=True),
                _text("context", "PLOVER context."),
            ),
        ),
        _text("status", "Whether it happened or was planned.", choices=tuple(s.value for s in Status)),
        _text("summary", "What happened, in our own words."),
        _text("note", "How the date or facts were inferred, or null.", nullable=True),
        OutputField(
            "actors",
            FieldType.STRING,
            "The participants, in the event's order.",
            many=True,
            members=(
                _text("id", "Actor id (see `timeline actors`).", pattern=SLUG),
                _text("name", "The actor's canonical name."),
                _text("role", "The actor's part in the event.", choices=ROLES),
            ),
        ),
        _text("place", "Where it took place, or null.", nullable=True),
        _text("topics", "Subjects, lower case.", many=True),
        OutputField(
            "sources",
            FieldType.STRING,
            "The evidence: each cited source (an article or a web page) and the verbatim quote from it.",
            many=True,
            min_items=1,
            members=(
                _text("source", "Source id (see `timeline sources`).", pattern=SLUG),
                _text("title", "The article's headline."),
                _text("publisher", "Who published the article."),
                _text("quote", "The verbatim quote, in the source's language."),
                _text("url", "The web page's address, or null for an article kept with the data.", nullable=True),
                _text("language", "The quote's language (its source's), a BCP 47 tag: en, ru, kk, tk, kk-Cyrl.",
                      pattern=LANGUAGE_TAG),
                _text("translation", "The quote in English, in our own words; null for a quote in English.", nullable=True),
            ),
        ),
        OutputField("related", FieldType.STRING, "The links this event declares.", many=True, members=_LINK),
        OutputField("referenced_by", FieldType.STRING, "The events that declare a link to this one.", many=True, members=_LINK),
    ),
)  # fmt: skip

ACTORS = Table(
    "actors",
    "actor",
    "Actors",
    (
        _text("id", "Stable actor id.", pattern=SLUG),
        _text("name", "Canonical name."),
        _text("type", "What the actor is.", choices=ACTOR_TYPES),
        _text("country", "ISO 3166-1 alpha-2 code, or null for an international actor.", nullable=True),
        _text("variants", "Every other spelling the sources use.", many=True),
        OutputField(
            "positions",
            FieldType.STRING,
            "Offices held, with the span the sources attest.",
            many=True,
            members=(_text("title", "The office as the sources name it."), _text("span", "EDTF span, or null.", nullable=True)),
        ),
        OutputField("events", FieldType.INTEGER, "How many events name the actor."),
    ),
)

SOURCES = Table(
    "sources",
    "source",
    "Sources: articles kept with the data and web pages",
    (
        _text("id", "Stable source id, used in citations.", pattern=SLUG),
        _text("corpus", "The named corpus the source belongs to (the corpus option names it).", pattern=SLUG),
        _text("file", "An article kept with the data: its text file, as the data file names it; null for a web page.",
              nullable=True),
        _text("url", "A web page's address; null for an article kept with the data.", nullable=True),
        _text("title", "The headline."),
        _text("publisher", "Who published it."),
        _text("published", "Publication date (EDTF), or null where the source gives none.", nullable=True),
        _text("language", "The language of its text, a BCP 47 tag: en, ru, kk, tk, kk-Cyrl.", pattern=LANGUAGE_TAG),
        _text("retrieved", "A web page: the day it was read (EDTF); null for an article kept with the data.", nullable=True),
        _text("archive_url", "A web page: an archived copy of it, or null.", nullable=True),
        OutputField("events", FieldType.INTEGER, "How many events cite it."),
        _text("path", "An article kept with the data: its absolute path on this machine; null for a web page.", nullable=True),
    ),
)  # fmt: skip

PLANS = Table(
    "plans",
    "plan",
    "Planned events and their state",
    (
        _text("id", "The planned event's id.", pattern=SLUG),
        _text("date", "Its EDTF date."),
        _text("display_date", "The date as people write it."),
        OutputField("latest", FieldType.DATE, "The last day the plan could still be on time; null if open-ended.", nullable=True),
        OutputField("due", FieldType.DATE, "The day it falls due: the end of its date (its source's words where quoted), "
                    "or, open at its end, twelve months after it was announced; overdue from the day after."),
        _text("title", "Short title."),
        _text("state", "open, fulfilled, cancelled, postponed or overdue.",
              choices=("open", "fulfilled", "cancelled", "postponed", "overdue")),
        OutputField("outcomes", FieldType.STRING, "The events recording what became of it.", many=True, members=_LINK),
        OutputField(
            "no_outcome_found",
            FieldType.STRING,
            "Where no outcome is recorded and a corpus was searched for one: as of which day, which corpus, and what "
            "was found instead; null otherwise.",
            nullable=True,
            members=(
                OutputField("as_of", FieldType.DATE, "The day the corpus was last searched."),
                _text("corpus", "The corpus searched."),
                _text("note", "What was found instead, in our own words."),
            ),
        ),
    ),
)  # fmt: skip

STATS = Table(
    "stats",
    "count",
    "Event counts",
    (
        _text("group", "What is counted by: year, kind, actor, topic or status; without_year counts the events "
              "that have no year of their own (open at their start, and no lower bound to place them).",
              choices=("year", "without_year", "kind", "actor", "topic", "status")),
        _text("key", "The year (years only), kind, actor, topic or status; for without_year, why: open_start."),
        OutputField("count", FieldType.INTEGER, "How many events."),
    ),
    key=("group", "key"),
)  # fmt: skip

PARAGRAPHS = Table(
    "paragraphs",
    "paragraph",
    "An article's paragraphs and the passages events cite",
    (
        OutputField("paragraph", FieldType.INTEGER, "Paragraph number, from 1."),
        _text("text", "The paragraph's text."),
        OutputField(
            "cited",
            FieldType.INTEGER,
            "Character spans of the text that a citation quotes, each written [start, end] in JSON.",
            many=True,
            positional=True,
            members=(
                OutputField("start", FieldType.INTEGER, "Offset of the span's first character."),
                OutputField("end", FieldType.INTEGER, "Offset just after its last character."),
            ),
        ),
        _text("events", "Ids of the events that quote the paragraph.", many=True),
    ),
    key=("paragraph",),
)

COVERAGE = Table(
    "coverage",
    "coverage",
    "How much of each article the data cites",
    (
        _text("source", "Source id.", pattern=SLUG),
        OutputField("sentences", FieldType.INTEGER, "Sentences in the article."),
        OutputField("cited", FieldType.INTEGER, "Sentences a citation quotes."),
        _text("dated_uncovered", "'line N: expression' of each dated sentence no event covers.", many=True),
        OutputField(
            "excluded",
            FieldType.STRING,
            "The lines left out as page furniture (menus, headline, dateline, link lists, labels), with why.",
            many=True,
            members=(
                OutputField("line", FieldType.INTEGER, "Line of the article."),
                _text("text", "The line's text."),
                _text("reason", "Why it is not counted as the article's."),
            ),
        ),
        OutputField(
            "datable",
            FieldType.STRING,
            "Phrases that point at a date without giving one ('the recent visit'): leads another source may date.",
            many=True,
            members=(
                OutputField("line", FieldType.INTEGER, "Line of the article the sentence starts on."),
                _text("phrase", "The phrase."),
                _text("sentence", "The sentence that holds it."),
            ),
        ),
    ),
    key=("source",),
)

CHECKS = Table(
    "checks",
    "check",
    "Web sources checked against their pages",
    (
        _text("source", "Source id (a web page).", pattern=SLUG),
        _text("url", "The page's address, as the data file gives it."),
        _text("state", "ok (every quote found), changed (some quote no longer found), dead (the page could not be "
              "read) or unchecked (not fetched: the check ran offline).", choices=("ok", "changed", "dead", "unchecked")),
        _text("detail", "What was found, in a few words."),
        OutputField("quotes", FieldType.INTEGER, "How many quotes of the page the events cite."),
        OutputField(
            "missing",
            FieldType.STRING,
            "The quotes no longer found on the page.",
            many=True,
            members=(_text("event", "The citing event's id.", pattern=SLUG), _text("quote", "The quote."))
        ),
    ),
    key=("source",),
)  # fmt: skip

CANDIDATES = Table(
    "candidates",
    "candidate",
    "Candidate events proposed from an article",
    (
        _text("source", "The source id the stub cites."),
        OutputField("line", FieldType.INTEGER, "Line of the article the sentence starts on."),
        _text("expression", "The date expression as written."),
        _text("date", "The EDTF date it was read as."),
        _text("actors", "Ids of the actors the sentence names.", many=True),
        _text("kind", "The guessed kind.", choices=tuple(k.value for k in Kind)),
        _text("status", "The guessed status.", choices=tuple(s.value for s in Status)),
        _text("quote", "The dated sentence."),
        _text("already_present", "Ids of events that already cover the sentence.", many=True),
        OutputField("stub", FieldType.OBJECT, "The event stub to review and paste, as the data file takes it."),
    ),
    key=("line",),
)

CHART = Table(
    "chart",
    "bar",
    "Events per period",
    (
        _text("period", "The year (2024) or month (2024-08); null in the last record, which counts the events "
              "without a period of their own.", nullable=True),
        OutputField("count", FieldType.INTEGER, "How many events."),
        _text("without_period", "null for a period of the axis; open_start for the record of the events open at "
              "their start (only their end is known), which have no period of their own.", nullable=True,
              choices=("open_start",)),
    ),
    key=("period", "without_period"),
)

CACHE = Table(
    "cache",
    "entry",
    "Entries of the parse cache",
    (
        _text("data", "The data file the entry serves (an absolute path), or null where that is not known.", nullable=True),
        OutputField("exists", FieldType.BOOLEAN, "Whether that data file still exists."),
        OutputField("current", FieldType.BOOLEAN, "Whether it is the cache of the data file this run would read."),
        OutputField("size", FieldType.INTEGER, "Its size in bytes."),
        _text("used", "When a run last used it: an ISO 8601 time, in UTC."),
        _text("stale", "Why it will be removed when a cache is next written, or null if it stays.", nullable=True),
        _text("file", "The entry's file in the cache folder."),
    ),
    key=("file",),
)  # fmt: skip

TABLES = (EVENTS, ACTORS, SOURCES, PLANS, STATS, PARAGRAPHS, COVERAGE, CANDIDATES, CHART, CHECKS, CACHE)


# ---------------------------------------------------------------- flat columns and --fields


def field_names(table: Table) -> tuple[str, ...]:
    return tuple(field.name for field in table.fields)


def field_columns(field: OutputField) -> tuple[FlatColumn, ...]:
    if not field.members:
        return (FlatColumn(field.name, field, None),)
    return tuple(FlatColumn(f"{field.name}_{member.name}", field, member) for member in field.members)


def columns(table: Table, picks: Sequence[Pick] | None = None) -> tuple[FlatColumn, ...]:
    """The flat columns of ``picks`` (every field when None), in their order: a whole field gives all its columns."""
    if picks is None:
        return tuple(column for field in table.fields for column in field_columns(field))
    found: dict[str, FlatColumn] = {}
    for pick in picks:
        for column in field_columns(pick.field) if pick.member is None else (FlatColumn(_flat(pick), pick.field, pick.member),):
            found.setdefault(column.name, column)
    return tuple(found.values())


def _flat(pick: Pick) -> str:
    return pick.field.name if pick.member is None else f"{pick.field.name}_{pick.member.name}"


def names(table: Table) -> tuple[str, ...]:
    """Every name ``--fields`` takes: the fields, then the flat columns of those that hold objects."""
    flat = (column.name for column in columns(table) if column.member is not None)
    return tuple(dict.fromkeys((*field_names(table), *flat)))


def pick(table: Table, asked: str) -> tuple[Pick, ...]:
    """The fields of a comma-separated list ``a,b,c``, in the order asked (each once); an unknown name is a
    UsageError naming the closest known ones, and then all of them."""
    known: dict[str, Pick] = {field.name: Pick(field, None) for field in table.fields}
    for column in columns(table):
        if column.member is not None:
            known.setdefault(column.name, Pick(column.field, column.member))
    wanted = tuple(dict.fromkeys(name.strip() for name in asked.split(",") if name.strip()))
    listed = ", ".join(field_names(table))
    flat = [column.name for column in columns(table) if column.member is not None]
    more = f" (or one column of a field: {', '.join(flat)})" if flat else ""
    if not wanted:
        raise UsageError(f"no field names given; choose from: {listed}{more}")
    for name in wanted:
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise UsageError(f"no field {shown(name)}; {hint}choose from: {listed}{more}")
    return tuple(known[name] for name in wanted)


def project(record: dict[str, object], picks: Sequence[Pick] | None) -> dict[str, object]:
    """``record`` with only ``picks``, nesting kept: the fields in the order first asked, an object or the
    objects of a list cut to the members asked (a positional list stays whole)."""
    if picks is None:
        return record
    asked: dict[str, list[str] | None] = {}
    by_name = {pick.field.name: pick.field for pick in picks}
    for pick in picks:
        name = pick.field.name
        if pick.member is None or pick.field.positional:
            asked[name] = None
        elif name not in asked:
            asked[name] = [pick.member.name]
        elif (members := asked[name]) is not None:
            members.append(pick.member.name)
    result: dict[str, object] = {}
    for name, members in asked.items():
        value = record[name]
        if members is None or value is None:
            result[name] = value
        elif by_name[name].many:
            result[name] = [{member: item[member] for member in members} for item in _items(value)]
        else:
            result[name] = {member: _mapping(value)[member] for member in members}
    return result


def _items(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def flat_value(column: FlatColumn, record: dict[str, object]) -> object:
    """The value of one flat column of a JSON record: a value, or the list of a member's values."""
    return getter(column)(record)


def getter(column: FlatColumn) -> Callable[[dict[str, object]], object]:
    """A function that reads ``column``'s flat value from a JSON record (made once per column, used per row)."""
    name, member = column.field.name, column.member
    if member is None:
        return lambda record: record[name]
    if column.many:
        pick = itemgetter(column.field.members.index(member) if column.field.positional else member.name)
        return lambda record: list(map(pick, _items(record[name])))
    key = member.name
    return lambda record: None if (value := record[name]) is None else _mapping(value)[key]


def getters(chosen: Iterable[FlatColumn]) -> list[Callable[[dict[str, object]], object]]:
    return [getter(column) for column in chosen]


def flat_row(record: dict[str, object], chosen: Iterable[FlatColumn]) -> list[object]:
    return [get(record) for get in getters(chosen)]


def csv_cell(value: object) -> str:
    """One flat value as a CSV cell: a list's items joined by "; ", null as the empty string."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(csv_cell(item) for item in value)
    if isinstance(value, dict):
        from . import dumps  # (the one JSON writer; imported here, as the package imports this module)

        return dumps(value, pretty=False, spaced=True)
    return str(value)
