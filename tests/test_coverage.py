"""Coverage counts the article, not the page furniture, and a sentence only when quotes cover half of it;
undated but datable phrases are listed as leads."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.coverage import cited_sentences, furniture

from .webdata import FROZEN

runner = CliRunner()
PROSPECTS = FROZEN / "seeds" / "003_c3daa0d2106145c5.txt"


def coverage_of(source: str) -> dict[str, Any]:
    result = runner.invoke(app, ["coverage", "--json", "--data", str(FROZEN / "data" / "events.yaml")])
    assert result.exit_code == 0, result.stderr
    return next(item for item in json.loads(result.stdout) if item["source"] == source)


def test_the_menus_above_the_article_and_the_last_news_list_are_left_out() -> None:
    found = coverage_of("tm-2023-05-16-prospects")
    assert found["sentences"] == 14
    reasons = [item["reason"] for item in found["excluded"]]
    assert reasons.count("page header above the article's first paragraph (menu, headline, dateline)") == 9
    assert reasons.count("a 'Last news' list of other stories") == 22


def test_each_line_left_out_is_named_with_its_text() -> None:
    found = coverage_of("tm-2023-05-16-prospects")
    assert found["excluded"][0] == {
        "line": 1,
        "text": "Home",
        "reason": "page header above the article's first paragraph (menu, headline, dateline)",
    }


def test_the_screen_says_what_was_left_out_and_why() -> None:
    result = runner.invoke(app, ["coverage", "--data", str(FROZEN / "data" / "events.yaml")])
    assert "tm-2023-05-16-prospects: 1 of 14 sentences cited (7%); 0 dated sentences uncovered; " in result.stdout
    assert "  left out: lines 1-9: page header above the article's first paragraph (menu, headline, dateline)\n" in result.stdout
    assert "  left out: lines 25-46: a 'Last news' list of other stories\n" in result.stdout
    assert result.stdout.endswith("(a sentence is cited when quotes cover at least 50% of its words)\n")


def test_a_text_without_a_paragraph_is_left_whole() -> None:
    assert furniture("Home\nEconomy\nNews\n") == {}


def test_a_short_label_inside_the_article_is_left_out() -> None:
    text = (
        "A long first paragraph of the article tells what happened in Ashgabat.\n"
        "Share\n"
        "A second paragraph follows it here, as long.\n"
    )
    assert furniture(text) == {2: "a menu item or label inside the page"}


def test_a_fragment_of_three_words_does_not_cite_a_sentence_of_three_clauses() -> None:
    text = "The ministers met in Ashgabat, they reviewed trade and transport, and they agreed to meet again next year.\n"
    assert cited_sentences(text, ["The ministers met"], {}) == (1, 0)


def test_a_quote_covering_half_of_a_sentence_cites_it() -> None:
    text = "The ministers met in Ashgabat on Monday, and they talked.\n"
    assert cited_sentences(text, ["The ministers met in Ashgabat"], {}) == (1, 1)


def test_undated_but_datable_phrases_are_listed() -> None:
    phrases = {
        source: [item["phrase"] for item in coverage_of(source)["datable"]]
        for source in ("tm-2023-05-16-prospects", "golden-age-mamin-commission", "tm-2024-08-06-phone-call")
    }
    assert "the 30-year period" in phrases["tm-2023-05-16-prospects"]
    assert "the previous meetings" in phrases["golden-age-mamin-commission"]
    assert "the recent visit" in phrases["tm-2024-08-06-phone-call"]


def test_extract_lists_the_datable_phrases_after_the_candidates() -> None:
    result = runner.invoke(app, ["extract", "tm-2024-08-06-phone-call", "--data", str(FROZEN / "data" / "events.yaml")])
    assert result.exit_code == 0
    tail = result.stdout.split("# Undated but datable (another source may give the day):\n", 1)[1]
    assert tail.startswith("# line 9: 'the first Summit': ")
    assert "# line 15: 'the recent visit': " in tail
