"""iCalendar (RFC 5545): one all-day VEVENT per event, byte-for-byte reproducible.

A month or year is exported as an all-day event spanning the whole period, with
the precision in the summary ("Oct 2021: …"), never pinned to a false day. The
DTEND of an all-day event is exclusive. DTSTAMP comes from the data (the newest
publication date of the event's sources, else its first day), not the clock.
"""

from __future__ import annotations

from datetime import date, timedelta

from .. import __version__
from ..contract import View
from ..edtf import display
from ..model import Dataset, Event
from ..vocab import KINDS, Status

_MAX_OCTETS = 75


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


def render_ics(view: View) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//kztm-timeline//kztm-timeline {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(view.title)}",
    ]
    for event in view.events:
        start, end = _span(event)
        info = KINDS[event.kind]
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.id}@kztm-timeline",
            f"DTSTAMP:{_stamp(view.dataset, event)}",
            f"DTSTART;VALUE=DATE:{_day(start)}",
            end,
            f"SUMMARY:{escape_text(f'{display(event.date)}: {event.title}')}",
            f"DESCRIPTION:{escape_text(_description(view.dataset, event))}",
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
