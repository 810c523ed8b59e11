"""Exporters: pure functions from a :class:`~kztm_timeline.present.View` to text.

One registry, keyed by :class:`Format`, names the function for every format.
Modules are imported only when their format is used, so that JSON output never
pays for Rich, and no format pays for another.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: importing present here would slow every start-up
    from ..present import View

Exporter = Callable[["View"], str]


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


REGISTRY: dict[Format, str] = {
    Format.TIMELINE: "terminal:render_timeline",
    Format.TABLE: "terminal:render_table",
    Format.JSON: "data:render_json",
    Format.JSONL: "data:render_jsonl",
    Format.CSV: "data:render_csv",
    Format.MARKDOWN: "markdown:render_markdown",
    Format.ICS: "ics:render_ics",
    Format.TIMELINEJS: "timelinejs:render_timelinejs",
    Format.PLOVER: "plover:render_plover",
    Format.HTML: "html:render_html",
}

# Formats for people at a terminal; an empty result there is said on stderr.
HUMAN_FORMATS = frozenset({Format.TIMELINE, Format.TABLE, Format.MARKDOWN})


def exporter(fmt: Format) -> Exporter:
    """The function that renders ``fmt``."""
    module_name, function_name = REGISTRY[fmt].split(":")
    module = importlib.import_module(f"{__name__}.{module_name}")
    function: Exporter = getattr(module, function_name)
    return function


def render(fmt: Format, view: View) -> str:
    return exporter(fmt)(view)
