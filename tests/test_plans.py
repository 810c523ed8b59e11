"""Plans and their outcomes: a planned event is open, fulfilled, cancelled, postponed or overdue."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kztm_timeline.cli import app

runner = CliRunner()
FULFILS = [
    "add",
    "--date", "2024-05",
    "--title", "The inter-parliamentary friendship group meets",
    "--kind", "parliamentary_meeting",
    "--status", "happened",
    "--actor", "inter-parliamentary-friendship-group",
    "--summary", "The meeting planned in October 2023 took place.",
    "--source", "trend-2023-10-31",
    "--quote", "a meeting of the Turkmen-Kazakh inter-parliamentary friendship group",
    "--related", "2024-inter-parliamentary-group-meeting:fulfils",
]  # fmt: skip


def states(*args: str) -> dict[str, str]:
    result = runner.invoke(app, ["plans", "--json", *args])
    assert result.exit_code == 0, result.stderr
    return {plan["id"]: plan["state"] for plan in json.loads(result.stdout)}


def test_plans_lists_every_planned_event_of_the_shipped_data_with_its_state() -> None:
    assert states("--as-of", "2026-11-23") == {
        "2023-10-plan-business-council": "open",  # open at its end: never overdue
        "2023-10-plan-business-delegations": "open",
        "2023-10-plan-days-of-culture": "open",
        "2023-10-plan-interuniversity-contacts": "open",
        "2023-10-plan-trade-working-group": "open",
        "2024-inter-parliamentary-group-meeting": "overdue",
        "2024-magtymguly-300th-anniversary-events": "overdue",
        "2024-central-asia-japan-summit-astana": "open",
        "2024-consultative-meeting-astana": "open",
        "abai-sculpture-ashgabat": "open",
    }


def test_a_plan_is_open_until_its_latest_possible_day_has_passed() -> None:
    assert states("--as-of", "2024-12-31")["2024-inter-parliamentary-group-meeting"] == "open"
    assert states("--as-of", "2025-01-01")["2024-inter-parliamentary-group-meeting"] == "overdue"


def test_an_event_that_fulfils_a_plan_closes_it(workdir: Path) -> None:
    data = str(workdir / "data" / "events.yaml")
    added = runner.invoke(app, [*FULFILS, "--data", data])
    assert added.exit_code == 0, added.stderr
    result = runner.invoke(app, ["plans", "--json", "--data", data, "--as-of", "2026-11-23"])
    plan = next(plan for plan in json.loads(result.stdout) if plan["id"] == "2024-inter-parliamentary-group-meeting")
    assert (plan["state"], plan["outcomes"]) == (
        "fulfilled",
        [{"id": "2024-05-the-inter-parliamentary-friendship-group-meets", "relation": "fulfils"}],
    )


def test_an_outcome_must_point_at_a_planned_event(workdir: Path) -> None:
    data = str(workdir / "data" / "events.yaml")
    bad = [*FULFILS[:-1], "2021-10-tokayev-state-visit:fulfils"]
    result = runner.invoke(app, [*bad, "--data", data])
    assert result.exit_code == 1
    assert "fulfils names '2021-10-tokayev-state-visit', which is not a planned event" in result.stderr


def test_validate_warns_of_overdue_plans_and_still_exits_0() -> None:
    result = runner.invoke(app, ["validate", "--as-of", "2026-11-23"])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: plan 2024-inter-parliamentary-group-meeting is overdue: due by 2024-12-31, no outcome recorded",
        "warning: plan 2024-magtymguly-300th-anniversary-events is overdue: due by 2024-12-31, no outcome recorded",
    ]


def test_validate_strict_makes_overdue_plans_errors() -> None:
    result = runner.invoke(app, ["validate", "--strict", "--as-of", "2026-11-23"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "timeline: 2 overdue plans; record an event that fulfils, cancels or postpones each"
    )


def test_plans_take_the_usual_filters() -> None:
    assert list(states("--kind", "summit", "--as-of", "2026-11-23")) == [
        "2024-central-asia-japan-summit-astana",
        "2024-consultative-meeting-astana",
    ]
