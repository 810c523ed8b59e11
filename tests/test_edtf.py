"""The EDTF parser: forms, calendar checks, precision, qualifiers, and the edtf package as oracle."""

from __future__ import annotations

from datetime import date

import edtf as edtf_oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kztm_timeline.edtf import EdtfError, Precision, Qualifier, display, parse_edtf


def test_a_year_covers_the_whole_year() -> None:
    parsed = parse_edtf("2017")
    assert (parsed.first, parsed.last, parsed.precision) == (date(2017, 1, 1), date(2017, 12, 31), Precision.YEAR)


def test_a_month_covers_the_whole_month_and_keeps_month_precision() -> None:
    parsed = parse_edtf("2021-10")
    assert (parsed.first, parsed.last, parsed.precision) == (date(2021, 10, 1), date(2021, 10, 31), Precision.MONTH)


def test_a_day_covers_one_day() -> None:
    parsed = parse_edtf("2024-08-05")
    assert (parsed.first, parsed.last, parsed.precision) == (date(2024, 8, 5), date(2024, 8, 5), Precision.DAY)


def test_february_of_a_leap_year_has_29_days() -> None:
    assert parse_edtf("2024-02").last == date(2024, 2, 29)
    assert parse_edtf("2024-02-29").first == date(2024, 2, 29)


def test_a_day_that_does_not_exist_is_refused() -> None:
    with pytest.raises(EdtfError, match="day 29 does not exist in 2021-02"):
        parse_edtf("2021-02-29")


def test_month_13_is_refused() -> None:
    with pytest.raises(EdtfError, match="month 13 does not exist"):
        parse_edtf("2021-13")


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [("2020-09~", Qualifier.APPROXIMATE), ("2024?", Qualifier.UNCERTAIN), ("2021%", Qualifier.UNCERTAIN_APPROXIMATE)],
)
def test_qualifiers_are_read_and_do_not_widen_the_range(text: str, qualifier: Qualifier) -> None:
    parsed = parse_edtf(text)
    assert parsed.qualifier is qualifier
    assert parse_edtf(text.rstrip("?~%")).first == parsed.first
    assert parse_edtf(text.rstrip("?~%")).last == parsed.last


def test_unspecified_year_digits_cover_the_decade() -> None:
    parsed = parse_edtf("201X")
    assert (parsed.first, parsed.last) == (date(2010, 1, 1), date(2019, 12, 31))


def test_an_unspecified_month_leaves_year_precision() -> None:
    parsed = parse_edtf("2004-XX")
    assert (parsed.first, parsed.last, parsed.precision) == (date(2004, 1, 1), date(2004, 12, 31), Precision.YEAR)


def test_an_unspecified_day_leaves_month_precision() -> None:
    parsed = parse_edtf("1985-04-XX")
    assert (parsed.first, parsed.last, parsed.precision) == (date(1985, 4, 1), date(1985, 4, 30), Precision.MONTH)


def test_an_interval_runs_from_its_start_to_its_end() -> None:
    parsed = parse_edtf("2021-10/2024-08-05")
    assert (parsed.first, parsed.last, parsed.is_interval) == (date(2021, 10, 1), date(2024, 8, 5), True)
    assert parsed.precision is Precision.MONTH


def test_an_open_end_has_no_last_day() -> None:
    parsed = parse_edtf("2024-08-06/..")
    assert (parsed.first, parsed.last) == (date(2024, 8, 6), None)


def test_an_unknown_start_has_no_first_day() -> None:
    parsed = parse_edtf("/2024")
    assert (parsed.first, parsed.last) == (None, date(2024, 12, 31))


def test_a_reversed_interval_is_refused() -> None:
    with pytest.raises(EdtfError, match="ends before it starts"):
        parse_edtf("2024/2021")


def test_an_interval_with_no_known_end_is_refused() -> None:
    with pytest.raises(EdtfError, match="at least one known end"):
        parse_edtf("../..")


@pytest.mark.parametrize("text", ["", " 2021", "2021-1", "21", "2021/10/05", "Oct 2021", "2021-10-05T10:00", "0000"])
def test_malformed_dates_are_refused(text: str) -> None:
    with pytest.raises(EdtfError):
        parse_edtf(text)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2021-10", "Oct 2021"),
        ("2020-09~", "c. Sep 2020"),
        ("2024-08-05", "5 Aug 2024"),
        ("2024?", "2024?"),
        ("2021%", "c. 2021?"),
        ("201X", "201X"),
        ("2020~/2021~", "c. 2020 – c. 2021"),
        ("2024-08-06/..", "from 6 Aug 2024"),
        ("../2024", "until 2024"),
    ],
)
def test_display_keeps_precision_and_qualifier(text: str, shown: str) -> None:
    assert display(parse_edtf(text)) == shown


# ---------------------------------------------------------------- properties

_years = st.integers(min_value=1, max_value=9999).map(lambda year: f"{year:04d}")
_months = st.integers(min_value=0, max_value=14).map(lambda month: f"{month:02d}")
_days = st.integers(min_value=0, max_value=32).map(lambda day: f"{day:02d}")
_qualifier = st.sampled_from(["", "?", "~", "%"])
_simple = st.one_of(
    st.builds(lambda y, q: y + q, _years, _qualifier),
    st.builds(lambda y, m, q: f"{y}-{m}{q}", _years, _months, _qualifier),
    st.builds(lambda y, m, d, q: f"{y}-{m}-{d}{q}", _years, _months, _days, _qualifier),
    st.builds(lambda y, q: y[:3] + "X" + q, _years, _qualifier),
    st.builds(lambda y, q: f"{y}-XX{q}", _years, _qualifier),
)
_candidates = st.one_of(_simple, st.builds(lambda a, b: f"{a}/{b}", _simple, _simple))


def _oracle_days(text: str) -> tuple[date, date] | None:
    try:
        parsed = edtf_oracle.parse_edtf(text)
        low, high = parsed.lower_strict(), parsed.upper_strict()
        return date(*low[:3]), date(*high[:3])
    except Exception:  # the oracle refused, or gave a struct that is no real date
        return None


@settings(max_examples=300, deadline=None)
@given(_candidates)
def test_the_parser_agrees_with_the_edtf_package_wherever_both_accept(text: str) -> None:
    try:
        ours = parse_edtf(text)
    except EdtfError:
        return
    theirs = _oracle_days(text)
    if theirs is None:
        return
    assert (ours.first, ours.last) == theirs


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 9999), st.integers(1, 12), st.integers(1, 31))
def test_a_day_is_accepted_exactly_when_the_calendar_has_it(year: int, month: int, day: int) -> None:
    text = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        real = date(year, month, day)
    except ValueError:
        with pytest.raises(EdtfError):
            parse_edtf(text)
        return
    assert parse_edtf(text).first == real


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_text_either_parses_or_raises_edtf_error(text: str) -> None:
    try:
        parsed = parse_edtf(text)
    except EdtfError:
        return
    assert parsed.first is None or parsed.last is None or parsed.first <= parsed.last
