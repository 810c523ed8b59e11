"""The HTML page's overview: every event on a time axis, each mark a link to its card.

The axis is piecewise: each year that holds a known day of some event gets room by how many events it
holds (a year with none of them still gets room for its label), and a run of two or more empty years
shrinks to a short break (two slanted strokes), so thirty quiet years do not push the dense recent ones
into a corner while the early years stay visible. A date open at its start fades in from a lead before the
first year, with an arrow; one open at its end fades out into a tail after the last, with an arrow; neither
is ever drawn as a solid bar. Uncertain and approximate dates are drawn with a dashed outline.

Kinds are told apart by colour and shape: five hue families (visits, dialogue, agreements, multilateral
and parliamentary meetings, culture and ceremony), and within a family a shape for each kind. The colours
are at least 12 apart (CIELAB ΔE) and pass WCAG AA (4.5:1) under white text; kinds that share a shape stay
12 apart for protan, deutan and tritan readers too (tests/test_exporters.py measures both).

The page holds the overview twice: laid out across for a wide screen, and down for a narrow one (CSS
shows one). Each is drawn at the size it is shown at, so its 12-pixel labels stay 12 pixels (or more).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import NamedTuple

from ..contract import count_events
from ..edtf import display
from ..model import Event
from ..vocab import Kind


class KindStyle(NamedTuple):
    family: str
    color: str
    shape: str  # circle, square, diamond or triangle


KIND_STYLES: dict[Kind, KindStyle] = {
    Kind.STATE_VISIT: KindStyle("visit", "#98640f", "circle"),
    Kind.OFFICIAL_VISIT: KindStyle("visit", "#ac3b1e", "square"),
    Kind.WORKING_VISIT: KindStyle("visit", "#836645", "diamond"),
    Kind.VISIT: KindStyle("visit", "#682c0b", "triangle"),
    Kind.TELEPHONE_CALL: KindStyle("dialogue", "#2073d4", "circle"),
    Kind.TALKS: KindStyle("dialogue", "#1b3563", "square"),
    Kind.COMMISSION_SESSION: KindStyle("dialogue", "#427296", "diamond"),
    Kind.AGREEMENT_SIGNING: KindStyle("agreement", "#1d4525", "circle"),
    Kind.DIPLOMATIC_RELATIONS: KindStyle("agreement", "#2d8175", "square"),
    Kind.SUMMIT: KindStyle("multilateral", "#4b267b", "circle"),
    Kind.PARLIAMENTARY_MEETING: KindStyle("multilateral", "#8857d0", "square"),
    Kind.CEREMONY: KindStyle("culture", "#d62277", "circle"),
    Kind.CULTURAL_EVENT: KindStyle("culture", "#69132f", "square"),
}


def kind_property(kind: Kind) -> str:
    """The CSS custom property that holds a kind's colour: ``--kind-state-visit``."""
    return "--kind-" + kind.value.replace("_", "-")


def shape(name: str, x: float, y: float, radius: float, attributes: str = "") -> str:
    """A kind's shape centred on (x, y), ``radius`` from its centre to its edge."""
    if name == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"{attributes}/>'
    if name == "square":
        side = radius * 1.8
        return f'<rect x="{x - side / 2:.1f}" y="{y - side / 2:.1f}" width="{side:.1f}" height="{side:.1f}"{attributes}/>'
    if name == "diamond":
        points = [(x, y - radius * 1.25), (x + radius * 1.25, y), (x, y + radius * 1.25), (x - radius * 1.25, y)]
    else:  # a triangle, point up
        points = [(x, y - radius * 1.2), (x + radius * 1.2, y + radius), (x - radius * 1.2, y + radius)]
    return f'<polygon points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in points)}"{attributes}/>'


# ---------------------------------------------------------------- the axis


@dataclass(frozen=True)
class Piece:
    """A stretch of the axis: ``kind`` is "year" (one year), "gap" (empty years), "lead" (before the first
    year: where open starts come from) or "tail" (after the last: where open ends go); ``start`` and
    ``end`` are positions along the axis, in pixels."""

    kind: str
    first_year: int
    last_year: int
    start: float
    end: float


@dataclass(frozen=True)
class Geometry:
    """How one orientation lays the axis out: ``length`` in pixels, a year's least length (room for its
    label), the room per event, the length of a break and of the lead and tail, the distance between lanes,
    and the least distance between two year labels' starts."""

    length: float
    least_year: float
    per_event: float
    gap: float
    lead: float
    lane: float
    label_room: float


WIDE = Geometry(length=624, least_year=36, per_event=14, gap=22, lead=30, lane=18, label_room=36)
NARROW = Geometry(length=0, least_year=22, per_event=15, gap=20, lead=28, lane=18, label_room=18)  # as long as needed


def _years(events: Sequence[Event]) -> Counter[int]:
    """How many events have a known day in each year (an event once per year it names)."""
    counted: Counter[int] = Counter()
    for event in events:
        counted.update({day.year for day in (event.date.first, event.date.last) if day is not None})
    return counted


def axis(events: Sequence[Event], geometry: Geometry) -> list[Piece]:
    """The pieces of the axis, from the lead (if some date is open at its start) to the tail (if one is
    open at its end). With a ``length``, the years share what the breaks, lead and tail leave, each its
    least length and the rest by its events; without one, each gets its least length and room per event."""
    counted = _years(events)
    years = sorted(counted)
    runs: list[tuple[str, int, int]] = []
    for year in range(years[0], years[-1] + 1):
        if year in counted:
            runs.append(("year", year, year))
        elif runs and runs[-1][0] == "gap":
            runs[-1] = ("gap", runs[-1][1], year)
        else:
            runs.append(("gap", year, year))
    runs = [run if run[0] == "year" or run[2] > run[1] else ("year", run[1], run[2]) for run in runs]  # one empty year stays
    lead = geometry.lead if any(event.date.first is None for event in events) else 0.0
    tail = geometry.lead if any(event.date.last is None for event in events) else 0.0
    gaps = sum(1 for run in runs if run[0] == "gap")
    year_count = len(runs) - gaps
    if geometry.length:
        room = geometry.length - lead - tail - gaps * geometry.gap
        least = min(geometry.least_year, room / year_count)
        spare = room - least * year_count
        weights = {year: math.sqrt(count) for year, count in counted.items()}
        total = sum(weights.values()) or 1.0
        size: Callable[[int], float] = lambda year: least + spare * weights.get(year, 0.0) / total  # noqa: E731 - one formula
    else:
        size = lambda year: geometry.least_year + geometry.per_event * counted.get(year, 0)  # noqa: E731 - one formula
    pieces = [Piece("lead", years[0], years[0], 0.0, lead)] if lead else []
    position = lead
    for kind, first, last in runs:
        length = geometry.gap if kind == "gap" else size(first)
        pieces.append(Piece(kind, first, last, position, position + length))
        position += length
    if tail:
        pieces.append(Piece("tail", years[-1], years[-1], position, position + tail))
    return pieces


def place(pieces: Sequence[Piece], day: date, *, after: bool = False) -> float:
    """Where ``day`` begins on the axis (where it ends, with ``after``)."""
    for piece in pieces:
        if piece.kind in ("lead", "tail") or not piece.first_year <= day.year <= piece.last_year:
            continue
        first = date(piece.first_year, 1, 1).toordinal()
        days = date(piece.last_year, 12, 31).toordinal() - first + 1
        return piece.start + (day.toordinal() - first + (1 if after else 0)) / days * (piece.end - piece.start)
    return pieces[-1].end if day.year > pieces[-1].last_year else pieces[0].start


# ---------------------------------------------------------------- the marks


@dataclass(frozen=True)
class Mark:
    """An event on the axis: from ``start`` to ``end`` (positions), its shape at ``anchor``, in ``lane``."""

    event: Event
    start: float
    end: float
    anchor: float
    lane: int
    open_start: bool
    open_end: bool
    point: bool  # one known day: a shape only


RADIUS = 6.0


def marks(events: Sequence[Event], pieces: Sequence[Piece]) -> list[Mark]:
    """Every event's mark, each in the first lane where it overlaps no mark before it."""
    lanes: list[float] = []
    found = []
    low, high = pieces[0].start, pieces[-1].end
    for event in events:
        first, last = event.date.first, event.date.last
        start = low if first is None else place(pieces, first)
        end = high if last is None else place(pieces, last, after=True)
        point = first is not None and first == last
        if point or (first is not None and last is not None and end - start < RADIUS * 3):
            anchor = (start + end) / 2  # a day, or a span too short for its shape: the shape over its middle
        elif first is not None:
            anchor = start + RADIUS
        else:
            anchor = end - RADIUS
        reach = (min(start, anchor - RADIUS * 1.3), max(end, anchor + RADIUS * 1.3))
        lane = next((number for number, taken in enumerate(lanes) if taken + 3 <= reach[0]), len(lanes))
        if lane == len(lanes):
            lanes.append(reach[1])
        lanes[lane] = reach[1]
        found.append(Mark(event, start, end, anchor, lane, first is None, last is None, point))
    return found


# ---------------------------------------------------------------- drawing


class Frame(NamedTuple):
    """Where an orientation draws: ``at(position, lane offset)`` gives (x, y); the lanes start at ``across``."""

    at: Callable[[float, float], tuple[float, float]]
    across: float
    wide: bool


def _defs(prefix: str, wide: bool) -> str:
    x2, y2 = ("1", "0") if wide else ("0", "1")
    ramps = []
    for name, stops in (("in", ("0", "black", "0.85", "white")), ("out", ("0.15", "white", "1", "black"))):
        ramps.append(
            f'<linearGradient id="{prefix}-ramp-{name}" x1="0" y1="0" x2="{x2}" y2="{y2}">'
            f'<stop offset="{stops[0]}" stop-color="{stops[1]}"/><stop offset="{stops[2]}" stop-color="{stops[3]}"/>'
            "</linearGradient>"
            f'<mask id="{prefix}-open-{name}" maskContentUnits="objectBoundingBox">'
            f'<rect width="1" height="1" fill="url(#{prefix}-ramp-{name})"/></mask>'
        )
    return "<defs>" + "".join(ramps) + "</defs>"


def _bar(mark: Mark, frame: Frame, prefix: str, centre: float) -> str:
    """The span of a mark longer than a day: a bar, fading where it is open, dashed where it is uncertain."""
    start, end = mark.start, max(mark.end, mark.start + 4)
    x, y = frame.at(start, centre - 5 - frame.across)
    width, height = (end - start, 10.0) if frame.wide else (10.0, end - start)
    attributes = ' fill="var(--kind)"'
    if mark.open_start or mark.open_end:
        attributes += f' mask="url(#{prefix}-open-{"in" if mark.open_start else "out"})" class="open"'
    elif mark.event.date.qualifier is not None:
        attributes += ' fill-opacity="0.45" stroke="var(--kind)" stroke-dasharray="3 2" class="uncertain"'
    else:
        attributes += ' fill-opacity="0.6"'
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" rx="3"{attributes}/>'


def _arrow(mark: Mark, frame: Frame, centre: float) -> str:
    """An arrowhead at the open end of a mark, pointing the way the date runs on."""
    tip, back = (mark.start - 1, mark.start + 6) if mark.open_start else (mark.end + 1, mark.end - 6)
    middle = centre - frame.across
    points = [frame.at(tip, middle), frame.at(back, middle - 4), frame.at(back, middle + 4)]
    return f'<polygon class="arrow" points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in points)}"/>'


def _mark(mark: Mark, frame: Frame, prefix: str) -> str:
    centre = frame.across + mark.lane * 18 + 9
    style = KIND_STYLES[mark.event.kind]
    parts = []
    if not mark.point:
        parts.append(_bar(mark, frame, prefix, centre))
    if mark.open_start or mark.open_end:
        parts.append(_arrow(mark, frame, centre))
    x, y = frame.at(mark.anchor, centre - frame.across)
    parts.append(shape(style.shape, x, y, RADIUS, ' fill="var(--kind)" stroke="#ffffff" stroke-width="1"'))
    label = escape(f"{display(mark.event.date)}: {mark.event.title}")
    kind = f"kind-{mark.event.kind.value}"
    return f'<a href="#{escape(mark.event.id)}" class="{kind}"><title>{label}</title>{"".join(parts)}</a>'


def _labels(pieces: Sequence[Piece], room: float) -> list[tuple[float, str]]:
    """The year labels (position, text), none closer than ``room`` to the one before it (a break has none:
    its tooltip names the years it leaves out)."""
    found: list[tuple[float, str]] = []
    last = -math.inf
    for piece in pieces:
        if piece.kind == "year" and piece.start - last >= room:
            found.append((piece.start, str(piece.first_year)))
            last = piece.start
    return found


def _render(events: Sequence[Event], geometry: Geometry, *, wide: bool) -> str:
    pieces = axis(events, geometry)
    found = marks(events, pieces)
    lanes = max(mark.lane for mark in found) + 1
    prefix = "w" if wide else "n"
    span_text = f"{pieces[0].first_year} to {pieces[-1].last_year}"
    if wide:
        length, across = pieces[-1].end, 6.0
        frame = Frame(lambda position, offset: (8 + position, across + offset), across, True)
        axis_at = across + lanes * geometry.lane + 4
        width, height = length + 16, axis_at + 22
    else:
        length, across = pieces[-1].end, 48.0
        frame = Frame(lambda position, offset: (across + offset, 8 + position), across, False)
        axis_at = across - 6
        width, height = across + lanes * geometry.lane + 4, length + 16
    parts = [_defs(prefix, wide)]
    parts.append(_axis(pieces, frame, axis_at, geometry))
    parts.extend(_mark(mark, frame, prefix) for mark in found)
    title = f"Overview: {count_events(len(events))} on a time axis from {span_text}, recent years given more room"
    return (
        f'<svg class="overview overview-{"wide" if wide else "narrow"}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-labelledby="overview-{prefix}">'
        f'<title id="overview-{prefix}">{title}</title>' + "".join(parts) + "</svg>"
    )


def _axis(pieces: Sequence[Piece], frame: Frame, axis_at: float, geometry: Geometry) -> str:
    """The axis line (dotted across breaks, lead and tail), a tick where each year begins, the year labels
    and the breaks' strokes."""
    offset = axis_at - frame.across
    parts = []
    for piece in pieces:
        (x1, y1), (x2, y2) = frame.at(piece.start, offset), frame.at(piece.end, offset)
        dotted = ' stroke-dasharray="2 3"' if piece.kind != "year" else ""
        parts.append(f'<line class="axis" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"{dotted}/>')
        if piece.kind == "gap":
            years = f"{piece.first_year}–{piece.last_year}"
            middle = (piece.start + piece.end) / 2
            strokes = []
            for shift in (-3, 3):
                (ax, ay), (bx, by) = frame.at(middle + shift - 3, offset + 6), frame.at(middle + shift + 3, offset - 6)
                strokes.append(f'<line class="break" x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}"/>')
            parts.append(f'<g class="gap"><title>{years}: no events</title>{"".join(strokes)}</g>')
        if piece.kind == "year":
            (ax, ay), (bx, by) = frame.at(piece.start, offset), frame.at(piece.start, offset + (5 if frame.wide else -5))
            parts.append(f'<line class="axis" x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}"/>')
    for position, text in _labels(pieces, geometry.label_room):
        if frame.wide:
            x, y = frame.at(position + 2, offset + 17)
            parts.append(f'<text x="{x:.1f}" y="{y:.1f}">{text}</text>')
        else:
            x, y = frame.at(position, offset - 8)
            parts.append(f'<text x="{x:.1f}" y="{y + 10:.1f}" text-anchor="end">{text}</text>')
    return "".join(parts)


def render_overview(events: Sequence[Event]) -> str:
    """Both overviews of the events (nothing when there are none)."""
    if not events:
        return ""
    return _render(events, WIDE, wide=True) + _render(events, NARROW, wide=False)
