"""Changes to the data are exact and report what happened (issue 27): an edited draft that is not UTF-8 is refused
where it goes wrong, and an interrupt that comes once the data file is in place reports the success it is."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SMALL = HERE / "fixtures" / "small"

ADD = [
    "add",
    "--date", "2024-03-07",
    "--title", "Ministers meet again",
    "--kind", "talks",
    "--status", "happened",
    "--actor", "alpha:participant",
    "--summary", "They met again.",
    "--source", "wire",
    "--quote", "the two ministers met in Ashgabat",
]  # fmt: skip


@pytest.fixture
def small(tmp_path: Path) -> Path:
    folder = tmp_path / "small"
    shutil.copytree(SMALL, folder)
    return folder / "events.yaml"


def timeline(*args: str, env: dict[str, str] | None = None, **options: object) -> subprocess.CompletedProcess[bytes]:
    settings: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "timeout": 60, **options}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]  # keywords passed through as given
        [sys.executable, "-m", "kztm_timeline", *args], check=False, env={**os.environ, **(env or {})}, **settings
    )


# ---------------------------------------------------------------- edit: the draft is UTF-8, or it is refused


def latin1_editor(folder: Path) -> str:
    """An editor that saves the draft in Latin-1, with an "é" in the title of the event."""
    script = folder / "latin1.py"
    script.write_text(
        "import pathlib, sys\n"
        "draft = pathlib.Path(sys.argv[1])\n"
        "text = draft.read_text(encoding='utf-8').replace('title: Next meeting', 'title: Next réunion')\n"
        "draft.write_bytes(text.encode('latin-1'))\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


def test_an_edited_draft_that_is_not_utf_8_is_refused_where_it_goes_wrong(small: Path) -> None:
    before = small.read_bytes()
    result = timeline(
        "edit", "next-meeting", "--data", str(small), env={"EDITOR": latin1_editor(small.parent), "VISUAL": ""},
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 1
    draft = stderr.split("your text is kept in ")[-1].strip()
    assert stderr.startswith(f"{draft}:3:18: byte 0xe9 is not UTF-8; save the file as UTF-8\n")
    assert stderr.endswith(f"timeline: edit abandoned; nothing was written; your text is kept in {draft}\n")
    assert small.read_bytes() == before  # the data is untouched
    assert "Next r\xe9union".encode("latin-1") in Path(draft).read_bytes()  # the draft is kept as the editor saved it


def test_an_edited_draft_with_a_byte_order_mark_is_read_as_utf_8(small: Path) -> None:
    script = small.parent / "bom.py"
    script.write_text(
        "import pathlib, sys\n"
        "draft = pathlib.Path(sys.argv[1])\n"
        "text = draft.read_text(encoding='utf-8').replace('title: Next meeting', 'title: Next réunion')\n"
        "draft.write_bytes(b'\\xef\\xbb\\xbf' + text.encode('utf-8'))\n",
        encoding="utf-8",
    )
    env = {"EDITOR": f"{sys.executable} {script}", "VISUAL": ""}
    result = timeline("edit", "next-meeting", "--data", str(small), env=env, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert "title: Next réunion\n" in small.read_text(encoding="utf-8")


# ---------------------------------------------------------------- an interrupt after the commit


def _interrupted_after_the_rename(small: Path, signum: int, command: list[str]) -> subprocess.CompletedProcess[bytes]:
    """Run ``command`` with ``signum`` sent to itself the moment the data file is renamed into place."""
    script = (
        "import os, sys\n"
        "real = os.replace\n"
        f"target = os.path.realpath({str(small)!r})\n"
        "def replace(source, destination, **kwargs):\n"
        "    real(source, destination, **kwargs)\n"
        f"    if os.path.realpath(destination) == target:\n"
        f"        os.kill(os.getpid(), {int(signum)})\n"
        "os.replace = replace\n"
        f"sys.argv = ['timeline', *{command!r}, '--data', {str(small)!r}]\n"
        "from kztm_timeline.__main__ import main\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, check=False, timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_once_the_event_is_written_reports_success(small: Path, signum: int) -> None:
    result = _interrupted_after_the_rename(small, signum, ADD)
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"added 2024-03-07-ministers-meet-again to {small}\n".encode()
    assert small.read_text(encoding="utf-8").count("id: 2024-03-07-ministers-meet-again\n") == 1


def test_the_cache_is_in_step_after_an_interrupted_add(small: Path) -> None:
    assert timeline("list", "--data", str(small)).returncode == 0  # the cache, which add keeps in step
    _interrupted_after_the_rename(small, signal.SIGINT, ADD)
    listed = timeline("list", "-f", "jsonl", "--fields", "id", "--data", str(small))
    fresh = timeline("--no-cache", "list", "-f", "jsonl", "--fields", "id", "--data", str(small))
    assert listed.stdout == fresh.stdout
    assert b"2024-03-07-ministers-meet-again" in listed.stdout


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["remove", "hostile"], "removed hostile from"),
        (["sources", "add", "ARTICLE", "--title", "More", "--publisher", "Wire"], "added source"),
    ],
)
def test_an_interrupt_once_any_change_is_written_reports_success(small: Path, command: list[str], said: str) -> None:
    article = small.parent / "more.txt"
    article.write_text("On 7 March 2024 the ministers met again.\n", encoding="utf-8")
    command = [str(article) if part == "ARTICLE" else part for part in command]
    result = _interrupted_after_the_rename(small, signal.SIGINT, command)
    assert result.returncode == 0, result.stderr
    assert result.stderr.decode().startswith(said)


def test_an_interrupt_before_the_rename_writes_nothing(small: Path) -> None:
    before = small.read_bytes()
    script = (
        "import os, signal, sys\n"
        "from kztm_timeline.datafile import fs\n"
        "real = fs._write_all\n"
        "def write_all(stream, data):\n"
        "    real(stream, data)\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"  # the new file is written, not yet in place
        "fs._write_all = write_all\n"
        f"sys.argv = ['timeline', *{ADD!r}, '--data', {str(small)!r}]\n"
        "from kztm_timeline.__main__ import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False, timeout=60)
    assert (result.returncode, result.stderr) == (130, b"timeline: interrupted\n")
    assert small.read_bytes() == before
    assert [name for name in os.listdir(small.parent) if name.endswith(".tmp")] == []
