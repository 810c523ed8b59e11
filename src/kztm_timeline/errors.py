"""The tool's own error types. The core raises these; only the CLI prints them."""

from __future__ import annotations

from dataclasses import dataclass

from .text import escape_controls


@dataclass(frozen=True)
class Problem:
    """One located problem: ``file:line:col: message; hint``, or ``the new event (field): message; hint``.

    ``field`` names the field of a record that is not in a file yet (``add``);
    the CLI shows it as the option the value came from.
    """

    file: str
    line: int | None
    column: int | None
    message: str
    hint: str
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.column or 1}"
        if self.field is not None:
            where += f" ({self.field})"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return escape_controls(text)


class Alert(str):
    """A notice the user must hear whatever ``--verbose`` says (a damaged cache set aside): the core hands it to
    the same ``notice`` callback as its other notices, which only ``--verbose`` prints."""

    __slots__ = ()


class CacheDamaged(ValueError):
    """The parse cache turned out damaged as it was read (an event row did not decode, or did not match its
    indexed columns, or SQLite could not read on): damage its seal could not show, found late."""


class TimelineError(Exception):
    """Base of every error the core raises on purpose."""


class DataError(TimelineError):
    """The data could not be loaded; carries every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class UsageError(TimelineError):
    """A request that cannot be served as asked (bad filter value and the like)."""


class LookupFailed(TimelineError):
    """An id or prefix that names no single event; carries suggestions."""

    def __init__(self, message: str, suggestions: tuple[str, ...]) -> None:
        self.suggestions = suggestions
        super().__init__(message)
