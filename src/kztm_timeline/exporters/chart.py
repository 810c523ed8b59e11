"""``timeline chart``: events per year or month over the real time axis, as terminal bars or a standalone SVG.

The axis is continuous: every year (or month) from the first counted to the last is present,
empty ones included, so gaps in the record show as gaps. An event is counted once, under the
first period of its span inside the query's date bounds (as ``stats`` counts it, and from the same
tally, which the cache answers by SQL). An event with an open start and no lower bound to clip it has
no period of its own: it is not on the axis, and is counted apart (``open_start``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from html import escape

from ..contract import OPEN_START
from ..query import Query
from ..vocab import Period


@dataclass(frozen=True)
class Bar:
    period: str  # "2024" or "2024-08"
    count: int


@dataclass(frozen=True)
class Chart:
    """The bars of the axis, and how many events have no period of their own (open at their start)."""

    bars: list[Bar]
    open_start: int = 0

    def records(self) -> list[dict[str, object]]:
        """The counts as records (``-f json``, ``jsonl``, ``csv``): ``period`` is a year or a month, never
        anything else; the events without one are counted in a last record whose ``without_period`` names them."""
        found: list[dict[str, object]] = [{"period": bar.period, "count": bar.count, "without_period": None} for bar in self.bars]
        if self.open_start:
            found.append({"period": None, "count": self.open_start, "without_period": OPEN_START})
        return found


def _key(day: date, period: Period) -> tuple[int, int]:
    return (day.year, day.month if period is Period.MONTH else 0)


def _label(key: tuple[int, int], period: Period) -> str:
    return f"{key[0]:04d}-{key[1]:02d}" if period is Period.MONTH else f"{key[0]:04d}"


def _next(key: tuple[int, int], period: Period) -> tuple[int, int]:
    if period is Period.YEAR:
        return (key[0] + 1, 0)
    return (key[0] + key[1] // 12, key[1] % 12 + 1)


def chart_bars(firsts: Mapping[date | None, int], query: Query, period: Period) -> Chart:
    """The bars of the chart, in time order, every period of the axis present, from the number of events
    that begin on each first day (None: an open start, counted apart; see :func:`~kztm_timeline.query.tally`)."""
    window = query.window()
    low = date.min if window is None else window[0]
    counts: Counter[tuple[int, int]] = Counter()
    open_start = 0
    for first, count in firsts.items():
        if first is None and low == date.min:
            open_start += count
        else:
            counts[_key(max(first or date.min, low), period)] += count
    bars: list[Bar] = []
    if counts:
        key, last = min(counts), max(counts)
        while key <= last:
            bars.append(Bar(_label(key, period), counts.get(key, 0)))
            key = _next(key, period)
    return Chart(bars, open_start)


def render_chart_text(chart: Chart, period: Period, *, color: bool, width: int) -> str:
    """One line per period: its label, its count and a bar scaled to the widest; "·" marks an empty period.
    The events without a period of their own follow, apart."""
    if not chart.bars and not chart.open_start:
        return ""
    from ..screens import render_bars

    sections = {f"Events per {period.value}": {bar.period: bar.count for bar in chart.bars}}
    if chart.open_start:
        sections[f"Without a {period.value} of their own"] = {"open start (only its end is known)": chart.open_start}
    return render_bars(sections, color=color, width=width)


# The picture's geometry, in SVG user units.
_WIDTH, _HEIGHT = 960, 360
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 16, 40, 56
_BAR = "#1f5f8b"  # 7.0:1 against white
_INK = "#1d1d1d"
_MUTED = "#595959"


def render_chart_svg(chart: Chart, *, title: str, subtitle: str) -> str:
    """The chart as one standalone SVG file: no script, no external reference, every text escaped.
    A screen reader gets the title, the subtitle and each bar's ``<title>`` ("2024: 10 events"); a line
    under the axis counts the events open at their start, which have no place on it."""
    bars = chart.bars
    plot_width = _WIDTH - _LEFT - _RIGHT
    plot_height = _HEIGHT - _TOP - _BOTTOM
    top = max((bar.count for bar in bars), default=0) or 1
    step = plot_width / max(len(bars), 1)
    label_every = max(1, round(len(bars) / 24))  # at most about 24 labels under the axis
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" width="{_WIDTH}" height="{_HEIGHT}" '
        'role="img" aria-labelledby="chart-title chart-desc" font-family="sans-serif">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(subtitle)}</desc>',
        f'<rect width="{_WIDTH}" height="{_HEIGHT}" fill="#ffffff"/>',
        f'<text x="{_LEFT}" y="22" font-size="16" font-weight="bold" fill="{_INK}">{escape(title)}</text>',
        f'<text x="{_WIDTH - _RIGHT}" y="22" font-size="12" text-anchor="end" fill="{_MUTED}">{escape(subtitle)}</text>',
    ]
    for tick in sorted({0, top // 2, top}):
        y = _TOP + plot_height - tick / top * plot_height
        parts.append(f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e0e0e0"/>')
        parts.append(f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{_MUTED}">{tick}</text>')
    for number, bar in enumerate(bars):
        x = _LEFT + number * step
        height = bar.count / top * plot_height
        noun = "event" if bar.count == 1 else "events"
        parts.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{_TOP + plot_height - height:.1f}" width="{step * 0.8:.1f}" '
            f'height="{height:.1f}" fill="{_BAR}"><title>{escape(bar.period)}: {bar.count} {noun}</title></rect>'
        )
        if number % label_every == 0:
            cx, cy = x + step / 2, _TOP + plot_height + 14
            parts.append(
                f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="11" text-anchor="end" fill="{_INK}" '
                f'transform="rotate(-45 {cx:.1f} {cy:.1f})">{escape(bar.period)}</text>'
            )
    parts.append(
        f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{_TOP + plot_height}" y2="{_TOP + plot_height}" stroke="{_INK}"/>'
    )
    if chart.open_start:
        noun = "event" if chart.open_start == 1 else "events"
        parts.append(
            f'<text x="{_WIDTH - _RIGHT}" y="{_HEIGHT - 6}" font-size="11" text-anchor="end" fill="{_MUTED}">'
            f"Not on the axis: {chart.open_start} {noun} open at the start (only the end is known)</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
