"""The terminal formats of ``list``: a timeline grouped by year, and a table."""

from __future__ import annotations

from itertools import groupby

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..contract import View, participants_text, year_of
from ..edtf import display
from ..screens import highlighted, safe, to_text
from ..text import words
from ..vocab import KINDS, Status


def _terms(view: View) -> list[str]:
    return [term for text in view.highlight for term in words(text)]


def render_timeline(view: View) -> str:
    terms = _terms(view)
    parts: list[RenderableType] = []
    for year, group in groupby(view.events, key=year_of):
        parts.append(Rule(Text(year, style="bold"), align="left", style="dim"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, min_width=13)
        grid.add_column(no_wrap=True, width=1)
        grid.add_column(ratio=1)
        for event in group:
            info = KINDS[event.kind]
            body = highlighted(event.title, terms, "bold")
            if event.status is Status.PLANNED:
                body.append("  planned", style="italic yellow")
            body.append("\n")
            body.append(f"{info.label} · ", style="dim")
            body.append(safe(participants_text(view.dataset, event)), style="dim")
            if view.highlight:
                body.append("\n")
                body.append_text(highlighted(event.summary, terms))
            body.append("\n")
            body.append(event.id, style="dim cyan")
            grid.add_row(Text(display(event.date), style="cyan"), Text(info.marker, style=info.color), body)
        parts.append(Padding(grid, (0, 0, 1, 2)))
    return to_text(Group(*parts), color=view.color, width=view.width)


def render_table(view: View) -> str:
    table = Table(show_lines=False, expand=False, header_style="bold")
    for name in ("Date", "Kind", "Title", "Participants", "Status", "Id"):
        table.add_column(name, no_wrap=name in ("Date", "Status", "Id"), ratio=2 if name == "Title" else None)
    for event in view.events:
        table.add_row(
            Text(display(event.date)),
            Text(KINDS[event.kind].label),
            Text(safe(event.title)),
            Text(safe(participants_text(view.dataset, event, roles=False))),
            Text(event.status.value),
            Text(event.id),
        )
    return to_text(table, color=view.color, width=view.width)
