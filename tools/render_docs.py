"""Fill the example blocks of README.md and docs/*.md with the real output of their commands.

A block written as  <!-- run: timeline list --year 2017 -->  followed by a fenced block is replaced by
the command and what it printed (stdout and stderr, as a terminal shows them; a non-zero exit is shown
as "(exit N)"). Each document's commands run in order in a fresh folder of its own holding copies of
data/, seeds/ and the example texts of docs/, with an empty cache, no colour, 100 columns unless the
command sets COLUMNS, and "today" pinned to DOCS_TODAY, so the output depends on the code and the data
alone, and a walk-through (init a copy, add to it, diff it) carries on from block to block.

    python tools/render_docs.py            rewrite every example in place
    python tools/render_docs.py --check    rewrite nothing; list the examples whose output drifted (exit 1)
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"(<!-- run: (?P<cmd>.+?) -->\n)```[a-z]*\n(?P<body>.*?)```\n", re.S)
DOCS_TODAY = "2026-12-02"  # the day the examples are as of: plans due before it are shown as such


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def run(command: str, work: Path) -> str:
    """``command``'s output, run by bash in ``work``."""
    epoch = int(datetime.fromisoformat(DOCS_TODAY).replace(tzinfo=UTC).timestamp())
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(work),
        "XDG_CACHE_HOME": str(work / ".cache"),
        "COLUMNS": "100",
        "LANG": "C.UTF-8",
        "SOURCE_DATE_EPOCH": str(epoch),
        "KZTM_TIMELINE_DATA": "data/events.yaml",  # the folder's copy, named as a user in a clone names it
    }
    result = subprocess.run(
        ["bash", "-c", command], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, check=False
    )
    output = result.stdout.replace(f"{work}/", "").replace(str(work), ".")  # the fresh folder, as a reader in it sees it
    if result.returncode:
        output += f"(exit {result.returncode})\n"
    return output


def rendered(text: str) -> str:
    """``text`` with every example block filled, its commands run in order in one fresh folder."""
    with tempfile.TemporaryDirectory(prefix="timeline-docs-") as folder:
        work = Path(folder)
        shutil.copytree(ROOT / "data", work / "data")
        shutil.copytree(ROOT / "seeds", work / "seeds")
        (work / "docs").mkdir()
        for example in (ROOT / "docs").glob("*.txt"):
            shutil.copy(example, work / "docs" / example.name)

        def fill(match: re.Match[str]) -> str:
            command = match.group("cmd")
            return f"{match.group(1)}```console\n$ {command}\n{run(command, work)}```\n"

        return BLOCK.sub(fill, text)


def main(arguments: list[str]) -> int:
    check = "--check" in arguments
    drifted = 0
    for path in documents():
        before = path.read_text(encoding="utf-8")
        after = rendered(before)
        if after == before:
            continue
        if check:
            drifted += 1
            name = str(path.relative_to(ROOT))
            sys.stdout.writelines(difflib.unified_diff(before.splitlines(True), after.splitlines(True), name, name + " (now)"))
        else:
            path.write_text(after, encoding="utf-8")
    if drifted:
        print(f"{drifted} document(s) drifted from the real output; run: python tools/render_docs.py", file=sys.stderr)
    return 1 if drifted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
