"""Time two versions of `timeline` against each other, command by command, in one run.

    python benchmarks/versions.py 90540a0              # that commit against the working tree
    python benchmarks/versions.py 90540a0 main --size 100000 --rounds 7
    python benchmarks/versions.py 26bb99e . --cold --size 100000 --rounds 1 --kind shipped

Each version is installed as pip installs it (byte-compiled, not editable) into its own virtual
environment under benchmarks/out/versions/, kept for the next run; the working tree ("." or no second
argument) is installed afresh each time. Both versions then run the same warm commands on the same
generated data (benchmarks/generate.py), each with a cache folder of its own (cache formats differ
between versions), the runs of both interleaved round by round after an untimed warm-up, because this
kind of machine is noisy. The table gives each version's median and the ratio after / before: above 1
is slower. Run the same version on both sides (`versions.py HEAD .` on a clean tree) to see how far
the ratio strays on this machine with nothing changed. With --cold, the one command timed is the first
read, `list --year 2024 --json` with no cache (each version's cache folder is removed before each run),
beside a bare libyaml load of the same file, on generated events or (--kind shipped) copies of the shipped
ones (benchmarks/replicate.py); time and peak memory of each. Timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

from run import BARE_YAML_LOAD, OUT, ROOT, Sample, interleave, machine  # the sibling script: one measure for both

HERE = Path(__file__).resolve().parent
# The five articles' 26 events as the tests freeze them: a file every version since the first release reads
# (the shipped data/events.yaml has grown fields that older versions refuse).
FIVE_ARTICLES = ROOT / "tests" / "fixtures" / "seeds-2025-12" / "data" / "events.yaml"
COMMANDS = {
    "start-up, `list --limit 1 --json` (the five articles)": ["list", "--limit", "1", "--json"],
    "warm `list --year 2024 --json`": ["list", "--year", "2024", "--json"],
    "warm `list --search 'number 4242' --json`": ["list", "--search", "number 4242", "--json"],
    "warm `list --place Aktau --json`": ["list", "--place", "Aktau", "--json"],
    "warm `list --actor person-001 --json`": ["list", "--actor", "person-001", "--json"],
    "warm `list --limit 1`": ["list", "--limit", "1"],
    "warm `stats --json`": ["stats", "--json"],
    "warm `show e000042 --json`": ["show", "e000042", "--json"],
    "warm `validate`": ["validate"],
}


def install(revision: str) -> tuple[str, Path]:
    """The `timeline` script of ``revision`` (a commit, or "." for the working tree), installed once."""
    if revision == ".":
        commit, source = "working-tree", ROOT
    else:
        commit = git("rev-parse", "--short=12", f"{revision}^{{commit}}")
        source = OUT / "versions" / f"{commit}-src"
    venv = OUT / "versions" / commit
    script = venv / "bin" / "timeline"
    if script.exists() and revision != ".":
        return commit, script
    if revision != ".":
        source.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    print(f"installing {revision} ({commit})…", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(source)], check=True)
    return commit, script


def git(*arguments: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *arguments], check=True, capture_output=True, text=True).stdout.strip()


def data_of(size: int, kind: str = "generated") -> Path:
    """The benchmark data file of ``size`` events, made the first time (the folders run.py uses)."""
    folder = OUT / (str(size) if kind == "generated" else f"shipped-{size}")
    if not (folder / "data" / "events.yaml").is_file():
        print(f"generating {size:,} events ({kind})…", file=sys.stderr)
        script = "generate.py" if kind == "generated" else "replicate.py"
        subprocess.run([sys.executable, str(HERE / script), str(size), str(folder)], check=True)
    return folder / "data" / "events.yaml"


def compare_cold(before: str, after: str, size: int, rounds: int, kind: str) -> list[str]:
    """The first read of each version, and a bare libyaml load, interleaved: time and peak memory."""
    (old, old_script), (new, new_script) = install(before), install(after)
    data = str(data_of(size, kind))
    base = {key: value for key, value in os.environ.items() if key not in ("KZTM_TIMELINE_NO_CACHE", "KZTM_TIMELINE_DATA")}
    with tempfile.TemporaryDirectory(prefix="kztm-versions-") as scratch:
        query = ["list", "--year", "2024", "--json", "--data", data]
        commands = {
            name: ([str(script), *query], {**base, "XDG_CACHE_HOME": os.path.join(scratch, name)})
            for name, script in (("before", old_script), ("after", new_script))
        }
        commands["libyaml"] = ([sys.executable, "-c", BARE_YAML_LOAD, data], base)
        fresh = {name: partial(shutil.rmtree, os.path.join(scratch, name), True) for name in ("before", "after")}
        print(f"timing the first read of {size:,} events ({kind})…", file=sys.stderr)
        samples = interleave(rounds, commands, dict(fresh))
    seconds = {name: statistics.median(sample.seconds for sample in runs) for name, runs in samples.items()}
    peak = {name: statistics.median(sample.peak_kib for sample in runs) / 1024 for name, runs in samples.items()}
    old_s, new_s, yaml_s = seconds["before"], seconds["after"], seconds["libyaml"]
    old_m, new_m, yaml_m = peak["before"], peak["after"], peak["libyaml"]
    return [
        f"Before: {before} ({old}); after: {after} ({new}); N = {size:,} {kind} events; medians of {rounds} "
        f"interleaved rounds. {machine()}.",
        "",
        "| first read, `list --year 2024 --json` | before | after | after / before | libyaml load | before / libyaml "
        "| after / libyaml |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| time | {old_s:.1f} s | {new_s:.1f} s | **{new_s / old_s:.2f}** | {yaml_s:.1f} s | {old_s / yaml_s:.2f} "
        f"| **{new_s / yaml_s:.2f}** |",
        f"| peak memory | {old_m:.0f} MiB | {new_m:.0f} MiB | {new_m / old_m:.2f} | {yaml_m:.0f} MiB | {old_m / yaml_m:.2f} "
        f"| {new_m / yaml_m:.2f} |",
    ]


def compare(before: str, after: str, size: int, rounds: int) -> list[str]:
    (old, old_script), (new, new_script) = install(before), install(after)
    data = data_of(size)
    base = {key: value for key, value in os.environ.items() if key not in ("KZTM_TIMELINE_NO_CACHE", "KZTM_TIMELINE_DATA")}
    rows = [
        f"Before: {before} ({old}); after: {after} ({new}); N = {size:,} generated events; medians of {rounds} "
        f"interleaved rounds. {machine()}.",
        "",
        "| command | before | after | after / before | instructions before | after | after / before |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    with tempfile.TemporaryDirectory(prefix="kztm-versions-") as scratch:
        for title, arguments in COMMANDS.items():
            target = str(FIVE_ARTICLES if "five articles" in title else data)
            commands = {
                name: ([str(script), *arguments, "--data", target], {**base, "XDG_CACHE_HOME": os.path.join(scratch, name)})
                for name, script in (("before", old_script), ("after", new_script))
            }
            print(f"timing {title}…", file=sys.stderr)
            samples = interleave(rounds, commands, {})
            rows.append(row(title, samples["before"], samples["after"], instructions(commands)))
    return rows


def instructions(commands: dict[str, tuple[list[str], dict[str, str]]]) -> list[int]:
    """Instructions each command executes, counted by valgrind's callgrind (empty when it is missing): the
    same count run after run for the same binary and input, whatever else the machine is doing."""
    if shutil.which("valgrind") is None:
        return []
    counts = []
    with tempfile.TemporaryDirectory(prefix="kztm-callgrind-") as scratch:
        for command, env in commands.values():
            out = os.path.join(scratch, "callgrind.out")
            result = subprocess.run(
                ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
            )
            found = re.search(r"Collected : (\d+)", result.stderr)
            if result.returncode != 0 or found is None:
                return []
            counts.append(int(found.group(1)))
    return counts


def row(title: str, before: list[Sample], after: list[Sample], counts: list[int]) -> str:
    """Wall time (medians), then instructions executed (one run of each under callgrind)."""
    old = statistics.median(sample.seconds for sample in before)
    new = statistics.median(sample.seconds for sample in after)
    cells = [title, f"{old * 1000:.0f} ms", f"{new * 1000:.0f} ms", f"**{new / old:.2f}**"]
    if counts:
        cells += [f"{counts[0] / 1e6:,.0f} M", f"{counts[1] / 1e6:,.0f} M", f"**{counts[1] / counts[0]:.2f}**"]
    else:
        cells += ["–", "–", "–"]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", help="a commit (or '.' for the working tree)")
    parser.add_argument("after", nargs="?", default=".", help="a commit, or '.' for the working tree (the default)")
    parser.add_argument("--size", type=int, default=10_000, help="generated events (default 10,000)")
    parser.add_argument("--rounds", type=int, default=7, help="timed runs of each command on each side")
    parser.add_argument("--cold", action="store_true", help="time the first read (no cache) instead, beside libyaml")
    parser.add_argument("--kind", choices=("generated", "shipped"), default="generated", help="for --cold: the data")
    arguments = parser.parse_args()
    if arguments.cold:
        rows = compare_cold(arguments.before, arguments.after, arguments.size, arguments.rounds, arguments.kind)
    else:
        rows = compare(arguments.before, arguments.after, arguments.size, arguments.rounds)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
