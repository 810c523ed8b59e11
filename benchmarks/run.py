"""Time `timeline` against the baselines a user would otherwise reach for, in one run.

    python benchmarks/run.py                 # N = 1,000, 10,000 and 100,000; 5 rounds
    python benchmarks/run.py --sizes 1000 --rounds 3
    python benchmarks/run.py --readme        # also rewrite the README's results table

The package is byte-compiled first, as pip does when it installs it. Every
measurement times a whole process (start-up included), and each target is
reported as a ratio of medians against its baseline, measured in the same run
with the runs interleaved, because this kind of machine is noisy. Peak memory is
each process's maximum resident set size. Timings are never asserted in tests.

Targets (from issue 6):
  start-up   `timeline list --year 2024 --json` on the shipped data  <= 1.2 x  the Typer floor app (floor_app.py)
  cold       the same query at N events, cache empty (and written)   <= 1.0 x  yaml.load(CSafeLoader) of the file
  warm       the same query at N events, cache fresh                 <= 0.33 x jq '[.[] | select(.date | startswith("2024"))]'
  memory     peak RSS of the warm query                              <= 1.0 x  jq's peak RSS on its query
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
README = ROOT / "README.md"
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"
JQ_QUERY = '[.[] | select(.date | startswith("2024"))]'
BARE_YAML_LOAD = "import sys, yaml; yaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader)"
TARGET_SIZE = 100_000  # the issue sets the cold, warm and memory targets at this size; smaller sizes are shown for scale


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_kib: int


def measure(command: Sequence[str], env: dict[str, str]) -> Sample:
    """Run ``command`` once with its output discarded; wall time and peak RSS."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"benchmark command failed ({process.returncode}): {' '.join(command)}\n{stderr}")
    return Sample(seconds, usage.ru_maxrss)


@dataclass
class Comparison:
    target: str
    size: str
    tool: list[Sample]
    baseline: list[Sample]
    baseline_name: str
    limit: float
    memory: bool = False

    def median(self, samples: list[Sample]) -> float:
        if self.memory:
            return statistics.median(sample.peak_kib for sample in samples)
        return statistics.median(sample.seconds for sample in samples)

    @property
    def ratio(self) -> float:
        return self.median(self.tool) / self.median(self.baseline)

    def unit(self, value: float) -> str:
        return f"{value / 1024:.0f} MiB" if self.memory else f"{value * 1000:.0f} ms"

    def row(self) -> str:
        if self.limit:
            limit = "≤ 1/3" if abs(self.limit - 1 / 3) < 1e-9 else f"≤ {self.limit:g}"
            met = "yes" if self.ratio <= self.limit else "**no**"
        else:
            limit, met = "(no target)", "–"
        return (
            f"| {self.target} | {self.size} | {self.unit(self.median(self.tool))} | {self.baseline_name} "
            f"{self.unit(self.median(self.baseline))} | **{self.ratio:.2f}** | {limit} | {met} |"
        )


def timeline_command() -> list[str]:
    script = shutil.which("timeline")
    return [script] if script else [sys.executable, "-m", "kztm_timeline"]


Commands = dict[str, tuple[list[str], dict[str, str]]]


def interleave(rounds: int, commands: Commands, prepare: dict[str, object]) -> dict[str, list[Sample]]:
    """Run every command once per round, alternating, after an untimed warm-up of each."""
    results: dict[str, list[Sample]] = {name: [] for name in commands}
    for name, (command, env) in commands.items():
        _prepare(prepare.get(name))
        measure(command, env)
    for _ in range(rounds):
        for name, (command, env) in commands.items():
            _prepare(prepare.get(name))
            results[name].append(measure(command, env))
    return results


def _prepare(step: object) -> None:
    if callable(step):
        step()


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    jq = subprocess.run(["jq", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    import yaml

    return (
        f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"PyYAML {yaml.__version__} (libyaml {'yes' if getattr(yaml, '__with_libyaml__', False) else 'no'}), {jq}"
    )


def run(sizes: list[int], rounds: int) -> list[Comparison]:
    base_env = {key: value for key, value in os.environ.items() if key not in ("KZTM_TIMELINE_NO_CACHE", "KZTM_TIMELINE_DATA")}
    comparisons: list[Comparison] = []
    timeline = timeline_command()
    with tempfile.TemporaryDirectory(prefix="kztm-bench-") as scratch:
        warm_env = {**base_env, "XDG_CACHE_HOME": os.path.join(scratch, "warm")}
        cold_home = os.path.join(scratch, "cold")
        cold_env = {**base_env, "XDG_CACHE_HOME": cold_home}

        startup = interleave(
            rounds * 4,
            {
                "timeline": ([*timeline, "list", "--year", "2024", "--json"], warm_env),
                "floor": ([sys.executable, str(HERE / "floor_app.py"), "list", "--year", "2024", "--json"], base_env),
            },
            {},
        )
        comparisons.append(
            Comparison("start-up (shipped data)", "18", startup["timeline"], startup["floor"], "Typer floor", 1.2)
        )

        for size in sizes:
            folder = OUT / str(size)
            if not (folder / "events.json").is_file():
                print(f"generating {size:,} events…", file=sys.stderr)
                subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), str(folder)], check=True)
            data = str(folder / "data" / "events.yaml")
            query = [*timeline, "list", "--year", "2024", "--json", "--data", data]
            print(f"timing N = {size:,} ({rounds} rounds)…", file=sys.stderr)
            cold = interleave(
                rounds,
                {
                    "timeline": (query, cold_env),
                    "yaml": (
                        [sys.executable, "-c", BARE_YAML_LOAD, data],
                        base_env,
                    ),
                },
                {"timeline": lambda: shutil.rmtree(cold_home, ignore_errors=True)},
            )
            label = f"{size:,}"
            target = size == TARGET_SIZE
            comparisons.append(Comparison("cold run", label, cold["timeline"], cold["yaml"], "yaml.load", 1.0 if target else 0))
            warm = interleave(
                rounds,
                {"timeline": (query, warm_env), "jq": (["jq", JQ_QUERY, str(folder / "events.json")], base_env)},
                {},
            )
            comparisons.append(Comparison("warm run", label, warm["timeline"], warm["jq"], "jq", 1 / 3 if target else 0))
            comparisons += [
                Comparison("peak memory, warm", label, warm["timeline"], warm["jq"], "jq", 1.0 if target else 0, memory=True),
                Comparison("peak memory, cold", label, cold["timeline"], warm["jq"], "jq", 1.0 if target else 0, memory=True),
            ]
    return comparisons


def table(comparisons: list[Comparison], rounds: int) -> str:
    lines = [
        f"Machine: {machine()}. Medians of {rounds} interleaved rounds (start-up: {rounds * 4}), "
        f"measured {time.strftime('%Y-%m-%d')}.",
        "",
        "| target | N | timeline | baseline | ratio | limit | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [comparison.row() for comparison in comparisons]
    return "\n".join(lines) + "\n"


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md lacks the {START} … {END} markers")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated event counts")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each command per size")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    options = parser.parse_args()
    if shutil.which("jq") is None:
        raise SystemExit("jq is needed for the warm-run baseline: apt-get install jq")
    sizes = [int(size) for size in options.sizes.split(",") if size]
    # Byte-compile the package first, as pip does when it installs one, so that no run pays for compiling.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    result = table(run(sizes, options.rounds), options.rounds)
    print(result, end="")
    if options.readme:
        write_readme(result)


if __name__ == "__main__":
    main()
