"""What reaches the user: stdout and stderr, colour, width, the pager, the output format and its writer."""

import contextlib
import dataclasses
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from ..datafile.fs import display_path
from ..errors import Alert, Problem, TimelineError, UsageError
from ..exporters import RecordFormat
from ..text import escape_controls, escape_output, shown

if TYPE_CHECKING:
    from ..contract.fields import Pick, Table
    from ..model import Dataset
    from .progress import ProgressBar



state: dict[str, object] = {
    "debug": False,
    "cache": True,
    "verbose": False,
    "quiet": False,
    "color": "auto",
    "pager": True,
    "data": None,
}


_said: set[str] = set()


MAX_MESSAGE_LINE = 500  # a message line echoing a huge value is cut here


def say(message: str) -> None:
    if sys.stderr is None:  # started with stderr closed: nowhere to say it
        return
    lines = [line if len(line) <= MAX_MESSAGE_LINE else line[:MAX_MESSAGE_LINE] + "…" for line in message.split("\n")]
    sys.stderr.write(escape_controls("\n".join(lines)) + "\n")
    sys.stderr.flush()


class OutputFailed(TimelineError):
    """Standard output is closed or cannot take more (a full disk)."""


def write_stdout(text: str, *, color: bool = False) -> None:
    """Write to stdout, escaping at output time every unsafe character (``color`` keeps Rich's colour codes)."""
    if sys.stdout is None:
        raise OutputFailed("cannot write the output: standard output is closed")
    safe = escape_output(text, keep_sgr=color)
    if _paged(safe):
        state["written"] = True
        return
    state["written"] = True  # (from here on, an answer found wrong cannot be taken back)
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
    if not (state["pager"] and at_terminal() and sys.stdin is not None and sys.stdin.isatty()):
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
        notice(f"pager {program!r} not found; printing directly")
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


def notice(message: str) -> None:
    """Say something only ``--verbose`` asked to hear (or, an :class:`~kztm_timeline.errors.Alert`, what everyone
    must hear), once per run."""
    if (state["verbose"] or isinstance(message, Alert)) and message not in _said:
        _said.add(message)
        say(f"timeline: {message}")


def progress_bar() -> "ProgressBar | None":
    """A bar for long work, when one may be drawn: stderr is a terminal and ``--quiet`` was not given."""
    if state["quiet"] or sys.stderr is None or not sys.stderr.isatty():
        return None
    from .progress import ProgressBar

    return ProgressBar(color=color_wanted(str(state["color"]), os.environ, terminal=True))


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


def at_terminal() -> bool:
    return sys.stdout is not None and sys.stdout.isatty()


def use_color() -> bool:
    return color_wanted(str(state["color"]), os.environ, terminal=at_terminal())


def out_width() -> int:
    if at_terminal():
        return shutil.get_terminal_size((100, 24)).columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 20 else 100


# What a file name's extension says it holds: the formats that write it, the one to infer first.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    ".json": ("json", "timelinejs", "plover"),  # PLOVER to a .json file: a JSON array (to .jsonl, JSON Lines)
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


def is_folder(output: str | None) -> bool:
    """Whether ``-o`` names a folder: it ends with a slash, or a folder of that name exists."""
    if output in (None, "-"):
        return False
    assert output is not None
    return output.endswith(("/", os.sep)) or os.path.isdir(output)


def choose_format(
    given: str | None, json_: bool, output: str | None, choices: tuple[str, ...], default: str, *, fields: bool = False
) -> str:
    """The output format: ``-f`` (or ``--json``), else what ``-o``'s extension says (a folder: csv), else json
    when ``fields`` were chosen (as gh's ``--json FIELDS``), else ``default``; a ``-f`` that contradicts the
    extension, or an extension this command cannot write, is a usage error."""
    if json_:
        if given not in (None, "json"):
            raise UsageError(f"--json and -f {given} disagree; give one of them")
        given = "json"
    if output not in (None, "-") and output.endswith(("/", os.sep)) and os.path.lexists(output.rstrip("/" + os.sep)):
        from ..datafile.fs import not_a_folder

        refused = not_a_folder(output)  # afile/ where afile is a file: refused alike for every format
        if refused is not None:
            raise TimelineError(refused)
    if is_folder(output) and "csv" in choices:
        if given not in (None, "csv"):
            raise UsageError(
                f"-o {shown(output or '')} is a folder, which gets the table as CSV and its datapackage.json; "
                f"drop -f {given}, or name a file"
            )
        return "csv"
    extension = os.path.splitext(output)[1].lower() if output not in (None, "-") else ""
    fitting = EXTENSIONS.get(extension)
    if given is None:
        if fitting is None:
            return "json" if fields and "json" in choices else default
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


def table_named(name: str) -> "Table":
    """The table of the output contract called ``name`` (``events``, ``stats`` …)."""
    from ..contract.fields import TABLES

    return next(table for table in TABLES if table.name == name)


def picked(table: str, fields: str | None) -> "tuple[Pick, ...] | None":
    """The ``--fields`` of the table called ``table``, or None for all of them; an unknown name is a usage error."""
    if fields is None:
        return None
    from ..contract.fields import pick

    try:
        return pick(table_named(table), fields)
    except UsageError as error:
        raise UsageError(f"--fields: {error}") from None


def emit(
    out: OutputChoice,
    dataset: "Dataset | None",
    table: str,
    records: Callable[[], list[dict[str, object]]],
    screen: Callable[[bool, int], str],
    *,
    value: Callable[[], object] | None = None,
    single: bool = False,
) -> None:
    """A command's records in the format asked for: the terminal ``screen(color, width)``, or the records of
    the contract's table called ``table`` as JSON (``value()`` when given: the documented JSON of the
    command), JSON Lines, CSV or a table of ``--fields``; to a folder (``-o DIR/``), the CSV and its
    datapackage.json. ``single``: the JSON is one object, not an array (``show``)."""
    from ..contract import dumps
    from ..exporters.records import records_json, records_jsonl, render_records

    fields = out.fields is not None
    fmt = RecordFormat(choose_format(out.format, out.json, out.output, tuple(RecordFormat), RecordFormat.TABLE, fields=fields))
    picks = picked(table, out.fields)
    color = out.output is None and use_color()
    width = out_width() if out.output is None else 100
    if fmt is RecordFormat.TABLE and picks is None:
        text = screen(color, width)
    elif fmt is RecordFormat.JSON and (single or (picks is None and value is not None)):
        whole = records()[0] if single else value() if value is not None else None
        if picks is not None and isinstance(whole, dict):
            from ..contract.fields import project

            whole = project(whole, picks)
        text = dumps(whole) + "\n"
    elif fmt in (RecordFormat.JSON, RecordFormat.JSONL) and picks is None:  # whole records: no field is cut
        text = (records_json if fmt is RecordFormat.JSON else records_jsonl)(records())
    else:
        text = render_records(fmt, table_named(table), records(), picks, color=color, width=width)
    if out.output is None or out.output == "-":
        write_stdout(text, color=color)
    elif is_folder(out.output):
        write_table_folder(out.output, table_named(table), text, picks, dataset)
    else:
        write_bytes(escape_output(text).encode("utf-8"), out.output, dataset)


def write_table_folder(
    folder: str, table: "Table", csv_text: str, picks: "Sequence[Pick] | None", dataset: "Dataset | None"
) -> None:
    """``-o DIR/``: the table's CSV (``events.csv``, ``actors.csv`` …) and the datapackage.json that types its
    columns, into a new or empty folder."""
    from ..contract import dumps
    from ..contract.fields import columns
    from ..contract.schemas import datapackage
    from ..datafile.fs import write_into_folder

    name = f"{table.name}.csv"
    package = dumps(datapackage(table, columns(table, picks), name)) + "\n"
    files = [(name, escape_output(csv_text).encode("utf-8")), ("datapackage.json", package.encode("utf-8"))]
    state["written"] = True
    write_into_folder(folder, files, protected=_protected(dataset))


def write_output(text: str, output: str | None, dataset: "Dataset", *, color: bool = False) -> None:
    """To stdout (no ``-o``, or ``-o -``), or to a file by the write policy; never over the data or its articles."""
    if output is None or output == "-":
        write_stdout(text, color=color)
        return
    write_bytes(escape_output(text).encode("utf-8"), output, dataset)


def _protected(dataset: "Dataset | None") -> list[str]:
    """The files no output may replace: the data file and its articles."""
    from ..datafile.fs import resolve_source_path

    if dataset is None:
        return []
    return [dataset.path, *(resolve_source_path(dataset.path, s.file) for s in dataset.sources if s.file is not None)]


def _flush_said() -> None:
    """-o /dev/stdout writes through the descriptor: what was said before comes first."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.flush()


def write_bytes(data: bytes, output: str, dataset: "Dataset | None") -> None:
    from ..datafile.fs import write_file

    _flush_said()
    state["written"] = True
    write_file(output, data, protected=_protected(dataset))


def write_pieces(pieces: Iterable[str], *, color: bool, ready: Callable[[], bool] = lambda: True, hold: bool = False) -> None:
    """Write text pieces as they come: the first at once, then in blocks of about 64 KiB. Nothing is written
    before ``ready()`` says so (an event was found); with ``hold``, what never became ready is dropped."""
    pending: list[str] = []
    size = 0
    written = False
    for piece in pieces:
        pending.append(piece)
        size += len(piece)
        if ready() and (not written or size >= 65536):
            write_stdout("".join(pending), color=color)
            pending, size, written = [], 0, True
    if pending and (ready() or not hold):
        write_stdout("".join(pending), color=color)


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


SOURCE_OPTIONS = {
    "id": "--id",
    "file": "PATH",
    "url": "--url",
    "title": "--title",
    "publisher": "--publisher",
    "published": "--published",
    "language": "--language",
    "retrieved": "--retrieved",
    "archive_url": "--archive-url",
    "corpus": "--corpus",
}


MAX_PROBLEMS_SHOWN = 200  # problems printed at most; a count of the rest follows


def shown_problem(problem: Problem, files: dict[str, str] | None = None) -> str:
    """A problem as the user reads it: its file as they can open it, and a new record's field named by
    the option it came from. ``files``: the files shown so far in this message, by path (each is shown once
    worked out, not once per problem)."""
    if os.sep in problem.file:  # a path, not a label such as "the new event"
        files = {} if files is None else files
        if problem.file not in files:
            files[problem.file] = display_path(problem.file)
        problem = dataclasses.replace(problem, file=files[problem.file])
    if problem.field is None:
        return str(problem)
    options = SOURCE_OPTIONS if problem.file == "the new source" else EVENT_OPTIONS
    return str(dataclasses.replace(problem, field=options.get(problem.field)))
