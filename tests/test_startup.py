"""Start-up stays lean: no command loads pydantic (Typer is pinned below 0.29, which imports it on every run), and a
warm run loads no module it does not need."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _imported(command: list[str], env: dict[str, str] | None = None) -> list[str]:
    """The modules ``timeline COMMAND`` imports, as ``python -X importtime`` names them."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kztm_timeline", *command],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")]


@pytest.mark.parametrize(
    "command",
    [["--help"], ["list", "--json"], ["list", "-f", "table"], ["show", "abai"], ["stats"], ["validate"], ["schema"]],
)
def test_no_command_imports_pydantic(command: list[str]) -> None:
    imported = _imported(command)
    assert "typer" in imported
    assert [name for name in imported if name.split(".")[0] == "pydantic"] == []


@pytest.mark.parametrize(
    "command", [["list", "--limit", "1", "--json"], ["validate"], ["show", "abai"], ["stats", "--json"]]
)
def test_a_warm_run_loads_no_hash_library(command: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    _imported(command, env)  # the first run builds the cache
    imported = _imported(command, env)
    assert [name for name in imported if name in ("hashlib", "_hashlib")] == []


def test_a_warm_validate_reads_neither_the_model_nor_yaml(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    _imported(["validate"], env)  # the first run builds the cache and keeps the verdict
    imported = _imported(["validate"], env)
    assert [name for name in imported if name in ("kztm_timeline.model", "kztm_timeline.load", "yaml")] == []



def test_the_imports_are_frozen_out_of_the_collectors_sight_and_the_collector_stays_on() -> None:
    script = (
        "import gc, sys\n"
        "sys.argv = ['timeline', 'schema']\n"
        "from kztm_timeline.__main__ import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(f'{gc.isenabled()} {gc.get_freeze_count() > 10000}')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60)
    assert result.stderr == "True True"
