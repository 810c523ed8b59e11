"""How one corpus alone tells an event or an actor (``in_corpus``), and a plan's outcome searched for and not found
(``no_outcome_found``): the data's rules for them, and what --corpus shows."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.errors import DataError
from kztm_timeline.load import load_dataset

from .conftest import ROOT

runner = CliRunner()
SHIPPED = str(ROOT / "data" / "events.yaml")
VIEW = "    in_corpus:\n      seeds:\n        id: c1993-diplomatic-relations\n        date: 1993~\n"


@pytest.fixture
def edited(tmp_path: Path) -> Callable[[str, str], Path]:
    """Replace one exact snippet of a copy of the shipped data (the public record and the seeds)."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")

    def edit(old: str, new: str) -> Path:
        path = tmp_path / "data" / "events.yaml"
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"snippet must occur once: {old!r}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path

    return edit


def problems(path: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_dataset(str(path))
    return [str(problem) for problem in caught.value.problems]


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_a_view_names_a_corpus_the_sources_belong_to(edited: Callable[[str, str], Path]) -> None:
    path = edited(VIEW, VIEW.replace("      seeds:\n", "      seed:\n"))
    assert any("in_corpus names 'seed', which no source belongs to; did you mean 'seeds'?" in found for found in problems(path))


def test_a_views_id_is_one_the_event_had(edited: Callable[[str, str], Path]) -> None:
    path = edited(VIEW, VIEW.replace("id: c1993-diplomatic-relations", "id: c1994-diplomatic-relations"))
    assert any("the id 'c1994-diplomatic-relations' of the view is neither the event's nor one of its aliases" in found
               for found in problems(path))  # fmt: skip


def test_a_views_date_is_held_to_its_own_corpuss_evidence(edited: Callable[[str, str], Path]) -> None:
    path = edited(VIEW, VIEW.replace("date: 1993~", "date: 1993-05-01"))
    code, _, err = run("validate", "--data", str(path))
    assert code == 1
    assert "1992-10-05-diplomatic-relations: as the corpus seeds tells it: the date 1993-05-01 names a day" in err


def test_no_outcome_found_belongs_to_a_planned_event(edited: Callable[[str, str], Path]) -> None:
    path = edited(
        "    evidence: quoted\n    title: Strategic Partnership Agreement signed\n",
        "    evidence: quoted\n    title: Strategic Partnership Agreement signed\n"
        "    no_outcome_found: {as_of: 2026-12-02, corpus: public-record, note: Nothing.}\n",
    )
    assert any("no_outcome_found belongs to a planned event" in found for found in problems(path))


def test_no_outcome_found_is_as_of_one_day(edited: Callable[[str, str], Path]) -> None:
    path = edited("      as_of: 2026-12-02\n      corpus: public-record\n      note: >-\n        No report that this",
                  "      as_of: 2026-12\n      corpus: public-record\n      note: >-\n        No report that this")  # fmt: skip
    assert any("as_of '2026-12' is not one day; write the day it was searched: YYYY-MM-DD" in found for found in problems(path))


def test_the_whole_record_shows_the_best_date_and_the_seeds_their_own() -> None:
    event = "1992-10-05-diplomatic-relations"
    _, whole, _ = run("--data", SHIPPED, "show", event, "--json", "--fields", "id,date")
    _, seeds, _ = run("--data", SHIPPED, "show", event, "--corpus", "seeds", "--json", "--fields", "id,date")
    assert (json.loads(whole), json.loads(seeds)) == (
        {"id": "1992-10-05-diplomatic-relations", "date": "1992-10-05"},
        {"id": "c1993-diplomatic-relations", "date": "1993~"},
    )


def test_a_corpus_lists_only_the_actors_who_take_part_in_its_events() -> None:
    _, seeds, _ = run("--data", SHIPPED, "actors", "--corpus", "seeds", "--json", "--fields", "id")
    _, whole, _ = run("--data", SHIPPED, "actors", "--json", "--fields", "id")
    assert (len(json.loads(seeds)), len(json.loads(whole))) == (14, 34)


def test_a_corpus_shows_an_actors_position_as_its_sources_give_it() -> None:
    _, seeds, _ = run("--data", SHIPPED, "actors", "--corpus", "seeds", "--json", "--fields", "id,positions")
    _, whole, _ = run("--data", SHIPPED, "actors", "--json", "--fields", "id,positions")
    span = {item["id"]: item["positions"][0]["span"] for item in json.loads(seeds) if item["id"] == "nurtleu"}
    assert span == {"nurtleu": "2023-10-31"}
    assert [item["positions"][0]["span"] for item in json.loads(whole) if item["id"] == "nurtleu"] == ["2023-10-30/2024-05-27"]


def test_an_old_id_under_its_own_corpus_gives_no_renaming_notice() -> None:
    code, _, err = run("--data", SHIPPED, "show", "c1993-diplomatic-relations", "--corpus", "seeds")
    assert (code, err) == (0, "")



def test_no_plan_of_2023_or_2024_is_plainly_open_in_december_2026() -> None:
    _, out, _ = run("plans", "--as-of", "2026-12-02", "--json", "--data", SHIPPED)
    plans = json.loads(out)
    plain = [plan["id"] for plan in plans if plan["date"][:4] in ("2023", "2024") and plan["state"] == "open"]
    assert (len(plans), plain) == (11, [])


def test_a_plan_whose_outcome_was_searched_for_and_not_found_says_so() -> None:
    _, out, _ = run("show", "2023-10-plan-business-council", "--data", SHIPPED, env={"COLUMNS": "200"})
    assert "Plan          overdue: no outcome found in corpus public-record as of 2 Dec 2026 (due 31 Oct 2024:" in out


def test_the_plans_json_carries_the_search_for_an_outcome() -> None:
    _, out, _ = run("plans", "--json", "--fields", "id,no_outcome_found", "--data", SHIPPED)
    found = {plan["id"]: plan["no_outcome_found"] for plan in json.loads(out)}
    assert found["2024-inter-parliamentary-group-meeting"]["as_of"] == "2026-12-02"
    assert found["2024-consultative-meeting-astana"] is None


def test_the_public_record_fulfils_the_plans_it_has_an_outcome_for() -> None:
    _, out, _ = run("plans", "--as-of", "2026-12-02", "--json", "--data", SHIPPED)
    states = {plan["id"]: plan["state"] for plan in json.loads(out)}
    assert {key: states[key] for key in ("2024-consultative-meeting-astana", "2024-central-asia-japan-summit-astana",
                                         "abai-sculpture-ashgabat", "2024-magtymguly-300th-anniversary-events")} == {
        "2024-consultative-meeting-astana": "fulfilled",
        "2024-central-asia-japan-summit-astana": "cancelled",
        "abai-sculpture-ashgabat": "fulfilled",
        "2024-magtymguly-300th-anniversary-events": "fulfilled",
    }  # fmt: skip


def test_the_shipped_data_is_valid_and_reaches_from_1992_to_2025() -> None:
    code, out, _ = run("validate", "--data", SHIPPED)
    assert (code, out.split(";")[0].split(": ")[-1]) == (0, "100 events, 34 actors, 180 sources")
    _, listed, _ = run("list", "--json", "--fields", "date", "--data", SHIPPED)
    dates = [event["date"] for event in json.loads(listed)]
    assert (min(d for d in dates if d[0].isdigit())[:4], max(dates)[:4]) == ("1992", "2025")
