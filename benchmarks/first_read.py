"""Where a first read goes, part by part, beside a bare libyaml load of the same file, in one run.

    python3 benchmarks/first_read.py --size 10000 --kind shipped --rounds 5
    python3 benchmarks/first_read.py --size 100000 --kind generated --rounds 1

A first read (no cache) is what `timeline list` does on a file it has not seen: read the YAML, check every
event, write the cache (rows, search index, kept JSON), end with the checks across events and the indexes,
then answer from the cache. Each round runs, alternating, a bare `yaml.load` with libyaml's C loader (the
peer issue 28 measures the first read against) and one first read in a process of its own, as
`timeline list` makes it (`load_dataset` into an empty cache folder, validate's verdict tallied as it goes),
whose parts are timed by wrapping the functions that do them:

    checks    Checker.begin, .event and .end: every rule that decides whether the file is good data
    model     build.event_from: an event's values turned into the model
    rows      Builder.add: the event's cache rows (kept JSON, index keys, folded search text, SQLite inserts)
    verdict   VerdictTally.add: what `validate` will answer, tallied as the events go by
    end       Builder.finish: the checks across events in SQL, the indexes, the spans, the seal
    reading   the streamed read less the parts above: the YAML read (the fast reader, or libyaml if it
              declines), the file's hash, its UTF-8 and the scan for unsafe characters
    lookups   the whole load less the streamed read: the cache looked up first, the dataset read back after

The wrapping costs about 1 µs a call, four calls an event: about 0.5% of the
cheapest event's first read (780 µs, generated). Then each part's median is given
beside libyaml's, and the two bounds that follow on this machine: the least any order of the same work can
take on all its cores (the parts' sum shared perfectly among them), and the least the events read in
disjoint chunks, one process per core, can take (every part but the end and the lookups shared perfectly;
the end, which needs every event, after them): no cost of splitting or merging is counted, so both are
floors, not estimates.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from run import BARE_YAML_LOAD, machine, measure
from versions import data_of

PARTS = ("reading", "checks", "model", "rows", "verdict", "end", "lookups")


def worker(data: str, cache: str, report: str) -> None:
    """One first read of ``data`` into the empty folder ``cache``, its parts timed; the seconds are written to
    ``report`` as JSON."""
    from kztm_timeline.cache import writer
    from kztm_timeline.cli.reading import verdict_tally
    from kztm_timeline.datafile import build, validate
    from kztm_timeline.evidence import VerdictTally
    from kztm_timeline.load import _Streaming, load_dataset

    spent: dict[str, float] = dict.fromkeys((*PARTS, "streamed", "whole"), 0.0)
    running: set[str] = set()

    def timed(owner: Any, name: str, part: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def wrapper(*arguments: Any, **options: Any) -> Any:
            if part in running:  # a call within a call of the same part (event_from builds nested events)
                return original(*arguments, **options)
            running.add(part)
            start = time.perf_counter()
            try:
                return original(*arguments, **options)
            finally:
                spent[part] += time.perf_counter() - start
                running.discard(part)

        setattr(owner, name, wrapper)

    for name in ("begin", "event", "end"):
        timed(validate.Checker, name, "checks")
    timed(build, "event_from", "model")
    timed(writer.Builder, "add", "rows")
    timed(VerdictTally, "add", "verdict")
    timed(writer.Builder, "finish", "end")
    timed(_Streaming, "run", "streamed")
    start = time.perf_counter()
    load_dataset(data, cache=cache, memos=verdict_tally)
    spent["whole"] = time.perf_counter() - start
    spent["reading"] = spent["streamed"] - sum(spent[part] for part in ("checks", "model", "rows", "verdict", "end"))
    spent["lookups"] = spent["whole"] - spent["streamed"]
    Path(report).write_text(json.dumps(spent), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--kind", choices=("generated", "shipped"), default="generated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", nargs=3, metavar=("DATA", "CACHE", "REPORT"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        worker(*options.worker)
        return
    data = str(data_of(options.size, options.kind))
    environment = {key: value for key, value in os.environ.items() if key != "KZTM_TIMELINE_NO_CACHE"}
    parts: list[dict[str, float]] = []
    libyaml: list[float] = []
    peaks: list[float] = []
    for round_ in range(options.rounds):
        print(f"round {round_ + 1} of {options.rounds}…", file=sys.stderr)
        libyaml.append(measure([sys.executable, "-c", BARE_YAML_LOAD, data], environment).seconds)
        with tempfile.TemporaryDirectory(prefix="kztm-first-read-") as scratch:
            report = os.path.join(scratch, "parts.json")
            command = [sys.executable, __file__, "--worker", data, os.path.join(scratch, "cache"), report]
            sample = measure(command, environment)
            parts.append(json.loads(Path(report).read_text(encoding="utf-8")))
            peaks.append(sample.peak_kib / 1024)
    print("\n".join(table(options, data, parts, statistics.median(libyaml), statistics.median(peaks))))


def table(options: argparse.Namespace, data: str, parts: list[dict[str, float]], libyaml: float, peak: float) -> list[str]:
    median = {part: statistics.median(sample[part] for sample in parts) for part in (*PARTS, "whole")}
    cores = os.cpu_count() or 1
    work = sum(median[part] for part in PARTS)
    chunked = (work - median["end"] - median["lookups"]) / cores + median["end"] + median["lookups"]
    lines = [
        f"N = {options.size:,} {options.kind} events ({os.path.getsize(data) / 1e6:.0f} MB); medians of "
        f"{options.rounds} interleaved rounds. {machine()}.",
        "",
        f"| part of the first read | seconds | share | ÷ libyaml's bare load ({libyaml:.2f} s) |",
        "| --- | --- | --- | --- |",
    ]
    for part in PARTS:
        lines.append(f"| {part} | {median[part]:.2f} | {median[part] / work:.0%} | {median[part] / libyaml:.2f} |")
    lines += [
        f"| the whole first read (in-process; peak memory {peak:.0f} MiB) | {median['whole']:.2f} | 100% "
        f"| **{median['whole'] / libyaml:.2f}** |",
        f"| least on {cores} cores, all of the same work shared perfectly | {work / cores:.2f} | – "
        f"| **{work / cores / libyaml:.2f}** |",
        f"| least for the events in {cores} disjoint chunks, one process each, the end after them | {chunked:.2f} | – "
        f"| **{chunked / libyaml:.2f}** |",
    ]
    return lines


if __name__ == "__main__":
    main()
