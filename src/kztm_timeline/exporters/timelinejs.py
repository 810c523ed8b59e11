"""TimelineJS 3 JSON: a title slide, then one slide per event.

Dates carry only the fields their precision holds (year; year and month; or
year, month and day). Approximate or uncertain dates get a display_date.
"""

from __future__ import annotations

import html

from ..contract import View, count_events, dumps
from ..edtf import EdtfDate, Precision, SimpleDate, display
from ..model import Dataset, Event
from ..vocab import KINDS, Status


def _date_object(simple: SimpleDate) -> dict[str, int]:
    fields = {"year": simple.first.year}
    if simple.precision in (Precision.MONTH, Precision.DAY):
        fields["month"] = simple.first.month
    if simple.precision is Precision.DAY:
        fields["day"] = simple.first.day
    return fields


def _dates(value: EdtfDate) -> dict[str, object]:
    result: dict[str, object] = {}
    start = value.start or value.end
    assert start is not None
    result["start_date"] = _date_object(start)
    if value.is_interval and value.start is not None and value.end is not None:
        result["end_date"] = _date_object(value.end)
    if (
        value.qualifier is not None
        or value.is_interval
        or any(simple.unspecified for simple in (value.start, value.end) if simple is not None)
    ):
        result["display_date"] = display(value)
    return result


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
        slide["group"] = KINDS[event.kind].label
        slide["unique_id"] = event.id
        slides.append(slide)
    document = {
        "title": {
            "text": {
                "headline": html.escape(view.title),
                "text": f"<p>{count_events(len(view.events))}, each backed by a quote from its source article.</p>",
            },
            "unique_id": "title",
        },
        "events": slides,
    }
    return dumps(document) + "\n"
