"""Rich renderings for people at a terminal, returned as text.

Data is always added as plain :class:`rich.text.Text`, never parsed as markup,
so ``[bold]`` in a title prints as written. Colour is used only when the view
asks for it (the CLI decides: a terminal, and no ``NO_COLOR``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from itertools import groupby

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..edtf import display
from ..kinds import KINDS, Status
from ..model import Dataset, Event
from ..present import View, event_counts, year_of
from ..query import fold_with_map, referenced_by, words
from ..safety import escape_controls

HIGHLIGHT = "bold black on yellow"


def to_text(renderable: RenderableType, *, color: bool, width: int) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        color_system="auto" if color else None,
        no_color=not color,
        width=width,
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
        force_jupyter=False,
        force_interactive=False,
    )
    console.print(renderable)
    output = buffer.getvalue()
    if color:
        return output
    return "".join(line.rstrip(" ") + "\n" for line in output.splitlines())


def safe(text: str) -> str:
    """Data text as it may appear on a terminal: controls shown as escapes."""
    return escape_controls(text)


def highlighted(text: str, terms: Iterable[str], style: str = "") -> Text:
    """``text`` with every case- and diacritic-insensitive match of ``terms`` highlighted."""
    shown = Text(safe(text), style=style)
    folded, origin = fold_with_map(shown.plain)
    for term in terms:
        start = folded.find(term)
        while start >= 0 and term:
            end = start + len(term)
            shown.stylize(HIGHLIGHT, origin[start], origin[end - 1] + 1)
            start = folded.find(term, end)
    return shown


def _terms(view: View) -> list[str]:
    return [term for text in view.highlight for term in words(text)]


def _participants(dataset: Dataset, event: Event) -> str:
    return ", ".join(f"{dataset.actor_by_id[p.actor].name} ({p.role})" for p in event.participants)


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
            body.append(safe(_participants(view.dataset, event)), style="dim")
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
            Text(safe(", ".join(view.dataset.actor_by_id[p.actor].name for p in event.participants))),
            Text(event.status.value),
            Text(event.id),
        )
    return to_text(table, color=view.color, width=view.width)


def render_show(dataset: Dataset, event: Event, *, color: bool, width: int) -> str:
    """Everything about one event."""
    info = KINDS[event.kind]
    lines: list[RenderableType] = [Text(safe(event.title), style="bold"), Text(event.id, style="dim cyan"), Text("")]
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(ratio=1)
    qualifier = "" if event.date.qualifier is None else f", {event.date.qualifier.value}"
    facts.add_row(
        "Date", Text(f"{display(event.date)}  (EDTF {event.date.text}; precision {event.date.precision.value}{qualifier})")
    )
    facts.add_row(
        "Kind",
        Text(
            f"{info.label}: CAMEO {info.cameo} ({info.cameo_label}); PLOVER {info.plover_event}"
            f"{' / ' + info.plover_mode if info.plover_mode else ''} ({info.plover_context})"
        ),
    )
    facts.add_row("Status", Text(event.status.value, style="italic yellow" if event.status is Status.PLANNED else ""))
    facts.add_row(
        "Participants", Text(safe("\n".join(f"{dataset.actor_by_id[p.actor].name} ({p.role})" for p in event.participants)))
    )
    facts.add_row("Place", Text(safe(event.place or "—")))
    facts.add_row("Topics", Text(safe(", ".join(event.topics) or "—")))
    lines.append(facts)
    lines += [Text(""), Text("Summary", style="bold"), Padding(Text(safe(event.summary)), (0, 0, 0, 2))]
    if event.note:
        lines += [Text("Date and inference note", style="bold"), Padding(Text(safe(event.note)), (0, 0, 0, 2))]
    lines += [Text(""), Text("Sources", style="bold")]
    for number, citation in enumerate(event.citations, 1):
        source = dataset.source_by_id[citation.source]
        published = "date not given" if source.published is None else display(source.published)
        head = Text(f"[{number}] ")
        head.append(safe(source.title), style="italic")
        head.append(safe(f" — {source.publisher}, {published} ({source.id}, {source.file})"))
        lines.append(Padding(head, (0, 0, 0, 2)))
        lines.append(Padding(Text(safe(f"“{citation.quote}”")), (0, 0, 0, 6)))
    incoming = referenced_by(dataset, event)
    if event.related or incoming:
        lines += [Text(""), Text("Related", style="bold")]
        for relation in event.related:
            other = dataset.event_by_id[relation.event]
            lines.append(Padding(Text(safe(f"→ {relation.relation}: {other.id}  {other.title}")), (0, 0, 0, 2)))
        for other, name in incoming:
            lines.append(Padding(Text(safe(f"← {other.id} is {name} this: {other.title}")), (0, 0, 0, 2)))
    return to_text(Group(*lines), color=color, width=width)


def render_actors(dataset: Dataset, *, color: bool, width: int) -> str:
    by_actor, _ = event_counts(dataset)
    table = Table(header_style="bold")
    for name in ("Id", "Name", "Type", "Country", "Variants", "Events"):
        table.add_column(name, overflow="fold", justify="right" if name == "Events" else "left")
    for actor in dataset.actors:
        table.add_row(
            Text(actor.id),
            Text(safe(actor.name)),
            Text(actor.type),
            Text(actor.country or "—"),
            Text(safe(", ".join(actor.variants) or "—")),
            Text(str(by_actor[actor.id])),
        )
    return to_text(table, color=color, width=width)


def render_sources(dataset: Dataset, *, color: bool, width: int) -> str:
    _, by_source = event_counts(dataset)
    table = Table(header_style="bold")
    for name in ("Id", "Title", "Publisher", "Published", "File", "Events"):
        table.add_column(name, overflow="fold", justify="right" if name == "Events" else "left")
    for source in dataset.sources:
        table.add_row(
            Text(source.id),
            Text(safe(source.title)),
            Text(safe(source.publisher)),
            Text("—" if source.published is None else display(source.published)),
            Text(safe(source.file)),
            Text(str(by_source[source.id])),
        )
    return to_text(table, color=color, width=width)


def render_bars(sections: dict[str, dict[str, int]], *, color: bool, width: int) -> str:
    """Horizontal bar charts, one per section."""
    parts: list[RenderableType] = []
    for title, counts in sections.items():
        parts.append(Text(title, style="bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(no_wrap=True)
        label_width = max((len(label) for label in counts), default=0)
        room = max(width - label_width - 12, 10)
        top = max(counts.values(), default=1)
        for label, count in counts.items():
            bar = "█" * max(1, round(count / top * min(room, 40)))
            grid.add_row(Text(safe(label)), Text(str(count)), Text(bar, style="cyan"))
        parts.append(Padding(grid, (0, 0, 1, 2)))
    return to_text(Group(*parts), color=color, width=width)
