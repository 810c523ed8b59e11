"""The terminal screens of ``show``, ``actors``, ``sources`` and ``stats``, and the Rich helpers every
terminal rendering shares, returned as text.

Data is always added as plain :class:`rich.text.Text`, never parsed as markup,
so ``[bold]`` in a title prints as written. Colour is used only when asked for
(the CLI decides: a terminal, and no ``NO_COLOR``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .contract import OPEN_START, citing_counts, participants_text
from .edtf import display
from .model import Dataset, Event
from .query import PlanState
from .text import escape_controls, fold_with_map
from .vocab import KINDS, Kind, Status

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
        "Participants", Text(safe(participants_text(dataset, event, separator="\n")))
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
    incoming = dataset.referenced_by(event)
    if event.related or incoming:
        lines += [Text(""), Text("Related", style="bold")]
        for relation in event.related:
            other = dataset.event_by_id[relation.event]
            lines.append(Padding(Text(safe(f"→ {relation.relation}: {other.id}  {other.title}")), (0, 0, 0, 2)))
        for other, name in incoming:
            lines.append(Padding(Text(safe(f"← {other.id} is {name} this: {other.title}")), (0, 0, 0, 2)))
    return to_text(Group(*lines), color=color, width=width)


def _registry_table(
    headers: tuple[str, ...], rows: Sequence[tuple[str, ...]], *, color: bool, width: int, count_last: bool = True
) -> str:
    """A table of registry entries, every cell escaped: the first column (an id) is never cut, and the
    last (a count, unless ``count_last`` is false) is right-aligned."""
    table = Table(header_style="bold")
    for number, name in enumerate(headers):
        last = number == len(headers) - 1
        table.add_column(
            name,
            overflow="fold",
            no_wrap=number == 0,
            min_width=max((len(row[0]) for row in rows), default=0) if number == 0 else None,
            justify="right" if last and count_last else "left",
        )
    for row in rows:
        table.add_row(*(Text(safe(cell)) for cell in row))
    return to_text(table, color=color, width=width)


def render_rows(fields: Sequence[str], rows: Sequence[Sequence[str]], *, color: bool, width: int) -> str:
    """Any records as a table with their field names as headers (fields a user chose); the first column is never cut."""
    return _registry_table(tuple(fields), [tuple(row) for row in rows], color=color, width=width, count_last=False)


def render_actors(dataset: Dataset, *, color: bool, width: int) -> str:
    by_actor, _ = citing_counts(dataset)
    rows = [
        (actor.id, actor.name, actor.type, actor.country or "—", ", ".join(actor.variants) or "—", str(by_actor[actor.id]))
        for actor in dataset.actors
    ]
    return _registry_table(("Id", "Name", "Type", "Country", "Variants", "Events"), rows, color=color, width=width)


def render_sources(dataset: Dataset, *, color: bool, width: int) -> str:
    _, by_source = citing_counts(dataset)
    rows = [
        (
            source.id,
            source.title,
            source.publisher,
            "—" if source.published is None else display(source.published),
            source.file,
            str(by_source[source.id]),
        )
        for source in dataset.sources
    ]
    return _registry_table(("Id", "Title", "Publisher", "Published", "File", "Events"), rows, color=color, width=width)


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
            bar = "█" * round(count / top * min(room, 40)) if count else "·"
            bar = bar or "▏"
            grid.add_row(Text(safe(label)), Text(str(count)), Text(bar, style="cyan"))
        parts.append(Padding(grid, (0, 0, 1, 2)))
    return to_text(Group(*parts), color=color, width=width)


STATS_TITLES = {
    "by_year": "Events by year",
    "by_kind": "By kind",
    "by_actor": "By actor",
    "by_topic": "By topic",
    "by_status": "By status",
}


def stats_label(dataset: Dataset, group: str, key: str) -> str:
    """A count's key as people read it: a kind's label, an actor's name, "open start" for "…"."""
    if group == "by_year":
        return "open start" if key == OPEN_START else key
    if group == "by_kind":
        return KINDS[Kind(key)].label
    if group == "by_actor":
        actor = dataset.actor_by_id.get(key)
        return key if actor is None else actor.name
    if group == "by_topic":
        return key.replace("-", " ")
    return key


def render_stats(dataset: Dataset, found: dict[str, dict[str, int]], *, color: bool, width: int) -> str:
    """``timeline stats`` at a terminal: a bar chart per group, with human labels and every year of the range."""
    sections = {
        STATS_TITLES[group]: {stats_label(dataset, group, key): count for key, count in counts.items()}
        for group, counts in found.items()
    }
    return render_bars(sections, color=color, width=width)


def render_plans(plans: Sequence[PlanState], *, color: bool, width: int) -> str:
    """Plans with their state and the events that record their outcome."""
    rows = [
        (
            plan.event.id,
            display(plan.event.date),
            plan.event.title,
            plan.state,
            ", ".join(f"{relation} by {other}" for other, relation in plan.outcomes) or "—",
        )
        for plan in plans
    ]
    headers = ("Id", "Date", "Title", "State", "Outcome")
    return _registry_table(headers, rows, color=color, width=width, count_last=False)
