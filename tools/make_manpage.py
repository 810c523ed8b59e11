"""Build the man page timeline(1) from the command definitions: every command, its arguments and options,
with the help text the CLI itself shows. The wheel installs the result as share/man/man1/timeline.1.

    python3 tools/make_manpage.py          # writes man/timeline.1
    python3 tools/make_manpage.py --check  # exits 1 if man/timeline.1 is not what the code says

tests/test_habits.py runs the check, so the page cannot drift from the commands.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer.main
from typer import _click
from typer.core import TyperArgument as Argument
from typer.core import TyperGroup as Group
from typer.core import TyperOption as Option

from kztm_timeline import __version__
from kztm_timeline.cli import app

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "man" / "timeline.1"

ENVIRONMENT = [
    ("KZTM_TIMELINE_DATA", "The data file to read when --data is not given."),
    ("NO_COLOR", "Any value turns colour off (https://no-color.org), unless --color always."),
    ("FORCE_COLOR, CLICOLOR_FORCE", "Any value but 0 turns colour on, even into a pipe, unless NO_COLOR or --color never."),
    ("TIMELINE_PAGER, PAGER", "The pager for long output at a terminal (default: less, with LESS=FRX); empty or cat: none."),
    ("VISUAL, EDITOR", "The editor of timeline edit (default: vi)."),
    (
        "XDG_CACHE_HOME",
        "Where the parse cache lives (default: ~/.cache/kztm-timeline); timeline cache info lists it. An entry whose "
        "data file is gone, or unused for 30 days, is removed when a cache is next written.",
    ),
    ("KZTM_TIMELINE_NO_CACHE", "Any value: as --no-cache."),
    ("SOURCE_DATE_EPOCH", "Pins today's date (relative dates, plans, generated-on lines), for reproducible output."),
    ("COLUMNS", "The width of terminal output when it is not going to a terminal."),
]
EXIT_STATUS = [
    ("0", "Success, including an empty result and a reader that closed the pipe early."),
    ("1", "Bad data (every problem is listed, as FILE:LINE:COLUMN), an unknown id, or a file that cannot be read or written."),
    ("2", "Bad arguments: a usage message names the option, the bad value and the valid ones."),
    ("70", "An internal error (a bug): please report it with the output of the same command run with --debug."),
    ("130, 143", "Interrupted (Ctrl-C) or terminated; temporary files are removed."),
]


def roff(text: str) -> str:
    """Text safe in a roff body: backslashes and hyphens escaped, no line starting with a control character."""
    escaped = text.replace("\\", "\\e").replace("-", "\\-")
    escaped = "".join(char if ord(char) < 128 else f"\\[u{ord(char):04X}]" for char in escaped)  # any troff reads it
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line for line in escaped.split("\n"))


# Options every command takes: described once, under OPTIONS.
GLOBAL = {"--data", "--no-cache", "--color", "--no-pager", "--verbose", "--quiet", "--debug", "--help"}


def _options(command: _click.Command, context: _click.Context, *, skip: frozenset[str] = frozenset()) -> list[str]:
    lines: list[str] = []
    for parameter in command.params:
        record = parameter.get_help_record(context) if isinstance(parameter, Option) else None
        if record is None or skip.intersection(parameter.opts):  # an argument (see _arguments), hidden, or global
            continue
        names, help_text = record
        lines += [".TP", f"\\fB{roff(names)}\\fR", roff(help_text)]
    return lines


def _arguments(command: _click.Command, context: _click.Context) -> list[str]:
    lines: list[str] = []
    for parameter in command.params:
        if isinstance(parameter, Argument):
            help_text = getattr(parameter, "help", "") or ""
            name = parameter.make_metavar(context).strip("{}").replace("[", "").replace("]", "")  # [COMMAND]... → COMMAND...
            lines += [".TP", f"\\fI{roff(name)}\\fR", roff(help_text)]
    return lines


def _commands(group: Group, context: _click.Context, prefix: str) -> list[str]:
    lines: list[str] = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if command is None or command.hidden:
            continue
        sub = _click.Context(command, info_name=name, parent=context)
        usage = " ".join(command.collect_usage_pieces(sub))
        lines += [f'.SS "{prefix} {name}"', f"\\fB{prefix} {name}\\fR {roff(usage)}", ".PP", roff(command.help or "")]
        lines += _arguments(command, sub)
        lines += _options(command, sub, skip=frozenset(GLOBAL))
        if isinstance(command, Group):
            lines += _commands(command, sub, f"{prefix} {name}")
    return lines


def manpage() -> str:
    root = typer.main.get_command(app)
    assert isinstance(root, Group)
    context = _click.Context(root, info_name="timeline")
    lines = [
        f'.TH TIMELINE 1 "" "kztm\\-timeline {__version__}" "User Commands"',
        ".SH NAME",
        "timeline \\- query the evidence\\-backed timeline of Kazakhstan\\[u2013]Turkmenistan relations",
        ".SH SYNOPSIS",
        "\\fBtimeline\\fR [\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
        ".SH DESCRIPTION",
        roff(root.help or ""),
        ".PP",
        roff(
            "Every event cites the articles it comes from with a verbatim quote; dates keep the precision of their "
            "evidence (EDTF). Data goes to standard output, messages to standard error. The options below work "
            "before or after the command."
        ),
        ".SH OPTIONS",
        *_options(root, context),
        ".SH COMMANDS",
        *_commands(root, context, "timeline"),
        ".SH ENVIRONMENT",
    ]
    for name, meaning in ENVIRONMENT:
        lines += [".TP", f"\\fB{roff(name)}\\fR", roff(meaning)]
    lines.append(".SH EXIT STATUS")
    for code, meaning in EXIT_STATUS:
        lines += [".TP", f"\\fB{code}\\fR", roff(meaning)]
    lines += [
        ".SH EXAMPLES",
        ".nf",
        roff("timeline list --year 2024"),
        roff("timeline show 2024-08-05"),
        roff("timeline list --json | jq '.[].title'"),
        roff("timeline list --since \"2 years ago\" -o events.ics"),
        roff("timeline chart --by month -o chart.svg"),
        ".fi",
        ".SH SEE ALSO",
        "\\fBjq\\fR(1), \\fBless\\fR(1), \\fBkhal\\fR(1)",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    page = manpage()
    if sys.argv[1:] == ["--check"]:
        if not PAGE.exists() or PAGE.read_text(encoding="utf-8") != page:
            print("man/timeline.1 is out of date: run python3 tools/make_manpage.py", file=sys.stderr)
            return 1
        return 0
    PAGE.parent.mkdir(exist_ok=True)
    PAGE.write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
