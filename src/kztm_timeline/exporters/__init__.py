"""Exporters: pure functions from a :class:`~kztm_timeline.contract.View` to text.

:func:`exporter` is the one registry: an exhaustive ``match`` on :class:`Format`,
so the type checker proves that every format is handled (``assert_never``).
Each module is imported only when its format is used, so that JSON output never
pays for Rich, and no format pays for another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, assert_never

if TYPE_CHECKING:  # only for annotations: importing the contract here would slow every start-up
    from ..contract import View
    from ..model import Event

Exporter = Callable[["View"], str | bytes]


class Format(StrEnum):
    TIMELINE = "timeline"
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    MARKDOWN = "markdown"
    ICS = "ics"
    TIMELINEJS = "timelinejs"
    PLOVER = "plover"
    HTML = "html"
    PARQUET = "parquet"


class RecordFormat(StrEnum):
    """The formats of every command's records (``actors``, ``sources``, ``stats`` …; see ``records.py``)."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


class ChartFormat(StrEnum):
    """The formats of ``timeline chart`` (see ``chart.py``): terminal bars, a standalone SVG, or the counts."""

    TEXT = "text"
    SVG = "svg"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


# Formats for people at a terminal; an empty result there is said on stderr.
HUMAN_FORMATS = frozenset({Format.TIMELINE, Format.TABLE, Format.MARKDOWN})
# Formats that list apart, under a heading of their own, the events that only may fall in a date range (--overlapping).
APART_FORMATS = frozenset({Format.TIMELINE, Format.TABLE})
# Formats whose exporter returns bytes, which go to a file (-o), never to a terminal.
BINARY_FORMATS = frozenset({Format.PARQUET})


def exporter(fmt: Format) -> Exporter:
    """The function that renders ``fmt``."""
    match fmt:
        case Format.TIMELINE:
            from .terminal import render_timeline

            return render_timeline
        case Format.TABLE:
            from .terminal import render_table

            return render_table
        case Format.JSON:
            from .data import render_json

            return render_json
        case Format.JSONL:
            from .data import render_jsonl

            return render_jsonl
        case Format.CSV:
            from .data import render_csv

            return render_csv
        case Format.MARKDOWN:
            from .markdown import render_markdown

            return render_markdown
        case Format.ICS:
            from .ics import render_ics

            return render_ics
        case Format.TIMELINEJS:
            from .timelinejs import render_timelinejs

            return render_timelinejs
        case Format.PLOVER:
            from .plover import render_plover

            return render_plover
        case Format.HTML:
            from .html import render_html

            return render_html
        case Format.PARQUET:
            from .parquet import render_parquet

            return render_parquet
        case _:
            assert_never(fmt)


# Formats written event by event (a year at a time for the timeline) as the query finds them.
STREAMING = frozenset({Format.TIMELINE, Format.JSON, Format.JSONL, Format.CSV, Format.MARKDOWN})
Streamer = Callable[["View", Iterable["Event"]], Iterator[str]]


def streamer(fmt: Format) -> Streamer:
    """The function that writes ``fmt`` piece by piece, for a format in STREAMING."""
    match fmt:
        case Format.TIMELINE:
            from .terminal import iter_timeline

            return iter_timeline
        case Format.JSON:
            from .data import iter_json

            return iter_json
        case Format.JSONL:
            from .data import iter_jsonl

            return iter_jsonl
        case Format.CSV:
            from .data import iter_csv

            return iter_csv
        case Format.MARKDOWN:
            from .markdown import iter_markdown

            return iter_markdown
        case _:
            raise ValueError(f"{fmt.value} is not written piece by piece")


def render(fmt: Format, view: View) -> str | bytes:
    return exporter(fmt)(view)


def render_text(fmt: Format, view: View) -> str:
    """A text format's output (every format but those in BINARY_FORMATS)."""
    output = render(fmt, view)
    assert isinstance(output, str), f"{fmt} is a binary format"
    return output
