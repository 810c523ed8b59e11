"""Ordinary conditions get ordinary exits (issue 27): exit 70 means a bug in the tool, so a full disk under the
cache, a path holding bytes that are not UTF-8, a closed stdin or an out-of-range SOURCE_DATE_EPOCH each get a
clear message and exit 1 or 2, or exit 0 where the cache is only an optimisation.

Each case runs the real command in a process of its own, as a user would meet it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kztm_timeline.store import cache_file

ADD = [
    "--date", "2024-09-09",
    "--title", "A call in September",
    "--kind", "telephone_call",
    "--status", "happened",
    "--actor", "tokayev:caller",
    "--summary", "A call.",
    "--source", "tm-2024-08-06-phone-call",
    "--quote", "a telephone conversation took place",
]  # fmt: skip


def timeline(*args: str | bytes, env: dict[str, str] | None = None, **options: object) -> subprocess.CompletedProcess[bytes]:
    settings: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "timeout": 60, **options}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]  # keywords passed through as given
        [sys.executable, "-m", "kztm_timeline", *args], check=False, env={**os.environ, **(env or {})}, **settings
    )


def no_traceback(result: subprocess.CompletedProcess[bytes]) -> str:
    text = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in text
    assert "internal error" not in text
    return text


# ---------------------------------------------------------------- a full disk under the cache


def small_files() -> None:
    """In the child: files may grow to 20,000 bytes at most, as on a file system that is all but full."""
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails (EFBIG) instead of killing the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))


@pytest.mark.parametrize("command", [["list", "--year", "2017", "-f", "csv"], ["validate"], ["stats", "--json"]])
def test_a_full_disk_under_the_cache_only_costs_speed(command: list[str], private_cache: Path) -> None:
    expected = timeline("--no-cache", *command)
    result = timeline(*command, preexec_fn=small_files)
    no_traceback(result)
    assert (result.returncode, result.stdout) == (expected.returncode, expected.stdout)
    assert [path.name for path in private_cache.iterdir() if path.name.endswith(".tmp")] == []


@pytest.mark.usefixtures("private_cache")
def test_a_full_disk_under_the_cache_is_said_with_verbose() -> None:
    result = timeline("--verbose", "list", "--year", "2017", preexec_fn=small_files)
    assert result.returncode == 0
    assert "timeline: cache not written:" in no_traceback(result)


# ---------------------------------------------------------------- paths that are not UTF-8


@pytest.fixture
def odd_copy(tmp_path: Path) -> bytes:
    """A copy of the dataset in a folder whose name holds the byte 0xff, which is no UTF-8."""
    folder = os.fsencode(tmp_path) + b"/dir\xff"
    result = timeline("init", folder)
    assert result.returncode == 0, result.stderr
    return folder + b"/data/events.yaml"


def test_validate_reads_a_data_file_whose_path_is_not_utf_8(odd_copy: bytes) -> None:
    for _ in range(2):  # cold, then from the cache
        result = timeline("validate", "--data", odd_copy)
        no_traceback(result)
        assert result.returncode == 0
        assert result.stdout.endswith(b"26 events, 14 actors, 5 sources; 34 quotes verified\n")


def test_list_reads_a_data_file_whose_path_is_not_utf_8(odd_copy: bytes) -> None:
    expected = timeline("--no-cache", "list", "--year", "2017", "-f", "csv").stdout
    for _ in range(2):
        result = timeline("list", "--year", "2017", "-f", "csv", "--data", odd_copy)
        no_traceback(result)
        assert (result.returncode, result.stdout) == (0, expected)


def test_add_writes_a_data_file_whose_path_is_not_utf_8(odd_copy: bytes) -> None:
    result = timeline("add", *ADD, "--data", odd_copy, stdin=subprocess.DEVNULL)
    no_traceback(result)
    assert result.returncode == 0
    assert b"id: 2024-09-09-a-call-in-september" in Path(os.fsdecode(odd_copy)).read_bytes()


def test_sources_add_registers_an_article_whose_name_is_not_utf_8(odd_copy: bytes) -> None:
    article = os.path.dirname(odd_copy) + b"/\xff\xfe.txt"
    Path(os.fsdecode(article)).write_text("On 5 August 2024 a call took place.\n", encoding="utf-8")
    result = timeline("sources", "add", article, "--title", "A call", "--publisher", "Wire", "--data", odd_copy)
    text = no_traceback(result)
    assert result.returncode == 0, text
    copy = os.path.dirname(os.path.dirname(odd_copy)) + b"/seeds/%FF%FE.txt"  # the copy's name: the bytes, escaped
    assert Path(os.fsdecode(copy)).read_text(encoding="utf-8") == "On 5 August 2024 a call took place.\n"
    assert b"file: ../seeds/%FF%FE.txt" in Path(os.fsdecode(odd_copy)).read_bytes()
    assert timeline("validate", "--data", odd_copy).returncode == 0


def test_a_path_that_is_not_utf_8_is_shown_with_its_bytes_escaped(odd_copy: bytes) -> None:
    result = timeline("show", "no-such-event", "--data", odd_copy)
    assert result.returncode == 1
    result = timeline("list", "--data", odd_copy + b".missing")
    text = no_traceback(result)
    assert result.returncode == 1
    assert "dir\\xff/data/events.yaml.missing" in text


def test_the_cache_of_a_path_that_is_not_utf_8_is_named_by_its_bytes(tmp_path: Path) -> None:
    name = os.path.basename(cache_file(str(tmp_path), os.fsdecode(b"/data/dir\xff/events.yaml")))
    assert name == "%2Fdata%2Fdir%FF%2Fevents.yaml.sqlite"


def test_a_cache_folder_whose_path_is_not_utf_8_works(tmp_path: Path) -> None:
    home = os.fsencode(tmp_path) + b"/cache\xfe"
    expected = timeline("--no-cache", "list", "--year", "2017", "-f", "csv").stdout
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "kztm_timeline", "list", "--year", "2017", "-f", "csv"],
            capture_output=True,
            check=False,
            env={**os.environb, b"XDG_CACHE_HOME": home},  # a bytes environment, as POSIX allows
            timeout=60,
        )
        no_traceback(result)
        assert (result.returncode, result.stdout) == (0, expected)
    assert any(name.endswith(b".sqlite") for name in os.listdir(home + b"/kztm-timeline"))


# ---------------------------------------------------------------- a closed stdin


def test_add_with_stdin_closed_asks_for_what_is_missing_as_options(tmp_path: Path) -> None:
    copy = tmp_path / "mine"
    assert timeline("init", str(copy)).returncode == 0
    data = str(copy / "data" / "events.yaml")
    result = timeline("add", "--date", "2024-09-09", "--data", data, stdin=None, preexec_fn=lambda: os.close(0))
    text = no_traceback(result)
    assert result.returncode == 2
    missing = "--title, --kind, --status, --actor, --summary, --source"
    assert f"Error: missing {missing} (no terminal to ask at; pass them as options)" in text


def test_every_read_command_works_with_stdin_closed() -> None:
    for command in (["list", "--year", "2017"], ["validate"], ["show", "2017-04"]):
        result = timeline(*command, preexec_fn=lambda: os.close(0))
        no_traceback(result)
        assert result.returncode == 0, command


# ---------------------------------------------------------------- SOURCE_DATE_EPOCH


@pytest.mark.parametrize("epoch", ["99999999999999", "253402300800", "9" * 400])
def test_a_source_date_epoch_past_the_calendar_is_a_clear_error(epoch: str) -> None:
    result = timeline("list", "--since", "today", env={"SOURCE_DATE_EPOCH": epoch})
    text = no_traceback(result)
    assert result.returncode == 1
    assert text == (
        f"timeline: SOURCE_DATE_EPOCH={epoch[:20]}{'…' if len(epoch) > 20 else ''} is past the year 9999; "
        "give seconds since 1970-01-01 (UTC), or unset it\n"
    )


def test_the_last_second_of_the_calendar_is_a_source_date_epoch_like_any_other() -> None:
    arguments = ("list", "--since", "today", "--overlapping", "-f", "jsonl", "--fields", "id")
    result = timeline(*arguments, env={"SOURCE_DATE_EPOCH": "253402300799"})
    assert result.returncode == 0
    assert b'{"id":"2023-10-plan-business-council"}\n' in result.stdout  # open-ended: it runs on past 9999


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["show", b"\xff"], "EVENT: '\\xff'"),
        (["list", "--search", b"a\xff"], "--search: 'a\\xff'"),
        (["list", "--actor", b"\xff"], "--actor: '\\xff'"),
        (["sources", "show", b"\xff"], "SOURCE: '\\xff'"),
        (["add", *ADD[:2], "--title", b"A call \xfe", *ADD[4:]], "--title: 'A call \\xfe'"),
    ],
)
def test_a_text_argument_that_is_not_utf_8_is_a_usage_error_naming_it(arguments: list[str | bytes], said: str) -> None:
    result = timeline(*arguments, stdin=subprocess.DEVNULL)
    text = no_traceback(result)
    assert result.returncode == 2
    assert text.endswith(f"Error: {said} holds bytes that are not UTF-8; give it as UTF-8 text\n")
