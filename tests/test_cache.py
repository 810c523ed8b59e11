"""The parse cache: keyed on content, never pickle, and any damage falls back to a plain parse."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kztm_timeline import cache, seal, store
from kztm_timeline.cache import CachedEvents
from kztm_timeline.cli import app
from kztm_timeline.errors import DataError, UsageError
from kztm_timeline.load import load_dataset
from kztm_timeline.model import Dataset
from kztm_timeline.query import Query, Reach, select
from kztm_timeline.store import FORMAT, cache_dir, cache_file
from kztm_timeline.text import name_words
from kztm_timeline.vocab import Kind, Status

from .conftest import DATA, ROOT, EditData

runner = CliRunner()


def data_file(workdir: Path) -> Path:
    return workdir / "data" / "events.yaml"


def cached_path(folder: Path, data: Path) -> Path:
    return Path(cache_file(str(folder), str(data)))


def test_the_first_run_writes_the_cache_and_the_second_reads_it(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    parsed = load_dataset(str(path), cache=str(private_cache))
    assert cached_path(private_cache, path).is_file()
    served = load_dataset(str(path), cache=str(private_cache))
    assert isinstance(served.events, CachedEvents)
    assert list(served.events) == list(parsed.events)
    assert (served.sources, served.actors) == (parsed.sources, parsed.actors)
    assert dict(served.referrers) == dict(parsed.referrers)


def test_cached_and_fresh_runs_print_the_same_bytes() -> None:
    fresh = runner.invoke(app, ["--no-cache", "list", "--json"]).stdout
    first = runner.invoke(app, ["list", "--json"]).stdout
    second = runner.invoke(app, ["list", "--json"]).stdout
    assert fresh == first == second


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    load_dataset(str(path), cache=str(private_cache))
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Partnership Agreement signed\n", "Partnership Agreement SIGNED\n"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    dataset = load_dataset(str(path), cache=str(private_cache))
    assert dataset.event_by_id["2017-04-strategic-partnership-agreement"].title == "Strategic Partnership Agreement SIGNED"


def test_an_article_edited_to_the_same_size_and_time_is_checked_again(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    load_dataset(str(path), cache=str(private_cache))
    article = workdir / "seeds" / "003_c3daa0d2106145c5.txt"
    stat = article.stat()
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("signed in April 2017", "signed in Aprul 2017"), encoding="utf-8")
    os.utime(article, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert article.stat().st_size == stat.st_size
    with pytest.raises(DataError, match="quote not found in source 'tm-2023-05-16-prospects'"):
        load_dataset(str(path), cache=str(private_cache))


def test_articles_whose_status_is_unchanged_are_not_read_again(
    workdir: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = data_file(workdir)
    load_dataset(str(path), cache=str(private_cache))
    monkeypatch.setattr(store, "read_bytes", lambda *_, **__: pytest.fail("an article was read"))
    assert isinstance(load_dataset(str(path), cache=str(private_cache)).events, CachedEvents)


def test_an_edited_article_is_checked_again(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    load_dataset(str(path), cache=str(private_cache))
    article = workdir / "seeds" / "003_c3daa0d2106145c5.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("signed in April 2017", "signed in 2017"), encoding="utf-8")
    with pytest.raises(DataError, match="quote not found in source 'tm-2023-05-16-prospects'"):
        load_dataset(str(path), cache=str(private_cache))


def test_another_tool_version_does_not_read_the_cache(
    workdir: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = data_file(workdir)
    load_dataset(str(path), cache=str(private_cache))
    monkeypatch.setattr(store, "__version__", "999.0")
    assert cache.read(str(private_cache), str(path), lambda: store.digest(path.read_bytes()), tuple) is None


SQLITE_HEADER = b"SQLite format 3\x00"


def sql(target: Path, statement: str) -> None:
    connection = sqlite3.connect(target)
    connection.execute(statement)
    connection.commit()
    connection.close()


def forged(target: Path, statement: str) -> None:
    """Change the database behind its seal's back: the statement, then a seal that vouches for the result (as
    damage the seal cannot see would look, or a forgery by this same user, whom the cache trusts)."""
    sql(target, statement)
    assert seal.renew(str(target))


def test_the_cache_is_an_sqlite_database_of_plain_values(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    load_dataset(str(path), cache=str(private_cache))
    target = cached_path(private_cache, path)
    assert target.read_bytes().startswith(SQLITE_HEADER)
    connection = sqlite3.connect(target)
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"meta", "events", "keys", "links", "search"} <= tables
    assert connection.execute("SELECT count(*) FROM events").fetchone() == (26,)
    for (record,) in connection.execute("SELECT record FROM events"):
        assert isinstance(json.loads(record), dict)
    assert connection.execute("SELECT count(*) FROM sqlite_master WHERE type IN ('trigger', 'view')").fetchone() == (0,)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda target: target.write_bytes(b"garbage" + target.read_bytes()), id="garbage"),
        pytest.param(lambda target: target.write_bytes(b""), id="empty"),
        pytest.param(lambda target: target.write_bytes(target.read_bytes()[: len(target.read_bytes()) // 2]), id="truncated"),
        pytest.param(lambda target: sql(target, f"UPDATE meta SET value = '{FORMAT}x' WHERE key = 'format'"), id="format"),
        pytest.param(lambda target: sql(target, "DROP TABLE meta"), id="no meta"),
        pytest.param(lambda target: sql(target, "UPDATE meta SET value = 'x' WHERE key = 'registry'"), id="registry"),
        pytest.param(lambda target: sql(target, "DELETE FROM meta WHERE key = 'count'"), id="count"),
        pytest.param(lambda target: target.write_bytes(b"\x80pickle" + target.read_bytes()), id="pickle prefix"),
    ],
)
def test_a_corrupt_cache_is_not_used_and_the_file_is_read_afresh(workdir: Path, private_cache: Path, damage: object) -> None:
    path = data_file(workdir)
    expected = list(load_dataset(str(path)).events)
    load_dataset(str(path), cache=str(private_cache))
    target = cached_path(private_cache, path)
    assert callable(damage)
    damage(target)
    damaged = target.stat().st_ino
    dataset = load_dataset(str(path), cache=str(private_cache))
    assert list(dataset.events) == expected
    assert target.stat().st_ino != damaged  # a good cache was written in its place
    assert target.read_bytes().startswith(SQLITE_HEADER)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param("UPDATE events SET record = replace(record, 'signed', 'forged')", id="record"),
        pytest.param("DROP TABLE events", id="no events"),
        pytest.param("UPDATE events SET record = 'not json', crc = 0", id="not json"),
    ],
)
def test_a_damaged_event_row_falls_back_when_it_is_read(workdir: Path, private_cache: Path, damage: str) -> None:
    path = data_file(workdir)
    expected = list(load_dataset(str(path)).events)
    load_dataset(str(path), cache=str(private_cache))
    forged(cached_path(private_cache, path), damage)  # damage the seal does not see
    dataset = load_dataset(str(path), cache=str(private_cache))
    assert isinstance(dataset.events, CachedEvents)  # the head is intact, so the cache is accepted…
    assert list(dataset.events) == expected  # …but the damaged row fails its CRC and the data is parsed


def test_an_unchanged_file_is_not_hashed_again(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    load_dataset(str(path), cache=str(private_cache))
    hashed: list[str] = []

    def digest() -> str:
        hashed.append("hashed")
        return store.digest(path.read_bytes())

    assert cache.read(str(private_cache), str(path), digest, tuple) is not None
    assert hashed == []


def test_a_touched_file_is_hashed_and_still_served_when_its_bytes_are_the_same(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    load_dataset(str(path), cache=str(private_cache))
    os.utime(path, ns=(1, 1))
    hashed: list[str] = []

    def digest() -> str:
        hashed.append("hashed")
        return store.digest(path.read_bytes())

    assert cache.read(str(private_cache), str(path), digest, tuple) is not None
    assert hashed == ["hashed"]


def test_an_unreadable_cache_falls_back_to_a_plain_parse(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    cached_path(private_cache, path).mkdir(parents=True)  # a directory where the file should be
    dataset = load_dataset(str(path), cache=str(private_cache))
    assert len(dataset.events) == 26


def test_a_cache_folder_that_cannot_be_written_is_ignored(workdir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    dataset = load_dataset(str(data_file(workdir)), cache=str(blocker / "kztm-timeline"))
    assert len(dataset.events) == 26


def test_no_cache_neither_reads_nor_writes_it(private_cache: Path) -> None:
    result = runner.invoke(app, ["--no-cache", "list", "--json"])
    assert result.exit_code == 0
    assert not private_cache.exists()


def test_the_environment_can_turn_the_cache_off(private_cache: Path) -> None:
    result = runner.invoke(app, ["list", "--json"], env={"KZTM_TIMELINE_NO_CACHE": "1"})
    assert result.exit_code == 0
    assert not private_cache.exists()


def test_the_cli_writes_its_cache_under_xdg_cache_home(private_cache: Path, five_articles: Path) -> None:
    runner.invoke(app, ["list", "--json"])
    assert cached_path(private_cache, five_articles).is_file()


def test_the_cache_folder_follows_the_xdg_base_directory_spec() -> None:
    assert cache_dir({"XDG_CACHE_HOME": "/x/cache"}) == "/x/cache/kztm-timeline"
    home = os.path.expanduser("~")
    assert cache_dir({"XDG_CACHE_HOME": "relative/ignored"}) == f"{home}/.cache/kztm-timeline"
    assert cache_dir({}) == f"{home}/.cache/kztm-timeline"


def test_the_cache_file_is_named_for_the_escaped_absolute_path_of_the_data_file() -> None:
    assert cache_file("/c", "/work/my data/events.yaml") == "/c/%2Fwork%2Fmy%20data%2Fevents.yaml.sqlite"


def test_a_percent_sign_in_the_data_path_is_escaped_too() -> None:
    assert cache_file("/c", "/w/100%/e.yaml") == "/c/%2Fw%2F100%25%2Fe.yaml.sqlite"


def test_a_data_path_too_long_for_a_file_name_is_named_by_its_sha256() -> None:
    path = "/" + "a" * 300
    assert cache_file("/c", path) == "/c/d7a2578fdb4713875c666382809b26f4eeee6049b9ce7ef3e592c8ebd78d1bb7.sqlite"


@pytest.mark.parametrize("streamed", [True, False], ids=["streamed", "read whole"])
def test_the_cache_an_earlier_release_kept_under_its_old_name_goes_when_the_new_one_is_written(
    workdir: Path, private_cache: Path, streamed: bool
) -> None:
    path = data_file(workdir)
    if not streamed:  # a byte-order mark makes the cold run read the file whole
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    private_cache.mkdir(mode=0o700)
    old = private_cache / (hashlib.sha256(str(path).encode()).hexdigest()[:32] + ".sqlite")
    old.write_bytes(b"an earlier release's cache")
    assert runner.invoke(app, ["list", "--data", str(path)]).exit_code == 0
    assert cached_path(private_cache, path).is_file()
    assert not old.exists()


@settings(max_examples=200)
@given(st.lists(st.text(min_size=1, max_size=120), min_size=2, max_size=2, unique=True))
def test_different_data_paths_never_share_a_cache_file(names: list[str]) -> None:
    paths = ["/" + name.replace("\x00", "") for name in names]
    files = [cache_file("/c", path) for path in paths]
    if os.path.abspath(paths[0]) != os.path.abspath(paths[1]):
        assert files[0] != files[1]
    for file in files:
        name = os.path.basename(file)
        assert "/" not in name
        assert len(name.encode("utf-8")) <= 255
        assert name.isascii()


def test_bad_data_is_never_cached(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2017-04\n", "date: 2017-13\n"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(DataError):
            load_dataset(str(path), cache=str(private_cache))
    assert not private_cache.exists() or list(private_cache.iterdir()) == []  # no database, not even a temporary one


def test_events_related_across_the_file_are_checked_once_all_are_read(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("relation: follows_up}", "relation: fulfils}", 1), encoding="utf-8")
    with pytest.raises(DataError) as refused:
        load_dataset(str(path), cache=str(private_cache))
    assert [problem.message for problem in refused.value.problems] == [
        "fulfils names '2021-10-tokayev-state-visit', which is not a planned event"
    ]
    assert list(private_cache.iterdir()) == []


def test_two_events_of_one_id_are_refused_by_the_streamed_read_too(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("id: abai-sculpture-ashgabat", "id: 2017-04-strategic-partnership-agreement"), encoding="utf-8")
    with pytest.raises(DataError, match="duplicate event id '2017-04-strategic-partnership-agreement'"):
        load_dataset(str(path), cache=str(private_cache))
    assert list(private_cache.iterdir()) == []


def test_a_cold_run_holds_no_event_it_has_indexed(workdir: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kztm_timeline.load as load_module

    path = data_file(workdir)
    monkeypatch.setattr(load_module, "_parse", lambda *_: pytest.fail("the file was parsed whole"))
    dataset = load_dataset(str(path), cache=str(private_cache))
    assert isinstance(dataset.events, CachedEvents)
    assert len(dataset.events) == 26


# ---------------------------------------------------------------- queries answered from the cache's indexes


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Dataset, Dataset]]:
    """Each dataset twice: parsed, and served by the cache (which answers from its indexes)."""
    synthetic = tmp_path_factory.mktemp("synthetic")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "400", str(synthetic)], check=True)
    folder = str(tmp_path_factory.mktemp("twins-cache"))
    pairs = []
    for path in (DATA, synthetic / "data" / "events.yaml"):
        parsed = load_dataset(str(path))
        load_dataset(str(path), cache=folder)
        served = load_dataset(str(path), cache=folder)
        assert isinstance(served.events, CachedEvents)
        pairs.append((parsed, served))
    return pairs


WORDS = ["aral sea", "Berdimuhamedow", "trade", "gas", "monument astana", "person", "event 001", "zz", "culture days"]
ACTORS = ["kazakhstan", "turkmenistan", "tokayev", "Berdimuhamedow", "magtymguly", "person-001", "person-017", "uzbekistan"]
TOPICS = ["trade", "culture", "energy", "central-asia", "monument", "no-such-topic", "TRADE"]
queries = st.builds(
    Query,
    years=st.lists(st.integers(1990, 2026), max_size=2).map(tuple),
    since=st.none() | st.dates(date(1990, 1, 1), date(2026, 12, 31)),
    until=st.none() | st.dates(date(1990, 1, 1), date(2026, 12, 31)),
    kinds=st.lists(st.sampled_from(list(Kind)), max_size=3).map(tuple),
    actors=st.lists(st.sampled_from(ACTORS), max_size=2).map(tuple),
    topics=st.lists(st.sampled_from(TOPICS), max_size=2).map(tuple),
    statuses=st.lists(st.sampled_from(list(Status)), max_size=1).map(tuple),
    places=st.lists(st.sampled_from(["Astana", "Ashgabat", "nowhere"]), max_size=1).map(tuple),
    search=st.lists(st.sampled_from(WORDS), max_size=2).map(tuple),
    limit=st.none() | st.integers(0, 20),
    reverse=st.booleans(),
    reach=st.sampled_from(list(Reach)),
)


@settings(max_examples=300, deadline=None)
@given(queries)
def test_the_cache_answers_every_query_exactly_as_a_fresh_parse(twins: list[tuple[Dataset, Dataset]], query: Query) -> None:
    for parsed, served in twins:
        try:
            expected = select(parsed, query)
        except UsageError:
            with pytest.raises(UsageError):
                select(served, query)
            continue
        assert select(served, query) == expected


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["2017", "2024-07", "2024-0", "abai", "x", "2023-10-plan", "zzz"]))
def test_the_cache_finds_ids_by_prefix_exactly_as_a_fresh_parse(twins: list[tuple[Dataset, Dataset]], prefix: str) -> None:
    for parsed, served in twins:
        assert served.events.with_prefix(prefix) == parsed.events.with_prefix(prefix)


# ---------------------------------------------------------------- streaming from the cache


def test_a_stream_from_the_cache_reads_only_the_events_it_has_given(twins: list[tuple[Dataset, Dataset]]) -> None:
    from kztm_timeline.query import stream

    _, served = twins[1]  # 400 generated events
    assert isinstance(served.events, CachedEvents)
    fresh = load_dataset(served.path, cache=str(Path(served.events._path).parent))  # a new store: nothing decoded yet
    assert isinstance(fresh.events, CachedEvents)
    events = stream(fresh, Query())
    first = next(events)
    assert first == select(served, Query())[0]
    assert len(fresh.events._decoded) == 1


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "markdown", "timeline"])
def test_streamed_output_is_byte_for_byte_the_rendered_output(fmt: str, tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "100", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "kztm_timeline", "list", "-f", fmt]
    streamed = subprocess.run(command, capture_output=True, env=env, check=True).stdout
    rendered = subprocess.run([*command, "-o", str(tmp_path / "out")], capture_output=True, env=env, check=True)
    assert rendered.stdout == b""
    assert streamed == (tmp_path / "out").read_bytes()


# ---------------------------------------------------------------- validate answers from the cache's verdict


def test_validate_keeps_its_verdict_in_the_cache_and_reads_it_next_time(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    first = runner.invoke(app, ["validate", "--data", str(path), "--as-of", "2024-12-31"])
    connection = sqlite3.connect(cached_path(private_cache, path))
    assert connection.execute("SELECT count(*) FROM meta WHERE key = 'memo:validate'").fetchone() == (1,)
    connection.close()
    second = runner.invoke(app, ["validate", "--data", str(path), "--as-of", "2024-12-31"])
    assert (second.exit_code, second.stdout) == (first.exit_code, first.stdout) == (0, first.stdout)
    assert second.stdout.endswith("26 events, 14 actors, 5 sources; 34 quotes verified\n")


def test_a_plain_validate_from_the_cache_does_not_read_the_inferred_dates(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    text = path.read_text(encoding="utf-8")
    assert text.count("evidence: inferred") == 13  # (listed by a strict validation only, never kept in the verdict)
    runner.invoke(app, ["validate", "--data", str(path)])
    connection = sqlite3.connect(cached_path(private_cache, path))
    (kept,) = connection.execute("SELECT value FROM meta WHERE key = 'memo:validate'").fetchone()
    connection.close()
    assert json.loads(kept) == {"problems": [], "quotes": 34, "web": 0}


def test_validate_strict_lists_the_inferred_dates_from_the_cache_as_a_fresh_read_does(workdir: Path) -> None:
    path = data_file(workdir)
    runner.invoke(app, ["validate", "--data", str(path)])
    warm = runner.invoke(app, ["validate", "--strict", "--data", str(path), "--as-of", "2024-12-31"])
    again = runner.invoke(app, ["validate", "--strict", "--data", str(path), "--as-of", "2024-12-31"])
    fresh = runner.invoke(app, ["--no-cache", "validate", "--strict", "--data", str(path), "--as-of", "2024-12-31"])
    assert (warm.exit_code, warm.stdout, warm.stderr) == (again.exit_code, again.stdout, again.stderr)
    assert (warm.exit_code, warm.stdout, warm.stderr) == (fresh.exit_code, fresh.stdout, fresh.stderr)
    assert warm.stderr.count("inferred: ") == 13


def test_a_verdict_kept_by_the_previous_cache_format_is_never_read(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    runner.invoke(app, ["validate", "--data", str(path)])
    verdict = '{"problems": [], "inferred": [["forged-event", "2024", "Forged."]], "quotes": 99, "web": 0}'
    database = cached_path(private_cache, path)
    forged(database, f"UPDATE meta SET value = '{verdict}' WHERE key = 'memo:validate'")
    forged(database, "UPDATE meta SET value = '20' WHERE key = 'format'")  # (format 20 kept the inferred dates in it)
    plain = runner.invoke(app, ["validate", "--data", str(path)])
    strict = runner.invoke(app, ["validate", "--strict", "--data", str(path), "--as-of", "2024-12-31"])
    assert "34 quotes verified" in plain.stdout
    assert "forged-event" not in strict.stderr


def test_a_kept_verdict_with_problems_names_the_data_file_as_this_run_names_it(
    edited: EditData, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = "  - id: 2023-10-nurtleu-official-visit\n"
    path = edited(event + "    date: 2023-10\n", event + "    date: 2023-11\n")
    first = runner.invoke(app, ["validate", "--data", str(path)])
    monkeypatch.chdir(path.parent)
    second = runner.invoke(app, ["validate", "--data", "events.yaml"])
    assert (first.exit_code, second.exit_code) == (1, 1)
    assert "reported as done by 2023-10-31, but dated 2023-11, which runs later" in second.stderr
    assert second.stderr.startswith("events.yaml:")
    assert first.stderr.replace(f"{path}:", "events.yaml:") == second.stderr


def test_a_forged_verdict_is_what_the_cache_says_only_while_the_data_is_unchanged(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    runner.invoke(app, ["validate", "--data", str(path)])
    verdict = '{"problems": [], "inferred": [], "quotes": 99}'
    forged(cached_path(private_cache, path), f"UPDATE meta SET value = '{verdict}' WHERE key = 'memo:validate'")
    assert "99 quotes verified" in runner.invoke(app, ["validate", "--data", str(path)]).stdout  # this user's own cache
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "34 quotes verified" in runner.invoke(app, ["validate", "--data", str(path)]).stdout


@settings(max_examples=200, deadline=None)
@given(queries)
def test_the_cache_counts_stats_exactly_as_a_fresh_parse(twins: list[tuple[Dataset, Dataset]], query: Query) -> None:
    from kztm_timeline.contract import stats_json
    from kztm_timeline.query import tally

    query = dataclasses.replace(query, limit=None)
    for parsed, served in twins:
        try:
            expected = stats_json(tally(parsed, query), query)
        except UsageError:
            continue
        assert stats_json(tally(served, query), query) == expected


def test_validate_names_twenty_overdue_plans_and_counts_the_rest_alike_with_and_without_the_cache(
    twins: list[tuple[Dataset, Dataset]],
) -> None:
    path = twins[1][0].path  # 400 generated events, many of them plans long overdue
    arguments = ["validate", "--as-of", "2026-01-01", "--data", path]
    fresh = runner.invoke(app, ["--no-cache", *arguments])
    runner.invoke(app, arguments)  # writes the cache
    cached = runner.invoke(app, arguments)
    plans = json.loads(runner.invoke(app, ["plans", "--as-of", "2026-01-01", "--json", "--data", path]).stdout)
    count = sum(1 for plan in plans if plan["state"] == "overdue")
    assert count > 20
    lines = fresh.stderr.splitlines()
    assert len([line for line in lines if line.startswith("warning: plan ")]) == 20
    assert f"… and {count - 20} more overdue plans; 'timeline plans --as-of 2026-01-01 -f csv' lists them all" in lines
    assert (cached.exit_code, cached.stdout, cached.stderr) == (fresh.exit_code, fresh.stdout, fresh.stderr)


@settings(max_examples=150, deadline=None)
@given(queries)
def test_the_kept_contract_json_is_what_encoding_the_events_gives(twins: list[tuple[Dataset, Dataset]], query: Query) -> None:
    from kztm_timeline.contract import View
    from kztm_timeline.exporters.data import iter_json, json_array
    from kztm_timeline.query import contract_lines

    for parsed, served in twins:
        try:
            expected = "".join(iter_json(View(parsed, ()), select(parsed, query)))
        except UsageError:
            continue
        lines = contract_lines(served, query)
        if lines is None:  # search words, years, a place of no words or only partly: the events are encoded instead
            partly = query.reach is Reach.PARTLY and bool(query.years or query.since or query.until)
            assert query.search or len(query.years) > 1 or any(not name_words(place) for place in query.places) or partly
            continue
        assert "".join(json_array(lines)) == expected


def test_the_cache_answers_a_place_as_a_run_of_words_exactly(workdir: Path, private_cache: Path) -> None:
    from kztm_timeline.query import contract_lines

    path = data_file(workdir)
    load_dataset(str(path), cache=str(private_cache))
    served = load_dataset(str(path), cache=str(private_cache))
    found = {
        place: [json.loads(line)["id"] for line in contract_lines(served, Query(places=(place,))) or ["null"]]
        for place in ("independence of turkmenistan", "Turkmenistan Ashgabat", "ASHGABAT")
    }
    assert found == {
        "independence of turkmenistan": ["2023-10-nurtleu-wreath-laying"],
        "Turkmenistan Ashgabat": ["2023-10-nurtleu-wreath-laying"],
        "ASHGABAT": [
            "2023-10-31-foreign-ministers-talks",
            "2023-10-31-mfa-cooperation-programme",
            "2023-10-nurtleu-official-visit",
            "2023-10-nurtleu-wreath-laying",
            "abai-sculpture-ashgabat",
        ],
    }


def test_a_damaged_contract_line_is_encoded_again_from_its_event(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    fresh = runner.invoke(app, ["--no-cache", "list", "--json", "--data", str(path)]).stdout
    load_dataset(str(path), cache=str(private_cache))
    forged(cached_path(private_cache, path), "UPDATE events SET contract = replace(contract, 'signed', 'forged')")
    assert runner.invoke(app, ["list", "--json", "--data", str(path)]).stdout == fresh


def test_a_run_that_reads_every_event_keeps_only_a_bounded_number_decoded(
    workdir: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = data_file(workdir)
    load_dataset(str(path), cache=str(private_cache))
    served = load_dataset(str(path), cache=str(private_cache))
    monkeypatch.setattr(cache.rows, "KEPT_EVENTS", 3)
    assert isinstance(served.events, CachedEvents)
    assert len(list(served.events)) == 26
    assert len(served.events._decoded) == 3


def test_a_cache_folder_whose_path_holds_uri_characters_works(workdir: Path, tmp_path: Path) -> None:
    path = data_file(workdir)
    folder = tmp_path / "a?b#c%20d"
    load_dataset(str(path), cache=str(folder))
    assert isinstance(load_dataset(str(path), cache=str(folder)).events, CachedEvents)


def test_the_overdue_plans_are_kept_for_the_day_and_dropped_by_an_add(workdir: Path, private_cache: Path) -> None:
    from kztm_timeline.curate import EventInput, add_event, new_event

    path = data_file(workdir)
    for _ in range(2):
        assert runner.invoke(app, ["validate", "--as-of", "2030-01-01", "--data", str(path)]).exit_code == 0
    database = cached_path(private_cache, path)
    day = date(2030, 1, 1).toordinal()
    kept = seal.read_seal(str(database))  # kept in the seal: the sealed database is never changed in place
    assert kept is not None
    assert list(kept.memos) == [f"memo:overdue:{day}:20:fulfils,cancels,postpones"]
    given = EventInput("2024-08-05", "A call", "telephone_call", "happened", ("kazakhstan",), "A call.", ("trend-2023-10-31",),
                       ("A cooperation program was signed between",))  # fmt: skip
    add_event(str(path), lambda dataset: new_event(dataset, given), cache=str(private_cache))
    after = seal.read_seal(str(database))
    assert after is not None
    assert after.memos == {}


def test_the_benchmarks_floor_script_finds_the_cache_and_reads_the_same_events(workdir: Path, tmp_path: Path) -> None:
    odd = tmp_path / "my data 100%"
    shutil.copytree(workdir, odd)
    path = odd / "data" / "events.yaml"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    listed = subprocess.run(
        [sys.executable, "-m", "kztm_timeline", "list", "--year", "2024", "--json", "--data", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    floor_script = str(ROOT / "benchmarks" / "floor_cache.py")
    floor = subprocess.run([sys.executable, floor_script, str(path)], capture_output=True, text=True, check=True, env=env)
    ids = [event["id"] for event in json.loads(floor.stdout)]
    assert ids == [event["id"] for event in json.loads(listed.stdout)]
    assert len(ids) == 7


def test_a_data_file_touched_but_not_changed_is_hashed_once_not_on_every_run(
    workdir: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kztm_timeline import load
    from kztm_timeline.datafile.fs import file_digest as real

    path = data_file(workdir)
    load_dataset(str(path), cache=str(private_cache))
    os.utime(path)  # touched: its status is not the one the cache recorded, its bytes are
    hashed: list[str] = []

    def counted(file: str, **options: bool) -> str:
        hashed.append(file)
        return real(file, **options)

    monkeypatch.setattr(load, "file_digest", counted)
    for _ in range(3):
        assert [event.id for event in load_dataset(str(path), cache=str(private_cache)).events]
    assert hashed == [str(path)]


def test_a_change_after_a_touch_is_read(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    load_dataset(str(path), cache=str(private_cache))
    os.utime(path)
    load_dataset(str(path), cache=str(private_cache))  # (its new status kept)
    text = path.read_text(encoding="utf-8")
    at = text.index("title: ", text.index("\nevents:"))  # the first event's title
    path.write_text(text[:at] + "title: Changed " + text[at + len("title: ") :], encoding="utf-8")
    titles = [event.title for event in load_dataset(str(path), cache=str(private_cache)).events]
    assert titles == [event.title for event in load_dataset(str(path)).events]
    assert sum(title.startswith("Changed ") for title in titles) == 1
