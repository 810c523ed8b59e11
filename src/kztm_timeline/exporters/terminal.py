"""The terminal formats of ``list``: a timeline grouped by year, and a table."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby

from rich.console import Group
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..contract import View, heading_of, participants_text
from ..edtf import display
from ..model import Event
from ..screens import Column, fitted_table, highlighted, safe, to_text
from ..text import words
from ..vocab import KINDS, Status


def _terms(view: View) -> list[str]:
    return [term for text in view.highlight for term in words(text)]


def _entry(view: View, event: Event, terms: list[str], *, with_id: bool) -> tuple[Text, Text, Text]:
    """An event's date, marker and body (title, kind and participants, summary when searching, id)."""
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
    if with_id:
        body.append("\n")
        body.append(event.id, style="dim cyan")
    return Text(display(event.date), style="cyan"), Text(info.marker, style=info.color), body


def _grid(date_width: int) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, min_width=date_width)
    grid.add_column(no_wrap=True, width=1)
    grid.add_column(ratio=1, overflow="fold")  # a word longer than the column breaks, never cut with "…"
    return grid


def render_timeline(view: View) -> str:
    return "".join(iter_timeline(view, view.events))


def iter_timeline(view: View, events: Iterable[Event]) -> Iterator[str]:
    """Events grouped under a rule per year: date, kind marker, title, kind and participants, id;
    written a year at a time.

    Where the screen is too narrow for a year's longest id beside the date (below about 66 columns),
    each id goes on a line of its own under its event, whole even when longer than the line."""
    terms = _terms(view)
    for year, grouped in groupby(events, key=heading_of):
        group = list(grouped)
        rule = Rule(Text(year, style="bold"), align="left", style="dim")
        longest_id = max(len(event.id) for event in group)
        date_width = max([13, *(len(display(event.date)) for event in group)])
        if view.width - 2 - date_width - 4 >= longest_id:
            grid = _grid(13)
            for event in group:
                grid.add_row(*_entry(view, event, terms, with_id=True))
            yield to_text(Group(rule, Padding(grid, (0, 0, 1, 2))), color=view.color, width=view.width)
            continue
        date_width = max(len(display(event.date)) for event in group)
        pieces = [to_text(rule, color=view.color, width=view.width)]
        for event in group:
            grid = _grid(date_width)
            grid.add_row(*_entry(view, event, terms, with_id=False))
            pieces.append(to_text(Padding(grid, (0, 0, 0, 2)), color=view.color, width=view.width))
            line = Text("    " + event.id, style="dim cyan")
            pieces.append(to_text(line, color=view.color, width=max(view.width, len(line) + 1)))
        pieces.append("\n")
        yield "".join(pieces)


def render_heading(heading: str, *, color: bool, width: int) -> str:
    """A heading that sets apart what follows it (the events that only may fall in a date range)."""
    rule = Rule(Text(heading, style="bold yellow"), align="left", style="yellow", characters="═")
    return to_text(Group(rule, Text("")), color=color, width=width)


# The columns of ``list -f table`` by priority: the title (the id moves under it where it does not fit in a
# column of its own), the date and the status (never hidden: where those do not fit, each event becomes a
# card), then the kind, and the participants (hidden first).
TABLE_COLUMNS = (
    Column("Date", whole=True),
    Column("Kind", least=10, drop=2),
    Column("Title", least=16, ratio=3, home=True),
    Column("Participants", least=14, drop=1, ratio=2),
    Column("Status", whole=True),
    Column("Id", whole=True, key=True),
)


def render_table(view: View) -> str:
    rows = [
        (
            display(event.date),
            KINDS[event.kind].label,
            event.title,
            participants_text(view.dataset, event, roles=False),
            event.status.value,
            event.id,
        )
        for event in view.events
    ]
    return fitted_table(TABLE_COLUMNS, rows, color=view.color, width=view.width)
