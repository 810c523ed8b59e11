"""Fill README.md's example blocks with the real output of their commands.

A block written as  <!-- run: timeline list --year 2017 -->  followed by a fenced
block is replaced by the command and what it printed. Run from the repository root:
    python tools/render_readme.py
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

README = Path("README.md")
BLOCK = re.compile(r"(<!-- run: (?P<cmd>.+?) -->\n)```[a-z]*\n.*?```\n", re.S)


def run(command: str) -> str:
    env = {"PATH": os.environ["PATH"], "COLUMNS": "100", "LANG": "C.UTF-8"}
    # stderr merged into stdout, so that messages appear where they happened
    result = subprocess.run(
        ["bash", "-c", command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, check=False
    )
    output = result.stdout
    if result.returncode:
        output += f"(exit {result.returncode})\n"
    return output


def main() -> None:
    text = README.read_text(encoding="utf-8")

    def fill(match: re.Match[str]) -> str:
        command = match.group("cmd")
        return f"{match.group(1)}```console\n$ {command}\n{run(command)}```\n"

    README.write_text(BLOCK.sub(fill, text), encoding="utf-8")


if __name__ == "__main__":
    main()
