"""A Markdown report grouped by year, each citation a footnote with its quote."""

from __future__ import annotations

import re
from itertools import groupby

from ..contract import View, participants_text, year_of
from ..edtf import display
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
    lines = [f"# {escape(view.title)}", ""]
    footnotes: list[str] = []
    for year, group in groupby(view.events, key=year_of):
        lines += [f"## {escape(year)}", ""]
        for event in group:
            info = KINDS[event.kind]
            planned = " *(planned)*" if event.status is _Status.PLANNED else ""
            marks = []
            for citation in event.citations:
                footnotes.append(_footnote(view, len(footnotes) + 1, citation.source, citation.quote))
                marks.append(f"[^{len(footnotes)}]")
            lines.append(f"### {escape(display(event.date))}: {escape(event.title)}{planned}{''.join(marks)}")
            lines.append("")
            lines.append(f"- **Kind:** {escape(info.label)} (CAMEO {info.cameo}, PLOVER {info.plover_event})")
            lines.append(f"- **Participants:** {escape(participants_text(view.dataset, event))}")
            if event.place:
                lines.append(f"- **Place:** {escape(event.place)}")
            if event.topics:
                lines.append(f"- **Topics:** {escape(', '.join(event.topics))}")
            lines.append(f"- **Id:** `{event.id}`")
            lines += ["", escape(event.summary), ""]
    if footnotes:
        lines += footnotes
        lines.append("")
    return "\n".join(lines)


def _footnote(view: View, number: int, source_id: str, quote: str) -> str:
    source = view.dataset.source_by_id[source_id]
    published = "" if source.published is None else f", {escape(display(source.published))}"
    return f"[^{number}]: {escape(source.title)} ({escape(source.publisher)}{published}): “{escape(quote)}”"
