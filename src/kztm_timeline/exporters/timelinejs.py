"""TimelineJS 3 JSON: a title slide, then one slide per event.

A day is a ``start_date`` with year, month and day. A year or a month is a span from its
first day to its last (``end_date``), so "2024?" covers 2024 instead of sitting on 1 January,
and an interval ending in 2021 reaches 31 December 2021; both ends are whole days, because
TimelineJS drops an end date whose fields repeat the start's ("2024" to "2024-12-31"). The
precision is kept where readers see it: every slide has a ``display_date`` ("2024?", "Oct 2021").
Slides are grouped by who initiated the event (the PLOVER actor's country): Kazakhstan,
Turkmenistan, or both or several; three rows a reader can scan.
"""

from __future__ import annotations

import html
from datetime import date

from ..contract import View, count_events, dumps, sides
from ..edtf import EdtfDate, Precision, SimpleDate, display
from ..model import Dataset, Event
from ..vocab import Status


def _date_object(simple: SimpleDate) -> dict[str, int]:
    fields = {"year": simple.first.year}
    if simple.precision in (Precision.MONTH, Precision.DAY):
        fields["month"] = simple.first.month
    if simple.precision is Precision.DAY:
        fields["day"] = simple.first.day
    return fields


def _day_object(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def _dates(value: EdtfDate) -> dict[str, object]:
    result: dict[str, object] = {}
    start = value.start or value.end
    assert start is not None
    end = value.end if value.is_interval and value.start is not None and value.end is not None else start
    if end is start and start.precision is Precision.DAY:
        result["start_date"] = _date_object(start)
    else:
        result["start_date"] = _day_object(start.first)
        result["end_date"] = _day_object(end.last)
    result["display_date"] = display(value)
    return result


GROUPS = {"KZ": "Initiated by Kazakhstan", "TM": "Initiated by Turkmenistan"}
JOINT = "Joint or multilateral"


def group_of(dataset: Dataset, event: Event) -> str:
    """Who initiated the event, by the country of its PLOVER actor entities."""
    countries = {actor.country or "" for actor in sides(dataset, event)[0]}
    return GROUPS.get(countries.pop(), JOINT) if len(countries) == 1 else JOINT


def _text(dataset: Dataset, event: Event) -> str:
    parts = [f"<p>{html.escape(event.summary)}</p>"]
    if event.status is Status.PLANNED:
        parts.insert(0, "<p><em>Planned</em></p>")
    for citation in event.citations:
        source = dataset.source_by_id[citation.source]
        parts.append(
            f"<blockquote>“{html.escape(citation.quote)}”</blockquote>"
            f"<p><cite>{html.escape(source.title)}</cite> — {html.escape(source.publisher)}</p>"
        )
    return "".join(parts)


def render_timelinejs(view: View) -> str:
    slides = []
    for event in view.events:
        slide: dict[str, object] = {**_dates(event.date)}
        slide["text"] = {"headline": html.escape(event.title), "text": _text(view.dataset, event)}
        slide["group"] = group_of(view.dataset, event)
        slide["unique_id"] = event.id
        slides.append(slide)
    document = {
        "title": {
            "text": {
                "headline": html.escape(view.title),
                "text": f"<p>{count_events(len(view.events))}{_years(view)}, each backed by a quote from one of "
                f"{len(view.dataset.sources)} source articles.</p>",
            },
            "unique_id": "title",
        },
        "events": slides,
    }
    return dumps(document) + "\n"


def _years(view: View) -> str:
    years = [event.date.first.year for event in view.events if event.date.first is not None]
    return f", {min(years)}–{max(years)}" if years and min(years) != max(years) else ""
