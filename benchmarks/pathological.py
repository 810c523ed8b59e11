"""Pathological data files for `timeline validate`, and how long it takes on each (issue 27).

    python benchmarks/pathological.py OUT_DIR            # write the files, then time validate on each
    python benchmarks/pathological.py OUT_DIR --write    # only write them

Each file is a valid small dataset (one source, two actors, the shipped article text) with one kind of damage
repeated until the file is big:

  keys-16000, keys-32000, keys-64000   one event with that many unknown keys (locating each problem once
                                       rescanned the whole mapping: 7.7 s, 34 s and over 120 s)
  broken-20mb                          20 MB of events, each with an unknown actor, a link to no event, an
                                       unknown key and a bad date (22 s and 690 MB before)

Every run is a whole process with `--no-cache`; the time is wall-clock, the memory the process's peak
resident set. The targets: linear in the file, 20 MB in seconds and under 500 MB, and at most
200 problems printed (then a count of the rest).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ARTICLE = "On 5 March 2024 the two ministers met in Ashgabat and signed a plan.\n"
HEAD = """sources:
  - id: wire
    file: article.txt
    title: Ministers meet
    publisher: Example Wire
    published: "2024-03-06"
actors:
  - id: alpha
    name: Alpha Minister
    type: person
    country: KZ
    variants: []
  - id: beta
    name: Beta Minister
    type: person
    country: TM
    variants: []
events:
"""
EVENT = """  - id: {id}
    date: 2024-03-05
    title: Ministers meet
    kind: official_visit
    status: happened
    participants:
      - {{actor: alpha, role: visitor}}
      - {{actor: beta, role: host}}
    place: Ashgabat
    topics: [politics]
    summary: They met.
    citations:
      - source: wire
        quote: the two ministers met in Ashgabat
"""
BROKEN = """  - id: {id}
    date: 2024-13-45
    title: Ministers meet
    kind: official_visit
    status: happened
    unknown_{number}: x
    participants:
      - {{actor: nobody-{number}, role: visitor}}
    place: Ashgabat
    topics: [politics]
    summary: They met.
    citations:
      - source: wire
        quote: the two ministers met in Ashgabat
    related:
      - {{event: missing-{number}, relation: follows_up}}
"""


def unknown_keys(count: int) -> str:
    keys = "".join(f"    unknown_{number}: x\n" for number in range(count))
    return HEAD + EVENT.format(id="many-keys") + keys


def broken(size: int) -> str:
    parts = [HEAD]
    total = len(HEAD)
    number = 0
    while total < size:
        part = BROKEN.format(id=f"broken-{number}", number=number)
        parts.append(part)
        total += len(part)
        number += 1
    return "".join(parts)


FILES: dict[str, Callable[[], str]] = {
    "keys-16000": lambda: unknown_keys(16_000),
    "keys-32000": lambda: unknown_keys(32_000),
    "keys-64000": lambda: unknown_keys(64_000),
    "broken-20mb": lambda: broken(20 * 1024**2),
}


def write(out: Path) -> list[Path]:
    paths = []
    for name, make in FILES.items():
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "article.txt").write_text(ARTICLE, encoding="utf-8")
        path = folder / "events.yaml"
        path.write_text(make(), encoding="utf-8")
        paths.append(path)
    return paths


def measure(path: Path) -> tuple[float, float, int, int]:
    """Seconds, peak MiB, the exit code and the lines written to stderr of `timeline --no-cache validate`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "kztm_timeline", "--no-cache", "validate", "--data", str(path)],
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024, result.returncode, result.stderr.count(b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--write", action="store_true", help="only write the files")
    arguments = parser.parse_args()
    paths = write(arguments.out)
    if arguments.write:
        return
    for path in paths:
        size = path.stat().st_size / 1024**2
        seconds, peak, code, lines = measure(path)
        said = f"exit {code}, {lines} lines on stderr"
        print(f"{path.parent.name:12} {size:6.1f} MB  {seconds:6.1f} s  peak {peak:6.0f} MiB  {said}")


if __name__ == "__main__":
    main()
