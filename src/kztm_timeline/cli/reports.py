"""Reports: stats and chart."""

from typing import TYPE_CHECKING, Annotated, assert_never

import typer

from ..exporters import ChartFormat, RecordFormat
from ..text import escape_output
from ..vocab import Period
from .app import app, guarded
from .options import (
    DataOpt,
    JsonOpt,
    OutputOpt,
    filter_options,
    global_options,
    record_output,
)
from .output import (
    OutputChoice,
    choose_format,
    emit,
    is_folder,
    out_width,
    say,
    use_color,
    write_bytes,
    write_stdout,
    write_table_folder,
)
from .reading import read_dataset

if TYPE_CHECKING:
    from ..query import Query


@app.command()
@guarded
@global_options
@record_output
@filter_options("year", "since", "until", "overlapping", "kind", "actor", "status", "corpus")
def stats(query: "Query", out: OutputChoice, data: DataOpt = None) -> None:
    """Counts by year, kind, actor, topic and status, as bar charts or --json."""
    from ..contract import stats_json, stats_rows
    from ..query import tally
    from ..screens import render_stats

    dataset = read_dataset(data, query.corpus)
    found = stats_json(tally(dataset, query), query)
    emit(
        out,
        dataset,
        "stats",
        lambda: stats_rows(found),
        lambda color, width: render_stats(dataset, found, color=color, width=width),
        value=lambda: found,
    )


@app.command()
@guarded
@global_options
@filter_options("year", "since", "until", "overlapping", "kind", "actor", "topic", "place", "status", "search", "corpus")
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
    from ..contract.fields import CHART
    from ..exporters.chart import chart_bars, render_chart_svg, render_chart_text
    from ..exporters.records import render_records
    from ..query import tally

    chosen = ChartFormat(choose_format(None if fmt is None else fmt.value, json_, output, tuple(ChartFormat), ChartFormat.TEXT))
    dataset = read_dataset(data, query.corpus)
    found = chart_bars(tally(dataset, query).firsts, query, by)
    color = output is None and use_color()
    match chosen:
        case ChartFormat.TEXT:
            if not found.bars and not found.open_start and output is None:
                say("no events match")
                return
            text = render_chart_text(found, by, color=color, width=out_width() if output is None else 100)
        case ChartFormat.SVG:
            total = sum(bar.count for bar in found.bars)
            subtitle = f"{total} event{'s' if total != 1 else ''} per {by.value}; {query.describe()}"
            text = render_chart_svg(found, title="Kazakhstan–Turkmenistan relations", subtitle=subtitle)
        case ChartFormat.JSON | ChartFormat.JSONL | ChartFormat.CSV:
            text = render_records(RecordFormat(chosen.value), CHART, found.records(), None, color=False, width=100)
        case _:
            assert_never(chosen)
    if output is None or output == "-":
        write_stdout(text, color=color)
    elif is_folder(output):
        write_table_folder(output, CHART, text, None, dataset)
    else:
        write_bytes(escape_output(text).encode("utf-8"), output, dataset)
