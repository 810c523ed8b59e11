"""The terminal habits users bring from gh, git, khal, jrnl and sqlite-utils: global options anywhere,
colour and paging by the conventions, one output model for every command, widths, dates, editing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kztm_timeline.cli import app, color_wanted, pager_command

from .conftest import DATA

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def at_terminal(*args: str, env: dict[str, str] | None = None, rows: int = 24, columns: int = 100) -> bytes:
    """Run the tool on a pseudo-terminal of the given size and return what it showed there."""
    script = (
        "import fcntl, os, pty, struct, sys, termios\n"
        "pid, fd = pty.fork()\n"
        "if pid == 0:\n"
        f"    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', {rows}, {columns}, 0, 0))\n"
        "    os.execv(sys.executable, [sys.executable, '-m', 'kztm_timeline', *sys.argv[1:]])\n"
        "out = b''\n"
        "while True:\n"
        "    try:\n"
        "        chunk = os.read(fd, 65536)\n"
        "    except OSError:\n"
        "        break\n"
        "    if not chunk:\n"
        "        break\n"
        "    out += chunk\n"
        "os.waitpid(pid, 0)\n"
        "sys.stdout.buffer.write(out)\n"
    )
    environ = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR", "PAGER")}
    environ.update({"TERM": "xterm-256color", **(env or {})})
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, check=True, env=environ).stdout


# ---------------------------------------------------------------- global options before or after the command


def test_data_may_come_before_the_command() -> None:
    code, out, _ = run("--data", str(DATA), "list", "--year", "2017", "--json")
    assert code == 0
    assert [event["id"] for event in json.loads(out)][-1] == "2017-04-strategic-partnership-agreement"


@pytest.mark.parametrize("option", ["--no-cache", "--verbose", "--debug", "--no-pager", "--color=never"])
def test_a_global_option_works_after_the_command_too(option: str) -> None:
    code, out, err = run("list", "--year", "2017", "--json", option)
    assert (code, err) == (0, "")
    assert json.loads(out)[-1]["id"] == "2017-04-strategic-partnership-agreement"


def test_no_cache_after_the_command_writes_no_cache(private_cache: Path) -> None:
    run("list", "--no-cache", "--json")
    assert not private_cache.exists()


# ---------------------------------------------------------------- colour


@pytest.mark.parametrize(
    ("mode", "environ", "terminal", "expected"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("auto", {"FORCE_COLOR": "0"}, False, False),
        ("auto", {"CLICOLOR_FORCE": "1"}, False, True),
        ("auto", {"CLICOLOR": "0"}, True, False),
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
        ("always", {"NO_COLOR": "1"}, False, True),
        ("never", {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_colour_follows_the_flag_then_no_color_then_force_color_then_the_terminal(
    mode: str, environ: dict[str, str], terminal: bool, expected: bool
) -> None:
    assert color_wanted(mode, environ, terminal=terminal) is expected


def test_color_always_keeps_colour_through_a_pipe() -> None:
    code, out, _ = run("list", "--year", "2017", "--color", "always")
    assert code == 0
    assert "\x1b[" in out


def test_force_color_keeps_colour_through_a_pipe() -> None:
    code, out, _ = run("list", "--year", "2017", env={"FORCE_COLOR": "1"})
    assert code == 0
    assert "\x1b[" in out


def test_a_bad_color_value_is_a_usage_error() -> None:
    code, _, err = run("list", "--color", "sometimes")
    assert code == 2
    assert "'sometimes' is not one of 'auto', 'always', 'never'" in err


# ---------------------------------------------------------------- pager


def test_long_output_at_a_terminal_goes_through_timeline_pager(tmp_path: Path) -> None:
    record = tmp_path / "paged.txt"
    shown = at_terminal("list", env={"TIMELINE_PAGER": f"cat > {record}", "PAGER": "false"}, rows=10)
    assert "2017-04-strategic-partnership-agreement" in record.read_text(encoding="utf-8")
    assert b"2017-04-strategic-partnership-agreement" not in shown


def test_pager_falls_back_to_dollar_pager() -> None:
    assert pager_command({"PAGER": "most"}) == "most"


def test_pager_defaults_to_less() -> None:
    assert pager_command({}) == "less"


@pytest.mark.parametrize("value", ["", "cat"])
def test_an_empty_or_cat_pager_means_no_pager(value: str) -> None:
    assert pager_command({"TIMELINE_PAGER": value, "PAGER": "less"}) is None


def test_no_pager_prints_straight_to_the_terminal(tmp_path: Path) -> None:
    record = tmp_path / "paged.txt"
    shown = at_terminal("list", "--no-pager", env={"TIMELINE_PAGER": f"cat > {record}"}, rows=10)
    assert not record.exists()
    assert b"2017-04-strategic-partnership-agreement" in shown


def test_output_that_fits_the_screen_is_not_paged(tmp_path: Path) -> None:
    record = tmp_path / "paged.txt"
    shown = at_terminal("show", "2017-04", env={"TIMELINE_PAGER": f"cat > {record}"}, rows=200)
    assert not record.exists()
    assert b"2017-04-strategic-partnership-agreement" in shown


def test_the_pager_gets_colour_when_the_terminal_would(tmp_path: Path) -> None:
    record = tmp_path / "paged.txt"
    at_terminal("list", env={"TIMELINE_PAGER": f"cat > {record}"}, rows=10)
    assert "\x1b[" in record.read_text(encoding="utf-8")
