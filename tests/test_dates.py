"""Date ranges select what lies in them: --year, --since and --until take an event whose whole date lies in
the range; --overlapping adds the events that only may fall in it. Held to a plain oracle, with and
without the parse cache."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kztm_timeline import cache
from kztm_timeline.cache import writer
from kztm_timeline.cli import app
from kztm_timeline.contract import View, stats_json
from kztm_timeline.edtf import parse_edtf
from kztm_timeline.exporters.data import iter_json, json_array
from kztm_timeline.model import Citation, Dataset, Event, EventList, Source
from kztm_timeline.query import Query, Reach, contract_lines, select, tally, within_corpus
from kztm_timeline.store import digest, file_stat
from kztm_timeline.vocab import Kind, Status

runner = CliRunner()


def ids(dataset: Dataset, **filters: object) -> list[str]:
    return [event.id for event in select(dataset, Query(**filters))]  # type: ignore[arg-type]


# ---------------------------------------------------------------- the rules, on the shipped data


def test_a_year_selects_the_events_whose_whole_date_lies_in_it(shipped: Dataset) -> None:
    assert ids(shipped, years=(2024,)) == [
        "2024-inter-parliamentary-group-meeting",
        "2024-magtymguly-300th-anniversary-events",  # "2024?": uncertain, but it says 2024 and nothing else
        "2024-07-bilateral-talks-astana",
        "2024-07-gurbanguly-berdimuhamedov-astana-visit",
        "2024-07-sco-summit-astana",
        "2024-07-04-magtymguly-monument-astana",
        "2024-08-05-presidents-telephone-call",
    ]


def test_overlapping_adds_the_events_that_only_may_fall_in_the_year(shipped: Dataset) -> None:
    every = ids(shipped, years=(2024,), reach=Reach.OVERLAPPING)
    assert len(every) == 15
    assert ids(shipped, years=(2024,), reach=Reach.PARTLY) == [
        "2023-10-plan-business-council",
        "2023-10-plan-business-delegations",
        "2023-10-plan-days-of-culture",
        "2023-10-plan-interuniversity-contacts",
        "2023-10-plan-trade-working-group",
        "2024-central-asia-japan-summit-astana",
        "2024-consultative-meeting-astana",
        "abai-sculpture-ashgabat",
    ]


def test_a_year_after_every_known_day_selects_nothing_but_open_ends_may_fall_in_it(shipped: Dataset) -> None:
    assert ids(shipped, years=(2030,)) == []
    assert len(ids(shipped, years=(2030,), reach=Reach.OVERLAPPING)) == 8


def test_an_open_end_lies_within_a_range_open_at_that_end(shipped: Dataset) -> None:
    assert "abai-sculpture-ashgabat" in ids(shipped, since=date(2024, 8, 1))
    assert "abai-sculpture-ashgabat" not in ids(shipped, since=date(2024, 8, 1), until=date(2030, 12, 31))


def test_an_open_start_lies_within_a_range_open_at_its_start(shipped: Dataset) -> None:
    assert "earlier-intergovernmental-commission-meetings" in ids(shipped, until=date(2021, 12, 31))  # ../2021~
    assert "days-of-culture-held" not in ids(shipped, until=date(2021, 12, 31))  # ../2023-05-16
    assert "days-of-culture-held" in ids(shipped, until=date(2021, 12, 31), reach=Reach.OVERLAPPING)


def test_an_interval_across_two_years_lies_in_both_together_but_in_neither_alone(shipped: Dataset) -> None:
    session = "2020-2021-commission-extraordinary-session"
    assert session in ids(shipped, years=(2020, 2021))
    assert session not in ids(shipped, years=(2020,))
    assert session in ids(shipped, years=(2020,), reach=Reach.OVERLAPPING)


def test_a_month_lies_in_its_year_but_only_may_fall_in_part_of_its_month(shipped: Dataset) -> None:
    visit = "2021-10-tokayev-state-visit"
    assert visit in ids(shipped, since=date(2021, 10, 1), until=date(2021, 10, 31))
    assert visit not in ids(shipped, since=date(2021, 10, 15))
    assert visit in ids(shipped, since=date(2021, 10, 15), reach=Reach.OVERLAPPING)


# ---------------------------------------------------------------- what the command line shows


def test_list_year_2024_opens_with_an_event_of_2024() -> None:
    result = runner.invoke(app, ["list", "--year", "2024", "--limit", "4", "--json"])
    events = json.loads(result.stdout)
    assert [event["start"][:4] for event in events] == ["2024", "2024", "2024", "2024"]


def test_a_terminal_lists_the_events_that_only_may_fall_in_the_range_under_a_heading_of_their_own() -> None:
    result = runner.invoke(app, ["list", "--year", "2024", "--overlapping", "--no-pager"], env={"COLUMNS": "100"})
    out = result.stdout
    heading = "May also fall in 2024: dates that overlap it without lying wholly in it"
    assert out.count(heading) == 1
    before, after = out.split(heading)
    assert "2024-08-05-presidents-telephone-call" in before
    assert "2023-10-plan-business-council" not in before
    assert "2023-10-plan-business-council" in after
    assert "2024-08-05-presidents-telephone-call" not in after


def test_without_overlapping_the_terminal_says_how_many_more_may_fall_in_the_range() -> None:
    result = runner.invoke(app, ["list", "--year", "2030"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "no events match",
        "8 more events may fall in 2030 (a month, year, uncertain or open date that overlaps it); --overlapping adds them",
    ]


def test_the_data_formats_merge_the_events_that_may_fall_in_the_range_in_date_order() -> None:
    events = json.loads(runner.invoke(app, ["list", "--year", "2024", "--overlapping", "--json"]).stdout)
    assert len(events) == 15
    assert [event["id"] for event in events][:2] == ["2023-10-plan-business-council", "2023-10-plan-business-delegations"]


def test_the_limit_counts_the_events_of_both_parts() -> None:
    arguments = ["list", "--year", "2024", "--overlapping", "--limit", "8", "-f", "table"]
    result = runner.invoke(app, arguments, env={"COLUMNS": "200"})
    assert result.stdout.count("│ 2024-") == 7
    assert "2023-10-plan-business-council" in result.stdout
    assert "2023-10-plan-business-delegations" not in result.stdout


# ---------------------------------------------------------------- the oracle


def _merged(query: Query) -> list[tuple[int, int]]:
    """The query's date range as sorted, disjoint runs of day numbers, worked out plainly."""
    low = (query.since or date.min).toordinal()
    high = (query.until or date.max).toordinal()
    if query.years:
        pieces = [(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()) for year in sorted(set(query.years))]
    else:
        pieces = [(low, high)]
    runs: list[tuple[int, int]] = []
    for first, last in pieces:
        first, last = max(first, low), min(last, high)
        if first > last:
            continue
        if runs and runs[-1][1] + 1 >= first:
            runs[-1] = (runs[-1][0], max(runs[-1][1], last))
        else:
            runs.append((first, last))
    return runs


def oracle(events: list[Event], query: Query) -> list[str]:
    """The ids a date query selects: an event lies in the range when one run holds its every day, and
    overlaps it when some run holds one of its days (an open end reaches the calendar's limit)."""
    runs = _merged(query)
    chosen = []
    for event in events:
        first = (event.date.first or date.min).toordinal()
        last = (event.date.last or date.max).toordinal()
        inside = any(low <= first and last <= high for low, high in runs)
        touches = any(low <= last and first <= high for low, high in runs)
        wanted = {Reach.WITHIN: inside, Reach.OVERLAPPING: touches, Reach.PARTLY: touches and not inside}[query.reach]
        if wanted or not (query.years or query.since or query.until):  # no range: every event
            chosen.append(event)
    chosen.sort(key=lambda event: (event.date.span[0], event.date.span[1] if event.date.first is None else date.min, event.id))
    if query.reverse:
        chosen.reverse()
    found = [event.id for event in chosen]
    return found if query.limit is None else found[: query.limit]


_QUALIFIER = st.sampled_from(["", "", "", "?", "~", "%"])


@st.composite
def simple_dates(draw: st.DrawFn) -> str:
    year = draw(st.integers(2016, 2025))
    shape = draw(st.sampled_from(["year", "month", "day", "decade"]))
    if shape == "decade":
        return f"{str(year)[:3]}X"
    if shape == "year":
        return f"{year:04d}{draw(_QUALIFIER)}"
    month = draw(st.integers(1, 12))
    if shape == "month":
        return f"{year:04d}-{month:02d}{draw(_QUALIFIER)}"
    return f"{year:04d}-{month:02d}-{draw(st.integers(1, 28)):02d}{draw(_QUALIFIER)}"


@st.composite
def edtf_dates(draw: st.DrawFn) -> str:
    """Every kind of date: a day, a month, a year, uncertain or approximate, an interval, open or unknown ends."""
    shape = draw(st.sampled_from(["simple", "interval", "open start", "open end", "unknown start", "unknown end"]))
    one = draw(simple_dates())
    if shape == "simple":
        return one
    if shape == "interval":
        two = draw(simple_dates())
        low, high = sorted((one, two), key=lambda text: parse_edtf(text).span)
        return f"{low}/{high}"  # (an end that still runs before the start is filtered out)
    return {"open start": f"../{one}", "open end": f"{one}/..", "unknown start": f"/{one}", "unknown end": f"{one}/"}[shape]


def _valid(text: str) -> bool:
    try:
        parse_edtf(text)
    except ValueError:
        return False
    return True


def _event(number: int, text: str) -> Event:
    return Event(
        id=f"e{number:03d}",
        date=parse_edtf(text),
        title=f"Event {number}",
        kind=Kind.TALKS,
        status=Status.HAPPENED,
        participants=(),
        place=None,
        topics=(),
        summary="A synthetic event.",
        citations=(),
    )


def _record(event: Event) -> dict[str, object]:
    return {
        "id": event.id, "date": event.date.text, "title": event.title, "kind": event.kind.value,
        "status": event.status.value, "participants": [], "place": None, "topics": [], "summary": event.summary,
        "citations": [],
    }  # fmt: skip


def _twins(events: list[Event], folder: str) -> tuple[Dataset, Dataset]:
    """The events in memory, and the same events served by a parse cache written for them."""
    plain = Dataset(os.path.join(folder, "events.yaml"), (), (), EventList(events))
    with open(plain.path, "w", encoding="utf-8") as handle:
        handle.write("# stands for the data file\n")
    records = {"events": [_record(event) for event in events], "sources": [], "actors": []}
    writer.write(folder, plain.path, "digest", {}, records, plain, stat_before=file_stat(plain.path))
    served = cache.read(folder, plain.path, lambda: "digest", lambda: events)
    assert served is not None
    assert isinstance(served.events, cache.CachedEvents)
    return plain, served


day_queries = st.builds(
    Query,
    years=st.lists(st.integers(2015, 2026), max_size=3).map(tuple),
    since=st.none() | st.dates(date(2015, 1, 1), date(2026, 12, 31)),
    until=st.none() | st.dates(date(2015, 1, 1), date(2026, 12, 31)),
    limit=st.none() | st.integers(0, 12),
    reverse=st.booleans(),
    reach=st.sampled_from(list(Reach)),
)


@settings(max_examples=250, deadline=None)
@given(st.lists(edtf_dates().filter(_valid), min_size=1, max_size=25), day_queries)
def test_date_filters_select_what_a_plain_oracle_selects_with_and_without_the_cache(texts: list[str], query: Query) -> None:
    events = [_event(number, text) for number, text in enumerate(texts)]
    with tempfile.TemporaryDirectory() as folder:
        plain, served = _twins(events, folder)
        expected = oracle(events, query)
        assert ids(plain, **{field.name: getattr(query, field.name) for field in dataclasses.fields(query)}) == expected
        assert [event.id for event in select(served, query)] == expected
        whole = dataclasses.replace(query, limit=None)
        assert stats_json(tally(served, whole), whole) == stats_json(tally(plain, whole), whole)
        lines = contract_lines(served, query)
        if lines is not None:
            assert "".join(json_array(lines)) == "".join(iter_json(View(plain, ()), select(plain, query)))
        served.events.close()  # type: ignore[attr-defined]  # a CachedEvents


# Two corpora: each synthetic event cites the article of one of them, or of both.
_CORPORA = {"alpha": "alpha-article", "beta": "beta-article"}
_SOURCES = tuple(
    Source(source, f"{source}.txt", f"An article of {corpus}", "A publisher", None, corpus=corpus)
    for corpus, source in _CORPORA.items()
)


def _source_record(source: Source) -> dict[str, object]:
    return {"id": source.id, "file": source.file, "title": source.title, "publisher": source.publisher, "corpus": source.corpus}


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(edtf_dates().filter(_valid), st.sampled_from([("alpha",), ("beta",), ("alpha", "beta")])), min_size=1,
             max_size=25),
    day_queries,
    st.sampled_from(list(_CORPORA)),
)  # fmt: skip
def test_date_filters_within_a_corpus_select_what_the_oracle_selects_with_and_without_the_cache(
    drawn: list[tuple[str, tuple[str, ...]]], query: Query, corpus: str
) -> None:
    events = [
        dataclasses.replace(
            _event(number, text), citations=tuple(Citation(_CORPORA[name], "A sentence.") for name in corpora)
        )
        for number, (text, corpora) in enumerate(drawn)
    ]
    with tempfile.TemporaryDirectory() as folder:
        plain = Dataset(os.path.join(folder, "events.yaml"), _SOURCES, (), EventList(events))
        with open(plain.path, "w", encoding="utf-8") as handle:
            handle.write("# stands for the data file\n")
        articles = {}
        for source in _SOURCES:
            path = os.path.join(folder, f"{source.id}.txt")
            with open(path, "wb") as handle:
                handle.write(b"A sentence.\n")
            articles[path] = digest(b"A sentence.\n")
        records = {
            "events": [{**_record(event), "citations": [{"source": c.source, "quote": c.quote} for c in event.citations]}
                       for event in events],
            "sources": [_source_record(source) for source in _SOURCES],
            "actors": [],
        }  # fmt: skip
        writer.write(folder, plain.path, "digest", articles, records, plain, stat_before=file_stat(plain.path))
        served = cache.read(folder, plain.path, lambda: "digest", lambda: events)
        assert served is not None
        assert isinstance(served.events, cache.CachedEvents)
        told = [event for event in events if corpus in drawn[int(event.id[1:])][1]]
        expected = oracle(told, query)
        assert [event.id for event in select(within_corpus(plain, corpus), query)] == expected
        assert [event.id for event in select(within_corpus(served, corpus), query)] == expected
        whole = dataclasses.replace(query, limit=None)
        counted = stats_json(tally(within_corpus(served, corpus), whole), whole)
        assert counted == stats_json(tally(within_corpus(plain, corpus), whole), whole)
        assert counted == stats_json(tally(Dataset(plain.path, _SOURCES, (), EventList(told)), whole), whole)
        served.events.close()


@pytest.mark.parametrize("reach", list(Reach))
def test_a_query_without_dates_selects_every_event_whatever_its_reach(shipped: Dataset, reach: Reach) -> None:
    assert len(select(shipped, Query(reach=reach))) == 26


# ---------------------------------------------------------------- no ellipsis as a name


def test_events_open_at_their_start_are_grouped_under_what_is_known_of_them() -> None:
    out = runner.invoke(app, ["list", "--until", "2023-05-16"], env={"COLUMNS": "100"}).stdout
    headings = [line.split(" ─")[0] for line in out.splitlines() if "───" in line]
    assert headings == ["Before c. 2021", "Before 16 May 2023", "1993", "2017", "2020", "2021", "2022"]


@pytest.mark.parametrize("fmt", ["timeline", "markdown", "html", "table"])
def test_no_format_names_a_group_by_an_ellipsis(fmt: str) -> None:
    out = runner.invoke(app, ["list", "-f", fmt], env={"COLUMNS": "100"}).stdout
    assert "## …" not in out
    assert '<h2 class="year">…</h2>' not in out
    assert "\n… ─" not in out
    assert not out.startswith("… ─")


def test_markdown_and_html_head_an_open_start_with_its_known_end() -> None:
    markdown = runner.invoke(app, ["list", "-f", "markdown", "--until", "2021"]).stdout
    html = runner.invoke(app, ["list", "-f", "html", "--until", "2021"]).stdout
    assert "## Before c. 2021\n" in markdown
    assert '<h2 class="year">Before c. 2021</h2>' in html


def test_stats_json_keys_years_only_and_counts_events_without_a_year_under_a_named_key() -> None:
    counts = json.loads(runner.invoke(app, ["stats", "--json"]).stdout)
    assert all(key.isdigit() and len(key) == 4 for key in counts["by_year"])
    assert counts["without_year"] == {"open_start": 2}


def test_chart_records_name_periods_only_and_the_events_without_one_apart() -> None:
    records = json.loads(runner.invoke(app, ["chart", "--json"]).stdout)
    assert all(record["period"].isdigit() for record in records if record["period"] is not None)
    assert records[-1] == {"period": None, "count": 2, "without_period": "open_start"}
    csv_text = runner.invoke(app, ["chart", "-f", "csv", "--by", "month", "--until", "2021"]).stdout_bytes.decode()
    csv_lines = csv_text.split("\r\n")
    assert csv_lines[0] == "period,count,without_period"
    assert csv_lines[1] == "1993-01,1,"
    assert csv_lines[-2:] == [",1,open_start", ""]


def test_the_chart_says_apart_how_many_events_have_no_year_of_their_own() -> None:
    text = runner.invoke(app, ["chart"], env={"COLUMNS": "100"}).stdout
    assert text.endswith("Without a year of their own\n  open start (only its end is known) 2 " + "█" * 40 + "\n\n")
    svg = runner.invoke(app, ["chart", "-f", "svg"]).stdout
    assert "Not on the axis: 2 events open at the start (only the end is known)</text>" in svg


# ---------------------------------------------------------------- show says it in words


def show(event: str, width: int = 100) -> str:
    return runner.invoke(app, ["show", event], env={"COLUMNS": str(width)}).stdout


def test_show_writes_each_relation_as_a_sentence_both_ways() -> None:
    prepares = " ".join(show("earlier-intergovernmental-commission-meetings").split())
    prepared = " ".join(show("2020-2021-commission-extraordinary-session").split())
    followed = " ".join(show("2021-10-tokayev-state-visit").split())
    session = "Extraordinary session of the intergovernmental commission with Prime Minister Mamin"
    assert f"Prepares {session} (c. 2020 – c. 2021; 2020-2021-commission-extraordinary-session)." in prepares
    earlier = "Earlier meetings of the intergovernmental commission"
    assert f"Prepared by {earlier} (until c. 2021; earlier-intergovernmental-commission-meetings)." in prepared
    visit = "President Serdar Berdimuhamedov's state visit to Kazakhstan"
    assert f"Followed up by {visit} (Oct 2022; 2022-10-serdar-berdimuhamedov-state-visit)." in followed


def test_show_names_no_relation_by_its_raw_id() -> None:
    for event in ("2021-10-tokayev-state-visit", "2023-10-nurtleu-official-visit", "2023-10-plan-business-council"):
        out = show(event)
        assert not any(name in out for name in ("follows_up", "occasioned_by", "part_of", " this:", "→", "←"))


@pytest.mark.parametrize("width", [30, 40, 47, 60, 73, 80, 100, 131])
def test_show_wraps_only_between_words_so_no_word_id_or_path_is_split(width: int) -> None:
    for event in ("2024-08-05-presidents-telephone-call", "earlier-intergovernmental-commission-meetings"):
        assert sorted(show(event, width).split()) == sorted(show(event, 1000).split())


def test_show_says_an_actors_position_is_what_the_sources_of_a_span_attest() -> None:
    out = " ".join(show("2024-08-05-presidents-telephone-call").split())
    assert "Kassym-Jomart Tokayev (participant), President of Kazakhstan (in sources of Oct 2021 to Aug 2024)" in out
    assert "2021-10/2024-08-05" not in out


@pytest.mark.parametrize(
    ("span", "shown"),
    [
        ("2021-10/2024-08-05", "President (in sources of Oct 2021 to Aug 2024)"),
        ("2023-10-31", "President (in sources of Oct 2023)"),
        ("2024-07-04/2024-07-30", "President (in sources of Jul 2024)"),
        ("2019/2021", "President (in sources of 2019 to 2021)"),
        (None, "President (no date in the sources)"),
    ],
)
def test_a_position_is_read_to_the_month_as_the_sources_attest_it(span: str | None, shown: str) -> None:
    from kztm_timeline.contract import position_text
    from kztm_timeline.model import Position

    assert position_text(Position("President", None if span is None else parse_edtf(span))) == shown
