"""Every option that several commands share, declared once, and the decorators that give them to a command."""

import functools
import inspect
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ..errors import UsageError
from ..exporters import Format, RecordFormat
from ..text import shown
from ..vocab import Kind, Status
from .output import ColorMode, OutputChoice, state
from .reading import read_dataset, today

if TYPE_CHECKING:
    from ..model import Dataset
    from ..query import Query

R = TypeVar("R")


def check_date(value: str | None) -> str | None:
    if value is None:
        return None
    from ..query import user_date_range

    try:
        user_date_range(value, today())
    except UsageError as error:
        raise typer.BadParameter(str(error)) from None
    return value


def complete_event_ids(incomplete: str) -> list[str]:
    try:
        dataset = read_dataset(None)
    except Exception:  # completion must never fail loudly
        return []
    return [event.id for event in dataset.events if event.id.startswith(incomplete)]


def _completing(values: Callable[["Dataset"], list[str]], incomplete: str) -> list[str]:
    try:
        dataset = read_dataset(None)
    except Exception:  # completion must never fail loudly
        return []
    return [value for value in dict.fromkeys(values(dataset)) if value.startswith(incomplete)]


def complete_actors(incomplete: str) -> list[str]:
    return _completing(lambda dataset: [actor.id for actor in dataset.actors], incomplete)


def complete_topics(incomplete: str) -> list[str]:
    return _completing(lambda dataset: sorted(topic for event in dataset.events for topic in event.topics), incomplete)


def complete_corpora(incomplete: str) -> list[str]:
    return _completing(lambda dataset: [source.corpus for source in dataset.sources], incomplete)


def complete_sources(incomplete: str) -> list[str]:
    return _completing(lambda dataset: [source.id for source in dataset.sources], incomplete)


DataOpt = Annotated[
    str | None,
    typer.Option(
        "--data",
        metavar="PATH",
        help="Data file to read. Default: $KZTM_TIMELINE_DATA, else the shipped dataset.",
        show_default=False,
    ),
]


FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        case_sensitive=False,
        show_default=False,
        help="timeline (default), table, json, jsonl, csv, markdown, ics, timelinejs, plover (JSON Lines; into a .json "
        "file, a JSON array), html or parquet; with -o, the file's extension picks it (.ics, .json, .csv, .html, .md …).",
    ),
]


JsonOpt = Annotated[bool, typer.Option("--json", help="Short for --format json.")]


def check_output(value: str | None) -> str | None:
    """``-o ''`` names no file (a shell variable that was empty, often): said as such, not as a directory."""
    if value == "":
        raise typer.BadParameter("'' is an empty name, which names no file; name a file, or - for stdout")
    return value


OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        callback=check_output,
        help="Write to FILE (created only once rendering succeeded); a folder (DIR/, new or empty) gets the table as "
        "CSV and its datapackage.json, which types the columns.",
    ),
]


NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Parse the data file afresh; neither read nor write the parse cache.")
]


VerboseOpt = Annotated[
    bool, typer.Option("--verbose", help="Say on stderr when the parse cache is ignored or not written, and why.")
]


QuietOpt = Annotated[
    bool, typer.Option("--quiet", help="Draw no progress bar (by default, long work at a terminal draws one on stderr).")
]


DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")]


NoPagerOpt = Annotated[
    bool, typer.Option("--no-pager", help="Never page output (default: long output at a terminal goes through $PAGER).")
]


ColorOpt = Annotated[
    ColorMode | None,
    typer.Option(
        "--color",
        metavar="WHEN",
        case_sensitive=False,
        show_default=False,
        help="auto (default: colour at a terminal, unless NO_COLOR is set; FORCE_COLOR or CLICOLOR_FORCE force it), "
        "always, or never.",
    ),
]


# The options every command also takes after its name.
GLOBAL_OPTIONS: dict[str, tuple[object, object]] = {
    "no_cache": (NoCacheOpt, False),
    "color": (ColorOpt, None),
    "no_pager": (NoPagerOpt, False),
    "verbose": (VerboseOpt, False),
    "quiet": (QuietOpt, False),
    "debug": (DebugOpt, False),
}


def _output_choice(values: dict[str, Any]) -> dict[str, Any]:
    fmt = values["fmt"]
    return {"out": OutputChoice(None if fmt is None else str(fmt.value), values["json_"], values["output"], values["fields"])}


RecordFormatOpt = Annotated[
    RecordFormat | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        case_sensitive=False,
        show_default=False,
        help="table (default), json, jsonl or csv; with -o, the file's extension picks it.",
    ),
]


FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="A,B,C",
        help="Only these fields, in this order, in every data format (json, jsonl, csv, table, parquet): a JSON key "
        "(plover), or FIELD_MEMBER for one member of it (plover_event, actors_name). Alone, implies --format json.",
    ),
]


RECORD_OUTPUT: dict[str, tuple[object, object]] = {
    "fmt": (RecordFormatOpt, None),
    "json_": (JsonOpt, False),
    "output": (OutputOpt, None),
    "fields": (FieldsOpt, None),
}


def record_output(function: Callable[..., R]) -> Callable[..., R]:
    """Give a command ``-f/--format``, ``--json``, ``-o`` and ``--fields``, and call it with ``out: OutputChoice``."""
    return inject(RECORD_OUTPUT, _output_choice, where="out")(function)


def parse_year(text: str) -> int:
    cleaned = text.strip()
    if not (cleaned.isascii() and cleaned.isdigit() and 1 <= int(cleaned) <= 9999):
        raise typer.BadParameter(f"{shown(text)} is not a year; give one like 2024 (1 to 9999)")
    return int(cleaned)


def parse_count(text: str) -> int:
    cleaned = text.strip()
    if not (cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 18):
        raise typer.BadParameter(f"{shown(text)} is not a count; give a whole number, 0 or more")
    return int(cleaned)


YearOpt = Annotated[
    list[int] | None,
    typer.Option(
        "--year",
        metavar="YEAR",
        parser=parse_year,
        help="Only events whose whole date lies in this year (repeatable: any of); --overlapping adds those that may.",
    ),
]


SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="DATE",
        callback=check_date,
        help='Events whose whole date lies on or after this date: 2021, "Oct 2021", "5 August 2024", today, '
        'yesterday, "3 months ago", "last year", "this month".',
    ),
]


UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until",
        metavar="DATE",
        callback=check_date,
        help="Events whose whole date lies up to the end of this date (--until 2022 includes all of 2022); same forms "
        "as --since.",
    ),
]


KINDS_HELP = ", ".join(kind.value for kind in Kind)


def complete_kinds(incomplete: str) -> list[str]:
    return [kind.value for kind in Kind if kind.value.startswith(incomplete)]


def complete_statuses(incomplete: str) -> list[str]:
    return [status.value for status in Status if status.value.startswith(incomplete)]


KindOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        metavar="KIND",
        autocompletion=complete_kinds,
        help=f"Only this kind (repeatable): {KINDS_HELP}; or its label as stats prints it (\"State visit\").",
    ),
]


ActorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--actor",
        metavar="ACTOR",
        autocompletion=complete_actors,
        help="Actor id or any spelling of the name; ignores case, diacritics and romanization (repeatable).",
    ),
]


TopicOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        metavar="TOPIC",
        autocompletion=complete_topics,
        help='Only this topic (repeatable), as written or as stats prints it ("high level dialogue").',
    ),
]


PlaceOpt = Annotated[
    list[str] | None, typer.Option("--place", metavar="PLACE", help="Place containing these words (repeatable).")
]


StatusOpt = Annotated[
    list[str] | None,
    typer.Option("--status", metavar="STATUS", autocompletion=complete_statuses, help="happened or planned."),
]


SearchOpt = Annotated[
    list[str] | None,
    typer.Option("--search", metavar="WORDS", help="Words in title, summary, quotes or actor names (repeatable: any of)."),
]


CorpusOpt = Annotated[
    str | None,
    typer.Option(
        "--corpus",
        metavar="NAME",
        autocompletion=complete_corpora,
        help="Only the events citing a source of this corpus, with only those citations (seeds: the five articles).",
    ),
]


OverlappingOpt = Annotated[
    bool,
    typer.Option(
        "--overlapping",
        help="Add the events that only may fall in the date range: a month, year, uncertain or open date that "
        "overlaps it without lying in it (at a terminal, listed apart under a heading that says so).",
    ),
]


LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", metavar="N", parser=parse_count, help="At most N events.")]


ReverseOpt = Annotated[bool, typer.Option("--reverse", "-r", help="Newest first.")]


# Every filter option, declared once: its parameter name, its type with the option, and its default.
FILTER_OPTIONS: dict[str, tuple[object, object]] = {
    "year": (YearOpt, None),
    "since": (SinceOpt, None),
    "until": (UntilOpt, None),
    "overlapping": (OverlappingOpt, False),
    "kind": (KindOpt, None),
    "actor": (ActorOpt, None),
    "topic": (TopicOpt, None),
    "place": (PlaceOpt, None),
    "status": (StatusOpt, None),
    "search": (SearchOpt, None),
    "limit": (LimitOpt, None),
    "reverse": (ReverseOpt, False),
    "corpus": (CorpusOpt, None),
}


def build_query(values: dict[str, Any]) -> "Query":
    """The one place a Query is built from filter options."""
    from ..query import Query, Reach, kind_named, status_named, user_date_range

    since, until = values.get("since"), values.get("until")
    first = user_date_range(since, today())[0] if since else None
    last = user_date_range(until, today())[1] if until else None
    if first is not None and last is not None and first > last:
        raise UsageError(
            f"--since {shown(since)} ({first.isoformat()}) is after --until {shown(until)} ({last.isoformat()}): "
            "the range holds no day; swap them"
        )
    return Query(
        years=tuple(values.get("year") or ()),
        since=first,
        until=last,
        kinds=tuple(kind_named(kind) for kind in values.get("kind") or ()),
        actors=tuple(values.get("actor") or ()),
        topics=tuple(values.get("topic") or ()),
        places=tuple(values.get("place") or ()),
        statuses=tuple(status_named(status) for status in values.get("status") or ()),
        search=tuple(values.get("search") or ()),
        limit=values.get("limit"),
        reverse=bool(values.get("reverse")),
        corpus=values.get("corpus"),
        reach=Reach.OVERLAPPING if values.get("overlapping") else Reach.WITHIN,
    )


def inject(
    options: dict[str, tuple[object, object]], consume: Callable[[dict[str, Any]], dict[str, Any]], *, where: str | None = None
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Give a command the ``options`` (name → (annotated type, default)); before it runs, ``consume`` turns
    their values into the keyword arguments the command itself takes. The options stand in the place of the
    parameter named ``where`` (which the command does not receive from the command line), else at the end."""

    def decorate(function: Callable[..., R]) -> Callable[..., R]:
        # Typer reads Annotated options from the signature. This module's annotations are objects (it does
        # not postpone them: evaluating hundreds of strings at every start-up cost 20 ms); only ``query``'s
        # is a string, naming a class imported for type checking, and it is replaced by the options.
        signature = inspect.signature(function)
        added = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
            for name, (annotation, default) in options.items()
        ]
        parameters: list[inspect.Parameter] = []
        for parameter in signature.parameters.values():
            if parameter.name == where:
                parameters.extend(added)
            else:
                parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))
        if where is None:
            parameters.extend(added)

        @functools.wraps(function)
        def wrapper(**kwargs: Any) -> R:
            values = {name: kwargs.pop(name) for name in options}
            return function(**consume(values), **kwargs)

        wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]  # read by inspect
        wrapper.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
        return wrapper

    return decorate


def filter_options(*names: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Give a command the named options of :data:`FILTER_OPTIONS` and call it with the Query they build.

    The command declares ``query: "Query"`` instead of the options (as sqlite-utils'
    shared option decorators do), so each option is written once for every command.
    """
    return inject({name: FILTER_OPTIONS[name] for name in names}, lambda values: {"query": build_query(values)}, where="query")


def _set_globals(values: dict[str, Any]) -> dict[str, Any]:
    """Global options given after the command: each one given overrides what was given before it."""
    if values["no_cache"]:
        state["cache"] = False
    if values["verbose"]:
        state["verbose"] = True
    if values["quiet"]:
        state["quiet"] = True
    if values["debug"]:
        state["debug"] = True
    if values["no_pager"]:
        state["pager"] = False
    if values["color"] is not None:
        state["color"] = values["color"].value
    return {}


def global_options(function: Callable[..., R]) -> Callable[..., R]:
    """``--no-cache``, ``--color``, ``--no-pager``, ``--verbose``, ``--quiet`` and ``--debug`` after the command too
    (``timeline list --no-cache`` as well as ``timeline --no-cache list``), as git and gh accept them."""
    return inject(GLOBAL_OPTIONS, _set_globals)(function)


AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="DATE", callback=check_date, help="Judge plans as of this day instead of today."
    ),
]


def as_of_day(value: str | None) -> date:
    if not value:
        return today()
    from ..query import user_date_range

    return user_date_range(value, today())[1]


EventArg = Annotated[
    str, typer.Argument(metavar="EVENT", help="Event id, or a unique prefix of one.", autocompletion=complete_event_ids)
]


DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Validate and print the change as a diff; write nothing.")]
