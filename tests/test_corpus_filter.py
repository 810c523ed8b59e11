"""--corpus NAME: the events that cite at least one source of that corpus, and of them only those citations.
`--corpus seeds` reproduces the five-article timeline exactly as it was before web sources existed (the golden
outputs of tests/golden/seeds/, made from tests/fixtures/seeds-2025-12 before any of this work), even on a
dataset that also cites web pages, links to them and quotes them in seed events. (The goldens were rebuilt once from
that same frozen data when the dates branch changed the output on purpose: events open at their start ordered by
their end and grouped under "Before …", ICS descriptions, the HTML overview, stats' without_year, plans' due and
chart's without_period.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kztm_timeline.cli import app

from .webdata import with_web

runner = CliRunner()
GOLDEN = Path(__file__).resolve().parent / "golden" / "seeds"
PINNED = {"SOURCE_DATE_EPOCH": "1764633600", "COLUMNS": "100"}  # the day and width the golden was made with

# (command line after the data option, golden file): every data command of December 2025, as it was run then
GOLDEN_RUNS = [
    *[(["list", "-f", fmt], f"list.{fmt}") for fmt in ("json", "jsonl", "csv", "markdown", "timeline", "table")],
    *[(["list", "-f", fmt], f"list.{fmt}") for fmt in ("ics", "timelinejs", "plover", "html")],
    (["stats", "--json"], "stats.json"),
    (["plans", "--as-of", "2026-12-02", "--json"], "plans.json"),
    (["chart", "--json"], "chart.json"),
    (["actors", "--json"], "actors.json"),
    (["list", "--year", "2024", "--actor", "tokayev", "-f", "csv"], "list-2024-tokayev.csv"),
    (["search", "Magtymguly", "--json"], "search-magtymguly.json"),
]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=PINNED)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(with_web(tmp_path_factory.mktemp("mixed")))


@pytest.mark.parametrize(("command", "golden"), GOLDEN_RUNS, ids=[golden for _, golden in GOLDEN_RUNS])
def test_corpus_seeds_reproduces_the_five_article_timeline_exactly(mixed: str, command: list[str], golden: str) -> None:
    code, out, err = run(*command, "--corpus", "seeds", "--data", mixed)
    assert (code, err) == (0, ""), err
    assert out == (GOLDEN / golden).read_text(encoding="utf-8")


@pytest.mark.parametrize(("command", "golden"), GOLDEN_RUNS[:1] + GOLDEN_RUNS[-6:], ids=lambda value: str(value))
def test_corpus_seeds_gives_the_same_answer_from_the_cache(mixed: str, command: list[str], golden: str) -> None:
    first = run(*command, "--corpus", "seeds", "--data", mixed)
    again = run(*command, "--corpus", "seeds", "--data", mixed)
    plain = run(*command, "--corpus", "seeds", "--data", mixed, "--no-cache")
    assert first == again == plain
    assert first[1] == (GOLDEN / golden).read_text(encoding="utf-8")


def test_without_corpus_every_source_counts(mixed: str) -> None:
    code, out, _ = run("list", "--data", mixed, "--json")
    assert code == 0
    assert len(json.loads(out)) == 27


def test_a_corpus_keeps_the_events_citing_one_of_its_sources(mixed: str) -> None:
    code, out, _ = run("list", "--corpus", "public-record", "--data", mixed, "--json", "--fields", "id")
    assert code == 0
    assert [item["id"] for item in json.loads(out)] == ["1992-10-05-diplomatic-relations", "2024-08-05-presidents-telephone-call"]


def test_a_corpus_keeps_only_its_own_citations_of_an_event(mixed: str) -> None:
    code, out, _ = run("show", "2024-08-05-presidents-telephone-call", "--corpus", "public-record", "--data", mixed, "--json")
    assert code == 0
    assert [item["source"] for item in json.loads(out)["sources"]] == ["akorda-2024-08-05-call"]


def test_a_corpus_drops_links_to_events_outside_it(mixed: str) -> None:
    code, out, _ = run("show", "1992-10-05-diplomatic-relations", "--corpus", "public-record", "--data", mixed, "--json")
    assert code == 0
    assert json.loads(out)["related"] == []


def test_an_event_outside_the_corpus_is_not_shown(mixed: str) -> None:
    code, _, err = run("show", "2017-04-strategic-partnership-agreement", "--corpus", "public-record", "--data", mixed)
    assert code == 1
    assert "no event '2017-04-strategic-partnership-agreement'" in err


def test_sources_lists_only_the_corpus(mixed: str) -> None:
    code, out, _ = run("sources", "--corpus", "public-record", "--data", mixed, "--json", "--fields", "id,events")
    assert code == 0
    assert json.loads(out) == [{"id": "kz-mfa-relations-1992", "events": 1}, {"id": "akorda-2024-08-05-call", "events": 1}]


def test_stats_count_the_events_of_the_corpus(mixed: str) -> None:
    code, out, _ = run("stats", "--corpus", "public-record", "--data", mixed, "--json")
    assert code == 0
    assert json.loads(out)["by_kind"] == {"diplomatic_relations": 1, "telephone_call": 1}


def test_search_reads_only_the_quotes_of_the_corpus(mixed: str) -> None:
    seeds = run("search", "Состоялся", "--corpus", "seeds", "--data", mixed, "--json", "--fields", "id")
    web = run("search", "Состоялся", "--corpus", "public-record", "--data", mixed, "--json", "--fields", "id")
    assert json.loads(seeds[1]) == []
    assert json.loads(web[1]) == [{"id": "2024-08-05-presidents-telephone-call"}]


def test_an_unknown_corpus_is_refused_as_other_closed_vocabularies_are_with_suggestions(mixed: str) -> None:
    code, out, err = run("list", "--corpus", "seed", "--data", mixed)
    assert (code, out) == (2, "")
    assert "no corpus 'seed'; did you mean 'seeds'? (choose from seeds, public-record)" in err


def test_a_corpus_is_named_in_any_case_with_spaces_hyphens_or_underscores(mixed: str) -> None:
    exact = run("list", "--corpus", "public-record", "--data", mixed, "--json")
    loose = run("list", "--corpus", "Public_Record", "--data", mixed, "--json")
    assert exact[0] == 0
    assert loose == exact


@pytest.mark.parametrize(
    "command",
    [
        ["list"],
        ["search", "visit"],
        ["show", "2024-08-05"],
        ["actors"],
        ["sources"],
        ["stats"],
        ["plans"],
        ["chart"],
        ["coverage"],
        ["extract", "tm-2024-08-06-phone-call"],
        ["sources", "show", "tm-2024-08-06-phone-call"],
    ],
)
def test_every_data_command_takes_corpus(mixed: str, command: list[str]) -> None:
    code, _, err = run(*command, "--corpus", "seeds", "--data", mixed)
    assert code == 0, err


SHIPPED = str(Path(__file__).resolve().parent.parent / "data" / "events.yaml")


@pytest.mark.parametrize(("command", "golden"), GOLDEN_RUNS, ids=[golden for _, golden in GOLDEN_RUNS])
def test_the_shipped_data_told_by_the_seeds_alone_is_the_five_article_timeline(command: list[str], golden: str) -> None:
    code, out, err = run(*command, "--corpus", "seeds", "--data", SHIPPED)
    assert (code, err) == (0, ""), err
    assert out == (GOLDEN / golden).read_text(encoding="utf-8")
