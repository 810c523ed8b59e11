"""Browsing: list, search, show and actors."""

import dataclasses
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import TimelineError, UsageError
from ..exporters import BINARY_FORMATS, HUMAN_FORMATS, STREAMING, Format, RecordFormat
from ..vocab import IcsPartial
from .app import app, guarded
from .options import (
    DataOpt,
    FieldsOpt,
    FormatOpt,
    JsonOpt,
    OutputOpt,
    complete_event_ids,
    filter_options,
    global_options,
    record_output,
)
from .output import (
    OutputChoice,
    at_terminal,
    choose_format,
    emit,
    out_width,
    say,
    use_color,
    write_bytes,
    write_output,
    write_pieces,
)
from .reading import read_dataset, today

if TYPE_CHECKING:
    from ..model import Dataset, Event
    from ..query import Query


def _stream_selection(dataset: "Dataset", query: "Query", fmt: Format, *, highlight: bool, options: dict[str, str]) -> None:
    from ..contract import View
    from ..exporters import streamer
    from ..query import contract_lines, stream

    if fmt in (Format.JSON, Format.JSONL):  # what the cache kept, when it answers the query exactly
        lines = contract_lines(dataset, query)
        if lines is not None:
            from ..exporters.data import compact_lines, json_array

            write_pieces(json_array(lines) if fmt is Format.JSON else compact_lines(lines), color=False)
            return
    color = use_color()
    view = View(
        dataset=dataset, events=(), color=color, width=out_width(), highlight=query.search if highlight else (), options=options
    )
    found = 0

    def counted() -> "Iterator[Event]":
        nonlocal found
        for event in stream(dataset, query):
            found += 1
            yield event

    human = fmt in HUMAN_FORMATS  # a human format's heading alone is not worth printing
    write_pieces(streamer(fmt)(view, counted()), color=color, ready=lambda: found > 0, hold=human)
    if not found and human:
        say("no events match")


def _render_selection(
    data: str | None,
    query: "Query",
    out: OutputChoice,
    *,
    highlight: bool,
    options: dict[str, str] | None = None,
) -> None:
    from ..contract import View
    from ..exporters import render
    from ..query import select

    fmt = Format(choose_format(out.format, out.json, out.output, tuple(Format), Format.TIMELINE))
    output = out.output
    if out.fields is not None and fmt.value not in tuple(RecordFormat):
        raise UsageError(f"--fields works with -f json, jsonl, csv or table, not -f {fmt.value}")
    if fmt in BINARY_FORMATS and output in (None, "-"):
        raise UsageError(f"-f {fmt.value} writes a binary file; give it one with -o FILE.{fmt.value}")
    dataset = read_dataset(data)
    if fmt in STREAMING and output in (None, "-") and out.fields is None and not at_terminal():
        # Into a pipe or a file: each piece is written as the query finds it (`| head -c 10` answers at once).
        _stream_selection(dataset, query, fmt, highlight=highlight, options=options or {})
        return
    events = select(dataset, query)
    if not events and fmt in HUMAN_FORMATS and output is None:
        say("no events match")
        return
    if out.fields is not None:
        from ..contract import EVENT_FIELDS, event_json

        emit(out, dataset, EVENT_FIELDS, lambda: [event_json(dataset, event) for event in events], lambda _c, _w: "")
        return
    to_terminal = output is None and use_color()
    view = View(
        dataset=dataset,
        events=tuple(events),
        color=to_terminal,
        width=out_width() if output is None else 100,
        highlight=query.search if highlight else (),
        options=options or {},
    )
    rendered = render(fmt, view)
    if isinstance(rendered, bytes):
        assert output is not None
        write_bytes(rendered, output, dataset)
        return
    if fmt is Format.CSV and output is not None and (output.endswith(("/", os.sep)) or os.path.isdir(output)):
        # A folder: the CSV and a Frictionless datapackage.json that types its columns.
        from ..datafile.fs import not_a_folder
        from ..exporters.data import datapackage

        refused = not_a_folder(output) if os.path.lexists(output.rstrip("/" + os.sep)) else None
        if refused is not None:
            raise TimelineError(refused)
        os.makedirs(output, exist_ok=True)
        write_output(rendered, os.path.join(output, "events.csv"), dataset)
        write_output(datapackage("events.csv"), os.path.join(output, "datapackage.json"), dataset)
        return
    write_output(rendered, output, dataset, color=to_terminal)


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
    options = {"ics_partial": ics_partial.value, "filters": query.describe(), "generated": today().isoformat()}
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
        str, typer.Argument(metavar="EVENT", help="Event id, or a unique prefix of one.", autocompletion=complete_event_ids)
    ],
    out: OutputChoice,
    data: DataOpt = None,
) -> None:
    """Everything about one event: date, codes, participants, sources, related events."""
    from ..contract import EVENT_FIELDS, event_json
    from ..query import find_event
    from ..screens import render_show

    dataset = read_dataset(data)
    found = find_event(dataset, event)
    emit(
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
    from ..contract import ACTOR_FIELDS, actors_json
    from ..screens import render_actors

    dataset = read_dataset(data)
    emit(
        out,
        dataset,
        ACTOR_FIELDS,
        lambda: actors_json(dataset),
        lambda color, width: render_actors(dataset, color=color, width=width),
    )
