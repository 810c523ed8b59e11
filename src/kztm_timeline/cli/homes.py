"""Where each command lives: the module of this package that registers it, and the command a command line
names. Nothing here imports Typer or a command module: a run reads this table before it loads any command.
"""

from __future__ import annotations

from typing import Any

# Each command and group of commands, in the order of `timeline --help` and the man page (from reading the data
# to changing it), with the modules of this package that register it as they are imported: a run imports only
# those of the command it runs (see _app_for); the whole app imports them all (whole_app).
HOMES: dict[str, tuple[str, ...]] = {
    "validate": ("checks",), "list": ("browse",), "search": ("browse",), "show": ("browse",), "actors": ("browse",),
    "stats": ("reports",), "plans": ("plans",), "chart": ("reports",), "schema": ("checks",),
    "init": ("curation",), "add": ("curation",), "edit": ("curation",), "remove": ("curation",),
    "coverage": ("corpus",), "extract": ("corpus",), "sources": ("corpus", "curation"), "cache": ("cache",),
    "help": (),
}  # fmt: skip


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


def command_name(info: Any) -> str | None:
    """A registered command's name as Typer derives it: given, or its function's name with _ as -."""
    if info.name:
        return str(info.name)
    return None if info.callback is None else str(info.callback.__name__).replace("_", "-")
