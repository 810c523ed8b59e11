"""Dates typed by users on the command line (``--since "Oct 2021"``)."""

from __future__ import annotations

import re
from datetime import date, datetime

from .edtf import EdtfError, parse_edtf
from .errors import UsageError

_ISO_RE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")


def user_date_range(text: str) -> tuple[date, date]:
    """First and last day a user's date covers: "2022" is all of 2022, "Oct 2021" all of October.

    ISO forms are read directly; anything else goes to python-dateutil, which is
    imported only here. A date without a year is refused rather than guessed.
    """
    cleaned = text.strip()
    if _ISO_RE.fullmatch(cleaned):
        try:
            parsed = parse_edtf(cleaned)
        except EdtfError as error:
            raise UsageError(f"{text!r} is not a valid date: {error}") from None
        assert parsed.first is not None
        assert parsed.last is not None
        return parsed.first, parsed.last
    from dateutil import parser  # deferred: costs start-up time on every other path

    try:
        low = parser.parse(cleaned, default=datetime(4, 1, 1))
        high = parser.parse(cleaned, default=datetime(8, 12, 31))
    except (ValueError, OverflowError) as error:
        raise UsageError(f'{text!r} is not a date I can read ({error}); try 2021-10, "Oct 2021" or "5 August 2024"') from None
    if low.year != high.year:
        raise UsageError(f'{text!r} has no year; add one, e.g. "{cleaned} 2024"')
    return low.date(), high.date()
