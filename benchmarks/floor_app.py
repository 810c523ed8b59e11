"""The start-up floor: a minimal Typer app with the options of `timeline list`, printing a fixed JSON list.

Whatever `timeline list --year 2024 --json` costs beyond this is the tool's own
start-up work: its imports, loading the data, the query and the output.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer


class Kind(StrEnum):
    STATE_VISIT = "state_visit"
    TELEPHONE_CALL = "telephone_call"


class Status(StrEnum):
    HAPPENED = "happened"
    PLANNED = "planned"


class Format(StrEnum):
    TIMELINE = "timeline"
    JSON = "json"


app = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False, no_args_is_help=True)

FIXED = [{"id": "fixed-event", "date": "2024-08-05", "title": "A fixed event"}]


@app.callback()
def main(debug: Annotated[bool, typer.Option("--debug")] = False) -> None:
    """The floor app."""


@app.command("list")
def list_(
    year: Annotated[list[int] | None, typer.Option("--year", min=1, max=9999)] = None,
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    kind: Annotated[list[Kind] | None, typer.Option("--kind", case_sensitive=False)] = None,
    actor: Annotated[list[str] | None, typer.Option("--actor")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic")] = None,
    place: Annotated[list[str] | None, typer.Option("--place")] = None,
    status: Annotated[list[Status] | None, typer.Option("--status", case_sensitive=False)] = None,
    search: Annotated[list[str] | None, typer.Option("--search")] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=0)] = None,
    reverse: Annotated[bool, typer.Option("--reverse", "-r")] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", case_sensitive=False)] = Format.TIMELINE,
    json_: Annotated[bool, typer.Option("--json")] = False,
    output: Annotated[str | None, typer.Option("--output", "-o")] = None,
    data: Annotated[str | None, typer.Option("--data")] = None,
) -> None:
    """Print a fixed JSON list."""
    print(json.dumps(FIXED, ensure_ascii=False))


if __name__ == "__main__":
    app()
