"""`timeline extract`: dated sentences of an article proposed as candidate events."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.datafile import yaml_read
from kztm_timeline.edtf import parse_edtf
from kztm_timeline.extract import Article, find_candidates, find_dates, sentences
from kztm_timeline.model import Dataset

from .conftest import DATA

runner = CliRunner()

# Per shipped article: (date, guessed kind, already present as) for each candidate, in article order.
EXPECTED = {
    "trend-2023-10-31": [
        ("2023-10-31", "agreement_signing", ("2023-10-31-mfa-cooperation-programme",)),
        ("2021-10", "state_visit", ("2021-10-tokayev-state-visit",)),
        ("2022-10", "state_visit", ("2022-10-serdar-berdimuhamedov-state-visit",)),
        ("2024", "parliamentary_meeting", ("2024-inter-parliamentary-group-meeting",)),
    ],
    "kz-mfa-nurtleu-visit": [
        ("2021-10", "state_visit", ("2021-10-tokayev-state-visit",)),
        ("2022-10", "state_visit", ("2022-10-serdar-berdimuhamedov-state-visit",)),
    ],
    # The commission article names no date at all: nothing to propose.
    "golden-age-mamin-commission": [],
    "tm-2023-05-16-prospects": [
        ("2017-04", "agreement_signing", ("2017-04-strategic-partnership-agreement",)),
    ],
    "tm-2024-08-06-phone-call": [
        ("2024-08-05", "telephone_call", ("2024-08-05-presidents-telephone-call",)),
        ("2024-07-04", "cultural_event", ("2024-07-04-magtymguly-monument-astana",)),
    ],
}


def candidates_of(source: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["extract", source, "--json", "--data", str(DATA)])
    assert result.exit_code == 0, result.stderr
    records: list[dict[str, Any]] = json.loads(result.stdout)
    return records


@pytest.mark.parametrize("source", list(EXPECTED))
def test_extract_proposes_each_shipped_articles_dated_events(source: str) -> None:
    found = [(record["date"], record["kind"], tuple(record["already_present"])) for record in candidates_of(source)]
    assert found == EXPECTED[source]


def test_every_proposed_quote_verifies_against_its_article() -> None:
    for source in EXPECTED:
        for record in candidates_of(source):
            stub = record["stub"]
            assert isinstance(stub, dict)
            assert stub["citations"] == [{"source": source, "quote": record["quote"]}]


def test_a_relative_year_is_resolved_against_the_articles_date() -> None:
    record = candidates_of("trend-2023-10-31")[3]
    assert (record["expression"], record["date"], record["status"]) == ("next year", "2024", "planned")


def test_a_day_without_a_year_takes_the_year_from_context() -> None:
    record = candidates_of("tm-2024-08-06-phone-call")[1]
    assert (record["expression"], record["date"]) == ("July 4", "2024-07-04")


def test_candidates_list_the_actors_named_by_any_spelling() -> None:
    record = candidates_of("kz-mfa-nurtleu-visit")[0]  # spells it "Berdimuhamedow"
    assert record["actors"] == ["kazakhstan", "turkmenistan", "tokayev", "serdar-berdimuhamedov"]


def test_the_yaml_output_comments_out_what_is_present_and_gives_stubs_for_the_rest(tmp_path: Path) -> None:
    article = tmp_path / "new.txt"
    article.write_text("Astana, 3 March 2025.\nOn 3 March 2025, Tokayev met Meredov in Astana. Nothing else.\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(article), "--data", str(DATA)])
    assert result.exit_code == 0
    assert result.stdout == (
        "# 1 candidate from new; 1 new, 0 already present.\n"
        "# Review each: write the title and summary in your own words, fix kind, status and roles,\n"
        "# then paste the new ones under events: and run `timeline validate`.\n"
        "\n"
        "# line 2: '3 March 2025' -> 2025-03-03\n"
        "  - id: 2025-03-03-talks-tokayev\n"
        "    date: 2025-03-03\n"
        '    title: "TODO: Talks (Kassym-Jomart Tokayev, Rashid Meredov)"\n'
        "    kind: talks\n"
        "    status: happened\n"
        "    participants:\n"
        "      - {actor: tokayev, role: participant}\n"
        "      - {actor: meredov, role: participant}\n"
        "    place: null\n"
        "    topics: []\n"
        '    summary: "TODO: what happened, in your own words."\n'
        "    citations:\n"
        "      - source: new\n"
        "        quote: On 3 March 2025, Tokayev met Meredov in Astana.\n"
    )
    assert "is not a registered source; the stubs cite it as 'new'" in result.stderr
    stubs = yaml_read.compose("<out>", result.stdout).data
    assert isinstance(stubs, list)
    assert stubs[0]["id"] == "2025-03-03-talks-tokayev"


def test_an_unknown_source_exits_1_with_suggestions() -> None:
    result = runner.invoke(app, ["extract", "trend-2032-10-31", "--data", str(DATA)])
    assert result.exit_code == 1
    assert result.stderr.startswith("timeline: no source 'trend-2032-10-31'; see `timeline sources`\ndid you mean:\n")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("On August 5, 2024, they spoke.", ["2024-08-05"]),
        ("On 5 August 2024 they spoke.", ["2024-08-05"]),
        ("Published 16.05.2023", ["2023-05-16"]),
        ("It was signed in April 2017.", ["2017-04"]),
        ("It opened on July 4 in Astana.", ["2020-07-04"]),
        ("It opened on 4 July in Astana.", ["2020-07-04"]),
        ("Relations began in 1993.", ["1993"]),
        ("The programme for 2024-2026 was signed.", []),
        ("They will meet next month.", ["2020-07"]),
        ("He has 2033 views.", []),
        ("On February 30, 2023, nothing.", []),
    ],
)
def test_date_expressions(sentence: str, expected: list[str]) -> None:
    found = find_dates(sentence, 2020, date(2020, 6, 15))
    assert [item.edtf for item in found] == expected


def test_sentences_split_at_full_stops_and_lines() -> None:
    found = sentences("One here. Two there.\n\nThree  spaced  out")
    assert found == [(1, "One here."), (1, "Two there."), (3, "Three spaced out")]


@given(st.text(max_size=300))
def test_extract_never_fails_on_any_text(shipped: Dataset, text: str) -> None:
    for candidate in find_candidates(shipped, Article(text, "x", date(2024, 1, 1), False)):
        parse_edtf(candidate.date)  # every proposed date is valid EDTF
        assert candidate.sentence in " ".join(text.split())


_DATE_WORDS = [
    "in", "since", "on", "the", "year", "next", "last", "month", "Today,", "Сегодня,", "May", "Sept.", "October",
    "мая", "маусымда", "oktýabrynda", "жылы", "ýylyň", "and", "и", "–", ",", ".", "talks", "Ashgabat", "Mayor",
    "2024", "1992", "12", "5-nji", "31st", "2023-05-16", "16.05.2023", "10–11", "2024-nji", "года",
]


@given(st.lists(st.sampled_from(_DATE_WORDS), max_size=12).map(" ".join))
def test_a_sentence_is_dated_as_by_every_pattern(sentence: str) -> None:
    from kztm_timeline.extract import _PATTERNS, dates_by, find_dates

    published = date(2024, 6, 3)
    assert find_dates(sentence, 2024, published) == dates_by(_PATTERNS, sentence, 2024, published)
