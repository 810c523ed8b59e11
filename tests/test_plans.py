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
    assert states("--as-of", "2025-06-30") == {
        "2023-10-plan-business-council": "overdue",  # open at its end: due twelve months after Oct 2023
        "2023-10-plan-business-delegations": "overdue",
        "2023-10-plan-days-of-culture": "overdue",
        "2023-10-plan-interuniversity-contacts": "overdue",
        "2023-10-plan-trade-working-group": "overdue",
        "2024-inter-parliamentary-group-meeting": "overdue",
        "2024-magtymguly-300th-anniversary-events": "overdue",
        "2024-central-asia-japan-summit-astana": "open",  # due on 6 Aug 2025
        "2024-consultative-meeting-astana": "open",
        "abai-sculpture-ashgabat": "open",
    }


def dues(*args: str) -> dict[str, str]:
    result = runner.invoke(app, ["plans", "--json", *args])
    return {plan["id"]: plan["due"] for plan in json.loads(result.stdout)}


def test_a_plan_whose_words_date_it_falls_due_when_that_date_ends() -> None:
    # "next year", said on 31 October 2023: the plan is dated 2024, and due by its last day
    assert dues()["2024-inter-parliamentary-group-meeting"] == "2024-12-31"


def test_a_plan_open_at_its_end_falls_due_twelve_months_after_it_was_announced() -> None:
    assert dues()["abai-sculpture-ashgabat"] == "2025-08-06"  # 2024-08-06/..
    assert dues()["2023-10-plan-business-council"] == "2024-10-31"  # 2023-10/..: announced by 31 October 2023


def test_a_plan_open_at_its_end_becomes_overdue_the_day_after_it_falls_due() -> None:
    assert states("--as-of", "2025-08-06")["abai-sculpture-ashgabat"] == "open"
    assert states("--as-of", "2025-08-07")["abai-sculpture-ashgabat"] == "overdue"


def test_plans_show_an_overdue_plan_as_no_outcome_recorded_since_its_due_date() -> None:
    result = runner.invoke(app, ["plans", "--as-of", "2025-01-01", "--kind", "parliamentary_meeting"], env={"COLUMNS": "160"})
    assert "no outcome recorded since 31 Dec 2024" in result.stdout


def test_show_says_when_a_plan_fell_due_and_that_no_outcome_is_recorded() -> None:
    result = runner.invoke(app, ["show", "abai-sculpture-ashgabat"], env={"COLUMNS": "100", "SOURCE_DATE_EPOCH": "1767225600"})
    shown = " ".join(result.stdout.split())
    assert "Plan overdue: no outcome recorded since 6 Aug 2025 (due twelve months after it was announced, 6 Aug 2024)" in shown


def test_show_says_when_an_open_plan_falls_due() -> None:
    result = runner.invoke(app, ["show", "abai-sculpture-ashgabat"], env={"COLUMNS": "100", "SOURCE_DATE_EPOCH": "1735689600"})
    assert "Plan open: due by 6 Aug 2025 (twelve months after it was announced, 6 Aug 2024)" in " ".join(result.stdout.split())


def test_the_help_of_as_of_says_today_without_a_frozen_date() -> None:
    for command in ("plans", "validate"):
        help_text = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout
        assert "instead of today." in help_text
        assert "2024-12-31" not in help_text


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
    result = runner.invoke(app, ["validate", "--as-of", "2025-01-01"])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: plan 2023-10-plan-business-council is overdue: no outcome recorded since 2024-10-31",
        "warning: plan 2023-10-plan-business-delegations is overdue: no outcome recorded since 2024-10-31",
        "warning: plan 2023-10-plan-days-of-culture is overdue: no outcome recorded since 2024-10-31",
        "warning: plan 2023-10-plan-interuniversity-contacts is overdue: no outcome recorded since 2024-10-31",
        "warning: plan 2023-10-plan-trade-working-group is overdue: no outcome recorded since 2024-10-31",
        "warning: plan 2024-inter-parliamentary-group-meeting is overdue: no outcome recorded since 2024-12-31",
        "warning: plan 2024-magtymguly-300th-anniversary-events is overdue: no outcome recorded since 2024-12-31",
    ]


def test_validate_strict_makes_overdue_plans_errors() -> None:
    result = runner.invoke(app, ["validate", "--strict", "--as-of", "2026-11-23"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "timeline: 10 overdue plans; record an event that fulfils, cancels or postpones each"
    )


def test_plans_take_the_usual_filters() -> None:
    assert list(states("--kind", "summit", "--as-of", "2026-11-23")) == [
        "2024-central-asia-japan-summit-astana",
        "2024-consultative-meeting-astana",
    ]


def test_the_cache_judges_plans_open_at_their_end_as_a_fresh_parse_does() -> None:
    arguments = ["validate", "--as-of", "2025-08-07"]
    fresh = runner.invoke(app, ["--no-cache", *arguments])
    runner.invoke(app, arguments)  # writes the cache
    warm = runner.invoke(app, arguments)  # answered from the cache alone
    assert "warning: plan abai-sculpture-ashgabat is overdue: no outcome recorded since 2025-08-06" in warm.stderr
    assert (warm.exit_code, warm.stdout, warm.stderr) == (fresh.exit_code, fresh.stdout, fresh.stderr)
