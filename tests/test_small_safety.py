"""The smaller promises of issue 27, one rule per test: ``-o`` names refused alike, temporary files swept only
when provably the tool's, quiet signals at any moment, one-line located NUL errors, paths escaped in every
message, the right hint for a directory, and no editor started where none can run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.datafile import fs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SMALL = HERE / "fixtures" / "small"
runner = CliRunner()


def timeline(*args: str, env: dict[str, str] | None = None, **options: object) -> subprocess.CompletedProcess[bytes]:
    settings: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "timeout": 60, **options}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]  # keywords passed through as given
        [sys.executable, "-m", "kztm_timeline", *args], check=False, env={**os.environ, **(env or {})}, **settings
    )


@pytest.fixture
def small(tmp_path: Path) -> Path:
    folder = tmp_path / "small"
    shutil.copytree(SMALL, folder)
    return folder / "events.yaml"


# ---------------------------------------------------------------- -o names


@pytest.mark.parametrize("fmt", ["json", "csv", "jsonl", "table", "markdown", "ics", "html"])
def test_o_naming_a_file_as_a_folder_is_refused_alike_for_every_format(tmp_path: Path, fmt: str) -> None:
    afile = tmp_path / "afile"
    afile.write_text("keep\n")
    result = runner.invoke(app, ["list", "--year", "2017", "-f", fmt, "-o", f"{afile}/"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"timeline: refusing to write {afile}/: {afile} is a file, not a folder; name a folder, or drop the / to name the file\n"
    )
    assert afile.read_text() == "keep\n"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "table"])
def test_o_naming_a_missing_folder_is_refused_for_a_format_that_writes_one_file(tmp_path: Path, fmt: str) -> None:
    # (a folder gets the table as CSV with its datapackage.json: another format named with one is a usage error)
    result = runner.invoke(app, ["list", "--year", "2017", "-f", fmt, "-o", f"{tmp_path}/new/"])
    assert result.exit_code == 2
    said = f"is a folder, which gets the table as CSV and its datapackage.json; drop -f {fmt}, or name a file\n"
    assert result.stderr.endswith(said)
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("command", [["list"], ["stats"], ["actors"], ["chart"], ["extract", "tm-2024-08-06-phone-call"]])
def test_o_with_an_empty_name_says_so(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "-o", ""])
    assert result.exit_code == 2
    said = "'' is an empty name, which names no file; name a file, or - for stdout"
    assert result.stderr.endswith(f"Error: Invalid value for '--output' / '-o': {said}\n")


# ---------------------------------------------------------------- temporary files


def _dead_pid() -> int:
    probe = subprocess.Popen(["true"])
    probe.wait()
    return probe.pid


def test_a_temporary_file_of_this_tool_on_this_host_left_by_a_dead_process_is_swept(tmp_path: Path) -> None:
    stale = tmp_path / fs.temporary_name(_dead_pid())
    stale.write_bytes(b"half a file")
    stale.chmod(0o600)
    assert runner.invoke(app, ["list", "--year", "2017", "-f", "csv", "-o", str(tmp_path / "out.csv")]).exit_code == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.csv"]


def test_a_file_named_like_an_old_temporary_is_never_swept(tmp_path: Path) -> None:
    users = tmp_path / f".timeline-{_dead_pid()}-abc123.tmp"  # the name alone proves nothing: a user's own file
    users.write_text("mine")
    assert runner.invoke(app, ["list", "--year", "2017", "-f", "csv", "-o", str(tmp_path / "out.csv")]).exit_code == 0
    assert users.read_text() == "mine"


def test_a_temporary_file_of_another_host_is_never_swept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ours = fs._host_tag
    monkeypatch.setattr(fs, "_host_tag", lambda: "0123abcd")  # as another machine on a shared volume names them
    theirs = tmp_path / fs.temporary_name(_dead_pid())
    monkeypatch.setattr(fs, "_host_tag", ours)  # (not undo(): that would drop the private cache too)
    theirs.write_bytes(b"another machine's half file")
    theirs.chmod(0o600)
    assert runner.invoke(app, ["list", "--year", "2017", "-f", "csv", "-o", str(tmp_path / "out.csv")]).exit_code == 0
    assert theirs.exists()


def test_a_temporary_name_whose_file_was_made_by_someone_else_is_never_swept(tmp_path: Path) -> None:
    named = tmp_path / fs.temporary_name(_dead_pid())
    named.write_bytes(b"not written by the tool: its mode is not the one a temporary file has")
    named.chmod(0o644)
    assert runner.invoke(app, ["list", "--year", "2017", "-f", "csv", "-o", str(tmp_path / "out.csv")]).exit_code == 0
    assert named.exists()


def test_a_temporary_file_names_its_process_and_host() -> None:
    name = fs.temporary_name(4242)
    assert name.startswith(f".timeline-4242-{fs._host_tag()}-")
    assert name.endswith(".tmp")


# ---------------------------------------------------------------- signals


def test_ctrl_c_before_the_tool_is_imported_prints_no_traceback(tmp_path: Path) -> None:
    """The console script makes Ctrl-C quiet before it imports anything (pip's own wrapper imported re first)."""
    script = (ROOT / "bin" / "timeline").read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env python3\n")
    probe = tmp_path / "probe.py"
    # The probe is the script with a Ctrl-C sent to itself just before its first import of the tool.
    marker = "from kztm_timeline.__main__ import main"
    assert marker in script
    probe.write_text(script.replace(marker, "import os\nos.kill(os.getpid(), 2)\nimport time\ntime.sleep(1)\n" + marker))
    result = subprocess.run([sys.executable, str(probe), "list"], capture_output=True, text=True, check=False, timeout=60)
    assert (result.returncode, result.stderr) == (130, "timeline: interrupted\n")


def test_the_installed_command_is_the_quiet_script() -> None:
    installed = Path(sys.executable).parent / "timeline"
    if not installed.exists():
        pytest.skip("no console script beside this interpreter")
    text = installed.read_text(encoding="utf-8")
    assert "import _signal" in text
    assert "_signal.pthread_sigmask(_signal.SIG_BLOCK" in text
    assert "import re" not in text


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.1, 0.2, 0.4])
def test_sigterm_at_any_moment_of_a_run_exits_143_or_finishes(delay: float) -> None:
    # The child starts with SIGTERM blocked, as the timeline script blocks it first thing, so that a signal sent
    # while the interpreter itself starts waits for the tool (before it, no program can answer one).
    def blocked() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})

    script = (
        "import sys\nsys.argv = ['timeline', 'list', '--year', '2017', '--overlapping']\n"
        "from kztm_timeline.__main__ import main\nmain()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=blocked
    )
    time.sleep(delay)
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=60)
    assert b"Traceback" not in stderr
    assert (child.returncode, stderr) in ((143, b"timeline: terminated\n"), (0, b""))


@pytest.mark.parametrize(("signum", "expected"), [(15, (143, b"timeline: terminated\n")), (2, (130, b"timeline: interrupted\n"))])
def test_a_signal_while_typer_parses_the_command_line_is_reported(signum: int, expected: tuple[int, bytes]) -> None:
    # Typer answers a KeyboardInterrupt raised while it parses (outside any command) with a silent exit 130;
    # the signal must still be reported as it is everywhere else.
    script = (
        "import os, sys\n"
        "import typer.core\n"
        "real = typer.core.TyperCommand.parse_args\n"
        "def parse_args(self, ctx, args):\n"
        f"    os.kill(os.getpid(), {signum})\n"
        "    return real(self, ctx, args)\n"
        "typer.core.TyperCommand.parse_args = parse_args\n"
        "sys.argv = ['timeline', 'list', '--year', '2017']\n"
        "from kztm_timeline.__main__ import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False, timeout=60)
    assert (result.returncode, result.stderr) == expected


def test_sigterm_as_the_run_ends_exits_143_not_killed_by_the_signal() -> None:
    script = (
        "import os, signal, sys\n"
        "from kztm_timeline.cli import output\n"
        "real = output.write_stdout\n"
        "def last(text, **kwargs):\n"
        "    real(text, **kwargs)\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"  # as the last line is written: the run is ending
        "output.write_stdout = last\n"
        "from kztm_timeline.cli import checks\n"
        "checks.write_stdout = last\n"
        "sys.argv = ['timeline', 'validate']\n"
        "from kztm_timeline.__main__ import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False, timeout=60)
    assert result.returncode == 143
    assert result.stderr.endswith(b"timeline: terminated\n")
    assert b"Traceback" not in result.stderr


def test_a_signal_pending_as_the_run_ends_is_reported_not_lost() -> None:
    script = (
        "import os, signal, sys\n"
        "import kztm_timeline.cli\n"
        "app = sys.modules['kztm_timeline.cli.app']\n"
        "real = app._app_for\n"
        "def blocked(arguments):\n"
        "    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"  # pending, as if it came during the interpreter's exit
        "    return real(arguments)\n"
        "app._app_for = blocked\n"
        "sys.argv = ['timeline', 'list', '--year', '2017', '--overlapping']\n"
        "app.run()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False, timeout=60)
    assert (result.returncode, result.stderr) == (143, b"timeline: terminated\n")


# ---------------------------------------------------------------- messages


def test_a_nul_byte_in_the_data_is_one_located_line(small: Path) -> None:
    text = small.read_text(encoding="utf-8").replace("    title: Next meeting\n", "    title: Next\x00meeting\n")
    small.write_text(text, encoding="utf-8")
    line = text[: text.index("\x00")].count("\n") + 1
    result = runner.invoke(app, ["--no-cache", "validate", "--data", str(small)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{small}:{line}:16: the file holds the control character \\x00, which YAML does not allow; "
        "remove it (a NUL byte may mean the file is not text, or was damaged)\n"
        "timeline: 1 problem in the data; nothing was changed\n"
    )


@pytest.mark.parametrize("char", ["\n", "\t", "\x1b", "\r"])
def test_a_control_character_in_a_path_is_escaped_in_every_message(tmp_path: Path, char: str) -> None:
    odd = tmp_path / f"a{char}b"
    missing = runner.invoke(app, ["list", "--data", f"{odd}.yaml"])
    written = runner.invoke(app, ["list", "-o", f"{odd}/x.csv"])
    for result in (missing, written):
        assert result.exit_code == 1
        lines = result.stderr.split("\n")
        assert len(lines) == (3 if result is missing else 2)  # (the last is empty: after the final newline)
        assert not any(char in line for line in lines)
        assert "a\\" in result.stderr


def test_a_control_character_in_the_data_path_is_escaped_in_the_success_message(tmp_path: Path) -> None:
    folder = tmp_path / "a\nb"
    assert runner.invoke(app, ["init", str(folder)]).exit_code == 0
    result = runner.invoke(app, ["validate", "--data", str(folder / "data" / "events.yaml")])
    assert result.exit_code == 0
    assert "a\\nb" in result.stdout
    assert result.stdout.count("\n") == 1


def test_a_directory_given_as_an_article_is_told_to_name_a_file(small: Path) -> None:
    folder = small.parent / "articles"
    folder.mkdir()
    result = runner.invoke(app, ["sources", "add", str(folder), "--title", "T", "--publisher", "P", "--data", str(small)])
    assert result.exit_code == 1
    assert f"{folder}: cannot read the file: Is a directory; pass the path of the article's text file, not a directory" in (
        result.stderr
    )


def test_a_directory_given_as_the_data_file_is_told_to_name_the_yaml_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["list", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{tmp_path}: cannot read the file: Is a directory; pass the path of the data file (YAML), not a directory"
    )


# ---------------------------------------------------------------- edit


def test_edit_without_an_editor_or_a_terminal_refuses_instead_of_starting_vi(small: Path) -> None:
    before = small.read_bytes()
    environment = {name: value for name, value in os.environ.items() if name not in ("VISUAL", "EDITOR")}
    result = subprocess.run(
        [sys.executable, "-m", "kztm_timeline", "edit", "next-meeting", "--data", str(small)],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env=environment,
        check=False,
        timeout=20,
    )
    assert result.returncode == 2
    assert result.stderr.endswith(b"Error: no editor to run: set VISUAL or EDITOR (there is no terminal to start vi in)\n")
    assert small.read_bytes() == before


def test_edit_runs_the_editor_it_is_given_without_a_terminal(small: Path) -> None:
    editor = small.parent / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/Next meeting/The next meeting/' \"$1\"\n")
    editor.chmod(0o755)
    environment = {"EDITOR": str(editor), "VISUAL": ""}
    result = timeline("edit", "next-meeting", "--data", str(small), env=environment, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert "title: The next meeting" in small.read_text(encoding="utf-8")

