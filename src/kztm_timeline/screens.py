"""The terminal screens of ``show``, ``actors``, ``sources`` and ``stats``, and the Rich helpers every
terminal rendering shares, returned as text.

Data is always added as plain :class:`rich.text.Text`, never parsed as markup,
so ``[bold]`` in a title prints as written. Colour is used only when asked for
(the CLI decides: a terminal, and no ``NO_COLOR``).
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .contract import OPEN_START, citing_counts, participant_text
from .datafile.fs import display_path, resolve_source_path
from .edtf import display
from .model import Dataset, Event, Source
from .query import PlanState
from .text import escape_controls, fold_with_map
from .vocab import KINDS, RELATION_WORDS, Kind, Status

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


def _wrapped(text: str, width: int, indent: int, *, first: str | None = None) -> list[str]:
    """``text`` in lines of at most ``width`` characters, each indented by ``indent`` (the first led by
    ``first`` instead), broken only at spaces: never inside a word, an id or a path (one longer than the
    line stands alone on its line, whole)."""
    first = " " * indent if first is None else first
    wrapper = textwrap.TextWrapper(
        width=max(width, indent + 20),
        initial_indent=first,
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapper.wrap(text) or [first.rstrip()]


def _lines(pieces: Sequence[tuple[str, str]], *, color: bool, width: int) -> str:
    """Lines (text, style), each written whole: a line longer than the screen is not broken again."""
    return "".join(to_text(Text(text, style=style), color=color, width=max(width, cell_len(text) + 1)) for text, style in pieces)


def relation_sentence(relation: str, other: Event, *, incoming: bool) -> str:
    """A relation as a sentence: "Follows up …" (this event names the other), "Followed up by …" (the other
    names this one), with the other event's title, date and id."""
    outgoing_words, incoming_words = RELATION_WORDS.get(relation, (relation, f"{relation} (from)"))
    return f"{incoming_words if incoming else outgoing_words} {other.title} ({display(other.date)}; {other.id})."


def render_show(dataset: Dataset, event: Event, *, color: bool, width: int, plan: PlanState | None = None) -> str:
    """Everything about one event; for a plan, ``plan`` says what became of it (see ``PlanState.summary``).
    Text is wrapped at spaces only, so no word, id or path is ever broken."""
    info = KINDS[event.kind]
    qualifier = "" if event.date.qualifier is None else f", {event.date.qualifier.value}"
    plover = f"{info.plover_event}{' / ' + info.plover_mode if info.plover_mode else ''} ({info.plover_context})"
    facts: list[tuple[str, str, str]] = [
        ("Date", f"{display(event.date)}  (EDTF {event.date.text}; precision {event.date.precision.value}{qualifier})", ""),
        ("Kind", f"{info.label}: CAMEO {info.cameo} ({info.cameo_label}); PLOVER {plover}", ""),
        ("Status", event.status.value, "italic yellow" if event.status is Status.PLANNED else ""),
    ]
    if plan is not None:
        facts.append(("Plan", plan.summary(), "bold red" if plan.overdue else ""))
        if plan.searched is not None and plan.state in ("overdue", "open"):
            facts.append(("Searched", plan.searched.note, ""))
    people = [participant_text(dataset, participant.actor, participant.role) for participant in event.participants]
    facts += [("Participants", line, "") for line in people]
    facts += [("Place", event.place or "—", ""), ("Topics", ", ".join(event.topics) or "—", "")]
    if event.aliases:
        facts.append(("Formerly", ", ".join(event.aliases), ""))
    lines: list[tuple[str, str]] = [(safe(event.title), "bold"), (event.id, "dim cyan"), ("", "")]
    label = ""
    for name, value, style in facts:
        shown = name if name != label else ""  # every participant under one label
        label = name
        lines += [(line, style) for line in _wrapped(safe(value), width, 14, first=shown.ljust(14))]
    lines += [("", ""), ("Summary", "bold")] + [(line, "") for line in _wrapped(safe(event.summary), width, 2)]
    if event.note:
        lines += [("Date and inference note", "bold")] + [(line, "") for line in _wrapped(safe(event.note), width, 2)]
    lines += [("", ""), ("Sources", "bold")]
    for number, citation in enumerate(event.citations, 1):
        source = dataset.source_by_id[citation.source]
        published = "date not given" if source.published is None else display(source.published)
        head = f"{source.title} — {source.publisher}, {published}"
        lines += [(line, "") for line in _wrapped(safe(head), width, 6, first=f"  [{number}] ")]
        if source.file is not None:
            where = f"source {source.id}, file {source.file} (relative to the data file)"
        else:
            where = f"source {source.id}, page {_where(dataset, source)}"
        lines += [(line, "dim") for line in _wrapped(safe(where), width, 6)]
        lines += [(line, "italic") for line in _wrapped(safe(f"“{citation.quote}”"), width, 6)]
        if citation.translation:
            translated = f"({source.language}) in English: {citation.translation}"
            lines += [(line, "") for line in _wrapped(safe(translated), width, 6)]
    incoming = dataset.referenced_by(event)
    if event.related or incoming:
        lines += [("", ""), ("Related", "bold")]
        sentences = [relation_sentence(r.relation, dataset.event_by_id[r.event], incoming=False) for r in event.related]
        sentences += [relation_sentence(relation, other, incoming=True) for other, relation in incoming]
        for sentence in sentences:
            lines += [(line, "") for line in _wrapped(safe(sentence), width, 4, first="  ")]
    return _lines(lines, color=color, width=width)


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


# The columns of ``plans`` by priority: the title (the id moves under it), the state (what became of the plan,
# or when it falls due: see ``plan_state_text``), and the date (hidden first).
PLAN_COLUMNS = (
    Column("Id", whole=True, key=True),
    Column("Date", whole=True, drop=1),
    Column("Title", least=16, ratio=3, home=True),
    Column("State", least=16, ratio=3),
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
    "without_year": "Without a year of their own",
    "by_kind": "By kind",
    "by_actor": "By actor",
    "by_topic": "By topic",
    "by_status": "By status",
}


def stats_label(dataset: Dataset, group: str, key: str) -> str:
    """A count's key as people read it: a kind's label, an actor's name, "open start" for "open_start"."""
    if group == "without_year":
        return "open start (only its end is known)" if key == OPEN_START else key
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
        if group != "without_year" or any(counts.values())  # shown only when some event has no year of its own
    }
    return render_bars(sections, color=color, width=width)


def render_plans(plans: Sequence[PlanState], *, color: bool, width: int) -> str:
    """Plans with their state: what became of each ("fulfilled by …"), else the day it falls due ("open: due by
    6 Aug 2025"), or for an overdue plan the day it fell due ("overdue: no outcome recorded since 6 Aug 2025")."""
    rows = [(plan.event.id, display(plan.event.date), plan.event.title, plan_state_text(plan)) for plan in plans]
    return fitted_table(PLAN_COLUMNS, rows, color=color, width=width)


def plan_state_text(plan: PlanState) -> str:
    return plan.short()
