"""iCalendar (RFC 5545): one all-day VEVENT per event, byte-for-byte reproducible.

An event known to the day (or a span of known days) is an all-day event on those days.
A *partial* date (a month, a year, an uncertain or approximate date, an open interval)
is written by ``View.options["ics_partial"]``:

* ``first-day`` (the default): one all-day event on the first day the date covers (for a date
  open or unknown at its start, on its last day, the only one it names), its summary led by the
  date at its real precision ("Oct 2021 · …"); so "2024?" does not paint 366 all-day bars over a
  calendar year;
* ``span``: one all-day event over the whole period (a month-long bar for "Oct 2021"); a date
  open at an end, which has no whole period, on its one known day;
* ``skip``: left out.

The description of a partial date opens with the date and says where it is placed: "Date: Oct
2021 (EDTF 2021-10); shown on its first day, 1 Oct 2021.", "…; its start is open, so it is shown
on its last day, 16 May 2023.", "…; shown over its whole span, 1 Oct 2021 to 31 Oct 2021."

The DTEND of an all-day event is exclusive. DTSTAMP and LAST-MODIFIED come from the data
(the newest publication date of the event's sources, else its first day), not the clock;
SEQUENCE is derived from the event's content (a number from its SHA-256), so a changed event
carries another SEQUENCE and clients that compare it take the new version.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from ..contract import TOOL_VERSION, View
from ..edtf import day_text, display
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


def _end_line(first: date, last: date) -> str:
    """The line that ends an all-day event from ``first`` to ``last``: DTEND (exclusive), or DURATION where the
    day after the last lies past 9999-12-31, the last day iCalendar can write."""
    if last == date.max:
        return f"DURATION:P{(last - first).days + 1}D"
    return f"DTEND;VALUE=DATE:{_day(last + timedelta(days=1))}"


def _open(text: str) -> str:
    return "open" if text == ".." else "not known"


def placement(event: Event, partial: IcsPartial) -> tuple[date, date, str | None]:
    """The first and last day the calendar shows an event on, and for a partial date the sentence that
    says so (None for a date known to the day, shown as it is)."""
    value = event.date
    first, last = value.first, value.last
    if first is None:  # open (or unknown) at its start: only its last day is named
        assert last is not None
        start_text = value.text.split("/")[0]
        return last, last, f"its start is {_open(start_text)}, so it is shown on its last day, {day_text(last)}."
    if last is None:
        end_text = value.text.split("/")[1]
        only = " only" if partial is IcsPartial.SPAN else ""
        return first, first, f"its end is {_open(end_text)}, so it is shown on its first day{only}, {day_text(first)}."
    if not is_partial(event):
        return first, last, None
    if partial is IcsPartial.SPAN:
        return first, last, f"shown over its whole span, {day_text(first)} to {day_text(last)}."
    return first, first, f"shown on its first day, {day_text(first)}."


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
        partly = is_partial(event)
        if partly and partial is IcsPartial.SKIP:
            continue
        start, last, placed = placement(event, partial)
        end = _end_line(start, last)
        description = _description(view.dataset, event)
        if placed is not None:
            description = f"Date: {display(event.date)} (EDTF {event.date.text}); {placed}\n\n{description}"
        separator = " · " if partly and partial is not IcsPartial.SPAN else ": "
        summary = f"{display(event.date)}{separator}{event.title}"
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
