"""Checks: validate and schema."""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from ..datafile.fs import display_path
from ..errors import DataError, TimelineError, UsageError
from .app import app, guarded
from .options import (
    AsOfOpt,
    DataOpt,
    as_of_day,
    global_options,
)
from .output import (
    notice,
    say,
    write_stdout,
)
from .reading import cache_folder, data_file, read_dataset

if TYPE_CHECKING:
    from ..store import KeptCheck

MAX_OVERDUE_SHOWN = 20  # validate names this many overdue plans, then counts the rest (`plans` lists them)


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
    path = data_file(data)
    day = as_of_day(as_of)
    kept = None if strict else _kept_check(path, day)
    if kept is not None:  # nothing changed since a run found it clean: the cache says it all
        _say_renamed(kept.renamed)
        _say_overdue(kept.overdue, kept.overdue_total, day, strict=False)
        _say_valid(path, kept.events, kept.actors, kept.sources, kept.quotes, kept.web)
        return
    from ..evidence import kept_verdict
    from ..query import overdue_plans

    dataset = read_dataset(path)
    found = kept_verdict(dataset, strict=strict)
    problems = list(found.problems) + (list(found.unstated) if strict else [])
    if problems:
        raise DataError(problems)
    if strict:
        for identifier, when, note in found.inferred:
            say(f"inferred: {identifier} {when}: {note}")
    _say_renamed(dataset.events.renamed_links())
    if strict:  # a plan whose outcome was searched for and not found is accounted for: said, not an error
        every, _ = overdue_plans(dataset, day, len(dataset.events))
        for plan in (plan for plan in every if plan.searched is not None):
            say(f"searched: plan {plan.event.id} is {plan.short()}")
        overdue = [plan for plan in every if plan.searched is None]
        count = len(overdue)
    else:
        overdue, count = overdue_plans(dataset, day, MAX_OVERDUE_SHOWN)
    _say_overdue([(plan.event.id, plan.due) for plan in overdue[:MAX_OVERDUE_SHOWN]], count, day, strict=strict)
    if strict and count:
        plural = "s" if count != 1 else ""
        raise TimelineError(f"{count} overdue plan{plural}; record an event that fulfils, cancels or postpones each")
    _say_valid(path, len(dataset.events), len(dataset.actors), len(dataset.sources), found.quotes, found.web)


def _kept_check(path: str, day: date) -> "KeptCheck | None":
    """A plain ``validate``'s answer from the cache alone (no dataset read), when the cache matches the
    data file and found it clean; None otherwise, and the dataset is read."""
    folder = cache_folder()
    if folder is None:
        return None
    from functools import partial

    from ..datafile.fs import file_digest
    from ..store import kept_check
    from ..vocab import OUTCOMES

    try:
        digest = partial(file_digest, path, remember=True)  # (worked out once a run: the read that follows may need it)
        return kept_check(folder, path, digest, day, tuple(OUTCOMES), MAX_OVERDUE_SHOWN, notice=notice)
    except DataError:
        return None  # the file cannot be read: reading the dataset says so, as every command does


def _say_renamed(links: Iterable[tuple[str, str, str]]) -> None:
    for identifier, alias, today in links:
        say(f"warning: {identifier} links to {alias!r}, an old id of {today}; write the new id")


def _say_overdue(overdue: Iterable[tuple[str, date]], count: int, day: date, *, strict: bool) -> None:
    named = 0
    for identifier, due in overdue:
        say(f"{'error' if strict else 'warning'}: plan {identifier} is overdue: no outcome recorded since {due.isoformat()}")
        named += 1
    if count > named:
        say(f"… and {count - named} more overdue plans; 'timeline plans --as-of {day.isoformat()} -f csv' lists them all")


def _say_valid(path: str, events: int, actors: int, sources: int, quotes: int, web: int) -> None:
    unchecked = ""
    if web:
        plural = "s" if web != 1 else ""
        unchecked = f"; {web} web quote{plural} not checked without a network ('timeline sources check --online' checks them)"
    write_stdout(
        f"ok: {display_path(path)}: {events} events, {actors} actors, {sources} sources; {quotes} quotes verified{unchecked}\n"
    )


@app.command()
@guarded
@global_options
def schema(
    output: Annotated[
        bool, typer.Option("--output", help="The output contract's schema instead: what list, show and the other commands print.")
    ] = False,
    plover: Annotated[bool, typer.Option("--plover", help="The schema of a PLOVER record (-f plover) instead.")] = False,
) -> None:
    """Print a JSON Schema (draft 2020-12): the data file's (default), the JSON output's, or a PLOVER record's."""
    from ..contract import dumps

    if output and plover:
        raise UsageError("--output and --plover name two schemas; give one of them")
    if output:
        from ..contract.schemas import output_schema

        write_stdout(dumps(output_schema()) + "\n")
    elif plover:
        from ..datafile.fs import read_text
        from ..exporters.plover import schema_path

        write_stdout(read_text(schema_path()))
    else:
        from ..datafile.schema import json_schema

        write_stdout(dumps(json_schema()) + "\n")
