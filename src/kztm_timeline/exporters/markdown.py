"""A Markdown report grouped by year, each citation a footnote with its quote."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import groupby

from ..contract import View, heading_of, participants_text
from ..edtf import display
from ..model import Event
from ..vocab import KINDS
from ..vocab import Status as _Status

# CommonMark lets a backslash escape any ASCII punctuation. These characters
# could start emphasis, code, links, raw HTML, entities or table cells anywhere;
# list and heading markers matter only at the start of a line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#!|~&])")
_LINE_START = re.compile(r"^([-+=]|\d+[.)])")


def escape(text: str) -> str:
    """Text shown literally by any CommonMark renderer, on one line."""
    flat = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _LINE_START.sub(_escape_marker, flat)


def _escape_marker(match: re.Match[str]) -> str:
    marker = match.group(1)
    return marker[:-1] + "\\" + marker[-1]


def render_markdown(view: View) -> str:
    return "".join(iter_markdown(view, view.events))


def iter_markdown(view: View, events: Iterable[Event]) -> Iterator[str]:
    """The report, written event by event; each event's footnotes follow its block (renderers gather
    footnotes at the end of the page, wherever they are defined)."""
    yield f"# {escape(view.title)}\n\n"
    footnotes = 0
    for year, group in groupby(events, key=heading_of):
        yield f"## {escape(year)}\n\n"
        for event in group:
            info = KINDS[event.kind]
            planned = " *(planned)*" if event.status is _Status.PLANNED else ""
            notes = []
            for citation in event.citations:
                footnotes += 1
                notes.append(_footnote(view, footnotes, citation.source, citation.quote))
            marks = "".join(f"[^{number}]" for number in range(footnotes - len(notes) + 1, footnotes + 1))
            lines = [f"### {escape(display(event.date))}: {escape(event.title)}{planned}{marks}", ""]
            lines.append(f"- **Kind:** {escape(info.label)} (CAMEO {info.cameo}, PLOVER {info.plover_event})")
            lines.append(f"- **Participants:** {escape(participants_text(view.dataset, event))}")
            if event.place:
                lines.append(f"- **Place:** {escape(event.place)}")
            if event.topics:
                lines.append(f"- **Topics:** {escape(', '.join(event.topics))}")
            lines.append(f"- **Id:** `{event.id}`")
            lines += ["", escape(event.summary), "", *notes, ""] if notes else ["", escape(event.summary), ""]
            yield "\n".join(lines) + "\n"


def _footnote(view: View, number: int, source_id: str, quote: str) -> str:
    source = view.dataset.source_by_id[source_id]
    published = "" if source.published is None else f", {escape(display(source.published))}"
    return f"[^{number}]: {escape(source.title)} ({escape(source.publisher)}{published}): “{escape(quote)}”"
