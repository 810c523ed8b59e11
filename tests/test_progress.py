"""Progress on long work: a bar with its rate and estimate on stderr, at a terminal only, never under --quiet,
and never on stdout. The runs are real (a generated data file, a pseudo-terminal for stderr); the bar's delay
is set to 0 in them, so that a small file shows what a large one shows after a second."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from kztm_timeline.cli import progress

ROOT = Path(__file__).resolve().parent.parent

# Runs the tool as the console script does, with the bar's delay set to ``DELAY`` seconds.
SCRIPT = (
    "import sys\n"
    "from kztm_timeline.cli import progress\n"
    "progress.DELAY = float(sys.argv[1])\n"
    "sys.argv = ['timeline', *sys.argv[2:]]\n"
    "from kztm_timeline.cli import run\n"
    "run()\n"
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid data file of 3,000 events, made by the benchmarks' generator."""
    folder = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "3000", str(folder)], check=True, capture_output=True
    )
    return folder / "data" / "events.yaml"


def timeline(
    *args: str, cache: Path, delay: float = 0.0, terminal: bool = True, columns: int = 100
) -> tuple[int, bytes, bytes]:
    """Run the tool with stdout into a pipe and stderr on a pseudo-terminal (or a pipe); its exit status, its
    stdout, and what stderr showed."""
    environ = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR", "PAGER")}
    environ.update({"TERM": "xterm-256color", "XDG_CACHE_HOME": str(cache), "COLUMNS": str(columns)})
    command = [sys.executable, "-c", SCRIPT, str(delay), *args]
    if not terminal:
        result = subprocess.run(command, capture_output=True, env=environ, check=False, timeout=120)
        return result.returncode, result.stdout, result.stderr
    main, secondary = os.openpty()
    try:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=secondary, env=environ) as process:
            os.close(secondary)
            assert process.stdout is not None
            streams = {main: b"", process.stdout.fileno(): b""}
            open_ = set(streams)
            while open_:  # both at once: a child blocked on a full stdout pipe would never close the terminal
                for ready in select.select(list(open_), [], [], 60)[0]:
                    try:
                        chunk = os.read(ready, 65536)
                    except OSError:  # the terminal closed: the run is over
                        chunk = b""
                    if chunk:
                        streams[ready] += chunk
                    else:
                        open_.discard(ready)
            code = process.wait(timeout=120)
            out, shown = streams[process.stdout.fileno()], streams[main]
    finally:
        os.close(main)
    return code, out, shown


def test_a_first_read_shows_a_bar_with_its_rate_and_estimate_at_a_terminal(generated: Path, tmp_path: Path) -> None:
    code, out, shown = timeline("--data", str(generated), "list", "--limit", "1", "--json", cache=tmp_path)
    assert code == 0
    assert b"reading events.yaml" in shown
    assert b"B/s" in shown  # the rate, in bytes a second
    assert b"eta" in shown
    assert out.startswith(b'[\n{"id": ')


def test_the_bar_never_reaches_stdout(generated: Path, tmp_path: Path) -> None:
    _, out, _ = timeline("--data", str(generated), "list", "--limit", "1", "--json", cache=tmp_path)
    assert b"\x1b" not in out
    assert b"reading" not in out


def test_nothing_is_shown_when_stderr_is_not_a_terminal(generated: Path, tmp_path: Path) -> None:
    code, _, err = timeline("--data", str(generated), "list", "--limit", "1", "--json", cache=tmp_path, terminal=False)
    assert (code, err) == (0, b"")


@pytest.mark.parametrize("where", ["before", "after"])
def test_nothing_is_shown_under_quiet(generated: Path, tmp_path: Path, where: str) -> None:
    arguments = ["--data", str(generated), "list", "--limit", "1", "--json"]
    arguments = ["--quiet", *arguments] if where == "before" else [*arguments, "--quiet"]
    code, _, shown = timeline(*arguments, cache=tmp_path)
    assert (code, shown) == (0, b"")


def test_nothing_is_shown_before_the_delay(generated: Path, tmp_path: Path) -> None:
    code, _, shown = timeline("--data", str(generated), "stats", "--json", cache=tmp_path, delay=600)
    assert (code, shown) == (0, b"")


def test_a_warm_run_shows_nothing(generated: Path, tmp_path: Path) -> None:
    timeline("--data", str(generated), "stats", "--json", cache=tmp_path, terminal=False)  # builds the cache
    code, _, shown = timeline("--data", str(generated), "stats", "--json", cache=tmp_path)
    assert (code, shown) == (0, b"")


def test_an_export_shows_a_bar_counting_events(generated: Path, tmp_path: Path) -> None:
    timeline("--data", str(generated), "stats", "--json", cache=tmp_path, terminal=False)  # builds the cache
    target = tmp_path / "all.ics"
    code, _, shown = timeline("--data", str(generated), "list", "-o", str(target), cache=tmp_path)
    assert code == 0
    assert b"writing all.ics" in shown
    assert target.read_text(encoding="utf-8").count("BEGIN:VEVENT") == 3000


def test_a_stream_into_a_pipe_shows_a_bar_counting_events(generated: Path, tmp_path: Path) -> None:
    timeline("--data", str(generated), "stats", "--json", cache=tmp_path, terminal=False)  # builds the cache
    code, out, shown = timeline("--data", str(generated), "list", "-f", "csv", "--search", "trade", cache=tmp_path)
    assert code == 0
    assert b"writing events" in shown
    assert out.startswith(b"id,")


def test_a_bar_at_a_terminal_is_gone_when_the_run_ends(generated: Path, tmp_path: Path) -> None:
    _, _, shown = timeline("--data", str(generated), "list", "--limit", "1", "--json", cache=tmp_path)
    assert b"\x1b[?25h" in shown  # the cursor shown again
    assert shown.endswith(b"\x1b[1A\x1b[2K")  # and the bar's line erased


# ---------------------------------------------------------------- what the bar says, on a clock of the test's own


def columns_shown(unit: str, total: int | None, done_each_second: int) -> list[str]:
    """The text of the rate and estimate columns after three seconds of ``done_each_second`` a second."""
    clock = [0.0]
    drawn = progress._rich_progress(color=False, get_time=lambda: clock[0])
    task = drawn.add_task("step", total=total, unit=unit)
    for second in range(1, 4):
        clock[0] = float(second)
        drawn.update(task, completed=done_each_second * second)
    return [column(drawn.tasks[0]).plain for column in drawn.columns if type(column).__name__ in ("Rate", "Left")]


def test_a_step_in_events_shows_events_a_second_and_the_time_left() -> None:
    assert columns_shown("events", 3000, 500) == ["500 events/s", "eta 0:00:03"]


def test_a_step_in_bytes_shows_bytes_a_second() -> None:
    assert columns_shown("bytes", 10_000_000, 1_200_000)[0] == "1.2 MB/s"


def test_a_step_of_unknown_size_shows_no_estimate() -> None:
    assert columns_shown("events", None, 500) == ["500 events/s", ""]
