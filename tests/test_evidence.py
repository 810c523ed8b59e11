"""Dates as checkable as quotes: validate fails where a date says more than its evidence allows."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kztm_timeline.cli import app

from .conftest import EditData, line_of

runner = CliRunner()


def validate(path: object, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", "--data", str(path), "--as-of", "2024-10-31", *extra])
    return result.exit_code, result.stderr


def test_the_shipped_data_passes_the_evidence_checks_even_strictly() -> None:
    code, err = validate("data/events.yaml", "--strict")
    assert code == 0, err
    assert err.count("inferred: ") == 36


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  - id: 2021-10-tokayev-state-visit\n    date: 2021-10\n",
            "  - id: 2021-10-tokayev-state-visit\n    date: 2021-10-05\n",
            "2021-10-tokayev-state-visit: the date 2021-10-05 says more than its quotes do ('October 2021' = 2021-10",
        ),
        (
            "  - id: 2024-07-04-magtymguly-monument-astana\n    date: 2024-07-04\n",
            "  - id: 2024-07-04-magtymguly-monument-astana\n    date: 2023-07-04\n",
            "the date 2023-07-04 says more than its quotes do ('July 4' = 2024-07-04)",
        ),
        (
            "  - id: 2023-10-31-mfa-cooperation-programme\n    date: 2023-10?\n",
            '  - id: 2023-10-31-mfa-cooperation-programme\n    date: "2023-10-31"\n',
            "2023-10-31-mfa-cooperation-programme: the date 2023-10-31 is the article's own date, not the event's",
        ),
        (
            "  - id: 2023-10-nurtleu-official-visit\n    date: 2023-10\n",
            "  - id: 2023-10-nurtleu-official-visit\n    date: 2023-11\n",
            "reported as done by 2023-10-31, but dated 2023-11, which runs later",
        ),
        (
            "  - id: 2024-consultative-meeting-astana\n    date: 2024-08-06/..\n",
            '  - id: 2024-consultative-meeting-astana\n    date: "2024"\n',
            "a plan announced on 2024-08-06 cannot begin before it (2024)",
        ),
    ],
)
def test_a_date_more_precise_than_its_evidence_fails_at_its_line(edited: EditData, old: str, new: str, message: str) -> None:
    path = edited(old, new)
    code, err = validate(path)
    assert code == 1
    line = line_of(path, new.splitlines()[0]) + 1  # the event's date: the line after its id
    assert f"{path}:{line}:11: " in err
    assert message in err


def test_an_inferred_date_cannot_name_a_plain_day(edited: EditData) -> None:
    event = "  - id: c1993-diplomatic-relations\n"
    path = edited(event + "    date: 1993~\n", event + "    date: 1993-05-01\n")
    code, err = validate(path)
    assert code == 1
    line = line_of(path, "  - id: c1993-diplomatic-relations") + 1
    assert f"{path}:{line}:11: c1993-diplomatic-relations: the date 1993-05-01 names a day, which an inference cannot give" in err


def test_an_inferred_date_needs_a_note(edited: EditData) -> None:
    path = edited(
        "    note: The article gives no date; dated to the month of the visit it was part of.\n",
        "",
    )
    code, err = validate(path)
    assert code == 1
    assert "2023-10-nurtleu-wreath-laying: evidence: inferred, but no note says how" in err


def test_strict_refuses_an_event_that_does_not_say_its_evidence(edited: EditData) -> None:
    path = edited("    evidence: quoted\n    title: Strategic", "    title: Strategic")
    assert validate(path)[0] == 0
    code, err = validate(path, "--strict")
    assert code == 1
    assert "2017-04-strategic-partnership-agreement does not say where its date comes from" in err


def test_evidence_problems_are_placed_without_a_node_tree_of_the_file(edited: EditData, monkeypatch: pytest.MonkeyPatch) -> None:
    from kztm_timeline.datafile import yaml_read

    event = "  - id: c1993-diplomatic-relations\n"
    path = edited(event + "    date: 1993~\n", event + "    date: 1993-05-01\n")
    monkeypatch.setattr(yaml_read.Document, "root", property(lambda _: pytest.fail("a node tree was composed")))
    line = line_of(path, "  - id: c1993-diplomatic-relations") + 1
    for cache in ([], ["--no-cache"]):  # placed as the file streams into the cache, and read back by a second pass
        result = runner.invoke(app, [*cache, "validate", "--data", str(path), "--as-of", "2024-12-31"])
        assert f"{path}:{line}:11: c1993-diplomatic-relations: the date 1993-05-01 names a day" in result.stderr


def test_any_cold_run_keeps_the_verdict_for_validate(edited: EditData, monkeypatch: pytest.MonkeyPatch) -> None:
    from kztm_timeline import evidence

    event = "  - id: c1993-diplomatic-relations\n"
    path = edited(event + "    date: 1993~\n", event + "    date: 1993-05-01\n")
    assert runner.invoke(app, ["list", "--limit", "1", "--data", str(path)]).exit_code == 0
    monkeypatch.setattr(evidence, "evidence_problem", lambda *_: pytest.fail("the verdict was worked out again"))
    code, err = validate(path)
    assert code == 1
    assert "c1993-diplomatic-relations: the date 1993-05-01 names a day" in err
