"""Exporters: the registry, literal expected output, and round trips through real parsers."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.contract import View
from kztm_timeline.exporters import BINARY_FORMATS, Format, exporter, render, render_text
from kztm_timeline.exporters.ics import fold_line
from kztm_timeline.load import load_dataset
from kztm_timeline.model import Dataset, EventList

from .conftest import EditData

HERE = Path(__file__).resolve().parent
SMALL = HERE / "fixtures" / "small" / "events.yaml"
GOLDEN = HERE / "golden"
HOSTILE_TITLES = (
    '<script>alert(1)</script> =HYPERLINK("http://x","y"), a "quote"',
    '=HYPERLINK("http://evil.example","click")',
)


@pytest.fixture(scope="module")
def small() -> Dataset:
    return load_dataset(str(SMALL))


def view_of(dataset: Dataset) -> View:
    from kztm_timeline.query import Query, select

    return View(dataset=dataset, events=tuple(select(dataset, Query())))


def test_every_format_has_an_exporter_in_the_registry() -> None:
    for fmt in Format:
        assert callable(exporter(fmt))


TEXT_FORMATS = [fmt for fmt in Format if fmt not in BINARY_FORMATS]


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_each_format_renders_the_small_fixture_exactly_as_recorded(small: Dataset, fmt: Format) -> None:
    expected = (GOLDEN / f"small.{fmt.value}").read_bytes().decode("utf-8")
    assert render_text(fmt, view_of(small)) == expected


@pytest.mark.parametrize("fmt", list(Format))
def test_each_format_gives_the_same_bytes_twice(shipped: Dataset, fmt: Format) -> None:
    assert render(fmt, view_of(shipped)) == render(fmt, view_of(shipped))


# ---------------------------------------------------------------- ICS


def _calendar(dataset: Dataset, partial: str = "first-day") -> icalendar.Calendar:
    view = dataclasses.replace(view_of(dataset), options={"ics_partial": partial})
    return icalendar.Calendar.from_ical(render_text(Format.ICS, view))


def test_ics_parses_with_icalendar_and_has_every_event(shipped: Dataset) -> None:
    events = _calendar(shipped).walk("VEVENT")
    assert len(events) == 26
    assert {str(event["UID"]) for event in events} == {f"{e.id}@kztm-timeline" for e in shipped.events}


def test_ics_shows_a_month_on_its_first_day_with_its_precision_in_the_title(shipped: Dataset) -> None:
    event = next(e for e in _calendar(shipped).walk("VEVENT") if str(e["UID"]).startswith("2021-10-tokayev"))
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert (event.decoded("DTSTART").isoformat(), event.decoded("DTEND").isoformat()) == ("2021-10-01", "2021-10-02")
    assert str(event["SUMMARY"]) == "Oct 2021 · President Tokayev's state visit to Turkmenistan"
    assert str(event["DESCRIPTION"]).startswith("Date: Oct 2021 (EDTF 2021-10); shown on its first day, 1 Oct 2021.")


def test_ics_partial_span_keeps_the_whole_month_with_an_exclusive_end(shipped: Dataset) -> None:
    event = next(e for e in _calendar(shipped, "span").walk("VEVENT") if str(e["UID"]).startswith("2021-10-tokayev"))
    assert (event.decoded("DTSTART").isoformat(), event.decoded("DTEND").isoformat()) == ("2021-10-01", "2021-11-01")
    assert str(event["SUMMARY"]) == "Oct 2021: President Tokayev's state visit to Turkmenistan"


def test_ics_partial_skip_keeps_only_events_known_to_the_day(shipped: Dataset) -> None:
    uids = sorted(str(e["UID"]) for e in _calendar(shipped, "skip").walk("VEVENT"))
    assert uids == [
        "2024-07-04-magtymguly-monument-astana@kztm-timeline",
        "2024-08-05-presidents-telephone-call@kztm-timeline",
    ]


def test_by_default_no_day_holds_more_than_the_events_that_start_on_it(shipped: Dataset) -> None:
    bars = [e for e in _calendar(shipped).walk("VEVENT") if e.decoded("DTSTART") <= date(2024, 7, 10) < e.decoded("DTEND")]
    assert bars == []


def test_ics_sequence_and_last_modified_follow_the_content(small: Dataset) -> None:
    before = {str(e["UID"]): e.decoded("SEQUENCE") for e in _calendar(small).walk("VEVENT")}
    changed_events = [dataclasses.replace(e, title="Renamed") if e.id == "next-meeting" else e for e in small.events]
    changed = dataclasses.replace(small, events=EventList(changed_events))
    after = {str(e["UID"]): e.decoded("SEQUENCE") for e in _calendar(changed).walk("VEVENT")}
    assert after["next-meeting@kztm-timeline"] != before["next-meeting@kztm-timeline"]
    assert after["hostile@kztm-timeline"] == before["hostile@kztm-timeline"]
    modified = {str(e["UID"]): e.decoded("LAST-MODIFIED").isoformat() for e in _calendar(small).walk("VEVENT")}
    assert modified["next-meeting@kztm-timeline"] == "2024-03-06T00:00:00+00:00"


def test_ics_dtstamp_comes_from_the_data(shipped: Dataset) -> None:
    event = next(e for e in _calendar(shipped).walk("VEVENT") if str(e["UID"]).startswith("2024-08-05"))
    assert event.decoded("DTSTAMP").isoformat() == "2024-08-06T00:00:00+00:00"


def test_ics_escapes_text_so_hostile_titles_survive(small: Dataset) -> None:
    summaries = {str(event["SUMMARY"]) for event in _calendar(small).walk("VEVENT")}
    assert f"5 Mar 2024: {HOSTILE_TITLES[0]}" in summaries
    assert f"2024 · {HOSTILE_TITLES[1]}" in summaries


def test_ics_lines_are_folded_at_75_octets(shipped: Dataset) -> None:
    text = render_text(Format.ICS, view_of(shipped))
    assert text.endswith("\r\n")
    assert max(len(line.encode("utf-8")) for line in text.split("\r\n")) <= 75


def test_folding_never_splits_a_character() -> None:
    folded = fold_line("SUMMARY:" + "ü" * 80)
    assert [len(part.encode("utf-8")) for part in folded.split("\r\n")] == [74, 75, 21]


def test_ics_marks_planned_events_tentative(small: Dataset) -> None:
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in _calendar(small).walk("VEVENT")}
    assert statuses["next-meeting@kztm-timeline"] == "TENTATIVE"


# ---------------------------------------------------------------- TimelineJS


def test_timelinejs_has_a_title_slide_and_one_slide_per_event(shipped: Dataset) -> None:
    document = json.loads(render_text(Format.TIMELINEJS, view_of(shipped)))
    assert document["title"]["text"]["headline"] == "Kazakhstan–Turkmenistan relations"
    assert [slide["unique_id"] for slide in document["events"]] == [event.id for event in view_of(shipped).events]


def test_timelinejs_a_day_is_one_day_and_a_month_or_year_its_whole_span(shipped: Dataset) -> None:
    slides = {slide["unique_id"]: slide for slide in json.loads(render_text(Format.TIMELINEJS, view_of(shipped)))["events"]}
    assert slides["2024-08-05-presidents-telephone-call"]["start_date"] == {"year": 2024, "month": 8, "day": 5}
    assert slides["2017-04-strategic-partnership-agreement"]["start_date"] == {"year": 2017, "month": 4, "day": 1}
    assert slides["c1993-diplomatic-relations"]["start_date"] == {"year": 1993, "month": 1, "day": 1}
    assert slides["c1993-diplomatic-relations"]["display_date"] == "c. 1993"


def test_timelinejs_years_and_months_end_at_the_end_of_their_period(shipped: Dataset) -> None:
    slides = {slide["unique_id"]: slide for slide in json.loads(render_text(Format.TIMELINEJS, view_of(shipped)))["events"]}
    assert slides["2020-2021-commission-extraordinary-session"]["end_date"] == {"year": 2021, "month": 12, "day": 31}
    assert slides["2024-inter-parliamentary-group-meeting"]["end_date"] == {"year": 2024, "month": 12, "day": 31}
    assert slides["2017-04-strategic-partnership-agreement"]["end_date"] == {"year": 2017, "month": 4, "day": 30}
    assert "end_date" not in slides["2024-08-05-presidents-telephone-call"]


def test_timelinejs_has_a_display_date_on_every_slide(shipped: Dataset) -> None:
    slides = json.loads(render_text(Format.TIMELINEJS, view_of(shipped)))["events"]
    assert [slide["display_date"] for slide in slides][:4] == ["until c. 2021", "until 16 May 2023", "c. 1993", "Apr 2017"]
    assert all(slide["display_date"] for slide in slides)


def test_timelinejs_groups_by_who_initiated_in_at_most_five_rows(shipped: Dataset) -> None:
    slides = {slide["unique_id"]: slide for slide in json.loads(render_text(Format.TIMELINEJS, view_of(shipped)))["events"]}
    assert {slide["group"] for slide in slides.values()} == {
        "Initiated by Kazakhstan",
        "Initiated by Turkmenistan",
        "Joint or multilateral",
    }
    assert slides["2021-10-tokayev-state-visit"]["group"] == "Initiated by Kazakhstan"
    assert slides["2017-04-strategic-partnership-agreement"]["group"] == "Joint or multilateral"


def test_timelinejs_escapes_html(small: Dataset) -> None:
    slides = json.loads(render_text(Format.TIMELINEJS, view_of(small)))["events"]
    headline = next(slide["text"]["headline"] for slide in slides if slide["unique_id"] == "ministers-meet")
    assert headline.startswith("&lt;script&gt;alert(1)&lt;/script&gt;")


# ---------------------------------------------------------------- PLOVER


PLOVER_SCHEMA = json.loads((HERE / "schemas" / "plover.schema.json").read_text(encoding="utf-8"))


def plover_records(dataset: Dataset) -> dict[str, dict[str, Any]]:
    lines = render_text(Format.PLOVER, view_of(dataset)).splitlines()
    return {record["id"]: record for record in map(json.loads, lines)}


def test_plover_is_json_lines_one_record_per_event(shipped: Dataset) -> None:
    lines = render_text(Format.PLOVER, view_of(shipped)).splitlines()
    assert len(lines) == 26
    assert all(line.startswith('{"id": ') and line.endswith("}") for line in lines)


def test_every_plover_record_of_the_shipped_data_meets_the_manuals_schema(shipped: Dataset) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(PLOVER_SCHEMA)
    for record in plover_records(shipped).values():
        validator.validate(record)


def test_plover_takes_actor_and_recipient_from_the_roles_as_entity_objects(shipped: Dataset) -> None:
    visit = plover_records(shipped)["2021-10-tokayev-state-visit"]
    assert (visit["actor"], visit["recipient"], visit["event"], visit["mode"]) == (
        [
            {
                "code": "KAZ",
                "sector": "GOV",
                "entity_text": "Kassym-Jomart Tokayev",
                "identifier_text": "Kassym-Jomart Tokayev",
                "office": "President of Kazakhstan",
            }
        ],
        [{"code": "TKM", "sector": "GOV", "entity_text": "Turkmenistan", "identifier_text": "Turkmenistan"}],
        ["CONSULT"],
        ["visit"],
    )


def test_no_plover_record_names_the_drafts_source_or_actor_text(shipped: Dataset) -> None:
    text = render_text(Format.PLOVER, view_of(shipped))
    assert '"source":' not in text
    assert '"actor_text":' not in text


def test_a_call_without_sides_has_every_participant_as_actor_and_no_recipient(shipped: Dataset) -> None:
    call = plover_records(shipped)["2024-08-05-presidents-telephone-call"]
    assert [entity["entity_text"] for entity in call["actor"]] == ["Serdar Berdimuhamedov", "Kassym-Jomart Tokayev"]
    assert "recipient" not in call
    assert call["mode"] == ["phone"]


def test_the_sole_host_of_a_planned_monument_is_its_actor(shipped: Dataset) -> None:
    abai = plover_records(shipped)["abai-sculpture-ashgabat"]
    assert abai["actor"] == [{"code": "TKM", "sector": "GOV", "entity_text": "Turkmenistan", "identifier_text": "Turkmenistan"}]


def test_entity_text_is_the_spelling_the_events_quotes_use_and_identifier_text_the_one_name(shipped: Dataset) -> None:
    records = plover_records(shipped)
    spelled = [
        (entity["entity_text"], entity["identifier_text"])
        for identifier in ("c1993-diplomatic-relations", "2024-07-sco-summit-astana")
        for entity in records[identifier]["actor"]
    ]
    assert ("Republic of Kazakhstan", "Kazakhstan") in spelled
    assert ("SCO", "Shanghai Cooperation Organisation") in spelled


def test_plover_codes_planned_events_as_agree_and_signings_as_support(shipped: Dataset) -> None:
    records = plover_records(shipped)
    assert (records["2024-consultative-meeting-astana"]["event"], records["2024-consultative-meeting-astana"]["cameo"]) == (
        ["AGREE"],
        "036",
    )
    signing = records["2017-04-strategic-partnership-agreement"]
    assert (signing["event"], signing["quad_code"], signing["event_scale"]) == (["SUPPORT"], 1, 5.0)
    assert (signing["date"], signing["enddate"], signing["date_edtf"]) == ("2017-04-01", "2017-04-30", "2017-04")


def test_event_scale_is_the_current_manuals_score_of_the_category_and_mode(shipped: Dataset) -> None:
    records = plover_records(shipped)
    visit, call = records["2021-10-tokayev-state-visit"], records["2024-08-05-presidents-telephone-call"]
    planned = records["2024-consultative-meeting-astana"]
    assert (visit["event_scale"], call["event_scale"], planned["event_scale"]) == (4.0, 1.5, 2.5)  # visit, phone, AGREE


def test_plover_contexts_come_only_from_the_manuals_list(shipped: Dataset) -> None:
    contexts = {context for record in plover_records(shipped).values() for context in record["context"]}
    assert contexts == {"diplomatic", "economic", "legislative"}


def test_plover_event_loc_is_a_location_object_with_the_extracted_place(shipped: Dataset) -> None:
    visit = plover_records(shipped)["2021-10-tokayev-state-visit"]
    assert visit["event_loc"] == {"extracted_place": "Turkmenistan"}


def test_plover_event_text_is_the_cited_source_text_and_cite_info_an_object(shipped: Dataset) -> None:
    call = plover_records(shipped)["2024-08-05-presidents-telephone-call"]
    assert call["event_text"] == [
        "On August 5, 2024, a telephone conversation took place between the President of Turkmenistan Serdar "
        "Berdimuhamedov and the President of the Republic of Kazakhstan Kassym-Jomart Tokayev."
    ]
    assert call["cite_info"] == {
        "corpus": "kztm-timeline",
        "citation": "tm-2024-08-06-phone-call",
        "title": "A telephone conversation took place between the President of Turkmenistan and the President of the "
        "Republic of Kazakhstan",
        "language": "en",
        "publication": "Turkmen official news source (not named in the text)",
        "coder": "coded by hand (kztm-timeline curation)",
        "codebook": "PLOVER 2.0 draft (openeventdata/PLOVER, PLOVER_MANUAL.tex at 5e0c24f, 4 February 2024)",
        "version": "0.1.0",
    }


def test_a_web_source_gives_cite_info_its_url_and_language(small: Dataset) -> None:
    wire = dataclasses.replace(small.sources[0], url="https://example.org/wire/ministers-meet", language="ru")
    dataset = dataclasses.replace(small, sources=(wire,))
    record = json.loads(render_text(Format.PLOVER, view_of(dataset)).splitlines()[0])
    assert (record["cite_info"]["url"], record["cite_info"]["language"]) == ("https://example.org/wire/ministers-meet", "ru")


def test_a_record_without_an_actor_cannot_be_written(shipped: Dataset) -> None:
    from kztm_timeline.errors import TimelineError
    from kztm_timeline.model import Participant

    abai = shipped.event_by_id["abai-sculpture-ashgabat"]
    honoured = dataclasses.replace(abai, participants=(Participant("abai", "honoree"),))
    with pytest.raises(TimelineError, match="abai-sculpture-ashgabat has no actor"):
        render_text(Format.PLOVER, View(dataset=shipped, events=(honoured,)))


def test_plover_to_a_json_file_is_a_json_array_and_to_jsonl_json_lines(tmp_path: Path) -> None:
    runner = CliRunner()
    year = ["--year", "2017", "--overlapping"]  # three records: the two open at their start may fall in 2017
    assert runner.invoke(app, ["list", *year, "-f", "plover", "-o", str(tmp_path / "p.json")]).exit_code == 0
    assert runner.invoke(app, ["list", *year, "-f", "plover", "-o", str(tmp_path / "p.jsonl")]).exit_code == 0
    array = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    lines = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [record["id"] for record in array] == [record["id"] for record in lines] == [
        "earlier-intergovernmental-commission-meetings",
        "days-of-culture-held",
        "2017-04-strategic-partnership-agreement",
    ]
    assert array == lines


def test_plover_to_stdout_is_json_lines() -> None:  # as the manual suggests
    result = CliRunner().invoke(app, ["list", "--year", "2023", "--overlapping", "-f", "plover"])
    assert result.stdout.startswith('{"id": "days-of-culture-held", "date": "2023-05-16", "actor": [')


def test_an_event_whose_every_participant_is_an_honoree_is_refused(edited: EditData) -> None:
    from kztm_timeline.errors import DataError

    both = "      - {actor: turkmenistan, role: host}\n      - {actor: abai, role: honoree}"
    path = edited(both, "      - {actor: abai, role: honoree}")
    with pytest.raises(DataError, match="every participant is an honoree: nobody acts in this event"):
        load_dataset(str(path))


# ---------------------------------------------------------------- CSV


def test_csv_round_trips_commas_quotes_and_newlines(small: Dataset) -> None:
    rows = list(csv.DictReader(io.StringIO(render_text(Format.CSV, view_of(small)), newline="")))
    assert rows[1]["title"] == HOSTILE_TITLES[0]
    assert rows[1]["summary"] == "They met; they signed, a plan.\nA newline: summaries may span lines."


def test_csv_guards_cells_that_could_start_a_formula(small: Dataset) -> None:
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(render_text(Format.CSV, view_of(small)), newline=""))}
    hostile = rows["hostile"]
    assert (hostile["title"], hostile["place"], hostile["topics"], hostile["summary"][:2]) == (
        "'" + HOSTILE_TITLES[1],
        "'-1+1",
        "'@cmd",
        "'+",
    )


def test_csv_joins_lists_with_semicolons(shipped: Dataset) -> None:
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(render_text(Format.CSV, view_of(shipped)), newline=""))}
    assert rows["2021-10-tokayev-state-visit"]["actors_name"] == "Kassym-Jomart Tokayev; Turkmenistan"


# ---------------------------------------------------------------- Markdown


def test_markdown_renders_no_html_or_markup_from_the_data(small: Dataset) -> None:
    page = MarkdownIt("commonmark").enable("table").render(render_text(Format.MARKDOWN, view_of(small)))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<ol" not in page


def test_markdown_puts_each_quote_in_a_footnote(shipped: Dataset) -> None:
    text = render_text(Format.MARKDOWN, view_of(shipped))
    assert text.count("\n[^") == sum(len(event.citations) for event in shipped.events)


# ---------------------------------------------------------------- HTML


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.articles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        self.links += [value or "" for key, value in attrs if key in ("src", "href")]
        if tag == "article":
            self.articles.append(values.get("id") or "")


def test_html_is_self_contained_and_has_every_event(shipped: Dataset) -> None:
    collector = _Collector()
    collector.feed(render_text(Format.HTML, view_of(shipped)))
    assert "script" not in collector.tags
    links = [f"#{event.id}" for event in view_of(shipped).events]
    assert collector.links == links * 2  # the marks of the overviews (wide, then narrow), in-page only
    assert collector.articles == [event.id for event in view_of(shipped).events]


def _colors(page: str, name: str) -> list[str]:
    return re.findall(rf"--{name}: (#[0-9a-f]{{6}});", page)


def test_every_colour_pair_of_the_html_page_meets_wcag_aa(shipped: Dataset) -> None:
    from kztm_timeline.exporters.html import contrast

    page = render_text(Format.HTML, view_of(shipped))
    badges = re.findall(r"--kind-[a-z-]+: (#[0-9a-f]{6});", page)
    assert len(badges) == 13
    assert "background: var(--kind); color: #ffffff;" in page  # the badges' white text
    backgrounds = _colors(page, "paper") + _colors(page, "stripe")
    texts = _colors(page, "ink") + _colors(page, "muted") + re.findall(r"fill: (#[0-9a-f]{6})", page)
    pairs = [("#ffffff", badge) for badge in badges] + [(text, back) for text in texts for back in backgrounds]
    assert len(pairs) == 13 + 4 * 2  # ink, muted, the overview's labels and arrows, on paper and stripes
    failing = [(one, two, round(contrast(one, two), 2)) for one, two in pairs if contrast(one, two) < 4.5]
    assert failing == []


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    from kztm_timeline.exporters.html import badge_color, contrast

    assert round(contrast("#ffffff", "#000000"), 2) == 21.0
    assert round(contrast("#ffffff", "#cd853f"), 2) == 2.99  # the working-visit badge that failed before
    assert contrast("#ffffff", badge_color("#cd853f")) >= 4.5


def test_html_time_carries_a_valid_html_date_and_the_edtf_in_a_data_attribute(shipped: Dataset) -> None:
    page = render_text(Format.HTML, view_of(shipped))
    times = dict(re.findall(r'<time class="when" datetime="([^"]+)" data-edtf="([^"]+)">', page))
    assert {value: times[value] for value in ("1993", "2021-10", "2024-08-05", "2020", "2024-08-06")} == {
        "1993": "1993~",
        "2021-10": "2021-10",
        "2024-08-05": "2024-08-05",
        "2020": "2020~/2021~",
        "2024-08-06": "2024-08-06/..",
    }
    assert all(re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value) for value in times)


def test_html_shows_each_events_date_note(shipped: Dataset) -> None:
    page = render_text(Format.HTML, view_of(shipped))
    noted = [event for event in shipped.events if event.note]
    assert page.count('<p class="note">Date note: ') == len(noted) > 0


def test_html_has_landmarks_and_a_footer_with_date_filters_sources_and_licence(shipped: Dataset) -> None:
    view = dataclasses.replace(view_of(shipped), options={"generated": "2026-11-23", "filters": "year 2024"})
    page = render_text(Format.HTML, view)
    assert [page.count(tag) for tag in ("<header>", "<main ", "<footer>")] == [1, 1, 1]
    footer = page[page.index("<footer>") :]
    assert "Generated on 2026-11-23 by kztm-timeline 0.1.0 from its data file. Filters: year 2024." in footer
    assert footer.count("<li><cite>") == 5
    assert "Licence: the timeline's data and this page are under the MIT licence" in footer


def test_html_overview_places_events_on_a_time_axis(shipped: Dataset) -> None:
    page = render_text(Format.HTML, view_of(shipped))
    start = page.index('<svg class="overview')
    svg = page[start : page.index("</svg>", start)]
    assert "Overview: 26 events on a time axis from 1993 to 2024, recent years given more room" in svg
    labels = re.findall(r'<text x="[0-9.]+" y="[0-9.]+">([0-9]{4})</text>', svg)
    assert labels == ["1993", "2017", "2020", "2021", "2022", "2023", "2024"]
    assert svg.count("<a href=") == 26


def test_html_escapes_everything_from_the_data(small: Dataset) -> None:
    page = render_text(Format.HTML, view_of(small))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ---------------------------------------------------------------- --output


def test_output_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "timeline.ics"
    result = CliRunner().invoke(app, ["list", "-f", "ics", "-o", str(target)])
    assert (result.exit_code, result.stdout) == (0, "")
    assert target.read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")


def test_output_is_not_created_when_rendering_fails(tmp_path: Path) -> None:
    target = tmp_path / "timeline.ics"
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: [\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["list", "-f", "ics", "-o", str(target), "--data", str(bad)])
    assert result.exit_code == 1
    assert not target.exists()


def test_stats_json_counts_by_each_dimension() -> None:
    result = CliRunner().invoke(app, ["stats", "--json"])
    counts = json.loads(result.stdout)
    assert list(counts) == ["by_year", "without_year", "by_kind", "by_actor", "by_topic", "by_status"]
    # every year, empty ones with 0; the events open at their start have no year of their own
    assert list(counts["by_year"])[:2] == ["1993", "1994"]
    assert len(counts["by_year"]) == 2024 - 1993 + 1
    nonzero = {year: count for year, count in counts["by_year"].items() if count}
    assert nonzero == {"1993": 1, "2017": 1, "2020": 1, "2021": 1, "2022": 1, "2023": 9, "2024": 10}
    assert counts["without_year"] == {"open_start": 2}
    assert counts["by_status"] == {"happened": 16, "planned": 10}
    assert counts["by_actor"]["kazakhstan"] == 16


def test_stats_draws_bars_at_the_terminal() -> None:
    result = CliRunner().invoke(app, ["stats", "--year", "2017"])
    assert "Events by year\n  2017 1 █" in result.stdout


def test_search_highlights_the_matched_words_at_a_terminal(shipped: Dataset) -> None:
    from kztm_timeline.exporters.terminal import render_timeline
    from kztm_timeline.query import Query, select

    events = tuple(select(shipped, Query(search=("aral",))))
    colored = render_timeline(View(dataset=shipped, events=events, color=True, highlight=("ARAL",)))
    plain = render_timeline(View(dataset=shipped, events=events, color=False, highlight=("ARAL",)))
    assert "\x1b[1;30;43mAral\x1b[0m" in colored
    assert "\x1b[" not in plain


def test_a_single_event_is_counted_in_the_singular(shipped: Dataset) -> None:
    one = View(dataset=shipped, events=tuple(shipped.events[:1]))
    assert "<p>1 event, each backed by a quote" in render_text(Format.TIMELINEJS, one)
    assert '<p class="lead">1 event, each backed by a verbatim quote' in render_text(Format.HTML, one)


# ---------------------------------------------------------------- PLOVER: a property of every valid dataset


def _random_dataset() -> st.SearchStrategy[Dataset]:
    from kztm_timeline.edtf import parse_edtf
    from kztm_timeline.model import Actor, Citation, EventList, Participant, Source
    from kztm_timeline.model import Event as ModelEvent
    from kztm_timeline.vocab import ROLES, Kind, Status

    actors = (
        Actor("kz", "Kazakhstan", "state", "KZ", ()),
        Actor("tm", "Turkmenistan", "state", "TM", ()),
        Actor("minister", "A Minister", "person", "UZ", ()),
        Actor("senate", "A Senate", "organisation", "KZ", (), sector="LEG"),
        Actor("igo", "An Organisation", "organisation", None, ()),
        Actor("poet", "A Poet", "person", "TM", ()),
    )
    source = Source("wire", "article.txt", "A title", "A publisher", parse_edtf("2024-01-02"))
    dates = st.sampled_from(["2024", "2024-10", "2024-10-05", "2020~/2021~", "2024?", "2024-08-06/..", "../2023-10-31"])
    participant = st.builds(Participant, st.sampled_from([actor.id for actor in actors]), st.sampled_from(ROLES))
    event = st.builds(
        ModelEvent,
        id=st.from_regex(r"[a-z]{1,8}", fullmatch=True),
        date=dates.map(parse_edtf),
        title=st.just("A title"),
        kind=st.sampled_from(list(Kind)),
        status=st.sampled_from(list(Status)),
        participants=st.lists(participant, min_size=1, max_size=4)
        .filter(lambda items: any(item.role != "honoree" for item in items))
        .map(tuple),
        place=st.one_of(st.none(), st.just("Astana")),
        topics=st.just(()),
        summary=st.just("What happened."),
        citations=st.just((Citation("wire", "a quote of words"),)),
    )
    return st.lists(event, min_size=1, max_size=6, unique_by=lambda item: item.id).map(
        lambda events: Dataset("events.yaml", (source,), actors, EventList(events))
    )


@settings(max_examples=60, deadline=None)
@given(dataset=_random_dataset())
def test_every_plover_record_of_any_valid_dataset_meets_the_manuals_schema(dataset: Dataset) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(PLOVER_SCHEMA)
    for line in render_text(Format.PLOVER, View(dataset=dataset, events=tuple(dataset.events))).splitlines():
        validator.validate(json.loads(line))


# ---------------------------------------------------------------- CSV and Parquet in the readers analysts use


def test_a_csv_folder_export_carries_a_datapackage_that_types_every_column(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["list", "-f", "csv", "-o", f"{tmp_path}/out/"])
    assert result.exit_code == 0, result.stderr
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["datapackage.json", "events.csv"]
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    fields = package["resources"][0]["schema"]["fields"]
    assert [field["name"] for field in fields][:4] == ["id", "date", "start", "end"]
    assert {field["name"]: field["type"] for field in fields}["cameo"] == "string"
    assert package["resources"][0]["path"] == "events.csv"


def test_pandas_reads_the_csv_with_the_datapackage_types_and_keeps_the_leading_zero(tmp_path: Path) -> None:
    import pandas

    assert CliRunner().invoke(app, ["list", "-f", "csv", "-o", f"{tmp_path}/"]).exit_code == 0
    fields = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))["resources"][0]["schema"]["fields"]
    dtypes = {field["name"]: str for field in fields if field["type"] == "string"}
    dates = [field["name"] for field in fields if field["type"] == "date"]
    frame = pandas.read_csv(tmp_path / "events.csv", dtype=dtypes, parse_dates=dates, keep_default_na=False, na_values=[""])
    row = frame.set_index("id").loc["c1993-diplomatic-relations"]
    assert (row["cameo"], str(row["start"].date()), str(row["end"].date())) == ("054", "1993-01-01", "1993-12-31")


def test_duckdb_reads_the_csv_with_the_datapackage_types(tmp_path: Path) -> None:
    import duckdb

    assert CliRunner().invoke(app, ["list", "-f", "csv", "-o", f"{tmp_path}/"]).exit_code == 0
    fields = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))["resources"][0]["schema"]["fields"]
    types = {field["name"]: {"string": "VARCHAR", "date": "DATE"}[field["type"]] for field in fields}
    query = f"SELECT cameo, start FROM read_csv('{tmp_path / 'events.csv'}', header=true, columns={types!r}) WHERE id = ?"
    assert duckdb.execute(query, ["c1993-diplomatic-relations"]).fetchall() == [("054", date(1993, 1, 1))]


def test_parquet_reads_back_in_duckdb_with_typed_list_columns(tmp_path: Path) -> None:
    import duckdb

    target = tmp_path / "timeline.parquet"
    result = CliRunner().invoke(app, ["list", "-f", "parquet", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    connection = duckdb.connect()
    rows = connection.execute(
        f"SELECT id, cameo, start, \"end\", len(actors_id), actors_role[1], sources_source[1] FROM '{target}' ORDER BY start, id"
    ).fetchall()
    assert len(rows) == 26
    day_one, day_last = date(1993, 1, 1), date(1993, 12, 31)
    assert rows[0] == ("c1993-diplomatic-relations", "054", day_one, day_last, 2, "participant", "tm-2023-05-16-prospects")
    types = dict(connection.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{target}')").fetchall())
    found = (types["start"], types["topics"], types["actors_name"], types["plover_event"])
    assert found == ("DATE", "VARCHAR[]", "VARCHAR[]", "VARCHAR")


def test_parquet_reads_back_in_pandas(tmp_path: Path) -> None:
    import pandas

    target = tmp_path / "timeline.parquet"
    assert CliRunner().invoke(app, ["list", "--year", "2024", "-f", "parquet", "-o", str(target)]).exit_code == 0
    frame = pandas.read_parquet(target)
    assert len(frame) == 7
    call = frame.set_index("id").loc["2024-08-05-presidents-telephone-call"]
    assert list(call["actors_name"]) == ["Serdar Berdimuhamedov", "Kassym-Jomart Tokayev"]
    assert call["cameo"] == "041"


def test_parquet_to_a_terminal_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["list", "-f", "parquet"])
    assert result.exit_code == 2
    assert "-f parquet writes a binary file; give it one with -o FILE.parquet" in result.stderr


def test_parquet_without_pyarrow_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if the extra were not installed
    result = CliRunner().invoke(app, ["list", "-f", "parquet", "-o", str(tmp_path / "t.parquet")])
    assert result.exit_code == 1
    assert "pip install 'kztm-timeline[parquet]'" in result.stderr
    assert not (tmp_path / "t.parquet").exists()


_PLACED = re.compile(
    r"shown (?:on its (?:first|last) day(?: only)?, (?P<day>\d{1,2} \w{3} \d{4})"
    r"|over its whole span, (?P<first>\d{1,2} \w{3} \d{4}) to (?P<last>\d{1,2} \w{3} \d{4}))"
)


@pytest.mark.parametrize("partial", ["first-day", "span"])
def test_the_ics_description_of_every_partial_date_says_where_it_is_placed(shipped: Dataset, partial: str) -> None:
    from datetime import datetime, timedelta

    from kztm_timeline.exporters.ics import is_partial

    def day(text: str) -> date:
        return datetime.strptime(text, "%d %b %Y").date()

    partial_ids = {event.id for event in shipped.events if is_partial(event)}
    for entry in _calendar(shipped, partial).walk("VEVENT"):
        identifier = str(entry["UID"]).removesuffix("@kztm-timeline")
        start = entry.decoded("DTSTART")
        last = entry.decoded("DTEND") - timedelta(days=1)
        placed = _PLACED.search(" ".join(str(entry["DESCRIPTION"]).split()))
        if identifier not in partial_ids:
            continue
        assert placed is not None, identifier
        said = (day(placed["day"]),) * 2 if placed["day"] else (day(placed["first"]), day(placed["last"]))
        assert said == (start, last), identifier


def test_the_ics_places_a_date_open_at_its_start_on_its_last_day_and_says_so(shipped: Dataset) -> None:
    entry = next(e for e in _calendar(shipped).walk("VEVENT") if str(e["UID"]).startswith("days-of-culture-held"))
    assert entry.decoded("DTSTART").isoformat() == "2023-05-16"
    assert str(entry["DESCRIPTION"]).startswith(
        "Date: until 16 May 2023 (EDTF ../2023-05-16); its start is open, so it is shown on its last day, 16 May 2023."
    )
