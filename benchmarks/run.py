"""Time `timeline` against the baselines a user would otherwise reach for, in one run.

    python benchmarks/run.py                       # N = 1,000, 10,000 and 100,000; 3 rounds
    python benchmarks/run.py --sizes 1000000 --rounds 1
    python benchmarks/run.py --readme              # also rewrite the README's results table

The package is byte-compiled first, as pip does when it installs it. Every
measurement times a whole process (start-up included), and each target is
reported as a ratio of medians against its baseline, measured in the same run
with the runs interleaved, because this kind of machine is noisy. Peak memory is
each process's maximum resident set size. Timings are never asserted in tests.

Peers (issue 16): jq on the same events as one JSON array (the user's other way to ask);
a bare libyaml parse of the data file (yaml.load with CSafeLoader) for cold runs; the
floor script floor_cache.py, which reads the cache database and decodes the same events
with nothing else; the minimal Typer app floor_app.py for start-up. Targets at 100,000
events (other sizes are shown for scale, except start-up):
  warm `list --year 2024 --json`                <= 0.2 x jq, <= 1.3 x the floor script
  warm --search, --place, --actor, stats, show  <= 0.2 x jq's equivalent
  warm `validate`, nothing changed              <= 1.2 x the Typer app's start-up
  `list --json | head -c 10`                    <= 1.5 x a warm `list --limit 1 --json`
  `add` one event                               <= 0.2 x a cold `list`, peak memory <= a cold `list`'s
  8 `add`s started at once                      all land (they queue on the file's lock)
At 1,000,000 events: warm `list --year 2024 --json` <= 1.5 s and 300 MiB; warm `stats --json` and
`validate` <= 1 s; the cold run <= 1.0 x libyaml's bare parse (where this machine can run that parse
at all) and <= 1 GiB.
  start-up, `list --limit 1 --json` (shipped)   <= 1.3 x the Typer app
Broken data (issue 27) has its own script, benchmarks/pathological.py: 16,000 to 64,000 unknown keys in one
event and 20 MB of broken events, each validated in seconds and under 500 MB, at most 200 problems printed.
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
JQ = {
    "search": '[.[] | select((.title + " " + .summary) | test("number 4242"; "i"))]',
    "place": '[.[] | select(.place == "Aktau")]',
    "actor": '[.[] | select(any(.participants[]; .actor == "person-001"))]',
    "stats": "group_by(.kind) | map({key: .[0].kind, value: length}) | from_entries",
    "show": '.[] | select(.id == "e000042")',
}
BARE_YAML_LOAD = "import sys, yaml; yaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader)"
TARGET_SIZE = 100_000  # the issue sets the targets at this size; smaller and larger sizes are shown for scale


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_kib: int


def measure(command: Sequence[str], env: dict[str, str]) -> Sample:
    """Run ``command`` once with its output discarded; wall time and peak RSS. (Its messages go to a file,
    not a pipe: a pipe nobody reads while the command runs would stop it once full.)"""
    with tempfile.TemporaryFile() as messages:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=messages, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            messages.seek(0)
            stderr = messages.read().decode(errors="replace")[-2000:]
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
    """The ``timeline`` of the environment running the benchmarks (beside its Python), never another one on PATH (a
    pyenv shim, say, adds 100 ms of shell to every run and may run another installation)."""
    script = Path(sys.executable).with_name("timeline")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kztm_timeline"]


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


def run(sizes: list[int], rounds: int, *, add_up_to: int, kind: str = "generated", only_28: bool = False) -> list[Comparison]:
    base_env = {key: value for key, value in os.environ.items() if key not in ("KZTM_TIMELINE_NO_CACHE", "KZTM_TIMELINE_DATA")}
    comparisons: list[Comparison] = []
    timeline = timeline_command()
    floor_app = [sys.executable, str(HERE / "floor_app.py"), "list", "--year", "2024", "--json"]
    with tempfile.TemporaryDirectory(prefix="kztm-bench-") as scratch:
        warm_env = {**base_env, "XDG_CACHE_HOME": os.path.join(scratch, "warm")}
        cold_home = os.path.join(scratch, "cold")
        cold_env = {**base_env, "XDG_CACHE_HOME": cold_home}

        startup = interleave(
            rounds * 4,
            {"timeline": ([*timeline, "list", "--limit", "1", "--json"], warm_env), "floor": (floor_app, base_env)},
            {},
        )
        comparisons.append(
            Comparison("start-up, `list --limit 1 --json`", "26", startup["timeline"], startup["floor"], "Typer app", 1.3)
        )

        for size in sizes:
            folder = OUT / (str(size) if kind == "generated" else f"shipped-{size}")
            if not (folder / "events.json").is_file():
                print(f"generating {size:,} events ({kind})…", file=sys.stderr)
                script = "generate.py" if kind == "generated" else "replicate.py"
                subprocess.run([sys.executable, str(HERE / script), str(size), str(folder)], check=True)
            data = str(folder / "data" / "events.yaml")
            events_json = str(folder / "events.json")
            label = f"{size:,}" if kind == "generated" else f"{size:,} (shipped)"
            target = size == TARGET_SIZE

            def limit(value: float, *, target: bool = target) -> float:
                return value if target else 0

            query = [*timeline, "list", "--year", "2024", "--json", "--data", data]
            print(f"timing N = {size:,} ({rounds} rounds)…", file=sys.stderr)
            cold_runs: Commands = {"timeline": (query, cold_env)}
            yaml_fits = _libyaml_fits(Path(data))
            if yaml_fits:
                cold_runs["yaml"] = ([sys.executable, "-c", BARE_YAML_LOAD, data], base_env)
            cold = interleave(rounds, cold_runs, {"timeline": lambda: shutil.rmtree(cold_home, ignore_errors=True)})
            huge = size >= HUGE_SIZE
            if yaml_fits:
                title, cold_limit = "cold `list --year 2024 --json`", 1.0 if huge else 0
                comparisons.append(Comparison(title, label, cold["timeline"], cold["yaml"], "libyaml parse", cold_limit))
                comparisons.append(
                    Comparison("peak memory, cold", label, cold["timeline"], cold["yaml"], "libyaml parse", 0, memory=True)
                )
            else:
                comparisons.append(Absolute("cold `list --year 2024 --json`", label, cold["timeline"], NO_YAML, 0))
            if huge:
                comparisons.append(Absolute("peak memory, cold", label, cold["timeline"], "1 GiB", 1024 * 1024, memory=True))
            floor = [sys.executable, str(HERE / "floor_cache.py"), data]
            if only_28:
                comparisons += _issue_28(
                    timeline, data, label, Path(scratch), warm_env, rounds, cold["timeline"], size, floor_app
                )
                continue
            warm = interleave(
                rounds,
                {
                    "timeline": (query, warm_env),
                    "jq": (["jq", JQ_QUERY, events_json], base_env),
                    "floor": (floor, warm_env),
                },
                {},
            )
            if huge:
                comparisons += [
                    Absolute("warm `list --year 2024 --json`", label, warm["timeline"], "1.5 s", 1.5),
                    Absolute("peak memory, warm list", label, warm["timeline"], "300 MiB", 300 * 1024, memory=True),
                ]
            comparisons += [
                Comparison("warm `list --year 2024 --json`", label, warm["timeline"], warm["jq"], "jq", limit(0.2)),
                Comparison("warm `list --year 2024 --json`", label, warm["timeline"], warm["floor"], "floor script", limit(1.3)),
                Comparison("peak memory, warm list", label, warm["timeline"], warm["jq"], "jq", 0, memory=True),
            ]
            asks = {
                "search": ["list", "--search", "number 4242", "--json"],
                "place": ["list", "--place", "Aktau", "--json"],
                "actor": ["list", "--actor", "person-001", "--json"],
                "stats": ["stats", "--json"],
                "show": ["show", "e000042", "--json"],
            }
            if kind == "shipped":  # the same questions, of the shipped events
                asks = {"stats": ["stats", "--json"]}
            for name, arguments in asks.items():
                pair = interleave(
                    rounds,
                    {
                        "timeline": ([*timeline, *arguments, "--data", data], warm_env),
                        "jq": (["jq", JQ[name], events_json], base_env),
                    },
                    {},
                )
                comparisons.append(
                    Comparison(f"warm `{' '.join(arguments)}`", label, pair["timeline"], pair["jq"], "jq", limit(0.2))
                )
                if huge and name == "stats":
                    comparisons.append(Absolute(f"warm `{' '.join(arguments)}`", label, pair["timeline"], "1 s", 1.0))
            validate = interleave(
                rounds, {"timeline": ([*timeline, "validate", "--data", data], warm_env), "floor": (floor_app, base_env)}, {}
            )
            comparisons.append(
                Comparison("warm `validate`", label, validate["timeline"], validate["floor"], "Typer app", limit(1.2))
            )
            if huge:
                comparisons.append(Absolute("warm `validate`", label, validate["timeline"], "1 s", 1.0))
            head = f"{' '.join(timeline)} list --json --data {data} | head -c 10"
            first = f"{' '.join(timeline)} list --limit 1 --json --data {data}"
            piped = interleave(rounds, {"head": (["bash", "-c", head], warm_env), "first": (["bash", "-c", first], warm_env)}, {})
            comparisons.append(
                Comparison("`list --json | head -c 10`", label, piped["head"], piped["first"], "`list --limit 1`", limit(1.5))
            )
            comparisons += _after_edits(timeline, data, label, Path(scratch), warm_env, rounds, cold["timeline"], size)
            if size <= add_up_to and kind == "generated":
                copy = Path(scratch) / f"add-{size}"
                adding = [
                    *timeline,
                    "add",
                    "--data",
                    str(copy / "data" / "events.yaml"),
                    "--date",
                    "2024-08-05",
                    "--title",
                    "Benchmark call",
                    "--kind",
                    "telephone_call",
                    "--status",
                    "happened",
                    "--actor",
                    "kazakhstan:caller",
                    "--summary",
                    "A call.",
                    "--source",
                    "article-0000",
                    "--quote",
                    _first_quote(folder),
                    "--evidence",
                    "inferred",
                    "--note",
                    "Benchmark.",
                ]

                def fresh_copy(copy: Path = copy, folder: Path = folder) -> None:
                    """A fresh copy of the data, whose cache is warm, as a curator's own file's is."""
                    shutil.rmtree(copy, ignore_errors=True)
                    shutil.copytree(folder / "data", copy / "data")
                    if not (copy / "seeds").exists():
                        os.symlink(folder / "seeds", copy / "seeds")
                    warm_up = [*timeline, "list", "--limit", "1", "--data", str(copy / "data" / "events.yaml")]
                    subprocess.run(warm_up, env=warm_env, check=True, stdout=subprocess.DEVNULL)

                added = interleave(
                    rounds,
                    {"add": (adding, warm_env), "cold": (query, cold_env)},
                    {"add": fresh_copy, "cold": lambda: shutil.rmtree(cold_home, ignore_errors=True)},
                )
                comparisons += [
                    Comparison("`add` one event", label, added["add"], added["cold"], "cold `list`", limit(0.2)),
                    Comparison("peak memory, `add`", label, added["add"], added["cold"], "cold `list`", limit(1.0), memory=True),
                ]
                fresh_copy()
                comparisons.append(parallel_adds(adding, warm_env, label, added["cold"], target=target))
    return comparisons


def _issue_28(
    timeline: list[str],
    data: str,
    label: str,
    scratch: Path,
    env: dict[str, str],
    rounds: int,
    cold: list[Sample],
    size: int,
    floor_app: list[str],
) -> list[Comparison]:
    """Only what issue 28 sets targets for (besides the cold read): warm `validate`, and the edits."""
    validate = interleave(rounds, {"timeline": ([*timeline, "validate", "--data", data], env), "floor": (floor_app, env)}, {})
    limit = 1.2 if size == TARGET_SIZE else 0
    found = [Comparison("warm `validate`", label, validate["timeline"], validate["floor"], "Typer app", limit)]
    return found + _after_edits(timeline, data, label, scratch, env, rounds, cold, size)


def _after_edits(
    timeline: list[str], data: str, label: str, scratch: Path, env: dict[str, str], rounds: int, cold: list[Sample], size: int
) -> list[Comparison]:
    """Issue 28: the next command after one event, or 1% of them, changed by hand (not by the tool)."""
    from edits import preparer, warmer

    copy = scratch / f"edit-{size}"
    edited = str(copy / "data" / "events.yaml")
    head = ["bash", "-c", f"{' '.join(timeline)} list --year 2024 --json --data {edited} | head -c 10"]
    commands: Commands = {
        "one, head": (head, env),
        "one, validate": ([*timeline, "validate", "--data", edited], env),
        "share, list": ([*timeline, "list", "--year", "2024", "--json", "--data", edited], env),
    }
    warm_up = warmer(timeline, env)
    one, share = preparer(data, copy, warm_up, 0), preparer(data, copy, warm_up, 0.01)
    runs = interleave(rounds, commands, {"one, head": one, "one, validate": one, "share, list": share})
    target, huge = size == TARGET_SIZE, size >= HUGE_SIZE
    found: list[Comparison] = [
        Comparison("one event edited by hand, then `list --year 2024 --json | head -c 10`", label, runs["one, head"], cold,
                   "cold `list`", 0),
        Comparison("one event edited by hand, then `validate`", label, runs["one, validate"], cold, "cold `list`", 0),
        Comparison("1% of events edited by hand, then `list --year 2024 --json`", label, runs["share, list"], cold, "cold `list`",
                   0.1 if target or huge else 0),
    ]  # fmt: skip
    if target or huge:
        seconds = 5.0 if huge else 1.0
        found += [
            Absolute("one event edited by hand, then `list … | head -c 10`", label, runs["one, head"], f"{seconds:g} s", seconds),
            Absolute("one event edited by hand, then `validate`", label, runs["one, validate"], f"{seconds:g} s", seconds),
        ]
    return found


HUGE_SIZE = 1_000_000  # the issue's absolute targets apply at this size
NO_YAML = "libyaml parse: not run (it would need more memory than this machine has)"


def _libyaml_fits(data: Path) -> bool:
    """Whether a bare libyaml load of ``data`` fits in memory: it takes about 28 times the file's size
    (2.3 GB for the 84 MB file of 100,000 events)."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemAvailable:"):
                return data.stat().st_size * 28 < int(line.split()[1]) * 1024 * 0.8
    except OSError:
        pass
    return True


class Absolute(Comparison):
    """A measure against a fixed limit (seconds, or KiB with ``memory``) rather than a peer."""

    def __init__(
        self, target: str, size: str, tool: list[Sample], limit_text: str, limit: float, *, memory: bool = False
    ) -> None:
        super().__init__(target, size, tool, tool, limit_text, limit, memory)

    def row(self) -> str:
        value = self.median(self.tool)
        if not self.limit:
            return f"| {self.target} | {self.size} | {self.unit(value)} | {self.baseline_name} | – | (no target) | – |"
        met = "yes" if value <= self.limit else "**no**"
        return f"| {self.target} | {self.size} | {self.unit(value)} | – | – | ≤ {self.baseline_name} | {met} |"


class Parallel(Comparison):
    """Eight `add`s started at once: how many landed, and the wall time until the last one had."""

    landed: int = 0

    def row(self) -> str:
        met = "yes" if self.landed == PARALLEL else "**no**"
        if not self.limit:
            met = "–"
        return (
            f"| {self.target} | {self.size} | {self.unit(self.median(self.tool))}, {self.landed} of {PARALLEL} landed "
            f"| {self.baseline_name} {self.unit(self.median(self.baseline))} | **{self.ratio:.2f}** | all land | {met} |"
        )


PARALLEL = 8


def parallel_adds(adding: list[str], env: dict[str, str], label: str, cold: list[Sample], *, target: bool) -> Comparison:
    """Start PARALLEL `add`s of distinct events at once on one file; they queue on its lock."""
    title = adding.index("--title") + 1
    commands = [[*adding[:title], f"Parallel call {number}", *adding[title + 1 :]] for number in range(PARALLEL)]
    start = time.perf_counter()
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for command in commands]
    codes = [process.wait() for process in processes]
    seconds = time.perf_counter() - start
    result = Parallel(f"{PARALLEL} `add`s at once", label, [Sample(seconds, 0)], cold, "cold `list`", 1.0 if target else 0)
    result.landed = codes.count(0)
    return result


def _first_quote(folder: Path) -> str:
    """Words of the first article (the generated source article-0000), to cite in the added event."""
    article = sorted((folder / "seeds").iterdir())[0].read_text(encoding="utf-8")
    return " ".join(article.split()[:6])


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
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each command per size")
    parser.add_argument("--add-up-to", type=int, default=100_000, help="time `add` only up to this many events")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--issue-28", action="store_true", help="only the measures issue 28 sets targets for")
    parser.add_argument(
        "--kind", choices=("generated", "shipped"), default="generated", help="synthetic events, or copies of the shipped ones"
    )
    options = parser.parse_args()
    if shutil.which("jq") is None:
        raise SystemExit("jq is needed for the warm-run baseline: apt-get install jq")
    sizes = [int(size) for size in options.sizes.split(",") if size]
    # Byte-compile the package first, as pip does when it installs one, so that no run pays for compiling.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    comparisons = run(sizes, options.rounds, add_up_to=options.add_up_to, kind=options.kind, only_28=options.issue_28)
    result = table(comparisons, options.rounds)
    print(result, end="")
    if options.readme:
        write_readme(result)


if __name__ == "__main__":
    main()
