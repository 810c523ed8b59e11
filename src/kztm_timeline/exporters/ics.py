"""iCalendar (RFC 5545): one all-day VEVENT per event, byte-for-byte reproducible.

An event known to the day (or a span of known days) is an all-day event on those days.
A *partial* date (a month, a year, an uncertain or approximate date, an open interval)
is written by ``View.options["ics_partial"]``:

* ``first-day`` (the default): one all-day event on the first day the date covers, its
  summary led by the date at its real precision ("Oct 2021 · …") and its description saying
  the whole span; so "2024?" does not paint 366 all-day bars over a calendar year;
* ``span``: one all-day event over the whole period (a month-long bar for "Oct 2021");
* ``skip``: left out.

The DTEND of an all-day event is exclusive. DTSTAMP and LAST-MODIFIED come from the data
(the newest publication date of the event's sources, else its first day), not the clock;
SEQUENCE is derived from the event's content (a number from its SHA-256), so a changed event
carries another SEQUENCE and clients that compare it take the new version.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from ..contract import TOOL_VERSION, View
from ..edtf import display
from ..model import Dataset, Event
from ..vocab import KINDS, IcsPartial, Status

_MAX_OCTETS = 75


def is_partial(event: Event) -> bool:
    """A month, a year, an uncertain or approximate date, or an interval with an open or unknown end."""
    value = event.date
    return value.precision.value != "day" or value.qualifier is not None or value.first is None or value.last is None


def escape_text(value: str) -> str:
    """RFC 5545 TEXT escaping: backslash, semicolon, comma and newline."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def fold_line(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = _MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, _MAX_OCTETS - 1  # continuation lines start with a space
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def _stamp(dataset: Dataset, event: Event) -> str:
    published = [
        source.published.last
        for source in (dataset.source_by_id[citation.source] for citation in event.citations)
        if source.published is not None and source.published.last is not None
    ]
    moment = max(published) if published else (event.date.first or event.date.last or date(1970, 1, 1))
    return f"{_day(moment)}T000000Z"


def _span(event: Event) -> tuple[date, str]:
    """First day, and the line that ends the event: DTEND (exclusive), or DURATION where the day after the
    last one lies past 9999-12-31, the last day iCalendar can write. An open end keeps only the known day."""
    first = event.date.first or event.date.last
    last = event.date.last or event.date.first
    assert first is not None
    assert last is not None
    if last == date.max:
        return first, f"DURATION:P{(last - first).days + 1}D"
    return first, f"DTEND;VALUE=DATE:{_day(last + timedelta(days=1))}"


def _description(dataset: Dataset, event: Event) -> str:
    lines = [event.summary, ""]
    if event.note:
        lines += [f"Date note: {event.note}", ""]
    lines.append("Sources:")
    for citation in event.citations:
        source = dataset.source_by_id[citation.source]
        lines.append(f"- {source.title} ({source.publisher}): “{citation.quote}”")
    lines.append(f"EDTF date: {event.date.text}; id: {event.id}")
    return "\n".join(lines)


def _sequence(dataset: Dataset, event: Event) -> int:
    """A number derived from everything the calendar shows of the event (RFC 5545 SEQUENCE: 0 to 2^31-1)."""
    content = "\x1f".join([event.date.text, event.title, event.place or "", _description(dataset, event), event.status.value])
    return int.from_bytes(hashlib.sha256(content.encode("utf-8")).digest()[:4], "big") >> 1


def render_ics(view: View) -> str:
    partial = IcsPartial(view.options.get("ics_partial", IcsPartial.FIRST_DAY))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//kztm-timeline//kztm-timeline {TOOL_VERSION}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(view.title)}",
    ]
    for event in view.events:
        shown_partially = is_partial(event) and partial is not IcsPartial.SPAN
        if shown_partially and partial is IcsPartial.SKIP:
            continue
        start, end = _span(event)
        description = _description(view.dataset, event)
        if shown_partially:
            end = f"DTEND;VALUE=DATE:{_day(start + timedelta(days=1))}" if start < date.max else "DURATION:P1D"
            summary = f"{display(event.date)} · {event.title}"
            description = f"Date: {display(event.date)} (EDTF {event.date.text}); shown on its first day.\n\n{description}"
        else:
            summary = f"{display(event.date)}: {event.title}"
        stamp = _stamp(view.dataset, event)
        info = KINDS[event.kind]
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.id}@kztm-timeline",
            f"DTSTAMP:{stamp}",
            f"LAST-MODIFIED:{stamp}",
            f"SEQUENCE:{_sequence(view.dataset, event)}",
            f"DTSTART;VALUE=DATE:{_day(start)}",
            end,
            f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{escape_text(description)}",
        ]
        if event.place:
            lines.append(f"LOCATION:{escape_text(event.place)}")
        lines += [
            f"CATEGORIES:{escape_text(info.label)}",
            f"STATUS:{'TENTATIVE' if event.status is Status.PLANNED else 'CONFIRMED'}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in lines)
