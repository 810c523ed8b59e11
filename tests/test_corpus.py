"""Reading the corpus against the data: an article with its cited passages marked, and coverage."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from kztm_timeline.cli import app

runner = CliRunner()


def test_sources_show_marks_each_cited_passage_and_names_the_events_that_cite_it() -> None:
    result = runner.invoke(app, ["sources", "show", "trend-2023-10-31"])
    assert result.exit_code == 0, result.stderr
    paragraphs = result.stdout.split("\n\n")
    assert paragraphs[0] == (
        "Cooperation program signed between the foreign ministries of Turkmenistan and Kazakhstan for 2024–2026 — "
        "Trend News Agency (via MENAFN) (trend-2023-10-31)"
    )
    assert paragraphs[3] == (
        "[3] ⟦During the meeting, topical aspects of bilateral cooperation in priority areas of political, diplomatic, "
        "trade, economic, cultural, and humanitarian character were discussed.⟧\n"
        "    cited by: 2023-10-31-foreign-ministers-talks"
    )


def test_sources_show_uncited_prints_only_the_paragraphs_no_event_cites() -> None:
    result = runner.invoke(app, ["sources", "show", "trend-2023-10-31", "--uncited", "--json"])
    assert [paragraph["paragraph"] for paragraph in json.loads(result.stdout)] == [4, 6, 8]
    assert all(paragraph["events"] == [] for paragraph in json.loads(result.stdout))


def test_sources_show_of_an_unknown_source_suggests_one() -> None:
    result = runner.invoke(app, ["sources", "show", "trend-2032-10-31"])
    assert result.exit_code == 1
    assert "no source 'trend-2032-10-31'" in result.stderr
    assert "trend-2023-10-31" in result.stderr


def test_coverage_gives_each_articles_cited_share_and_uncovered_dated_sentences() -> None:
    result = runner.invoke(app, ["coverage", "--json"])
    assert result.exit_code == 0, result.stderr
    found = {item["source"]: (item["cited"], item["sentences"], item["dated_uncovered"]) for item in json.loads(result.stdout)}
    # (issue 23: the page furniture is left out, and a sentence is cited when quotes cover half of its words)
    assert found == {
        "trend-2023-10-31": (3, 9, []),
        "kz-mfa-nurtleu-visit": (6, 17, []),
        "golden-age-mamin-commission": (1, 13, []),
        "tm-2023-05-16-prospects": (1, 14, []),
        "tm-2024-08-06-phone-call": (4, 16, []),
    }
