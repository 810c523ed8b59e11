"""The command line: the only module that touches argv, stdout, stderr and exit codes."""


import dataclasses
import functools
import inspect
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, ParamSpec, TypeVar, assert_never

import typer

from . import __version__
from .datafile.fs import data_path, display_path, is_shipped
from .errors import DataError, LookupFailed, Problem, TimelineError, UsageError
from .exporters import BINARY_FORMATS, HUMAN_FORMATS, STREAMING, ChartFormat, Format, RecordFormat
from .text import escape_controls, escape_output, shown
from .vocab import IcsPartial, Kind, Period, Status

if TYPE_CHECKING:
    from .model import Dataset, Event, Memos
    from .query import Query
    from .store import KeptCheck

P = ParamSpec("P")
R = TypeVar("R")

EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
REPORT_URL = "the project's issue tracker"

app = typer.Typer(
    name="timeline",
    help="Query the evidence-backed timeline of Kazakhstan–Turkmenistan relations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,  # ours below take the shell as a value: --show-completion zsh
    context_settings={"help_option_names": ["-h", "--help"]},
)

if os.environ.get("_TIMELINE_COMPLETE"):  # a shell asks for completions: Typer's completion classes answer it
    from typer._completion_classes import completion_init

    completion_init()

_state: dict[str, object] = {"debug": False, "cache": True, "verbose": False, "color": "auto", "pager": True, "data": None}
_said: set[str] = set()


# ---------------------------------------------------------------- plumbing


MAX_MESSAGE_LINE = 500  # a message line echoing a huge value is cut here


def _stderr(message: str) -> None:
    if sys.stderr is None:  # started with stderr closed: nowhere to say it
        return
    lines = [line if len(line) <= MAX_MESSAGE_LINE else line[:MAX_MESSAGE_LINE] + "…" for line in message.split("\n")]
    sys.stderr.write(escape_controls("\n".join(lines)) + "\n")
    sys.stderr.flush()


class OutputFailed(TimelineError):
    """Standard output is closed or cannot take more (a full disk)."""


def _stdout(text: str, *, color: bool = False) -> None:
    """Write to stdout, escaping at output time every unsafe character (``color`` keeps Rich's colour codes)."""
    if sys.stdout is None:
        raise OutputFailed("cannot write the output: standard output is closed")
    safe = escape_output(text, keep_sgr=color)
    if _paged(safe):
        return
    try:
        sys.stdout.write(safe)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputFailed(f"cannot write the output: {error.strerror or error}") from None


def pager_command(environ: Mapping[str, str]) -> str | None:
    """The pager to use: ``$TIMELINE_PAGER``, else ``$PAGER``, else ``less``; None when one of them is set
    empty or to ``cat`` (git's convention for "no pager")."""
    for name in ("TIMELINE_PAGER", "PAGER"):
        if name in environ:
            command = environ[name].strip()
            return None if command in ("", "cat") else command
    return "less"


def _paged(text: str) -> bool:
    """Show ``text`` through the pager when it is longer than the terminal it is going to; False when it was
    not paged (not a terminal, ``--no-pager``, short enough, or no pager to be found)."""
    if not (_state["pager"] and _at_terminal() and sys.stdin is not None and sys.stdin.isatty()):
        return False
    if text.count("\n") < shutil.get_terminal_size((100, 24)).lines:
        return False
    command = pager_command(os.environ)
    if command is None:
        return False
    import shlex
    import subprocess

    try:
        program = shlex.split(command)[0]
    except (ValueError, IndexError):
        return False
    if shutil.which(program) is None:
        _notice(f"pager {program!r} not found; printing directly")
        return False
    # As git does: less quits when the text fits (F), keeps colours (R) and leaves the screen as it was (X).
    environ = {**os.environ, "LESS": os.environ.get("LESS", "FRX"), "LV": os.environ.get("LV", "-c")}
    sys.stdout.flush()
    # The user's own $PAGER, run by the shell as git and man run it.
    with subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=environ) as pager:
        assert pager.stdin is not None
        try:
            pager.stdin.write(text.encode(sys.stdout.encoding or "utf-8", "backslashreplace"))
            pager.stdin.close()
        except BrokenPipeError:  # the user quit the pager early
            pass
        pager.wait()
    return True


def _notice(message: str) -> None:
    """Say something only ``--verbose`` asked to hear, once per run."""
    if _state["verbose"] and message not in _said:
        _said.add(message)
        _stderr(f"timeline: {message}")


# Which option a field of a new record comes from, for messages about it (``add``, ``sources add``).
EVENT_OPTIONS = {
    "id": "--id",
    "date": "--date",
    "title": "--title",
    "kind": "--kind",
    "status": "--status",
    "participants": "--actor",
    "place": "--place",
    "topics": "--topic",
    "summary": "--summary",
    "citations": "--source/--quote",
    "related": "--related",
    "evidence": "--evidence",
    "note": "--note",
}
SOURCE_OPTIONS = {"id": "--id", "file": "PATH", "title": "--title", "publisher": "--publisher", "published": "--published"}


def _shown(problem: Problem) -> str:
    """A problem as the user reads it: its file as they can open it, and a new record's field named by
    the option it came from."""
    if os.sep in problem.file:  # a path, not a label such as "the new event"
        problem = dataclasses.replace(problem, file=display_path(problem.file))
    if problem.field is None:
        return str(problem)
    options = SOURCE_OPTIONS if problem.file == "the new source" else EVENT_OPTIONS
    return str(dataclasses.replace(problem, field=options.get(problem.field)))


def _exit_code(error: BaseException, command: str) -> int:
    """Say what went wrong on stderr and choose the exit code: the one place that maps errors to exits."""
    if isinstance(error, DataError):
        for problem in error.problems:
            _stderr(_shown(problem))
        count = len(error.problems)
        _stderr(f"timeline: {count} problem{'s' if count != 1 else ''} in the data; nothing was changed")
        return EXIT_DATA
    if isinstance(error, LookupFailed):
        _stderr(f"timeline: {error}")
        if error.suggestions:
            _stderr("did you mean:")
            for suggestion in error.suggestions:
                _stderr(f"  {suggestion}")
        return EXIT_DATA
    if isinstance(error, UsageError):
        _stderr(f"Usage: timeline {command} [OPTIONS]")
        _stderr(f"Try 'timeline {command} --help' for help.\n")
        _stderr(f"Error: {error}")
        return EXIT_USAGE
    if isinstance(error, TimelineError):
        _stderr(f"timeline: {error}")
        return EXIT_DATA
    if isinstance(error, BrokenPipeError):
        # The reader went away (`| head`): point stdout at /dev/null so that the
        # interpreter's final flush cannot complain, and end quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    if isinstance(error, Terminated):
        _stderr("timeline: terminated")
        return EXIT_TERMINATED
    if isinstance(error, KeyboardInterrupt):
        _stderr("timeline: interrupted")
        return EXIT_INTERRUPTED
    if isinstance(error, OSError):  # the machine said no (a full disk, a closed stream): no bug of ours
        where = f" ({error.filename})" if error.filename else ""
        _stderr(f"timeline: cannot go on: {error.strerror or error}{where}")
        return EXIT_DATA
    _stderr(
        f"timeline: internal error ({type(error).__name__}: {error}). This is a bug; please report it to "
        f"{REPORT_URL} with the output of the same command run with --debug."
    )
    return EXIT_INTERNAL


def guarded(function: Callable[P, R]) -> Callable[P, R]:
    """Turn the core's errors into messages and exit codes; never show a traceback."""
    command = function.__name__.rstrip("_").replace("_", " ")

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except typer.Exit:
            raise
        except (Exception, KeyboardInterrupt) as error:
            if _state["debug"] and not isinstance(error, (TimelineError, BrokenPipeError, KeyboardInterrupt)):
                raise
            raise typer.Exit(_exit_code(error, command)) from None

    return wrapper


class ColorMode(StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


def color_wanted(mode: str, environ: Mapping[str, str], *, terminal: bool) -> bool:
    """Whether to colour the output, by the conventions' order: an explicit ``--color always|never`` wins;
    then ``NO_COLOR`` (no-color.org: any non-empty value) turns colour off; then ``FORCE_COLOR``
    (force-color.org: any non-empty value but ``0``) or ``CLICOLOR_FORCE`` (bixense.com/clicolors: any value
    but ``0``) turn it on; then ``CLICOLOR=0`` turns it off; otherwise colour only at a terminal."""
    if mode == ColorMode.ALWAYS:
        return True
    if mode == ColorMode.NEVER or environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR", "0") not in ("", "0") or environ.get("CLICOLOR_FORCE", "0") not in ("", "0"):
        return True
    if environ.get("CLICOLOR") == "0":
        return False
    return terminal


def _at_terminal() -> bool:
    return sys.stdout is not None and sys.stdout.isatty()


def _color() -> bool:
    return color_wanted(str(_state["color"]), os.environ, terminal=_at_terminal())


def _width() -> int:
    if _at_terminal():
        return shutil.get_terminal_size((100, 24)).columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 20 else 100


def _data_path(data: str | None) -> str:
    """The data file: ``--data`` (given after the command, or before it), else the environment, else shipped."""
    return data_path(data or str(_state["data"] or "") or None, os.environ)


def _cache_folder() -> str | None:
    """The parse cache's folder, unless ``--no-cache`` or ``$KZTM_TIMELINE_NO_CACHE`` turned it off."""
    if not _state["cache"] or os.environ.get("KZTM_TIMELINE_NO_CACHE"):
        return None
    from .store import cache_dir

    return cache_dir(os.environ)


def _verdict_tally(dataset: "Dataset") -> "Memos":
    """``validate``'s verdict, worked out as a fresh read goes, so that the cache keeps it for any later run."""
    from .evidence import VerdictTally

    return VerdictTally(dataset)


def _load(data: str | None) -> "Dataset":
    from .load import load_dataset

    cache = _cache_folder()
    path = _data_path(data)
    try:
        return load_dataset(path, cache=cache, notice=_notice, memos=_verdict_tally)
    except DataError as error:
        # The data file itself cannot be read: say which option names another one.
        problems = [
            dataclasses.replace(problem, hint="check the path, or pass --data PATH")
            if problem.file == path and problem.line is None and problem.hint == "check the path"
            else problem
            for problem in error.problems
        ]
        raise DataError(problems) from None


def _check_date(value: str | None) -> str | None:
    if value is None:
        return None
    from .query import user_date_range

    try:
        user_date_range(value, _today())
    except UsageError as error:
        raise typer.BadParameter(str(error)) from None
    return value


def _complete_event_ids(incomplete: str) -> list[str]:
    try:
        dataset = _load(None)
    except Exception:  # completion must never fail loudly
        return []
    return [event.id for event in dataset.events if event.id.startswith(incomplete)]


def _completing(values: Callable[["Dataset"], list[str]], incomplete: str) -> list[str]:
    try:
        dataset = _load(None)
    except Exception:  # completion must never fail loudly
        return []
    return [value for value in dict.fromkeys(values(dataset)) if value.startswith(incomplete)]


def _complete_actors(incomplete: str) -> list[str]:
    return _completing(lambda dataset: [actor.id for actor in dataset.actors], incomplete)


def _complete_topics(incomplete: str) -> list[str]:
    return _completing(lambda dataset: sorted(topic for event in dataset.events for topic in event.topics), incomplete)


def _complete_sources(incomplete: str) -> list[str]:
    return _completing(lambda dataset: [source.id for source in dataset.sources], incomplete)


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _completion_script(shell: str) -> str:
    from typer._completion_classes import completion_init
    from typer._completion_shared import get_completion_script

    if shell not in SHELLS:
        raise typer.BadParameter(f"{shown(shell)} is not a shell I know; choose one of {', '.join(SHELLS)}")
    completion_init()
    return get_completion_script(prog_name="timeline", complete_var="_TIMELINE_COMPLETE", shell=shell)


def _show_completion(value: str | None) -> None:
    if value is not None:
        _stdout(_completion_script(value) + "\n")
        raise typer.Exit(0)


def _install_completion(value: str | None) -> None:
    if value is not None:
        from typer._completion_shared import install

        _completion_script(value)  # checks the name
        shell, path = install(shell=value, prog_name="timeline", complete_var="_TIMELINE_COMPLETE")
        _stderr(f"{shell} completion installed in {display_path(str(path))}; it takes effect in a new shell")
        raise typer.Exit(0)


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
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        case_sensitive=False,
        show_default=False,
        help="timeline (default), table, json, jsonl, csv, markdown, ics, timelinejs, plover, html or "
        "parquet; with -o, the file's extension picks it (.ics, .json, .csv, .html, .md …).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Short for --format json.")]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write to FILE (created only once rendering succeeded); with -f csv, a folder (DIR/) gets events.csv "
        "and a datapackage.json that types its columns.",
    ),
]


NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Parse the data file afresh; neither read nor write the parse cache.")
]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", help="Say on stderr when the parse cache is ignored or not written, and why.")
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
    "debug": (DebugOpt, False),
}


# What a file name's extension says it holds: the formats that write it, the one to infer first.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    ".json": ("json", "timelinejs"),
    ".jsonl": ("jsonl", "plover"),
    ".ndjson": ("jsonl", "plover"),
    ".csv": ("csv",),
    ".ics": ("ics",),
    ".html": ("html",),
    ".htm": ("html",),
    ".md": ("markdown",),
    ".markdown": ("markdown",),
    ".parquet": ("parquet",),
    ".txt": ("timeline", "table", "text"),
    ".svg": ("svg",),
}


def choose_format(given: str | None, json_: bool, output: str | None, choices: tuple[str, ...], default: str) -> str:
    """The output format: ``-f`` (or ``--json``), else what ``-o``'s extension says, else ``default``;
    a ``-f`` that contradicts the extension, or an extension this command cannot write, is a usage error."""
    if json_:
        if given not in (None, "json"):
            raise UsageError(f"--json and -f {given} disagree; give one of them")
        given = "json"
    extension = os.path.splitext(output)[1].lower() if output not in (None, "-") else ""
    fitting = EXTENSIONS.get(extension)
    if given is None:
        if fitting is None:
            return default
        usable = [name for name in fitting if name in choices]
        if not usable:
            raise UsageError(
                f"-o {shown(output or '')}: this command cannot write a {extension} file; it writes {', '.join(choices)}"
            )
        return usable[0]
    if fitting is not None and given not in fitting:
        raise UsageError(
            f"-o {shown(output or '')} names a {extension} file, but -f {given} writes no such file; "
            f"drop -f {given} (the name picks -f {fitting[0]}) or change the name"
        )
    return given


class OutputChoice(NamedTuple):  # a NamedTuple, not a dataclass: defining a frozen dataclass costs every run 0.3 ms of start-up
    """What ``-f``, ``--json``, ``-o`` and ``--fields`` asked of a command's output."""

    format: str | None
    json: bool
    output: str | None
    fields: str | None


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
        help="Only these fields, in this order (json, jsonl, csv, table); the names are the JSON output's keys.",
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
    return _inject(RECORD_OUTPUT, _output_choice, where="out")(function)


def _emit(
    out: OutputChoice,
    dataset: "Dataset | None",
    available: tuple[str, ...],
    records: Callable[[], list[dict[str, object]]],
    screen: Callable[[bool, int], str],
    *,
    value: Callable[[], object] | None = None,
    single: bool = False,
) -> None:
    """A command's records in the format asked for: the terminal ``screen(color, width)``, or the records as
    JSON (``value()`` when given: the documented JSON of the command), JSON Lines, CSV or a table of ``--fields``.
    ``single``: the JSON is one object, not an array (``show``)."""
    from .contract import dumps, only_fields, pick_fields
    from .exporters.records import render_records

    fmt = RecordFormat(choose_format(out.format, out.json, out.output, tuple(RecordFormat), RecordFormat.TABLE))
    try:
        fields = pick_fields(out.fields, available) if out.fields is not None else None
    except UsageError as error:
        raise UsageError(f"--fields: {error}") from None
    color = out.output is None and _color()
    width = _width() if out.output is None else 100
    if fmt is RecordFormat.TABLE and fields is None:
        text = screen(color, width)
    elif fmt is RecordFormat.JSON and (single or (fields is None and value is not None)):
        whole = records()[0] if single else value() if value is not None else None
        text = dumps(only_fields(whole, fields) if isinstance(whole, dict) else whole) + "\n"
    else:
        rows = [only_fields(record, fields) for record in records()]
        text = render_records(fmt, rows, fields or available, color=color, width=width)
    if out.output is None or out.output == "-":
        _stdout(text, color=color)
    else:
        _write_bytes(escape_output(text).encode("utf-8"), out.output, dataset)


@app.callback()
def _main(
    data: DataOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
    no_pager: NoPagerOpt = False,
    verbose: VerboseOpt = False,
    debug: DebugOpt = False,
    version: Annotated[  # noqa: ARG001 - Typer calls its callback; the value itself is unused
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    show_completion: Annotated[  # noqa: ARG001 - handled by its callback
        str | None,
        typer.Option(
            "--show-completion",
            metavar="SHELL",
            callback=_show_completion,
            is_eager=True,
            help="Print the completion script for SHELL (bash, zsh, fish or powershell).",
        ),
    ] = None,
    install_completion: Annotated[  # noqa: ARG001 - handled by its callback
        str | None,
        typer.Option(
            "--install-completion",
            metavar="SHELL",
            callback=_install_completion,
            is_eager=True,
            help="Install completion for SHELL (bash, zsh, fish or powershell) in its start-up file.",
        ),
    ] = None,
) -> None:
    """Query the evidence-backed timeline of Kazakhstan–Turkmenistan relations."""
    _state.update(
        debug=debug or bool(os.environ.get("KZTM_TIMELINE_DEBUG")),
        cache=not no_cache,
        verbose=verbose,
        color=color.value if color is not None else "auto",
        pager=not no_pager,
        data=data,
    )
    _said.clear()


# ---------------------------------------------------------------- commands


def _write_output(text: str, output: str | None, dataset: "Dataset", *, color: bool = False) -> None:
    """To stdout (no ``-o``, or ``-o -``), or to a file by the write policy; never over the data or its articles."""
    if output is None or output == "-":
        _stdout(text, color=color)
        return
    _write_bytes(escape_output(text).encode("utf-8"), output, dataset)


def _write_bytes(data: bytes, output: str, dataset: "Dataset | None") -> None:
    from .datafile.fs import resolve_source_path, write_file

    protected = [] if dataset is None else [dataset.path, *(resolve_source_path(dataset.path, s.file) for s in dataset.sources)]
    write_file(output, data, protected=protected)


def _year(text: str) -> int:
    cleaned = text.strip()
    if not (cleaned.isascii() and cleaned.isdigit() and 1 <= int(cleaned) <= 9999):
        raise typer.BadParameter(f"{shown(text)} is not a year; give one like 2024 (1 to 9999)")
    return int(cleaned)


def _count(text: str) -> int:
    cleaned = text.strip()
    if not (cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 18):
        raise typer.BadParameter(f"{shown(text)} is not a count; give a whole number, 0 or more")
    return int(cleaned)


YearOpt = Annotated[
    list[int] | None,
    typer.Option("--year", metavar="YEAR", parser=_year, help="Only events overlapping this year (repeatable: any of)."),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="DATE",
        callback=_check_date,
        help='Events overlapping this date or later: 2021, "Oct 2021", "5 August 2024", today, yesterday, '
        '"3 months ago", "last year", "this month".',
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until",
        metavar="DATE",
        callback=_check_date,
        help="Events overlapping up to the end of this date (--until 2022 includes all of 2022); same forms as --since.",
    ),
]
KINDS_HELP = ", ".join(kind.value for kind in Kind)
KindOpt = Annotated[
    list[Kind] | None,
    typer.Option(
        "--kind", metavar="KIND", help=f"Only this kind (repeatable): {KINDS_HELP}.", case_sensitive=False, show_choices=False
    ),
]
ActorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--actor",
        metavar="ACTOR",
        autocompletion=_complete_actors,
        help="Actor id or any spelling of the name; ignores case, diacritics and romanization (repeatable).",
    ),
]
TopicOpt = Annotated[
    list[str] | None,
    typer.Option("--topic", metavar="TOPIC", autocompletion=_complete_topics, help="Only this topic (repeatable)."),
]
PlaceOpt = Annotated[
    list[str] | None, typer.Option("--place", metavar="PLACE", help="Place containing these words (repeatable).")
]
StatusOpt = Annotated[
    list[Status] | None,
    typer.Option("--status", metavar="STATUS", help="happened or planned.", case_sensitive=False, show_choices=False),
]
SearchOpt = Annotated[
    list[str] | None,
    typer.Option("--search", metavar="WORDS", help="Words in title, summary, quotes or actor names (repeatable: any of)."),
]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", metavar="N", parser=_count, help="At most N events.")]
ReverseOpt = Annotated[bool, typer.Option("--reverse", "-r", help="Newest first.")]

# Every filter option, declared once: its parameter name, its type with the option, and its default.
FILTER_OPTIONS: dict[str, tuple[object, object]] = {
    "year": (YearOpt, None),
    "since": (SinceOpt, None),
    "until": (UntilOpt, None),
    "kind": (KindOpt, None),
    "actor": (ActorOpt, None),
    "topic": (TopicOpt, None),
    "place": (PlaceOpt, None),
    "status": (StatusOpt, None),
    "search": (SearchOpt, None),
    "limit": (LimitOpt, None),
    "reverse": (ReverseOpt, False),
}


def _query(values: dict[str, Any]) -> "Query":
    """The one place a Query is built from filter options."""
    from .query import Query, user_date_range

    since, until = values.get("since"), values.get("until")
    first = user_date_range(since, _today())[0] if since else None
    last = user_date_range(until, _today())[1] if until else None
    if first is not None and last is not None and first > last:
        raise UsageError(
            f"--since {shown(since)} ({first.isoformat()}) is after --until {shown(until)} ({last.isoformat()}): "
            "the range holds no day; swap them"
        )
    return Query(
        years=tuple(values.get("year") or ()),
        since=first,
        until=last,
        kinds=tuple(values.get("kind") or ()),
        actors=tuple(values.get("actor") or ()),
        topics=tuple(values.get("topic") or ()),
        places=tuple(values.get("place") or ()),
        statuses=tuple(values.get("status") or ()),
        search=tuple(values.get("search") or ()),
        limit=values.get("limit"),
        reverse=bool(values.get("reverse")),
    )


def _inject(
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
    return _inject({name: FILTER_OPTIONS[name] for name in names}, lambda values: {"query": _query(values)}, where="query")


def _set_globals(values: dict[str, Any]) -> dict[str, Any]:
    """Global options given after the command: each one given overrides what was given before it."""
    if values["no_cache"]:
        _state["cache"] = False
    if values["verbose"]:
        _state["verbose"] = True
    if values["debug"]:
        _state["debug"] = True
    if values["no_pager"]:
        _state["pager"] = False
    if values["color"] is not None:
        _state["color"] = values["color"].value
    return {}


def global_options(function: Callable[..., R]) -> Callable[..., R]:
    """``--no-cache``, ``--color``, ``--no-pager``, ``--verbose`` and ``--debug`` after the command too
    (``timeline list --no-cache`` as well as ``timeline --no-cache list``), as git and gh accept them."""
    return _inject(GLOBAL_OPTIONS, _set_globals)(function)


MAX_OVERDUE_SHOWN = 20  # validate names this many overdue plans, then counts the rest (`plans` lists them)

AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="DATE", callback=_check_date, help="Judge plans as of this day instead of today (2024-12-31)."
    ),
]


def _as_of(value: str | None) -> date:
    if not value:
        return _today()
    from .query import user_date_range

    return user_date_range(value, _today())[1]


@app.command()
@guarded
@global_options
def validate(
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Overdue plans and events that do not say their date's evidence are errors; list every inferred date.",
        ),
    ] = False,
    as_of: AsOfOpt = None,
    data: DataOpt = None,
) -> None:
    """Check the data file: structure, ids, references, dates and every quote; warn of overdue plans."""
    path = _data_path(data)
    day = _as_of(as_of)
    kept = None if strict else _kept_check(path, day)
    if kept is not None:  # nothing changed since a run found it clean: the cache says it all
        _say_overdue(kept.overdue, kept.overdue_total, day, strict=False)
        _say_valid(path, kept.events, kept.actors, kept.sources, kept.quotes)
        return
    from .evidence import kept_verdict
    from .query import overdue_plans

    dataset = _load(path)
    found = kept_verdict(dataset, strict=strict)
    problems = list(found.problems) + (list(found.unstated) if strict else [])
    if problems:
        raise DataError(problems)
    if strict:
        for identifier, when, note in found.inferred:
            _stderr(f"inferred: {identifier} {when}: {note}")
    overdue, count = overdue_plans(dataset, day, MAX_OVERDUE_SHOWN)
    _say_overdue([(plan.event.id, plan.latest) for plan in overdue], count, day, strict=strict)
    if strict and count:
        plural = "s" if count != 1 else ""
        raise TimelineError(f"{count} overdue plan{plural}; record an event that fulfils, cancels or postpones each")
    _say_valid(path, len(dataset.events), len(dataset.actors), len(dataset.sources), found.quotes)


def _kept_check(path: str, day: date) -> "KeptCheck | None":
    """A plain ``validate``'s answer from the cache alone (no dataset read), when the cache matches the
    data file and found it clean; None otherwise, and the dataset is read."""
    folder = _cache_folder()
    if folder is None:
        return None
    from .datafile.fs import file_digest
    from .store import kept_check
    from .vocab import OUTCOMES

    try:
        return kept_check(folder, path, lambda: file_digest(path), day, tuple(OUTCOMES), MAX_OVERDUE_SHOWN, notice=_notice)
    except DataError:
        return None  # the file cannot be read: reading the dataset says so, as every command does


def _say_overdue(overdue: Iterable[tuple[str, date | None]], count: int, day: date, *, strict: bool) -> None:
    named = 0
    for identifier, latest in overdue:
        when = latest.isoformat() if latest else "?"
        _stderr(f"{'error' if strict else 'warning'}: plan {identifier} is overdue: due by {when}, no outcome recorded")
        named += 1
    if count > named:
        _stderr(f"… and {count - named} more overdue plans; 'timeline plans --as-of {day.isoformat()} -f csv' lists them all")


def _say_valid(path: str, events: int, actors: int, sources: int, quotes: int) -> None:
    _stdout(
        f"ok: {display_path(path)}: {events} events, {actors} actors, {sources} sources; {quotes} quotes verified\n"
    )


def _today() -> date:
    """Today's date, for a page's "generated on" line (``SOURCE_DATE_EPOCH`` pins it, for reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return date.today()


def _write_pieces(pieces: Iterable[str], *, color: bool, ready: Callable[[], bool] = lambda: True, hold: bool = False) -> None:
    """Write text pieces as they come: the first at once, then in blocks of about 64 KiB. Nothing is written
    before ``ready()`` says so (an event was found); with ``hold``, what never became ready is dropped."""
    pending: list[str] = []
    size = 0
    written = False
    for piece in pieces:
        pending.append(piece)
        size += len(piece)
        if ready() and (not written or size >= 65536):
            _stdout("".join(pending), color=color)
            pending, size, written = [], 0, True
    if pending and (ready() or not hold):
        _stdout("".join(pending), color=color)


def _stream_selection(dataset: "Dataset", query: "Query", fmt: Format, *, highlight: bool, options: dict[str, str]) -> None:
    from .contract import View
    from .exporters import streamer
    from .query import contract_lines, stream

    if fmt in (Format.JSON, Format.JSONL):  # what the cache kept, when it answers the query exactly
        lines = contract_lines(dataset, query)
        if lines is not None:
            from .exporters.data import compact_lines, json_array

            _write_pieces(json_array(lines) if fmt is Format.JSON else compact_lines(lines), color=False)
            return
    color = _color()
    view = View(
        dataset=dataset, events=(), color=color, width=_width(), highlight=query.search if highlight else (), options=options
    )
    found = 0

    def counted() -> "Iterator[Event]":
        nonlocal found
        for event in stream(dataset, query):
            found += 1
            yield event

    human = fmt in HUMAN_FORMATS  # a human format's heading alone is not worth printing
    _write_pieces(streamer(fmt)(view, counted()), color=color, ready=lambda: found > 0, hold=human)
    if not found and human:
        _stderr("no events match")


def _render_selection(
    data: str | None,
    query: "Query",
    out: OutputChoice,
    *,
    highlight: bool,
    options: dict[str, str] | None = None,
) -> None:
    from .contract import View
    from .exporters import render
    from .query import select

    fmt = Format(choose_format(out.format, out.json, out.output, tuple(Format), Format.TIMELINE))
    output = out.output
    if out.fields is not None and fmt.value not in tuple(RecordFormat):
        raise UsageError(f"--fields works with -f json, jsonl, csv or table, not -f {fmt.value}")
    if fmt in BINARY_FORMATS and output in (None, "-"):
        raise UsageError(f"-f {fmt.value} writes a binary file; give it one with -o FILE.{fmt.value}")
    dataset = _load(data)
    if fmt in STREAMING and output in (None, "-") and out.fields is None and not _at_terminal():
        # Into a pipe or a file: each piece is written as the query finds it (`| head -c 10` answers at once).
        _stream_selection(dataset, query, fmt, highlight=highlight, options=options or {})
        return
    events = select(dataset, query)
    if not events and fmt in HUMAN_FORMATS and output is None:
        _stderr("no events match")
        return
    if out.fields is not None:
        from .contract import EVENT_FIELDS, event_json

        _emit(out, dataset, EVENT_FIELDS, lambda: [event_json(dataset, event) for event in events], lambda _c, _w: "")
        return
    to_terminal = output is None and _color()
    view = View(
        dataset=dataset,
        events=tuple(events),
        color=to_terminal,
        width=_width() if output is None else 100,
        highlight=query.search if highlight else (),
        options=options or {},
    )
    rendered = render(fmt, view)
    if isinstance(rendered, bytes):
        assert output is not None
        _write_bytes(rendered, output, dataset)
        return
    if fmt is Format.CSV and output is not None and (output.endswith(("/", os.sep)) or os.path.isdir(output)):
        # A folder: the CSV and a Frictionless datapackage.json that types its columns.
        from .exporters.data import datapackage

        os.makedirs(output, exist_ok=True)
        _write_output(rendered, os.path.join(output, "events.csv"), dataset)
        _write_output(datapackage("events.csv"), os.path.join(output, "datapackage.json"), dataset)
        return
    _write_output(rendered, output, dataset, color=to_terminal)


@app.command("list")
@guarded
@global_options
@filter_options("year", "since", "until", "kind", "actor", "topic", "place", "status", "search", "limit", "reverse")
def list_(
    query: "Query",
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    output: OutputOpt = None,
    fields: FieldsOpt = None,
    ics_partial: Annotated[
        IcsPartial,
        typer.Option(
            "--ics-partial",
            metavar="HOW",
            help="For -f ics: show a month, year or uncertain date on its first day (first-day, the default), "
            "over its whole span (span), or leave it out (skip).",
            case_sensitive=False,
            show_default=False,
        ),
    ] = IcsPartial.FIRST_DAY,
    data: DataOpt = None,
) -> None:
    """List events, oldest first, filtered and formatted."""
    options = {"ics_partial": ics_partial.value, "filters": query.describe(), "generated": _today().isoformat()}
    out = OutputChoice(None if fmt is None else fmt.value, json_, output, fields)
    _render_selection(data, query, out, highlight=False, options=options)


@app.command()
@guarded
@global_options
@filter_options("year", "since", "until", "kind", "actor", "limit", "reverse")
def search(
    text: Annotated[str, typer.Argument(metavar="WORDS", help="Words to find; case, diacritics and romanization are ignored.")],
    query: "Query",
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    output: OutputOpt = None,
    fields: FieldsOpt = None,
    data: DataOpt = None,
) -> None:
    """Find events by words, with matches highlighted at a terminal."""
    query = dataclasses.replace(query, search=(text,))
    _render_selection(data, query, OutputChoice(None if fmt is None else fmt.value, json_, output, fields), highlight=True)


@app.command()
@guarded
@global_options
@record_output
def show(
    event: Annotated[
        str, typer.Argument(metavar="EVENT", help="Event id, or a unique prefix of one.", autocompletion=_complete_event_ids)
    ],
    out: OutputChoice,
    data: DataOpt = None,
) -> None:
    """Everything about one event: date, codes, participants, sources, related events."""
    from .contract import EVENT_FIELDS, event_json
    from .query import find_event
    from .screens import render_show

    dataset = _load(data)
    found = find_event(dataset, event)
    _emit(
        out,
        dataset,
        EVENT_FIELDS,
        lambda: [event_json(dataset, found)],
        lambda color, width: render_show(dataset, found, color=color, width=width),
        single=True,
    )


@app.command()
@guarded
@global_options
@record_output
def actors(out: OutputChoice, data: DataOpt = None) -> None:
    """List actors with their spelling variants and event counts."""
    from .contract import ACTOR_FIELDS, actors_json
    from .screens import render_actors

    dataset = _load(data)
    _emit(
        out,
        dataset,
        ACTOR_FIELDS,
        lambda: actors_json(dataset),
        lambda color, width: render_actors(dataset, color=color, width=width),
    )


sources_app = typer.Typer(
    help="List the source articles, or register a new one with 'sources add'.",
    invoke_without_command=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(sources_app, name="sources")


@sources_app.callback()
@guarded
@global_options
@record_output
def sources(ctx: typer.Context, out: OutputChoice, data: DataOpt = None) -> None:
    """List the source articles with their event counts, or register one with 'sources add'."""
    if ctx.invoked_subcommand is not None:
        return
    from .contract import SOURCE_FIELDS, sources_json
    from .screens import render_sources

    dataset = _load(data)
    _emit(
        out,
        dataset,
        SOURCE_FIELDS,
        lambda: sources_json(dataset),
        lambda color, width: render_sources(dataset, color=color, width=width),
    )


@app.command()
@guarded
@global_options
@record_output
@filter_options("year", "since", "until", "kind", "actor", "status")
def stats(query: "Query", out: OutputChoice, data: DataOpt = None) -> None:
    """Counts by year, kind, actor, topic and status, as bar charts or --json."""
    from .contract import STATS_FIELDS, stats_json, stats_rows
    from .query import tally
    from .screens import render_stats

    dataset = _load(data)
    found = stats_json(tally(dataset, query), query)
    _emit(
        out,
        dataset,
        STATS_FIELDS,
        lambda: stats_rows(found),
        lambda color, width: render_stats(dataset, found, color=color, width=width),
        value=lambda: found,
    )


@app.command()
@guarded
@global_options
@record_output
@filter_options("year", "since", "until", "kind", "actor", "topic", "place", "search")
def plans(query: "Query", out: OutputChoice, as_of: AsOfOpt = None, data: DataOpt = None) -> None:
    """Planned events and what became of them: open, fulfilled, cancelled, postponed or overdue."""
    from .contract import PLAN_FIELDS, plan_json
    from .query import plan_states, select
    from .screens import render_plans

    dataset = _load(data)
    found = plan_states(dataset, select(dataset, dataclasses.replace(query, statuses=(Status.PLANNED,))), _as_of(as_of))
    _emit(
        out,
        dataset,
        PLAN_FIELDS,
        lambda: [plan_json(plan) for plan in found],
        lambda color, width: render_plans(found, color=color, width=width),
    )


@app.command()
@guarded
@global_options
@filter_options("year", "since", "until", "kind", "actor", "topic", "place", "status", "search")
def chart(
    query: "Query",
    by: Annotated[
        Period, typer.Option("--by", metavar="PERIOD", case_sensitive=False, help="One bar per year (default) or month.")
    ] = Period.YEAR,
    fmt: Annotated[
        ChartFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            case_sensitive=False,
            show_default=False,
            help="text (default: bars at the terminal), svg, json, jsonl or csv; -o chart.svg picks svg.",
        ),
    ] = None,
    json_: JsonOpt = False,
    output: OutputOpt = None,
    data: DataOpt = None,
) -> None:
    """Events per year or month over the real time axis (empty periods included): bars, or an SVG for a report."""
    from .exporters.chart import chart_bars, render_chart_svg, render_chart_text
    from .exporters.records import render_records
    from .query import tally

    chosen = ChartFormat(choose_format(None if fmt is None else fmt.value, json_, output, tuple(ChartFormat), ChartFormat.TEXT))
    dataset = _load(data)
    bars = chart_bars(tally(dataset, query).firsts, query, by)
    color = output is None and _color()
    match chosen:
        case ChartFormat.TEXT:
            if not bars and output is None:
                _stderr("no events match")
                return
            text = render_chart_text(bars, by, color=color, width=_width() if output is None else 100)
        case ChartFormat.SVG:
            total = sum(bar.count for bar in bars)
            subtitle = f"{total} event{'s' if total != 1 else ''} per {by.value}; {query.describe()}"
            text = render_chart_svg(bars, title="Kazakhstan–Turkmenistan relations", subtitle=subtitle)
        case ChartFormat.JSON | ChartFormat.JSONL | ChartFormat.CSV:
            records: list[dict[str, object]] = [{"period": bar.period, "count": bar.count} for bar in bars]
            text = render_records(RecordFormat(chosen.value), records, ("period", "count"), color=False, width=100)
        case _:
            assert_never(chosen)
    if output is None or output == "-":
        _stdout(text, color=color)
    else:
        _write_bytes(escape_output(text).encode("utf-8"), output, dataset)


@app.command()
@guarded
@global_options
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the data file."""
    from .contract import dumps
    from .datafile.schema import json_schema

    _stdout(dumps(json_schema()) + "\n")


# ---------------------------------------------------------------- curation


def _writable_data(data: str | None, *, dry_run: bool) -> str:
    """The data file a curation command may change: one the user named (--data or the environment), never
    the copy inside the installed package."""
    path = _data_path(data)
    named = bool(data) or bool(os.environ.get("KZTM_TIMELINE_DATA"))
    if not dry_run and is_shipped(path):
        raise TimelineError(
            "the shipped dataset is read-only (a reinstall would discard your change); copy it first with "
            "'timeline init DIR', then pass --data DIR/data/events.yaml or set KZTM_TIMELINE_DATA to it"
        )
    if not dry_run and not named:
        raise TimelineError(
            f"name the data file to change: pass --data {display_path(path)} (or set KZTM_TIMELINE_DATA); "
            "without one, curation commands change nothing. 'timeline init DIR' makes a copy of your own"
        )
    return path


@app.command()
@guarded
@global_options
def init(
    folder: Annotated[str, typer.Argument(metavar="DIR", help="A folder of your own (created if missing).")],
    data: DataOpt = None,
) -> None:
    """Copy the dataset (by default the shipped one) and its articles into DIR, to curate a copy of your own."""
    from .curate import copy_dataset

    dataset = _load(data)
    copy = copy_dataset(dataset, folder)
    _stdout(copy + "\n")
    _stderr(
        f"copied {len(dataset.events)} events and {len(dataset.sources)} articles; to use the copy, "
        f"pass --data {display_path(copy)} or run: export KZTM_TIMELINE_DATA={os.path.abspath(copy)}"
    )


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
@global_options
def add(
    date_: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="EDTF date: 2024-08-05, 2021-10, 2020~, 2024-08-06/..")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", metavar="TEXT", help="Short title, in your own words.")] = None,
    kind: Annotated[
        Kind | None,
        typer.Option("--kind", metavar="KIND", help=f"Event kind: {KINDS_HELP}.", case_sensitive=False, show_choices=False),
    ] = None,
    status: Annotated[
        Status | None,
        typer.Option("--status", metavar="STATUS", help="happened or planned.", case_sensitive=False, show_choices=False),
    ] = None,
    actor: Annotated[
        list[str] | None,
        typer.Option(
            "--actor",
            metavar="ACTOR[:ROLE]",
            autocompletion=_complete_actors,
            help="Participant; role defaults to participant (repeatable).",
        ),
    ] = None,
    summary: Annotated[str | None, typer.Option("--summary", metavar="TEXT", help="What happened, in your own words.")] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", metavar="SOURCE", autocompletion=_complete_sources, help="Source id of a citation (repeatable)."
        ),
    ] = None,
    quote: Annotated[
        list[str] | None,
        typer.Option("--quote", metavar="TEXT", help="Verbatim quote for the --source at the same position (repeatable)."),
    ] = None,
    id_: Annotated[
        str | None, typer.Option("--id", metavar="ID", help="Event id. Default: a slug of the date and title.")
    ] = None,
    place: Annotated[str | None, typer.Option("--place", metavar="PLACE", help="Where it took place.")] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", metavar="TOPIC", autocompletion=_complete_topics, help="Topic, lower case (repeatable)."),
    ] = None,
    related: Annotated[
        list[str] | None,
        typer.Option(
            "--related",
            metavar="EVENT[:RELATION]",
            autocompletion=_complete_event_ids,
            help="Related event; relation defaults to mentions (repeatable).",
        ),
    ] = None,
    evidence: Annotated[
        str | None,
        typer.Option("--evidence", metavar="EVIDENCE", help="Where the date comes from: quoted, reported or inferred."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="How the date or facts were inferred.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and print the YAML; write nothing.")] = False,
    data: DataOpt = None,
) -> None:
    """Add an event: validated with the whole dataset, inserted in date order, written atomically."""
    from .curate import EventInput, add_event, new_event

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
    if len(sources_given) != len(quotes):
        raise UsageError(f"each --source needs its --quote: got {len(sources_given)} --source and {len(quotes)} --quote")
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
        evidence=evidence,
        note=note,
    )
    path = _writable_data(data, dry_run=dry_run)
    build = lambda dataset: new_event(dataset, given)  # noqa: E731 - the record is built once the dataset is read
    added = add_event(path, build, dry_run=dry_run, cache=_cache_folder(), notice=_notice, memos=_verdict_tally)
    if dry_run:
        _stdout(added.yaml)
        _stderr(f"dry run: {added.id} is valid; nothing was written")
    else:
        _stderr(f"added {added.id} to {display_path(path)}")


EventArg = Annotated[
    str, typer.Argument(metavar="EVENT", help="Event id, or a unique prefix of one.", autocompletion=_complete_event_ids)
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Validate and print the change as a diff; write nothing.")]


def _run_editor(file: str) -> int:
    """Open ``file`` in ``$VISUAL``, else ``$EDITOR``, else vi, as git does (the shell reads the variable,
    so ``EDITOR="code --wait"`` works); the editor's exit status."""
    import subprocess

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return subprocess.run(["sh", "-c", f'{editor} "$@"', editor, file], check=False).returncode


def _say_changed(changed: Any, path: str, verb: str, *, dry_run: bool) -> None:
    if dry_run:
        _stdout(changed.diff(os.path.basename(path)))
        _stderr(f"dry run: {changed.id} would be {verb}; nothing was written")
        return
    links = f"; removed its links from {', '.join(changed.unlinked)}" if changed.unlinked else ""
    place = "from" if verb == "removed" else "in"
    _stderr(f"{verb} {changed.id} {place} {display_path(path)}{links}")


@app.command()
@guarded
@global_options
def edit(event: EventArg, dry_run: DryRunOpt = False, data: DataOpt = None) -> None:
    """Edit one event's YAML in $VISUAL or $EDITOR; the result is validated with the whole dataset (quotes
    included) and written back atomically, every other byte kept. On a problem: re-open, or abandon."""
    import shutil as files
    import tempfile

    from .curate import finish_edit, start_edit

    path = _writable_data(data, dry_run=dry_run)
    started = start_edit(path, event)
    folder = tempfile.mkdtemp(prefix="timeline-edit-")  # 0700: only this user reads the draft
    draft = os.path.join(folder, f"{started.id}.yaml")
    with open(draft, "w", encoding="utf-8") as handle:
        handle.write(started.block)
    while True:
        status = _run_editor(draft)
        with open(draft, encoding="utf-8", errors="replace") as handle:
            block = handle.read()
        if status != 0:
            raise TimelineError(f"the editor exited with status {status}; nothing was written; your text is kept in {draft}")
        if block == started.block:
            files.rmtree(folder, ignore_errors=True)
            _stderr(f"no change to {started.id}; nothing was written")
            return
        try:
            changed = finish_edit(path, started, block, dry_run=dry_run, label=draft)
        except (DataError, TimelineError) as error:
            if isinstance(error, DataError):
                for problem in error.problems:
                    _stderr(_shown(problem))
            else:
                _stderr(f"timeline: {error}")
            if _interactive() and _ask("Re-open the editor, or abandon the edit? (reopen, abandon)", ("reopen", "abandon")) == (
                "reopen"
            ):
                continue
            raise TimelineError(f"edit abandoned; nothing was written; your text is kept in {draft}") from None
        break
    files.rmtree(folder, ignore_errors=True)
    _say_changed(changed, path, "updated", dry_run=dry_run)


@app.command()
@guarded
@global_options
def remove(
    event: EventArg,
    force: Annotated[bool, typer.Option("--force", help="Also remove the links other events have to it.")] = False,
    dry_run: DryRunOpt = False,
    data: DataOpt = None,
) -> None:
    """Remove one event; refused while other events link to it, unless --force removes those links too.
    Every other byte of the file is kept; the write is atomic."""
    from .curate import StillLinked, remove_event

    path = _writable_data(data, dry_run=dry_run)
    try:
        changed = remove_event(path, event, force=force, dry_run=dry_run)
    except StillLinked as error:
        raise TimelineError(f"{error}, or pass --force to remove them too") from None
    _say_changed(changed, path, "removed", dry_run=dry_run)


@sources_app.command("show")
@guarded
@global_options
@record_output
def sources_show(
    source: Annotated[
        str, typer.Argument(metavar="SOURCE", help="A source id, or a unique prefix of one.", autocompletion=_complete_sources)
    ],
    out: OutputChoice,
    uncited: Annotated[bool, typer.Option("--uncited", help="Only the paragraphs no event cites.")] = False,
    data: DataOpt = None,
) -> None:
    """An article as plain text, every cited passage between ⟦ and ⟧ and the events that cite it below it."""
    from .datafile.fs import read_text, resolve_source_path
    from .extract import PARAGRAPH_FIELDS, cited_paragraphs, marked_text
    from .query import find_source

    dataset = _load(data)
    found = find_source(dataset, source)
    paragraphs = cited_paragraphs(dataset, found, read_text(resolve_source_path(dataset.path, found.file)))
    records: list[dict[str, object]] = [
        {"paragraph": p.number, "text": p.text, "cited": [list(span) for span in p.cited], "events": list(p.events)}
        for p in paragraphs
        if not (uncited and p.events)
    ]
    _emit(
        out,
        dataset,
        PARAGRAPH_FIELDS,
        lambda: records,
        lambda _color, _width: f"{found.title} — {found.publisher} ({found.id})\n\n"
        + marked_text(paragraphs, uncited_only=uncited),
    )


@app.command()
@guarded
@global_options
@record_output
def coverage(out: OutputChoice, data: DataOpt = None) -> None:
    """Per article: the share of its sentences an event cites, and the dated sentences no event covers."""
    from .datafile.fs import read_text, resolve_source_path
    from .extract import COVERAGE_FIELDS
    from .extract import measure_coverage as measure

    dataset = _load(data)
    found = [measure(dataset, source, read_text(resolve_source_path(dataset.path, source.file))) for source in dataset.sources]

    def screen(_color: bool, _width: int) -> str:
        lines = []
        for c in found:
            share = round(100 * c.cited / c.sentences) if c.sentences else 0
            uncovered = len(c.dated_uncovered)
            lines.append(
                f"{c.source}: {c.cited} of {c.sentences} sentences cited ({share}%); {uncovered} dated sentences uncovered"
            )
            lines += [f"  {item}" for item in c.dated_uncovered]
        return "\n".join(lines) + "\n"

    records: list[dict[str, object]] = [
        {"source": c.source, "sentences": c.sentences, "cited": c.cited, "dated_uncovered": list(c.dated_uncovered)}
        for c in found
    ]
    _emit(out, dataset, COVERAGE_FIELDS, lambda: records, screen)


@sources_app.command("add")
@guarded
@global_options
def sources_add(
    article: Annotated[str, typer.Argument(metavar="PATH", help="The article, as a UTF-8 text file.")],
    title: Annotated[str | None, typer.Option("--title", metavar="TEXT", help="The article's headline.")] = None,
    publisher: Annotated[str | None, typer.Option("--publisher", metavar="TEXT", help="Who published it.")] = None,
    published: Annotated[
        str | None, typer.Option("--published", metavar="DATE", help="Publication date (EDTF); omit if unknown.")
    ] = None,
    id_: Annotated[
        str | None, typer.Option("--id", metavar="ID", help="Source id. Default: a slug of the date and title.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and print the YAML; write nothing.")] = False,
    data: DataOpt = None,
) -> None:
    """Copy an article into the corpus folder and register it as a source."""
    from .curate import SourceInput, add_source

    values = _fill(
        {"title": title, "publisher": publisher},
        {"title": ("--title", "Title", "text"), "publisher": ("--publisher", "Publisher", "text")},
    )
    path = _writable_data(data, dry_run=dry_run)
    given = SourceInput(article, str(values["title"]), str(values["publisher"]), published, id_)
    added, copy = add_source(path, given, dry_run=dry_run, cache=_cache_folder(), notice=_notice, memos=_verdict_tally)
    if dry_run:
        _stdout(added.yaml)
        _stderr(f"dry run: {added.id} is valid; nothing was written")
    else:
        _stderr(f"added source {added.id} to {display_path(path)}; the article is at {display_path(copy)}")


@app.command()
@guarded
@global_options
@record_output
def extract(
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="A source id (or a unique prefix of one), or the path of an article's text file.",
            autocompletion=_complete_sources,
        ),
    ],
    out: OutputChoice,
    data: DataOpt = None,
) -> None:
    """Propose candidate events from an article: every sentence with a date, as YAML stubs."""
    from .extract import CANDIDATE_FIELDS, candidate_json, find_candidates, load_article, stubs_yaml

    dataset = _load(data)
    article = load_article(dataset, source)
    if not article.registered:
        _stderr(
            f"note: {source} is not a registered source; the stubs cite it as {article.source!r}. "
            "Register it first: timeline sources add PATH --title ... --publisher ..."
        )
    candidates = find_candidates(dataset, article)
    _emit(
        out,
        dataset,
        CANDIDATE_FIELDS,
        lambda: [candidate_json(dataset, article, candidate) for candidate in candidates],
        lambda _color, _width: stubs_yaml(dataset, article, candidates),
    )


# Global options that take a value: the word after them is not the command's name.
_VALUED = frozenset({"--data", "--color", "--show-completion", "--install-completion"})


def _invoked(arguments: list[str]) -> str | None:
    """The command a command line names (``timeline --data X list …`` → ``list``), or None."""
    skip = False
    for argument in arguments:
        if skip:
            skip = False
        elif argument in _VALUED:
            skip = True
        elif argument == "--":
            return None
        elif not argument.startswith("-"):
            return argument
    return None


def _command_name(info: Any) -> str | None:
    """A registered command's name as Typer derives it: given, or its function's name with _ as -."""
    if info.name:
        return str(info.name)
    return None if info.callback is None else str(info.callback.__name__).replace("_", "-")


def _app_for(arguments: list[str]) -> typer.Typer:
    """``app`` with only the command about to run: Typer builds every command's options before it parses
    a word, and that is most of the start-up cost; the others are left out unless the whole app is
    needed (help, completion, or a name that is no command, for Click's suggestions)."""
    name = _invoked(arguments)
    if name is None or os.environ.get("_TIMELINE_COMPLETE"):
        return app
    commands = [info for info in app.registered_commands if _command_name(info) == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if len(commands) + len(groups) != 1:
        return app
    slim = typer.Typer(
        name="timeline",
        help=app.info.help,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    slim.registered_callback = app.registered_callback
    slim.registered_commands = commands
    slim.registered_groups = groups
    return slim


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: temporary files are removed on the way out."""


def _on_sigterm(_signum: int, _frame: object) -> None:
    raise Terminated


def run() -> None:
    """Console-script entry point: everything that escapes a command ends here as a message and an exit code."""
    import signal

    # Typer ships its own copy of Click (typer._click); its types are the ones raised and set here.
    from typer import Abort
    from typer._click.exceptions import ClickException
    from typer._click.utils import PacifyFlushWrapper

    signal.signal(signal.SIGTERM, _on_sigterm)
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            # Text the terminal's encoding cannot carry is shown as \\u escapes rather than ending the run.
            stream.reconfigure(errors="backslashreplace")
    try:
        code = _app_for(sys.argv[1:])(prog_name="timeline", standalone_mode=False)
    except ClickException as error:
        import io

        buffer = io.StringIO()
        error.show(file=buffer)
        _stderr(buffer.getvalue().rstrip("\n"))
        code = error.exit_code
    except SystemExit as error:
        if isinstance(sys.stdout, PacifyFlushWrapper):  # Click met a closed pipe (`--help | head`)
            code = _exit_code(BrokenPipeError(), "")
        else:
            code = error.code if isinstance(error.code, int) else 1
    except Abort:
        code = _exit_code(KeyboardInterrupt(), "")
    except (Exception, KeyboardInterrupt) as error:  # raised outside any command (while Typer parses or prints help)
        if _state["debug"] and not isinstance(error, (BrokenPipeError, KeyboardInterrupt)):
            raise
        code = _exit_code(error, "")
    sys.exit(code if isinstance(code, int) else 0)
