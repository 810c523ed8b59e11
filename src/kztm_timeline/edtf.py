"""A small parser for the part of EDTF (levels 0 and 1) that the timeline needs.

Supported forms:

* ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (level 0);
* a qualifier at the end of a date: ``?`` uncertain, ``~`` approximate,
  ``%`` both (level 1, whole-date qualification);
* unspecified digits from the right: ``201X``, ``20XX``, ``2004-XX``,
  ``1985-04-XX``, ``1985-XX-XX`` (level 1);
* intervals ``A/B``, where either end may be open (``..``) or unknown (empty).

Every date yields the first and last day it covers, its precision and its
qualifier. Qualifiers never widen the range: ``2020-09~`` covers September 2020.
Years run from 0001 to 9999, the range of :class:`datetime.date`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .text import shown


class EdtfError(ValueError):
    """Raised for a string that is not a date this parser accepts."""


class Precision(StrEnum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


class Qualifier(StrEnum):
    UNCERTAIN = "uncertain"
    APPROXIMATE = "approximate"
    UNCERTAIN_APPROXIMATE = "uncertain-approximate"


_QUALIFIERS = {
    "?": Qualifier.UNCERTAIN,
    "~": Qualifier.APPROXIMATE,
    "%": Qualifier.UNCERTAIN_APPROXIMATE,
}

_DATE_RE = re.compile(
    r"(?P<year>[0-9]{4}|[0-9]{3}X|[0-9]{2}XX)"
    r"(?:-(?P<month>[0-9]{2}|XX)(?:-(?P<day>[0-9]{2}|XX))?)?"
    r"(?P<qualifier>[?~%])?"
)

_ORDER = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}


@dataclass(frozen=True, slots=True)
class SimpleDate:
    """One calendar date at some precision, with the days it covers."""

    first: date
    last: date
    precision: Precision
    qualifier: Qualifier | None
    unspecified: bool


@dataclass(frozen=True, slots=True)
class EdtfDate:
    """A parsed EDTF expression: a single date or an interval.

    ``first`` or ``last`` is None for an open (``..``) or unknown (empty) end.
    """

    text: str
    first: date | None
    last: date | None
    precision: Precision
    qualifier: Qualifier | None
    is_interval: bool
    start: SimpleDate | None
    end: SimpleDate | None

    @property
    def span(self) -> tuple[date, date]:
        """First and last day covered; an open or unknown end reaches the calendar's limit."""
        return (self.first or date.min, self.last or date.max)

    @property
    def approximate(self) -> bool:
        return self.qualifier in (Qualifier.APPROXIMATE, Qualifier.UNCERTAIN_APPROXIMATE)

    @property
    def uncertain(self) -> bool:
        return self.qualifier in (Qualifier.UNCERTAIN, Qualifier.UNCERTAIN_APPROXIMATE)


def _check_year(text: str, year_text: str) -> None:
    if year_text == "0000":
        raise EdtfError(f"year 0000 in {shown(text)} is outside the supported range 0001-9999")


def _parse_simple(text: str, whole: str) -> SimpleDate:
    match = _DATE_RE.fullmatch(text)
    if match is None:
        raise EdtfError(f"{shown(whole)} is not an EDTF date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year_text = match.group("year")
    month_text = match.group("month")
    day_text = match.group("day")
    qualifier = _QUALIFIERS.get(match.group("qualifier") or "")
    _check_year(whole, year_text)

    unspecified = "X" in text
    if "X" in year_text and month_text is not None:
        raise EdtfError(f"{shown(whole)}: a month cannot follow an unspecified year digit")
    if month_text == "XX" and day_text not in (None, "XX"):
        raise EdtfError(f"{shown(whole)}: a day cannot follow an unspecified month")

    if "X" in year_text:
        digits = year_text.rstrip("X")
        span = 10 ** (4 - len(digits))
        low = int(digits) * span
        first_year = max(low, 1)
        return SimpleDate(date(first_year, 1, 1), date(low + span - 1, 12, 31), Precision.YEAR, qualifier, True)

    year = int(year_text)
    if month_text is None or month_text == "XX":
        return SimpleDate(date(year, 1, 1), date(year, 12, 31), Precision.YEAR, qualifier, unspecified)

    month = int(month_text)
    if not 1 <= month <= 12:
        raise EdtfError(f"{shown(whole)}: month {month_text} does not exist (use 01-12)")
    days_in_month = calendar.monthrange(year, month)[1]
    if day_text is None or day_text == "XX":
        return SimpleDate(date(year, month, 1), date(year, month, days_in_month), Precision.MONTH, qualifier, unspecified)

    day = int(day_text)
    if not 1 <= day <= days_in_month:
        month_text = f"{year:04d}-{month:02d}"
        raise EdtfError(f"{shown(whole)}: day {day_text} does not exist in {month_text}, which has {days_in_month} days")
    the_day = date(year, month, day)
    return SimpleDate(the_day, the_day, Precision.DAY, qualifier, False)


def parse_edtf(text: str) -> EdtfDate:
    """Parse an EDTF string; raise :class:`EdtfError` with a readable reason."""
    if not isinstance(text, str):
        raise EdtfError(f"an EDTF date must be a string, not {type(text).__name__}")
    if text != text.strip() or not text:
        raise EdtfError(f"{shown(text)} is not an EDTF date (empty, or white space around it)")
    if "/" not in text:
        simple = _parse_simple(text, text)
        return EdtfDate(text, simple.first, simple.last, simple.precision, simple.qualifier, False, simple, None)

    if text.count("/") != 1:
        raise EdtfError(f"{shown(text)}: an interval has exactly one '/'")
    start_text, end_text = text.split("/")
    start = None if start_text in ("", "..") else _parse_simple(start_text, text)
    end = None if end_text in ("", "..") else _parse_simple(end_text, text)
    if start is None and end is None:
        raise EdtfError(f"{shown(text)}: an interval needs at least one known end")
    if start is not None and end is not None and end.last < start.first:
        raise EdtfError(f"{shown(text)}: the interval ends before it starts")
    ends = [simple for simple in (start, end) if simple is not None]
    precision = min((simple.precision for simple in ends), key=_ORDER.__getitem__)
    qualifier = next((simple.qualifier for simple in ends if simple.qualifier is not None), None)
    return EdtfDate(
        text,
        start.first if start is not None else None,
        end.last if end is not None else None,
        precision,
        qualifier,
        True,
        start,
        end,
    )


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date) -> str:
    """A calendar day as the timeline writes one: "5 Aug 2024"."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def month_text(day: date) -> str:
    """The month of a day: "Aug 2024"."""
    return f"{_MONTHS[day.month - 1]} {day.year}"


def _display_simple(text: str, simple: SimpleDate) -> str:
    core = text.rstrip("?~%")
    if simple.unspecified:
        shown = core
    elif simple.precision is Precision.DAY:
        shown = f"{simple.first.day} {_MONTHS[simple.first.month - 1]} {simple.first.year}"
    elif simple.precision is Precision.MONTH:
        shown = f"{_MONTHS[simple.first.month - 1]} {simple.first.year}"
    else:
        shown = str(simple.first.year)
    if simple.qualifier is Qualifier.APPROXIMATE:
        return f"c. {shown}"
    if simple.qualifier is Qualifier.UNCERTAIN:
        return f"{shown}?"
    if simple.qualifier is Qualifier.UNCERTAIN_APPROXIMATE:
        return f"c. {shown}?"
    return shown


def display_end(value: EdtfDate) -> str:
    """The short human form of a date's last part: the end of an interval, else the date itself."""
    if value.is_interval and value.end is not None:
        return _display_simple(value.text.split("/")[1], value.end)
    return display(value)


def display(value: EdtfDate) -> str:
    """A short human form at the date's own precision: "Oct 2021", "c. Sep 2020", "5 Aug 2024"."""
    if not value.is_interval:
        assert value.start is not None
        return _display_simple(value.text, value.start)
    start_text, end_text = value.text.split("/")
    left = "…" if value.start is None else _display_simple(start_text, value.start)
    right = "…" if value.end is None else _display_simple(end_text, value.end)
    if value.start is None:
        return f"until {right}" if start_text == ".." else f"? – {right}"
    if value.end is None:
        return f"from {left}" if end_text == ".." else f"{left} – ?"
    return f"{left} – {right}"
