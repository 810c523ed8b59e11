"""Changes to the data are exact (issue 27): an edited draft that is not UTF-8 is refused where it goes wrong."""

from __future__ import annotations

import os
import shutil
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
