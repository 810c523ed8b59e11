"""The benchmark of a first read's parts (``benchmarks/first_read.py``) times what it says it times."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

SCRIPT = ROOT / "benchmarks" / "first_read.py"


def parts_of_a_first_read(tmp_path: Path) -> dict[str, float]:
    folder, report = tmp_path / "shipped", tmp_path / "parts.json"
    replicate = [sys.executable, str(ROOT / "benchmarks" / "replicate.py"), "300", str(folder)]
    subprocess.run(replicate, check=True, capture_output=True)
    data = str(folder / "data" / "events.yaml")
    command = [sys.executable, str(SCRIPT), "--worker", data, str(tmp_path / "cache"), str(report)]
    subprocess.run(command, check=True, capture_output=True)
    parts: dict[str, float] = json.loads(report.read_text(encoding="utf-8"))
    return parts


def test_every_part_of_a_first_read_is_timed_and_none_is_counted_twice(tmp_path: Path) -> None:
    parts = parts_of_a_first_read(tmp_path)
    # A part left at zero would mean its function is no longer called where the benchmark wraps it; the reading
    # (the streamed read less the wrapped parts within it) and the lookups (the whole less the streamed read)
    # would fall to zero or below if a wrapped part were counted twice, or ran outside the streamed read.
    assert {part for part in ("reading", "checks", "model", "rows", "verdict", "end", "lookups") if parts[part] <= 0} == set()
    assert parts["lookups"] < parts["whole"]
    assert [path.name.endswith("events.yaml.sqlite") for path in (tmp_path / "cache").glob("*.sqlite")] == [True]
