"""With --overlapping, a terminal format lists apart the events that only may fall in the range; the progress bar
counts the events selected and written across both parts (1 in 2021, then 3 that may fall in it, on the shipped data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kztm_timeline.cli import app, browse

runner = CliRunner()


class HeardBar:
    """A progress bar that notes what it is told (the real one draws only at a terminal)."""

    def __init__(self) -> None:
        self.heard: list[tuple[object, ...]] = []
        self.step: tuple[object, ...] = ()

    def begin(self, what: str, total: int | None, unit: str) -> None:
        self.step = ("begin", what, total, unit)
        self.heard.append(self.step)

    def again(self) -> None:
        self.heard.append(self.step)

    def advance(self, done: int) -> None:
        self.heard.append(("advance", done))

    def close(self) -> None:
        self.heard.append(("close",))


def steps(heard: list[tuple[object, ...]]) -> dict[object, list[object]]:
    """Each step begun, and the counts it was told, the last one last."""
    found: dict[object, list[object]] = {}
    current: object = None
    for item in heard:
        if item[0] == "begin":
            current = item[1]
            found.setdefault(current, [])
        elif item[0] == "advance":
            found[current].append(item[1])
    return found


@pytest.fixture
def bar(monkeypatch: pytest.MonkeyPatch) -> HeardBar:
    heard = HeardBar()
    monkeypatch.setattr(browse, "progress_bar", lambda: heard)
    return heard


def test_an_export_with_events_listed_apart_counts_on_across_both_parts(bar: HeardBar, tmp_path: Path) -> None:
    out = tmp_path / "2021.txt"
    result = runner.invoke(app, ["list", "--year", "2021", "--overlapping", "-f", "timeline", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "May also fall in 2021" in out.read_text(encoding="utf-8")
    counts = steps(bar.heard)
    assert counts["selecting events"][-1] == 4
    assert ("begin", "writing 2021.txt", 4, "events") in bar.heard
    assert counts["writing 2021.txt"] == [1, 4]


def test_a_stream_with_events_listed_apart_counts_the_events_written_across_both_parts(bar: HeardBar) -> None:
    result = runner.invoke(app, ["list", "--year", "2021", "--overlapping", "-f", "timeline"])
    assert result.exit_code == 0, result.stderr
    assert "May also fall in 2021" in result.stdout
    assert steps(bar.heard)["writing events"] == [1, 4]
