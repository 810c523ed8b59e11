"""The command line: the only module that touches argv, stdout, stderr and exit codes."""

from __future__ import annotations

import functools
import os
import shutil
import sys
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer

from . import __version__
from .errors import DataError, LookupFailed, TimelineError, UsageError
from .exporters import HUMAN_FORMATS, Format
from .kinds import Kind, Status
from .load import data_path, display_path, load_dataset
from .model import Dataset
from .safety import escape_controls

P = ParamSpec("P")
R = TypeVar("R")

EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
REPORT_URL = "the project's issue tracker"

app = typer.Typer(
    name="timeline",
    help="Query the evidence-backed timeline of Kazakhstan–Turkmenistan relations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False, "cache": True}


# ---------------------------------------------------------------- plumbing


def _stderr(message: str) -> None:
    sys.stderr.write(escape_controls(message) + "\n")
    sys.stderr.flush()


def _stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _quiet_broken_pipe() -> NoReturn:
    # The reader went away (`| head`): point stdout at /dev/null so that the
    # interpreter's final flush cannot complain, and end quietly.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise typer.Exit(0)


def guarded(function: Callable[P, R]) -> Callable[P, R]:
    """Turn the core's errors into messages and exit codes; never show a traceback."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except typer.Exit:
            raise
        except DataError as error:
            for problem in error.problems:
                _stderr(str(problem))
            count = len(error.problems)
            _stderr(f"timeline: {count} problem{'s' if count != 1 else ''} in the data; nothing was changed")
            raise typer.Exit(EXIT_DATA) from None
        except LookupFailed as error:
            _stderr(f"timeline: {error}")
            if error.suggestions:
                _stderr("did you mean:")
                for suggestion in error.suggestions:
                    _stderr(f"  {suggestion}")
            raise typer.Exit(EXIT_DATA) from None
        except UsageError as error:
            _stderr(f"Usage: timeline {function.__name__.rstrip('_').replace('_', ' ')} [OPTIONS]")
            _stderr(f"Try 'timeline {function.__name__.rstrip('_').replace('_', ' ')} --help' for help.\n")
            _stderr(f"Error: {error}")
            raise typer.Exit(EXIT_USAGE) from None
        except TimelineError as error:
            _stderr(f"timeline: {error}")
            raise typer.Exit(EXIT_DATA) from None
        except BrokenPipeError:
            _quiet_broken_pipe()
        except KeyboardInterrupt:
            _stderr("timeline: interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as error:
            if _state["debug"]:
                raise
            _stderr(
                f"timeline: internal error ({type(error).__name__}: {error}). This is a bug; please report it to "
                f"{REPORT_URL} with the output of the same command run with --debug."
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper


def _color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _width() -> int:
    if sys.stdout.isatty():
        return shutil.get_terminal_size((100, 24)).columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 20 else 100


def _load(data: str | None) -> Dataset:
    cache = None
    if _state["cache"] and not os.environ.get("KZTM_TIMELINE_NO_CACHE"):
        from .cache import cache_dir

        cache = cache_dir(os.environ)
    return load_dataset(data_path(data, os.environ), cache=cache)


def _check_date(value: str | None) -> str | None:
    if value is None:
        return None
    from .dates import user_date_range

    try:
        user_date_range(value)
    except UsageError as error:
        raise typer.BadParameter(str(error)) from None
    return value


def _date_bounds(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    """First day of --since and last day of --until (a partial date covers its whole period)."""
    if not since and not until:
        return None, None
    from .dates import user_date_range

    return (user_date_range(since)[0] if since else None, user_date_range(until)[1] if until else None)


def _complete_event_ids(incomplete: str) -> list[str]:
    try:
        dataset = _load(None)
    except Exception:  # completion must never fail loudly
        return []
    return [event.id for event in dataset.events if event.id.startswith(incomplete)]


def _version(value: bool) -> None:
    if value:
        _stdout(f"timeline {__version__}\n")
        raise typer.Exit(0)


DataOpt = Annotated[
    str | None,
    typer.Option(
        "--data",
        metavar="PATH",
        help="Data file to read. Default: $KZTM_TIMELINE_DATA, else the shipped dataset.",
        show_default=False,
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Short for --format json.")]
OutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (created only once rendering succeeded)."),
]


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse the data file afresh; neither read nor write the parse cache.")
    ] = False,
    version: Annotated[  # noqa: ARG001 - Typer calls its callback; the value itself is unused
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Query the evidence-backed timeline of Kazakhstan–Turkmenistan relations."""
    _state["debug"] = debug or bool(os.environ.get("KZTM_TIMELINE_DEBUG"))
    _state["cache"] = not no_cache


# ---------------------------------------------------------------- commands


@app.command()
@guarded
def validate(data: DataOpt = None) -> None:
    """Check the data file: structure, ids, references, dates and every quote."""
    path = data_path(data, os.environ)
    dataset = _load(path)
    quotes = sum(len(event.citations) for event in dataset.events)
    _stdout(
        f"ok: {display_path(path)}: {len(dataset.events)} events, {len(dataset.actors)} actors, "
        f"{len(dataset.sources)} sources; {quotes} quotes verified\n"
    )


def _write_output(text: str, output: str | None) -> None:
    if output is None or output == "-":
        _stdout(text)
        return
    from .store import atomic_write_text

    try:
        atomic_write_text(output, text)
    except OSError as error:
        raise TimelineError(f"cannot write {output}: {error.strerror or error}") from None


def _render_selection(
    *,
    data: str | None,
    fmt: Format,
    output: str | None,
    years: list[int] | None,
    since: str | None,
    until: str | None,
    kinds: list[Kind] | None,
    actors: list[str] | None,
    topics: list[str] | None,
    places: list[str] | None,
    statuses: list[Status] | None,
    search: list[str] | None,
    limit: int | None,
    reverse: bool,
    highlight: bool,
) -> None:
    from .exporters import render
    from .present import View
    from .query import Query, select

    dataset = _load(data)
    since_day, until_day = _date_bounds(since, until)
    query = Query(
        years=tuple(years or ()),
        since=since_day,
        until=until_day,
        kinds=tuple(kinds or ()),
        actors=tuple(actors or ()),
        topics=tuple(topics or ()),
        places=tuple(places or ()),
        statuses=tuple(statuses or ()),
        search=tuple(search or ()),
        limit=limit,
        reverse=reverse,
    )
    events = select(dataset, query)
    if not events and fmt in HUMAN_FORMATS and output is None:
        _stderr("no events match")
        return
    to_terminal = output is None and _color()
    view = View(
        dataset=dataset,
        events=tuple(events),
        color=to_terminal,
        width=_width() if output is None else 100,
        highlight=tuple(search or ()) if highlight else (),
    )
    _write_output(render(fmt, view), output)


YearOpt = Annotated[
    list[int] | None, typer.Option("--year", min=1, max=9999, help="Only events overlapping year Y (repeatable).")
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since", callback=_check_date, help='Events overlapping this date or later: 2021, "Oct 2021", "5 August 2024".'
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until", callback=_check_date, help="Events overlapping up to the end of this date; --until 2022 includes all of 2022."
    ),
]
KindOpt = Annotated[list[Kind] | None, typer.Option("--kind", help="Only this kind (repeatable).", case_sensitive=False)]
ActorOpt = Annotated[
    list[str] | None,
    typer.Option("--actor", help="Actor id or any spelling of the name; ignores case and diacritics (repeatable)."),
]
TopicOpt = Annotated[list[str] | None, typer.Option("--topic", help="Only this topic (repeatable).")]
PlaceOpt = Annotated[list[str] | None, typer.Option("--place", help="Place containing these words (repeatable).")]
StatusOpt = Annotated[list[Status] | None, typer.Option("--status", help="happened or planned.", case_sensitive=False)]
SearchOpt = Annotated[
    list[str] | None, typer.Option("--search", help="Words in title, summary, quotes or actor names (repeatable: any of).")
]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", min=0, help="At most N events.")]
ReverseOpt = Annotated[bool, typer.Option("--reverse", "-r", help="Newest first.")]


@app.command("list")
@guarded
def list_(
    year: YearOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    kind: KindOpt = None,
    actor: ActorOpt = None,
    topic: TopicOpt = None,
    place: PlaceOpt = None,
    status: StatusOpt = None,
    search: SearchOpt = None,
    limit: LimitOpt = None,
    reverse: ReverseOpt = False,
    fmt: FormatOpt = Format.TIMELINE,
    json_: JsonOpt = False,
    output: OutputOpt = None,
    data: DataOpt = None,
) -> None:
    """List events, oldest first, filtered and formatted."""
    _render_selection(
        data=data,
        fmt=Format.JSON if json_ else fmt,
        output=output,
        years=year,
        since=since,
        until=until,
        kinds=kind,
        actors=actor,
        topics=topic,
        places=place,
        statuses=status,
        search=search,
        limit=limit,
        reverse=reverse,
        highlight=False,
    )


@app.command()
@guarded
def search(
    text: Annotated[str, typer.Argument(help="Words to find; case and diacritics are ignored.")],
    year: YearOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    kind: KindOpt = None,
    actor: ActorOpt = None,
    limit: LimitOpt = None,
    reverse: ReverseOpt = False,
    fmt: FormatOpt = Format.TIMELINE,
    json_: JsonOpt = False,
    data: DataOpt = None,
) -> None:
    """Find events by words, with matches highlighted at a terminal."""
    _render_selection(
        data=data,
        fmt=Format.JSON if json_ else fmt,
        output=None,
        years=year,
        since=since,
        until=until,
        kinds=kind,
        actors=actor,
        topics=None,
        places=None,
        statuses=None,
        search=[text],
        limit=limit,
        reverse=reverse,
        highlight=True,
    )


@app.command()
@guarded
def show(
    event: Annotated[str, typer.Argument(help="Event id, or a unique prefix of one.", autocompletion=_complete_event_ids)],
    json_: JsonOpt = False,
    data: DataOpt = None,
) -> None:
    """Everything about one event: date, codes, participants, sources, related events."""
    from .query import find_event

    dataset = _load(data)
    found = find_event(dataset, event)
    if json_:
        from .exporters.data import dumps
        from .present import event_record

        _stdout(dumps(event_record(dataset, found)) + "\n")
        return
    from .exporters.terminal import render_show

    _stdout(render_show(dataset, found, color=_color(), width=_width()))


@app.command()
@guarded
def actors(json_: JsonOpt = False, data: DataOpt = None) -> None:
    """List actors with their spelling variants and event counts."""
    from .exporters.data import dumps
    from .present import actor_records

    dataset = _load(data)
    if json_:
        _stdout(dumps(actor_records(dataset)) + "\n")
        return
    from .exporters.terminal import render_actors

    _stdout(render_actors(dataset, color=_color(), width=_width()))


sources_app = typer.Typer(
    help="List the source articles, or register a new one with 'sources add'.",
    invoke_without_command=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(sources_app, name="sources")


@sources_app.callback()
@guarded
def sources(ctx: typer.Context, json_: JsonOpt = False, data: DataOpt = None) -> None:
    """List the source articles with their event counts, or register one with 'sources add'."""
    if ctx.invoked_subcommand is not None:
        return
    from .exporters.data import dumps
    from .present import source_records

    dataset = _load(data)
    if json_:
        _stdout(dumps(source_records(dataset)) + "\n")
        return
    from .exporters.terminal import render_sources

    _stdout(render_sources(dataset, color=_color(), width=_width()))


@app.command()
@guarded
def stats(
    year: YearOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    kind: KindOpt = None,
    actor: ActorOpt = None,
    status: StatusOpt = None,
    json_: JsonOpt = False,
    data: DataOpt = None,
) -> None:
    """Counts by year, kind, actor, topic and status, as bar charts or --json."""
    from .query import Query, select
    from .stats import stats as count

    dataset = _load(data)
    since_day, until_day = _date_bounds(since, until)
    query = Query(
        years=tuple(year or ()),
        since=since_day,
        until=until_day,
        kinds=tuple(kind or ()),
        actors=tuple(actor or ()),
        statuses=tuple(status or ()),
    )
    counts = count(select(dataset, query))
    if json_:
        from .exporters.data import dumps

        _stdout(dumps(counts) + "\n")
        return
    from .exporters.terminal import render_bars

    titles = {
        "by_year": "Events by year",
        "by_kind": "By kind",
        "by_actor": "By actor",
        "by_topic": "By topic",
        "by_status": "By status",
    }
    _stdout(render_bars({titles[key]: value for key, value in counts.items()}, color=_color(), width=_width()))


@app.command()
@guarded
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the data file."""
    from .exporters.data import dumps
    from .spec import json_schema

    _stdout(dumps(json_schema()) + "\n")


# ---------------------------------------------------------------- curation


def _interactive() -> bool:
    return sys.stdin.isatty()


def _fill(values: dict[str, Any], prompts: dict[str, tuple[str, str, object]]) -> dict[str, Any]:
    """Prompt for each missing required value at a terminal; without one, name them all and exit 2."""
    missing = [name for name in prompts if values.get(name) in (None, "", [], ())]
    if not missing:
        return values
    if not _interactive():
        options = ", ".join(prompts[name][0] for name in missing)
        raise UsageError(f"missing {options} (no terminal to ask at; pass {'them' if len(missing) > 1 else 'it'} as options)")
    for name in missing:
        _, question, kind = prompts[name]
        if kind == "list":
            values[name] = [part.strip() for part in _ask(question).split(",") if part.strip()]
        elif isinstance(kind, tuple):
            values[name] = _ask(f"{question} ({', '.join(kind)})", choices=kind)
        else:
            values[name] = _ask(question)
    return values


def _ask(question: str, choices: tuple[str, ...] = ()) -> str:
    """Ask on stderr (stdout carries data) until a non-empty answer, one of ``choices`` if given."""
    while True:
        sys.stderr.write(f"{question}: ")
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:
            raise UsageError(f"no answer to {question!r} (input ended)")
        answer = line.strip()
        if answer and (not choices or answer.lower() in choices):
            return answer.lower() if choices else answer
        if choices:
            _stderr(f"choose one of: {', '.join(choices)}")


@app.command()
@guarded
def add(
    date_: Annotated[str | None, typer.Option("--date", help="EDTF date: 2024-08-05, 2021-10, 2020~, 2024-08-06/..")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Short title, in your own words.")] = None,
    kind: Annotated[Kind | None, typer.Option("--kind", help="Event kind.", case_sensitive=False)] = None,
    status: Annotated[Status | None, typer.Option("--status", help="happened or planned.", case_sensitive=False)] = None,
    actor: Annotated[
        list[str] | None,
        typer.Option("--actor", metavar="ID[:ROLE]", help="Participant; role defaults to participant (repeatable)."),
    ] = None,
    summary: Annotated[str | None, typer.Option("--summary", help="What happened, in your own words.")] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", metavar="ID", help="Source id of a citation (repeatable).")
    ] = None,
    quote: Annotated[
        list[str] | None, typer.Option("--quote", help="Verbatim quote for the --source at the same position (repeatable).")
    ] = None,
    id_: Annotated[str | None, typer.Option("--id", help="Event id. Default: a slug of the date and title.")] = None,
    place: Annotated[str | None, typer.Option("--place", help="Where it took place.")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="Topic, lower case (repeatable).")] = None,
    related: Annotated[
        list[str] | None,
        typer.Option("--related", metavar="ID[:RELATION]", help="Related event; relation defaults to mentions (repeatable)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and print the YAML; write nothing.")] = False,
    data: DataOpt = None,
) -> None:
    """Add an event: validated with the whole dataset, inserted in date order, written atomically."""
    from .curate import EventInput, add_event, event_record

    values = _fill(
        {"date": date_, "title": title, "kind": kind, "status": status, "actors": actor, "summary": summary, "sources": source},
        {
            "date": ("--date", "Date (EDTF, e.g. 2024-08-05 or 2021-10)", "text"),
            "title": ("--title", "Title", "text"),
            "kind": ("--kind", "Kind", tuple(item.value for item in Kind)),
            "status": ("--status", "Status", tuple(item.value for item in Status)),
            "actors": ("--actor", "Actors (ID[:ROLE], comma-separated)", "list"),
            "summary": ("--summary", "Summary", "text"),
            "sources": ("--source", "Source id", "list"),
        },
    )
    quotes = list(quote or [])
    sources_given = [str(item) for item in values["sources"]]
    if len(quotes) < len(sources_given) and _interactive():
        for item in sources_given[len(quotes) :]:
            quotes.append(_ask(f"Quote from {item}"))
    given = EventInput(
        date=str(values["date"]),
        title=str(values["title"]),
        kind=str(values["kind"]),
        status=str(values["status"]),
        actors=tuple(str(item) for item in values["actors"]),
        summary=str(values["summary"]),
        sources=tuple(sources_given),
        quotes=tuple(quotes),
        id=id_,
        place=place,
        topics=tuple(topic or ()),
        related=tuple(related or ()),
    )
    path = data_path(data, os.environ)
    added = add_event(path, lambda dataset: event_record(dataset, given), dry_run=dry_run)
    if dry_run:
        _stdout(added.yaml)
        _stderr(f"dry run: {added.id} is valid; nothing was written")
    else:
        _stderr(f"added {added.id} to {display_path(path)}")


@sources_app.command("add")
@guarded
def sources_add(
    article: Annotated[str, typer.Argument(metavar="PATH", help="The article, as a UTF-8 text file.")],
    title: Annotated[str | None, typer.Option("--title", help="The article's headline.")] = None,
    publisher: Annotated[str | None, typer.Option("--publisher", help="Who published it.")] = None,
    published: Annotated[str | None, typer.Option("--published", help="Publication date (EDTF); omit if unknown.")] = None,
    id_: Annotated[str | None, typer.Option("--id", help="Source id. Default: a slug of the date and title.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and print the YAML; write nothing.")] = False,
    data: DataOpt = None,
) -> None:
    """Copy an article into the corpus folder and register it as a source."""
    from .curate import SourceInput, add_source

    values = _fill(
        {"title": title, "publisher": publisher},
        {"title": ("--title", "Title", "text"), "publisher": ("--publisher", "Publisher", "text")},
    )
    path = data_path(data, os.environ)
    given = SourceInput(article, str(values["title"]), str(values["publisher"]), published, id_)
    added, copy = add_source(path, given, dry_run=dry_run)
    if dry_run:
        _stdout(added.yaml)
        _stderr(f"dry run: {added.id} is valid; nothing was written")
    else:
        _stderr(f"added source {added.id} to {display_path(path)}; the article is at {display_path(copy)}")


@app.command()
@guarded
def extract(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help="A source id, or the path of an article's text file.")],
    json_: JsonOpt = False,
    data: DataOpt = None,
) -> None:
    """Propose candidate events from an article: every sentence with a date, as YAML stubs."""
    from .extract import extract as find_candidates
    from .extract import load_article, stubs_yaml

    dataset = _load(data)
    article = load_article(dataset, source)
    if not article.registered:
        _stderr(
            f"note: {source} is not a registered source; the stubs cite it as {article.source!r}. "
            "Register it first: timeline sources add PATH --title ... --publisher ..."
        )
    candidates = find_candidates(dataset, article)
    if json_:
        from .exporters.data import dumps
        from .extract import candidate_record

        _stdout(dumps([candidate_record(dataset, article, candidate) for candidate in candidates]) + "\n")
        return
    _stdout(stubs_yaml(dataset, article, candidates))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        _stderr("timeline: interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
