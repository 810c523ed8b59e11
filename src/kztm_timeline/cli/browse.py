"""Browsing: list, search, show and actors."""

import dataclasses
import itertools
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from ..errors import UsageError
from ..exporters import APART_FORMATS, BINARY_FORMATS, HUMAN_FORMATS, STREAMING, Format, RecordFormat
from ..vocab import IcsPartial
from .app import app, guarded
from .options import (
    CorpusOpt,
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
    is_folder,
    out_width,
    picked,
    progress_bar,
    say,
    use_color,
    write_bytes,
    write_output,
    write_pieces,
    write_table_folder,
)
from .reading import read_dataset, today

if TYPE_CHECKING:
    from ..model import Dataset, Event
    from ..query import Query
    from .progress import ProgressBar

T = TypeVar("T")


def _parts(query: "Query", fmt: Format) -> list["Query"]:
    """The queries whose events are written one after the other: with ``--overlapping``, a terminal format
    lists the events that lie in the range first, then apart the ones that only may (see :func:`_apart`)."""
    from ..query import Reach

    if fmt in APART_FORMATS and query.dated and query.reach is Reach.OVERLAPPING:
        return [dataclasses.replace(query, reach=Reach.WITHIN), dataclasses.replace(query, reach=Reach.PARTLY)]
    return [query]


def _apart(query: "Query", *, color: bool, width: int) -> str:
    from ..exporters.terminal import render_heading

    heading = f"May also fall in {query.range_words()}: dates that overlap it without lying wholly in it"
    return render_heading(heading, color=color, width=width)


def _say_partly(dataset: "Dataset", query: "Query", fmt: Format) -> None:
    """At a terminal, say how many events only may fall in the range that ``--overlapping`` would add."""
    from ..query import Reach, count_partly

    if fmt not in HUMAN_FORMATS or not query.dated or query.reach is not Reach.WITHIN:
        return
    more = count_partly(dataset, query)
    if more:
        noun = "event" if more == 1 else "events"
        say(
            f"{more} more {noun} may fall in {query.range_words()} (a month, year, uncertain or open date that "
            "overlaps it); --overlapping adds them"
        )



def _counted(items: Iterable[T], bar: "ProgressBar | None", start: int = 0) -> Iterable[T]:
    """``items``, counted on ``bar`` (after ``start`` counted before them) when there is one (the progress module is
    imported only then)."""
    if bar is None:
        return items
    from .progress import counted

    return counted(items, bar, start)


def _tracked(events: list["Event"], bar: "ProgressBar | None", start: int = 0) -> tuple["Event", ...]:
    """The events of a view, counted on ``bar`` as each exporter reads them (after ``start`` counted before them),
    when there is one."""
    if bar is None:
        return tuple(events)
    from .progress import Tracked

    return Tracked(events, bar, start)


def _expected(dataset: "Dataset", query: "Query") -> int | None:
    """How many events ``query`` selects, where that is known without reading them (no filter but --limit)."""
    from ..query import Query

    if dataclasses.replace(query, limit=None, reverse=False) != Query():
        return None
    return len(dataset.events) if query.limit is None else min(query.limit, len(dataset.events))


def _stream_selection(
    dataset: "Dataset", query: "Query", fmt: Format, *, highlight: bool, options: dict[str, str], bar: "ProgressBar | None"
) -> None:
    from ..contract import View
    from ..exporters import streamer
    from ..query import contract_lines, stream

    if bar is not None:
        bar.begin("writing events", _expected(dataset, query), "events")
    if fmt in (Format.JSON, Format.JSONL):  # what the cache kept, when it answers the query exactly
        lines = contract_lines(dataset, query)
        if lines is not None:
            from ..exporters.data import compact_lines, json_array

            given = _counted(lines, bar)
            write_pieces(json_array(given) if fmt is Format.JSON else compact_lines(given), color=False)
            return
    color = use_color()
    view = View(
        dataset=dataset, events=(), color=color, width=out_width(), highlight=query.search if highlight else (), options=options
    )
    found = 0

    def counted(events: "Iterator[Event]") -> "Iterator[Event]":
        nonlocal found
        for event in _counted(events, bar, found):  # the bar counts the events written, across both parts
            found += 1
            yield event

    def pieces() -> "Iterator[str]":
        left = query.limit
        for number, part in enumerate(_parts(query, fmt)):
            before = found
            events = stream(dataset, part if left is None else dataclasses.replace(part, limit=left))
            if number:  # the events that only may fall in the range, apart, if there are any
                first = next(events, None)
                if first is None:
                    continue
                yield _apart(query, color=color, width=view.width)
                events = itertools.chain([first], events)
            yield from streamer(fmt)(view, counted(events))
            if left is not None:
                left -= found - before

    human = fmt in HUMAN_FORMATS  # a human format's heading alone is not worth printing
    write_pieces(pieces(), color=color, ready=lambda: found > 0, hold=human)
    if bar is not None:
        bar.close()
    if not found and human:
        say("no events match")
    _say_partly(dataset, query, fmt)


def _render_selection(
    data: str | None,
    query: "Query",
    out: OutputChoice,
    *,
    highlight: bool,
    options: dict[str, str] | None = None,
) -> None:
    fields = out.fields is not None
    fmt = Format(choose_format(out.format, out.json, out.output, tuple(Format), Format.TIMELINE, fields=fields))
    output = out.output
    if fields and fmt.value not in (*RecordFormat, Format.PARQUET):
        raise UsageError(f"--fields works with -f json, jsonl, csv, table or parquet, not -f {fmt.value}")
    if fmt in BINARY_FORMATS and output in (None, "-"):
        raise UsageError(f"-f {fmt.value} writes a binary file; give it one with -o FILE.{fmt.value}")
    dataset = read_dataset(data, query.corpus)
    bar = progress_bar()
    try:
        if fmt in STREAMING and output in (None, "-") and not fields and not at_terminal():
            # Into a pipe or a file: each piece is written as the query finds it (`| head -c 10` answers at once).
            _stream_selection(dataset, query, fmt, highlight=highlight, options=options or {}, bar=bar)
            return
        _render_whole(dataset, query, out, fmt, highlight=highlight, options=options or {}, bar=bar)
    finally:
        if bar is not None:
            bar.close()


def _select_parts(dataset: "Dataset", query: "Query", fmt: Format, bar: "ProgressBar | None") -> list[list["Event"]]:
    """The events of each part (see :func:`_parts`), the limit shared between them, counted on ``bar`` as found."""
    from ..query import stream

    if bar is not None:
        bar.begin("selecting events", _expected(dataset, query), "events")
    parts: list[list[Event]] = []
    left = query.limit
    found = 0
    for part in _parts(query, fmt):
        parts.append(list(_counted(stream(dataset, part if left is None else dataclasses.replace(part, limit=left)), bar, found)))
        found += len(parts[-1])
        left = None if left is None else left - len(parts[-1])
    return parts


# Just over 60 lines: the steps of one whole render (nothing found, --fields, PLOVER, progress, paging) in order.
def _render_whole(
    dataset: "Dataset",
    query: "Query",
    out: OutputChoice,
    fmt: Format,
    *,
    highlight: bool,
    options: dict[str, str],
    bar: "ProgressBar | None",
) -> None:
    """The selection rendered whole, then written: to a file, or to a terminal (where it may be paged)."""
    from ..contract import View
    from ..exporters import render

    output = out.output
    parts = _select_parts(dataset, query, fmt, bar)
    events = [event for part in parts for event in part]
    if not events and fmt in HUMAN_FORMATS and output is None:
        if bar is not None:
            bar.close()
        say("no events match")
        _say_partly(dataset, query, fmt)
        return
    if out.fields is not None:
        if bar is not None:
            bar.close()
        _emit_fields(dataset, events, out, fmt)
        return
    to_terminal = output is None and use_color()
    if fmt is Format.PLOVER and output is not None and output.lower().endswith(".json"):
        options = {**options, "container": "array"}  # a .json file holds one JSON value: an array
    view = View(
        dataset=dataset,
        events=_tracked(events, bar),
        color=to_terminal,
        width=out_width() if output is None else 100,
        highlight=query.search if highlight else (),
        options=options,
    )
    if bar is not None:
        bar.begin(f"writing {os.path.basename(output)}" if output not in (None, "-") else "rendering", len(events), "events")
    if len(parts) > 1:
        within, partly = parts
        shown = [render(fmt, dataclasses.replace(view, events=_tracked(within, bar)))] if within else []
        if partly:  # the bar counts on from the events in the range
            shown.append(_apart(query, color=to_terminal, width=view.width))
            shown.append(render(fmt, dataclasses.replace(view, events=_tracked(partly, bar, len(within)))))
        rendered: str | bytes = "".join(str(piece) for piece in shown)
    else:
        rendered = render(fmt, view)
    if bar is not None:
        bar.close()
    if isinstance(rendered, bytes):
        assert output is not None
        write_bytes(rendered, output, dataset)
    elif fmt is Format.CSV and is_folder(output):
        from ..contract.fields import EVENTS

        assert output is not None
        write_table_folder(output, EVENTS, rendered, None, dataset)
    else:
        write_output(rendered, output, dataset, color=to_terminal)
        if output is None:
            _say_partly(dataset, query, fmt)


def _emit_fields(dataset: "Dataset", events: "list[Event]", out: OutputChoice, fmt: Format) -> None:
    """``--fields``: the chosen fields of the events in a record format, or as Parquet columns."""
    from ..contract import event_json
    from ..contract.fields import EVENTS, columns

    if fmt is not Format.PARQUET:
        emit(out, dataset, "events", lambda: [event_json(dataset, event) for event in events], lambda _c, _w: "")
        return
    from ..exporters.parquet import parquet_bytes

    assert out.output is not None
    chosen = columns(EVENTS, picked("events", out.fields))
    write_bytes(parquet_bytes([event_json(dataset, event) for event in events], chosen), out.output, dataset)


@app.command("list")
@guarded
@global_options
@filter_options(
    "year", "since", "until", "overlapping", "kind", "actor", "topic", "place", "status", "search", "limit", "reverse", "corpus"
)
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
@filter_options("year", "since", "until", "overlapping", "kind", "actor", "limit", "reverse", "corpus")
def search(
    text: Annotated[
        list[str],
        typer.Argument(
            metavar="WORDS...",
            help="Words to find, every one of them (no quotes needed); case, diacritics and romanization are ignored.",
        ),
    ],
    query: "Query",
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    output: OutputOpt = None,
    fields: FieldsOpt = None,
    data: DataOpt = None,
) -> None:
    """Find events by words, with matches highlighted at a terminal."""
    query = dataclasses.replace(query, search=(" ".join(text),))
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
    corpus: CorpusOpt = None,
    data: DataOpt = None,
) -> None:
    """Everything about one event: date, codes, participants, sources, related events."""
    from ..contract import event_json
    from ..query import find_event, plan_states
    from ..screens import render_show

    dataset = read_dataset(data, corpus)
    found = find_event(dataset, event)
    if event != found.id and event in found.aliases:
        say(f"note: {event!r} is an old id of {found.id}; use the new one")
    plan = next(iter(plan_states(dataset, [found], today())), None)
    emit(
        out,
        dataset,
        "events",
        lambda: [event_json(dataset, found)],
        lambda color, width: render_show(dataset, found, color=color, width=width, plan=plan),
        single=True,
    )


@app.command()
@guarded
@global_options
@record_output
def actors(out: OutputChoice, corpus: CorpusOpt = None, data: DataOpt = None) -> None:
    """List actors with their spelling variants and event counts."""
    from ..contract import actors_json
    from ..screens import render_actors

    dataset = read_dataset(data, corpus)
    emit(
        out,
        dataset,
        "actors",
        lambda: actors_json(dataset),
        lambda color, width: render_actors(dataset, color=color, width=width),
    )
