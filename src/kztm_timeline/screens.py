"""The terminal screens of ``show``, ``actors``, ``sources`` and ``stats``, and the Rich helpers every
terminal rendering shares, returned as text.

Data is always added as plain :class:`rich.text.Text`, never parsed as markup,
so ``[bold]`` in a title prints as written. Colour is used only when asked for
(the CLI decides: a terminal, and no ``NO_COLOR``).
"""

from __future__ import annotations

import dataclasses
import io
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
from .edtf import day_text, display
from .model import Dataset, Event
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
    people = [participant_text(dataset, participant.actor, participant.role) for participant in event.participants]
    facts += [("Participants", line, "") for line in people]
    facts += [("Place", event.place or "—", ""), ("Topics", ", ".join(event.topics) or "—", "")]
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
        where = f"source {source.id}, file {source.file} (relative to the data file)"
        lines += [(line, "dim") for line in _wrapped(safe(where), width, 6)]
        lines += [(line, "italic") for line in _wrapped(safe(f"“{citation.quote}”"), width, 6)]
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
            display_path(resolve_source_path(dataset.path, source.file)),
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
    return _registry_table(("Id", "Date", "Title", "State"), rows, color=color, width=width, count_last=False, keep=2)


def plan_state_text(plan: PlanState) -> str:
    if plan.overdue:
        return f"overdue: no outcome recorded since {day_text(plan.due)}"
    if plan.state == "open":
        return f"open: due by {day_text(plan.due)}"
    return f"{plan.state} by " + ", ".join(other for other, _ in plan.outcomes)
