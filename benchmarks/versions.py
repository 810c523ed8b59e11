"""Time two versions of `timeline` against each other, command by command, in one run.

    python benchmarks/versions.py 90540a0              # that commit against the working tree
    python benchmarks/versions.py 90540a0 main --size 100000 --rounds 7

Each version is installed as pip installs it (byte-compiled, not editable) into its own virtual
environment under benchmarks/out/versions/, kept for the next run; the working tree ("." or no second
argument) is installed afresh each time. Both versions then run the same warm commands on the same
generated data (benchmarks/generate.py), each with a cache folder of its own (cache formats differ
between versions), the runs of both interleaved round by round after an untimed warm-up, because this
kind of machine is noisy. The table gives each version's median and the ratio after / before: above 1
is slower. Run the same version on both sides (`versions.py HEAD .` on a clean tree) to see how far
the ratio strays on this machine with nothing changed. Timings are never asserted in tests.
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
from pathlib import Path

from run import OUT, ROOT, Sample, interleave, machine  # the sibling script: one measure for both

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


def data_of(size: int) -> Path:
    folder = OUT / str(size)
    if not (folder / "data" / "events.yaml").is_file():
        print(f"generating {size:,} events…", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), str(folder)], check=True)
    return folder / "data" / "events.yaml"


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
    arguments = parser.parse_args()
    print("\n".join(compare(arguments.before, arguments.after, arguments.size, arguments.rounds)))


if __name__ == "__main__":
    main()
