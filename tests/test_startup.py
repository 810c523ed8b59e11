"""Start-up stays lean: no command loads pydantic (Typer is pinned below 0.29, which imports it on every run)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "command",
    [["--help"], ["list", "--json"], ["list", "-f", "table"], ["show", "abai"], ["stats"], ["validate"], ["schema"]],
)
def test_no_command_imports_pydantic(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kztm_timeline", *command],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")]
    assert "typer" in imported
    assert [name for name in imported if name.split(".")[0] == "pydantic"] == []
