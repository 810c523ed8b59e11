"""``timeline cache``: where the parse cache is, how large, for which data files; clearing it; and the pruning
that keeps it from growing without bound (entries whose data file is gone, or unused for MAX_UNUSED_DAYS)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.store import MAX_UNUSED_DAYS, cache_entries, cache_file, prune

from .conftest import DATA

runner = CliRunner()

DAY = 24 * 60 * 60


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def copy_of_data(folder: Path) -> Path:
    """A data file of its own (with its articles), so that its cache is an entry of its own."""
    shutil.copytree(DATA.parent, folder / "data")
    shutil.copytree(DATA.parent.parent / "seeds", folder / "seeds")
    return folder / "data" / "events.yaml"


def cached(data: Path) -> None:
    code, _, err = run("--data", str(data), "list", "--limit", "1", "--json")
    assert code == 0, err


def age(path: str, days: float) -> None:
    then = time.time() - days * DAY
    os.utime(path, (then, then))


# ---------------------------------------------------------------- info


def test_info_lists_each_data_file_the_cache_serves_with_its_size(private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KZTM_TIMELINE_DATA", str(DATA))  # the data file the command would read
    cached(DATA)
    code, out, _ = run("cache", "info", "--json")
    assert code == 0
    [entry] = json.loads(out)
    assert (entry["data"], entry["exists"], entry["current"]) == (str(DATA), True, True)
    assert entry["file"] == cache_file(str(private_cache), str(DATA))
    assert entry["size"] == os.path.getsize(entry["file"]) > 0


def test_info_names_the_folder_and_the_total_at_a_terminal(private_cache: Path) -> None:
    cached(DATA)
    _, out, _ = run("cache", "info")
    assert out.splitlines()[0].startswith(f"{private_cache}: 1 entry, ")
    assert str(DATA) in out


def test_info_says_when_a_data_file_is_gone(tmp_path: Path) -> None:
    copy = copy_of_data(tmp_path / "copy")
    cached(copy)
    shutil.rmtree(tmp_path / "copy")
    _, out, _ = run("cache", "info", "--json")
    assert [(entry["data"], entry["exists"]) for entry in json.loads(out)] == [(str(copy), False)]
    _, shown, _ = run("cache", "info")
    assert "gone" in shown


def test_info_of_a_cache_not_yet_made_says_so(private_cache: Path) -> None:
    code, out, _ = run("cache", "info")
    assert code == 0
    assert out == f"{private_cache}: no cache yet\n"


def test_info_finds_the_data_file_of_a_cache_named_by_a_hash(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 8)
    copy = copy_of_data(deep)
    cached(copy)
    _, out, _ = run("cache", "info", "--json")
    assert [entry["data"] for entry in json.loads(out)] == [str(copy)]


# ---------------------------------------------------------------- clear


def test_clear_removes_the_cache_of_this_data_file_only(tmp_path: Path, private_cache: Path) -> None:
    copy = copy_of_data(tmp_path / "copy")
    cached(DATA)
    cached(copy)
    code, _, err = run("--data", str(copy), "cache", "clear")
    assert code == 0
    assert err.startswith(f"timeline: removed the cache of {copy} (")
    assert not os.path.exists(cache_file(str(private_cache), str(copy)))
    assert os.path.exists(cache_file(str(private_cache), str(DATA)))


def test_clear_all_removes_every_entry_and_nothing_else(tmp_path: Path, private_cache: Path) -> None:
    cached(DATA)
    cached(copy_of_data(tmp_path / "copy"))
    (private_cache / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = run("cache", "clear", "--all")
    assert code == 0
    assert err.startswith("timeline: removed 2 entries (")
    assert sorted(os.listdir(private_cache)) == ["notes.txt"]


def test_clear_with_nothing_cached_says_so() -> None:
    code, _, err = run("cache", "clear")
    assert code == 0
    assert err.startswith("timeline: no cache for ")


def test_clear_leaves_a_link_in_the_cache_folder_alone(tmp_path: Path, private_cache: Path) -> None:
    cached(DATA)
    target = tmp_path / "elsewhere.sqlite"
    target.write_bytes(b"not ours")
    os.symlink(target, private_cache / "link.sqlite")
    run("cache", "clear", "--all")
    assert target.read_bytes() == b"not ours"


# ---------------------------------------------------------------- pruning


def test_a_new_cache_prunes_the_entries_whose_data_file_is_gone(tmp_path: Path, private_cache: Path) -> None:
    copy = copy_of_data(tmp_path / "copy")
    cached(copy)
    shutil.rmtree(tmp_path / "copy")
    cached(DATA)  # writes a cache, and prunes
    assert [entry.data for entry in cache_entries(str(private_cache))] == [str(DATA)]


def test_a_new_cache_prunes_the_entries_unused_for_longer_than_the_documented_age(
    tmp_path: Path, private_cache: Path
) -> None:
    old, recent = copy_of_data(tmp_path / "old"), copy_of_data(tmp_path / "recent")
    cached(old)
    cached(recent)
    age(cache_file(str(private_cache), str(old)), MAX_UNUSED_DAYS + 1)
    age(cache_file(str(private_cache), str(recent)), MAX_UNUSED_DAYS - 1)
    cached(DATA)
    assert sorted(str(entry.data) for entry in cache_entries(str(private_cache))) == sorted([str(DATA), str(recent)])


def test_the_documented_age_is_thirty_days() -> None:
    assert MAX_UNUSED_DAYS == 30


def test_a_warm_run_marks_its_cache_as_used(private_cache: Path) -> None:
    cached(DATA)
    path = cache_file(str(private_cache), str(DATA))
    age(path, 10)
    cached(DATA)
    assert time.time() - os.path.getmtime(path) < DAY


def test_pruning_removes_an_unfinished_write_left_for_a_day(private_cache: Path) -> None:
    cached(DATA)
    leftover = private_cache / ".timeline-123-abcd1234.tmp"
    leftover.write_bytes(b"")
    age(str(leftover), 2)
    prune(str(private_cache))
    assert not leftover.exists()


def test_pruning_keeps_a_write_in_progress(private_cache: Path) -> None:
    cached(DATA)
    writing = private_cache / ".timeline-123-abcd1234.tmp"
    writing.write_bytes(b"")
    prune(str(private_cache))
    assert writing.exists()


def test_pruning_removes_a_cache_an_earlier_version_named_by_a_hash(private_cache: Path) -> None:
    cached(DATA)
    earlier = private_cache / ("0123456789abcdef" * 2 + ".sqlite")
    earlier.write_bytes(b"")
    prune(str(private_cache))
    assert not earlier.exists()


def test_pruning_leaves_files_that_are_not_the_tools(private_cache: Path) -> None:
    cached(DATA)
    other = private_cache / "notes.txt"
    other.write_text("mine", encoding="utf-8")
    age(str(other), MAX_UNUSED_DAYS + 5)
    prune(str(private_cache))
    assert other.exists()


def test_pruning_a_folder_that_does_not_exist_removes_nothing(tmp_path: Path) -> None:
    assert prune(str(tmp_path / "none")) == []


# ---------------------------------------------------------------- the group


@pytest.mark.parametrize("command", [("cache", "--help"), ("help", "cache")])
def test_the_cache_group_lists_info_and_clear(command: tuple[str, ...]) -> None:
    _, out, _ = run(*command)
    assert "  info " in out
    assert "  clear " in out


def test_the_tools_help_lists_cache_among_its_commands() -> None:
    _, out, _ = run("--help")
    names = [line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.startswith("  ")]
    assert names.index("sources") < names.index("cache") < names.index("help") == len(names) - 1
