"""Ids that state only what is true: a renamed event keeps its old ids in ``aliases``, and ``show``, links
(``related``) and scripts that use an old id keep working, with a notice naming the new id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kztm_timeline.cli import app

from .webdata import replaced, seeds_copy

runner = CliRunner()
OLD = "2023-10-31-foreign-ministers-talks"
NEW = "2023-10-foreign-ministers-talks"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def renamed(tmp_path: Path) -> Path:
    """The talks of October 2023 renamed (the data dates them 2023-10?, not the 31st); eight events still
    link to the old id."""
    return replaced(seeds_copy(tmp_path), f"  - id: {OLD}\n", f"  - id: {NEW}\n    aliases: [{OLD}]\n")


def test_show_old_id_shows_the_renamed_event_with_a_notice(renamed: Path) -> None:
    code, out, err = run("show", OLD, "--data", str(renamed))
    assert code == 0
    assert err == f"note: '{OLD}' is an old id of {NEW}; use the new one\n"
    assert out == run("show", NEW, "--data", str(renamed))[1]


def test_show_old_id_json_gives_the_new_id(renamed: Path) -> None:
    code, out, _ = run("show", OLD, "--data", str(renamed), "--json")
    assert code == 0
    assert json.loads(out)["id"] == NEW


def test_show_names_the_old_ids(renamed: Path) -> None:
    code, out, _ = run("show", NEW, "--data", str(renamed))
    assert code == 0
    assert f"Formerly      {OLD}\n" in out


def test_a_link_to_an_old_id_points_at_the_renamed_event(renamed: Path) -> None:
    code, out, _ = run("show", "2024-magtymguly-300th-anniversary-events", "--data", str(renamed), "--json")
    assert code == 0
    assert json.loads(out)["related"] == [{"id": NEW, "relation": "follows_up"}]


def test_the_renamed_event_is_referenced_by_the_links_to_its_old_id(renamed: Path) -> None:
    code, out, _ = run("show", NEW, "--data", str(renamed), "--json")
    assert code == 0
    assert len(json.loads(out)["referenced_by"]) == 8


def test_validate_warns_of_each_link_to_an_old_id_and_passes(renamed: Path) -> None:
    code, out, err = run("validate", "--data", str(renamed), "--as-of", "2024-01-01")
    assert code == 0, err
    warnings = [line for line in err.splitlines() if "old id" in line]
    assert len(warnings) == 8
    assert warnings[0] == (
        f"warning: 2023-10-31-mfa-cooperation-programme links to '{OLD}', an old id of {NEW}; write the new id"
    )
    assert out.endswith("26 events, 14 actors, 5 sources; 34 quotes verified\n")


def test_validate_warns_of_old_ids_when_the_cache_answers_too(renamed: Path) -> None:
    cold = run("validate", "--data", str(renamed), "--as-of", "2024-01-01")
    warm = run("validate", "--data", str(renamed), "--as-of", "2024-01-01")
    assert cold == warm


def test_the_cache_gives_the_same_events_as_a_fresh_parse(renamed: Path) -> None:
    first = run("list", "--data", str(renamed), "--json")
    cached = run("list", "--data", str(renamed), "--json")
    plain = run("list", "--data", str(renamed), "--json", "--no-cache")
    assert first == cached == plain
    assert f'"id": "{OLD}"' not in plain[1]


def test_an_outcome_may_name_a_plan_by_its_old_id(tmp_path: Path) -> None:
    plan = "2024-magtymguly-300th-anniversary-events"
    new = "2024-magtymguly-300th-anniversary"
    path = replaced(seeds_copy(tmp_path), f"  - id: {plan}\n", f"  - id: {new}\n    aliases: [{plan}]\n")
    link = "      - {event: 2024-07-gurbanguly-berdimuhamedov-astana-visit, relation: part_of}\n"
    replaced(path, link + "\n  - id: 2024-08-05", link + f"      - {{event: {plan}, relation: fulfils}}\n\n  - id: 2024-08-05")
    code, out, err = run("plans", "--data", str(path), "--as-of", "2026-12-02", "--json")
    assert code == 0, err
    states = {item["id"]: item["state"] for item in json.loads(out)}
    assert states[new] == "fulfilled"


def test_an_old_id_may_not_be_another_events_id(renamed: Path) -> None:
    path = replaced(renamed, f"    aliases: [{OLD}]\n", f"    aliases: [{OLD}, 2017-04-strategic-partnership-agreement]\n")
    code, _, err = run("validate", "--data", str(path), "--no-cache")
    assert code == 1
    assert "old id '2017-04-strategic-partnership-agreement' is the id of another event" in err


def test_an_old_id_belongs_to_one_event(renamed: Path) -> None:
    agreement = "  - id: 2017-04-strategic-partnership-agreement\n"
    path = replaced(renamed, agreement, agreement + f"    aliases: [{OLD}]\n")
    code, _, err = run("validate", "--data", str(path), "--no-cache")
    assert code == 1
    assert f"old id '{OLD}' is claimed by two events (2017-04-strategic-partnership-agreement first)" in err


def test_an_old_id_is_a_slug(renamed: Path) -> None:
    path = replaced(renamed, f"    aliases: [{OLD}]\n", f"    aliases: [{OLD}, Old Id]\n")
    code, _, err = run("validate", "--data", str(path), "--no-cache")
    assert code == 1
    assert "aliases item 'Old Id' is not a slug" in err


def test_add_writes_a_link_to_an_old_id_with_the_new_id(renamed: Path) -> None:
    code, out, err = run(
        "add", "--dry-run", "--date", "2023-11", "--title", "A follow-up", "--kind", "talks", "--status", "happened",
        "--actor", "kazakhstan", "--summary", "Talks went on.", "--source", "trend-2023-10-31",
        "--quote", "A cooperation program was signed", "--related", f"{OLD}:follows_up", "--data", str(renamed),
    )  # fmt: skip
    assert code == 0, err
    assert f"      - {{event: {NEW}, relation: follows_up}}\n" in out
