"""The terminal screens of ``show``, ``actors``, ``sources`` and ``stats``, and the Rich helpers every
terminal rendering shares, returned as text.

Data is always added as plain :class:`rich.text.Text`, never parsed as markup,
so ``[bold]`` in a title prints as written. Colour is used only when asked for
(the CLI decides: a terminal, and no ``NO_COLOR``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
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
    return "".join(_unpadded(line) + "\n" for line in buffer.getvalue().splitlines())


_SGR = re.compile(r"\x1b\[[0-9;]*m")
_PADDING = re.compile(r"(?:[ ]|\x1b\[[0-9;]*m)+$")


def _unpadded(line: str) -> str:
    """A line without the spaces Rich pads it with to the full width; its closing colour codes are kept."""
    tail = _PADDING.search(line)
    return line if tail is None else line[: tail.start()] + "".join(_SGR.findall(tail.group()))


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

    ``whole``: never wrapped (dates, counts, states): the column is as wide as its widest cell. Other columns
    wrap at spaces, never narrower than their longest word (nor than ``least``, where a cell is that wide), so
    that no word is split unless it alone is wider than the screen allows. ``drop``: the order in which columns
    are hidden when the table does not fit (1 first); None for a column that is never hidden: where those do
    not fit, each row becomes a card. ``key``: the id column, never cut: where it does not fit beside the
    others it moves into the ``home`` column, on a dimmed line of its own under that cell's text.
    """

    name: str
    whole: bool = False
    least: int = 10
    drop: int | None = None
    right: bool = False
    ratio: int = 1  # its share of the room left over, beside the other wrapping columns
    key: bool = False
    home: bool = False


@dataclass(frozen=True)
class TableLayout:
    """How a table fits a width: the columns shown (indexes, in order), each one's width, and whether the
    key column moved under its home column."""

    kept: tuple[int, ...]
    widths: dict[int, int]
    moved: bool


def priority(columns: Sequence[Column]) -> list[str]:
    """The columns' names from the one kept longest to the one hidden first (the order the manual documents)."""
    never = [column.name for column in columns if column.drop is None]
    hidden = sorted((column for column in columns if column.drop is not None), key=lambda column: -(column.drop or 0))
    return never + [column.name for column in hidden]


# A Rich table with the default box but no outer edge (as psql draws one): a border between columns, and one
# space of padding either side of every cell.
def _table_width(widths: Sequence[int]) -> int:
    return sum(widths) + 3 * len(widths) - 1


def _longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def _needs(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> tuple[list[int], list[int]]:
    """Each column's widest cell (its header included), and the least width it may take: a whole column its
    widest cell; a wrapping one its longest word, and at least ``least`` where its cells are that wide."""
    widest = [
        max([cell_len(column.name), *(cell_len(row[number]) for row in rows)]) for number, column in enumerate(columns)
    ]
    least = [
        widest[number]
        if column.whole
        else max(min(column.least, widest[number]), _longest_word(column.name), *(_longest_word(row[number]) for row in rows))
        for number, column in enumerate(columns)
    ]
    return widest, least


def plan_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> TableLayout | None:
    """How ``rows`` fit ``width``: every column, the key in a column of its own where its home column can be as
    wide as it beside it; else the key moved under its home; else the same again without the column hidden
    first, and so on; None when not even the columns that are never hidden fit (then the rows are cards)."""
    widest, least = _needs(columns, rows)
    key = next((number for number, column in enumerate(columns) if column.key), None)
    home = next((number for number, column in enumerate(columns) if column.home), None)
    droppable = sorted((n for n, column in enumerate(columns) if column.drop is not None), key=lambda n: columns[n].drop or 0)
    kept = list(range(len(columns)))
    while True:
        if _table_width([least[number] for number in kept]) <= width:
            widths = _share(columns, kept, widest, least, width)
            if key is None or home is None or home not in kept or widths[home] >= min(widest[home], widest[key]):
                return TableLayout(tuple(kept), widths, moved=False)
        if key is not None and home is not None and home in kept:
            moved = [number for number in kept if number != key]
            wide, need = list(widest), list(least)
            wide[home] = max(wide[home], widest[key])
            need[home] = max(need[home], widest[key])
            if _table_width([need[number] for number in moved]) <= width:
                return TableLayout(tuple(moved), _share(columns, moved, wide, need, width), moved=True)
        if not droppable:
            return None
        kept.remove(droppable.pop(0))


def _share(
    columns: Sequence[Column], kept: Sequence[int], widest: Sequence[int], least: Sequence[int], width: int
) -> dict[int, int]:
    """Each kept column's width: its least, then the room left shared out among the wrapping columns by
    ``ratio``, never more than a column's widest cell needs."""
    sizes = {number: least[number] for number in kept}
    room = width - _table_width(list(sizes.values()))
    while room > 0:
        wanting = [number for number in kept if not columns[number].whole and sizes[number] < widest[number]]
        if not wanting:
            break
        chosen = min(wanting, key=lambda number: sizes[number] / columns[number].ratio)
        sizes[chosen] += 1
        room -= 1
    return sizes


def hidden_note(columns: Sequence[Column], layout: TableLayout, width: int) -> str:
    """The line under a table that had to hide columns: which, and what to do about it; "" when none was."""
    hidden = [
        column.name
        for number, column in enumerate(columns)
        if number not in layout.kept and not (layout.moved and column.key)
    ]
    if not hidden:
        return ""
    return f"({', '.join(hidden)} hidden to fit {width} columns; widen the terminal, or choose fewer fields)\n"


def fitted_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], *, color: bool, width: int) -> str:
    """``rows`` as a table that fits ``width`` without cutting an id or splitting a word that fits its cell:
    the key moves under its home column, columns are hidden in their documented order (with a note saying
    which), and where not even the columns that are never hidden fit, each row becomes a card."""
    rows = [[safe(cell) for cell in row] for row in rows]
    layout = plan_table(columns, rows, width)
    if layout is None:
        return cards(columns, rows, color=color, width=width)
    table = Table(header_style="bold", show_edge=False)
    for number in layout.kept:
        column = columns[number]
        table.add_column(
            column.name,
            no_wrap=column.whole,
            width=layout.widths[number],
            overflow="fold",
            justify="right" if column.right else "left",
        )
    key = next((number for number, column in enumerate(columns) if column.key), 0)
    for row in rows:
        cells = []
        for number in layout.kept:
            cell = Text(row[number])
            if layout.moved and columns[number].home:
                cell.append("\n")
                cell.append(row[key], style="dim")
            cells.append(cell)
        table.add_row(*cells)
    text = to_text(table, color=color, width=width)
    note = hidden_note(columns, layout, width)
    if note:
        text += to_text(Text(note.rstrip("\n"), style="dim"), color=color, width=width)
    return text


def cards(columns: Sequence[Column], rows: Sequence[Sequence[str]], *, color: bool, width: int) -> str:
    """Rows too wide for any table at ``width``: the key cell (else the first) on a line of its own, never cut
    even when longer than the line, then every other cell as "Name value", wrapped at words."""
    key = next((number for number, column in enumerate(columns) if column.key), 0)
    parts: list[str] = []
    for row in rows:
        head = safe(row[key])
        parts.append(to_text(Text(head, style="bold cyan"), color=color, width=max(width, cell_len(head) + 1)))
        facts = Table.grid(padding=(0, 1))
        facts.add_column(style="dim", no_wrap=True)
        facts.add_column(ratio=1, overflow="fold")
        for number, column in enumerate(columns):
            if number != key:
                facts.add_row(column.name, Text(safe(row[number])))
        parts.append(to_text(Padding(facts, (0, 0, 1, 2)), color=color, width=width))
    return "".join(parts)


def render_rows(fields: Sequence[str], rows: Sequence[Sequence[str]], *, color: bool, width: int) -> str:
    """Any records as a table with their field names as headers (fields a user chose). An ``id`` field is the
    key (never cut; it moves under the first other field where need be); the first other field is never
    hidden, and the rest are hidden from the right."""
    key = fields.index("id") if "id" in fields else None
    first = next((number for number in range(len(fields)) if number != key), None)
    columns = [
        Column(
            name,
            whole=number == key,
            key=number == key,
            home=number == first and key is not None,
            least=12,
            drop=None if number in (key, first) else len(fields) - number,
        )
        for number, name in enumerate(fields)
    ]
    return fitted_table(columns, rows, color=color, width=width)


# The columns of ``actors`` by priority: the name (the id moves under it), the count of events, the type,
# the country, the variants of the name (hidden first).
ACTOR_COLUMNS = (
    Column("Id", whole=True, key=True),
    Column("Name", least=12, ratio=2, home=True),
    Column("Type", whole=True, drop=3),
    Column("Country", whole=True, drop=2),
    Column("Variants", least=12, ratio=2, drop=1),
    Column("Events", whole=True, right=True),
)


# The columns of ``sources`` by priority: the title (the id moves under it), the count of events citing it,
# the publisher, the date of publication, the article's file (hidden first).
SOURCE_COLUMNS = (
    Column("Id", whole=True, key=True),
    Column("Title", least=12, ratio=3, home=True),
    Column("Publisher", least=12, ratio=2, drop=3),
    Column("Published", whole=True, drop=2),
    Column("File or page", whole=True, drop=1),
    Column("Events", whole=True, right=True),
)


# The columns of ``plans`` by priority: the title (the id moves under it), the state, the outcome, and the
# date (hidden first).
PLAN_COLUMNS = (
    Column("Id", whole=True, key=True),
    Column("Date", whole=True, drop=1),
    Column("Title", least=16, ratio=3, home=True),
    Column("State", whole=True),
    Column("Outcome", least=12, ratio=2),
)


def render_actors(dataset: Dataset, *, color: bool, width: int) -> str:
    by_actor, _ = citing_counts(dataset)
    rows = [
        (actor.id, actor.name, actor.type, actor.country or "—", ", ".join(actor.variants) or "—", str(by_actor[actor.id]))
        for actor in dataset.actors
    ]
    return fitted_table(ACTOR_COLUMNS, rows, color=color, width=width)


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
    return fitted_table(SOURCE_COLUMNS, rows, color=color, width=width)


def _where(dataset: Dataset, source: Source) -> str:
    """Where a source is read: its article's path, or the page's address and the day it was read."""
    if source.file is not None:
        return display_path(resolve_source_path(dataset.path, source.file))
    read = "" if source.retrieved is None else f", read {source.retrieved.text}"
    return f"{source.url}{read}"


BAR_LEAST, BAR_MOST = 10, 40  # the longest bar's length: at least, where a label is long, and at most


def render_bars(sections: dict[str, dict[str, int]], *, color: bool, width: int) -> str:
    """Horizontal bar charts, one per section: a label, its count and its bar on every line. A label takes at
    most half the line, or what leaves the longest bar ``BAR_MOST`` where that is more; a longer one wraps at
    its words, its count and bar beside its first line."""
    parts: list[RenderableType] = []
    for title, counts in sections.items():
        parts.append(Text(title, style="bold"))
        count_width = max((len(str(count)) for count in counts.values()), default=1)
        widest = max((cell_len(safe(label)) for label in counts), default=0)
        room = width - 4 - count_width  # for the label and the bar, beside the indent, the count and two spaces
        label_width = max(min(widest, max(room - BAR_MOST, width // 2), room - BAR_LEAST), 1)
        room = max(min(BAR_MOST, room - label_width), 1)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=label_width, overflow="fold")
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(no_wrap=True)
        top = max(counts.values(), default=1)
        for label, count in counts.items():
            bar = ("█" * round(count / top * room) or "▏") if count else "·"
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
    return fitted_table(PLAN_COLUMNS, rows, color=color, width=width)
