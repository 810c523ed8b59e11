"""The terminal screens of ``show``, ``actors``, ``sources`` and ``stats``, and the Rich helpers every
terminal rendering shares, returned as text.

Data is always added as plain :class:`rich.text.Text`, never parsed as markup,
so ``[bold]`` in a title prints as written. Colour is used only when asked for
(the CLI decides: a terminal, and no ``NO_COLOR``).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .contract import OPEN_START, citing_counts, participants_text
from .datafile.fs import display_path, resolve_source_path
from .edtf import display
from .model import Dataset, Event, Source
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
    if event.aliases:
        facts.add_row("Formerly", Text(safe(", ".join(event.aliases))))
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
        head.append(safe(f" — {source.publisher}, {published} ({source.id}, {_where(dataset, source)})"))
        lines.append(Padding(head, (0, 0, 0, 2)))
        lines.append(Padding(Text(safe(f"“{citation.quote}”")), (0, 0, 0, 6)))
        if citation.translation:
            lines.append(Padding(Text(safe(f"({source.language}) in English: {citation.translation}")), (0, 0, 0, 6)))
    incoming = dataset.referenced_by(event)
    if event.related or incoming:
        lines += [Text(""), Text("Related", style="bold")]
        for relation in event.related:
            other = dataset.event_by_id[relation.event]
            lines.append(Padding(Text(safe(f"→ {relation.relation}: {other.id}  {other.title}")), (0, 0, 0, 2)))
        for other, name in incoming:
            lines.append(Padding(Text(safe(f"← {other.id} is {name} this: {other.title}")), (0, 0, 0, 2)))
    return to_text(Group(*lines), color=color, width=width)


@dataclass(frozen=True)
class Column:
    """A column of a terminal table and how it yields when the screen is narrow.

    ``whole``: never cut or wrapped (ids, dates, counts): the column is as wide as its widest cell.
    Other columns wrap, down to ``least`` characters. ``drop``: the order in which columns are hidden
    when even that does not fit (1 first); None for a column that is never hidden.
    """

    name: str
    whole: bool = False
    least: int = 10
    drop: int | None = None
    right: bool = False
    ratio: int = 1  # its share of the room left over, beside the other wrapping columns


# A Rich table with the default box: a border before every column, one after the last, and one space of
# padding either side of every cell.
def _table_width(widths: Sequence[int]) -> int:
    return sum(widths) + 3 * len(widths) + 1


def fit_columns(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> list[int] | None:
    """The indexes of the columns that fit in ``width``, having hidden columns in their ``drop`` order;
    None when not even the columns that are never hidden fit (then the rows are shown as cards)."""
    natural = [
        max((len(row[number]) for row in rows), default=0) if column.whole else column.least
        for number, column in enumerate(columns)
    ]
    natural = [max(size, len(column.name)) if column.whole else size for size, column in zip(natural, columns, strict=True)]
    kept = list(range(len(columns)))
    for column in sorted((c for c in columns if c.drop is not None), key=lambda c: c.drop or 0):
        if _table_width([natural[number] for number in kept]) <= width:
            break
        kept.remove(columns.index(column))
    return kept if _table_width([natural[number] for number in kept]) <= width else None


def _widths(columns: Sequence[Column], rows: Sequence[Sequence[str]], kept: Sequence[int], width: int) -> dict[int, int]:
    """Each kept column's width: a whole column its widest cell; a wrapping column at least its ``least``,
    then the room left shared out by ``ratio``, never more than its widest cell needs."""
    widest = {number: max([len(columns[number].name), *(len(row[number]) for row in rows)]) for number in kept}
    sizes = {number: widest[number] if columns[number].whole else min(columns[number].least, widest[number]) for number in kept}
    room = width - _table_width(list(sizes.values()))
    while room > 0:
        wanting = [number for number in kept if not columns[number].whole and sizes[number] < widest[number]]
        if not wanting:
            break
        chosen = min(wanting, key=lambda number: sizes[number] / columns[number].ratio)
        sizes[chosen] += 1
        room -= 1
    return sizes


def hidden_note(columns: Sequence[Column], kept: Sequence[int], width: int) -> str:
    """The line under a table that had to hide columns: which, and what to do about it."""
    hidden = [column.name for number, column in enumerate(columns) if number not in kept]
    return f"({', '.join(hidden)} hidden to fit {width} columns; widen the terminal, or choose fewer fields)\n"


def fitted_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], *, color: bool, width: int) -> str:
    """``rows`` as a table that fits ``width`` without cutting an id: columns are hidden in their documented
    order (with a note saying which), and where not even the id and title fit, each row becomes a card."""
    kept = fit_columns(columns, rows, width)
    if kept is None:
        return cards(columns, rows, color=color, width=width)
    sizes = _widths(columns, rows, kept, width)
    table = Table(header_style="bold")
    for number in kept:
        column = columns[number]
        table.add_column(
            column.name,
            no_wrap=column.whole,
            width=sizes[number],
            overflow="fold",
            justify="right" if column.right else "left",
        )
    for row in rows:
        table.add_row(*(Text(safe(row[number])) for number in kept))
    text = to_text(table, color=color, width=width)
    if len(kept) < len(columns):
        text += to_text(Text(hidden_note(columns, kept, width).rstrip("\n"), style="dim"), color=color, width=width)
    return text


def cards(columns: Sequence[Column], rows: Sequence[Sequence[str]], *, color: bool, width: int) -> str:
    """Rows too wide for any table at ``width``: the first cell (an id) on a line of its own, never cut even
    when longer than the line, then every other cell as "Name: value", wrapped."""
    parts: list[str] = []
    for row in rows:
        head = safe(row[0])
        parts.append(to_text(Text(head, style="bold cyan"), color=color, width=max(width, len(head) + 1)))
        facts = Table.grid(padding=(0, 1))
        facts.add_column(style="dim", no_wrap=True)
        facts.add_column(ratio=1, overflow="fold")
        for column, cell in zip(columns[1:], row[1:], strict=True):
            facts.add_row(column.name, Text(safe(cell)))
        parts.append(to_text(Padding(facts, (0, 0, 1, 2)), color=color, width=width))
    return "".join(parts)


def _registry_table(
    headers: tuple[str, ...],
    rows: Sequence[tuple[str, ...]],
    *,
    color: bool,
    width: int,
    count_last: bool = True,
    keep: int = 1,
) -> str:
    """A table of registry entries, every cell escaped: the first column (an id) is never cut, and the
    last (a count, unless ``count_last`` is false) is right-aligned and never cut; the others wrap, and
    hide from the right when the screen is too narrow, except column ``keep`` (a name or title), which
    stays with the id: where the two do not fit, each entry is shown as a card."""
    last = len(headers) - 1
    columns = [
        Column(
            name,
            whole=number == 0 or (number == last and count_last),
            least=12,
            drop=None if number in (0, keep) else (last - number + (0 if count_last and number == last else 1)),
            right=number == last and count_last,
        )
        for number, name in enumerate(headers)
    ]
    if count_last and last > keep:  # the count is hidden last of all
        columns[last] = dataclasses.replace(columns[last], drop=len(headers))
    return fitted_table(columns, rows, color=color, width=width)


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
            _where(dataset, source),
            str(by_source[source.id]),
        )
        for source in dataset.sources
    ]
    return _registry_table(("Id", "Title", "Publisher", "Published", "File or page", "Events"), rows, color=color, width=width)


def _where(dataset: Dataset, source: Source) -> str:
    """Where a source is read: its article's path, or the page's address and the day it was read."""
    if source.file is not None:
        return display_path(resolve_source_path(dataset.path, source.file))
    read = "" if source.retrieved is None else f", read {source.retrieved.text}"
    return f"{source.url}{read}"


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
    return _registry_table(headers, rows, color=color, width=width, count_last=False, keep=2)
