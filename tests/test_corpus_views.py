"""How one corpus alone tells an event or an actor (``in_corpus``), and a plan's outcome searched for and not found
(``no_outcome_found``): the data's rules for them, and what --corpus shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.errors import DataError
from kztm_timeline.load import load_dataset

from .conftest import EditData

runner = CliRunner()
VIEW = "    in_corpus:\n      seeds:\n        id: c1993-diplomatic-relations\n        date: 1993~\n"


def problems(path: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_dataset(str(path))
    return [str(problem) for problem in caught.value.problems]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_view_names_a_corpus_the_sources_belong_to(edited: EditData) -> None:
    path = edited(VIEW, VIEW.replace("      seeds:\n", "      seed:\n"))
    assert any("in_corpus names 'seed', which no source belongs to; did you mean 'seeds'?" in found for found in problems(path))


def test_a_views_id_is_one_the_event_had(edited: EditData) -> None:
    path = edited(VIEW, VIEW.replace("id: c1993-diplomatic-relations", "id: c1994-diplomatic-relations"))
    assert any("the id 'c1994-diplomatic-relations' of the view is neither the event's nor one of its aliases" in found
               for found in problems(path))  # fmt: skip


def test_a_views_date_is_held_to_its_own_corpuss_evidence(edited: EditData) -> None:
    path = edited(VIEW, VIEW.replace("date: 1993~", "date: 1993-05-01"))
    code, _, err = run("validate", "--data", str(path))
    assert code == 1
    assert "1992-10-05-diplomatic-relations: as the corpus seeds tells it: the date 1993-05-01 names a day" in err


def test_no_outcome_found_belongs_to_a_planned_event(edited: EditData) -> None:
    path = edited(
        "    evidence: quoted\n    title: Strategic Partnership Agreement signed\n",
        "    evidence: quoted\n    title: Strategic Partnership Agreement signed\n"
        "    no_outcome_found: {as_of: 2026-12-02, corpus: public-record, note: Nothing.}\n",
    )
    assert any("no_outcome_found belongs to a planned event" in found for found in problems(path))


def test_no_outcome_found_is_as_of_one_day(edited: EditData) -> None:
    path = edited("      as_of: 2026-12-02\n      corpus: public-record\n      note: >-\n        No report that this",
                  "      as_of: 2026-12\n      corpus: public-record\n      note: >-\n        No report that this")  # fmt: skip
    assert any("as_of '2026-12' is not one day; write the day it was searched: YYYY-MM-DD" in found for found in problems(path))


def test_the_whole_record_shows_the_best_date_and_the_seeds_their_own() -> None:
    _, whole, _ = run("show", "1992-10-05-diplomatic-relations", "--json", "--fields", "id,date")
    _, seeds, _ = run("show", "1992-10-05-diplomatic-relations", "--corpus", "seeds", "--json", "--fields", "id,date")
    assert (json.loads(whole), json.loads(seeds)) == (
        {"id": "1992-10-05-diplomatic-relations", "date": "1992-10-05"},
        {"id": "c1993-diplomatic-relations", "date": "1993~"},
    )


def test_a_corpus_lists_only_the_actors_who_take_part_in_its_events() -> None:
    _, seeds, _ = run("actors", "--corpus", "seeds", "--json", "--fields", "id")
    _, whole, _ = run("actors", "--json", "--fields", "id")
    assert (len(json.loads(seeds)), len(json.loads(whole))) == (14, 34)


def test_a_corpus_shows_an_actors_position_as_its_sources_give_it() -> None:
    _, seeds, _ = run("actors", "--corpus", "seeds", "--json", "--fields", "id,positions")
    _, whole, _ = run("actors", "--json", "--fields", "id,positions")
    span = {item["id"]: item["positions"][0]["span"] for item in json.loads(seeds) if item["id"] == "nurtleu"}
    assert span == {"nurtleu": "2023-10-31"}
    assert [item["positions"][0]["span"] for item in json.loads(whole) if item["id"] == "nurtleu"] == ["2023-10-30/2024-05-27"]


def test_an_old_id_under_its_own_corpus_gives_no_renaming_notice() -> None:
    code, _, err = run("show", "c1993-diplomatic-relations", "--corpus", "seeds")
    assert (code, err) == (0, "")
