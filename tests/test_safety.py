"""Never destroy, never lie: what the tool writes, what it reads, what it trusts from its cache, the exit codes it
gives and the text it lets reach a terminal or a spreadsheet. Each case below was seen on the tool before these rules.

CI runs as root: devices and FIFOs are made with mknod and mkfifo in tmp_path, never taken from /dev; a rule that
depends on who runs it is checked in a child process that drops to another user.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.errors import DataError
from kztm_timeline.exporters.data import guard_cell
from kztm_timeline.load import load_dataset
from kztm_timeline.model import EventList

HERE = Path(__file__).resolve().parent
SMALL = HERE / "fixtures" / "small"
runner = CliRunner()
NOBODY = 65534
ESC = "\x1b"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A copy of the small fixture (events.yaml and article.txt) in a folder of its own."""
    folder = tmp_path / "small"
    shutil.copytree(SMALL, folder)
    return folder / "events.yaml"


def timeline(*args: str, env: dict[str, str] | None = None, **options: object) -> subprocess.CompletedProcess[bytes]:
    """The real command in a process of its own (signals, file descriptors and encodings are real there)."""
    settings: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "timeout": 60, **options}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]  # keywords passed through as given
        [sys.executable, "-m", "kztm_timeline", *args], check=False, env={**os.environ, **(env or {})}, **settings
    )


def limited_memory() -> None:
    """For a child reading a device: 2 GiB of address space, so an endless read fails fast instead of filling the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))


def one_line_no_traceback(stderr: bytes) -> str:
    text = stderr.decode("utf-8")
    assert "Traceback" not in text
    assert text.count("\n") == 1, text
    return text


def char_device(path: Path, major: int, minor: int) -> Path:
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    return path


# ---------------------------------------------------------------- writing: -o


def test_o_into_a_character_device_writes_into_it_and_leaves_it_a_device(tmp_path: Path) -> None:
    null = char_device(tmp_path / "null", 1, 3)
    result = runner.invoke(app, ["list", "--year", "2017", "-o", str(null)])
    assert result.exit_code == 0
    assert stat.S_ISCHR(null.stat().st_mode)


def test_o_into_a_full_device_says_so_exits_1_and_leaves_it_a_device(tmp_path: Path) -> None:
    full = char_device(tmp_path / "full", 1, 7)
    result = timeline("list", "-o", str(full))
    assert result.returncode == 1
    assert one_line_no_traceback(result.stderr) == f"timeline: cannot write {full}: No space left on device\n"
    assert stat.S_ISCHR(full.stat().st_mode)


def test_o_into_a_fifo_streams_to_its_reader_and_leaves_the_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = runner.invoke(app, ["list", "--year", "2017", "--kind", "agreement_signing", "-f", "jsonl", "-o", str(fifo)])
    reader.join(timeout=30)
    assert result.exit_code == 0
    assert received, "the FIFO's reader got nothing"
    assert json.loads(received[0])["id"] == "2017-04-strategic-partnership-agreement"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_o_through_a_symlink_replaces_the_file_it_points_to_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "target.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert runner.invoke(app, ["list", "--year", "2017", "-f", "csv", "-o", str(link)]).exit_code == 0
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8").startswith("id,date,")


def test_o_keeps_the_files_mode_but_never_a_set_user_id_bit(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    target.chmod(0o4750)
    assert runner.invoke(app, ["list", "--year", "2017", "-f", "csv", "-o", str(target)]).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o750


def test_o_refuses_to_overwrite_the_data_file(small: Path) -> None:
    before = small.read_bytes()
    result = runner.invoke(app, ["list", "--data", str(small), "-f", "csv", "-o", str(small)])
    assert result.exit_code == 1
    assert "it is the data file or one of its articles" in result.stderr
    assert small.read_bytes() == before


def test_o_refuses_to_overwrite_a_cited_article(small: Path) -> None:
    article = small.parent / "article.txt"
    before = article.read_bytes()
    result = runner.invoke(app, ["list", "--data", str(small), "-o", str(article)])
    assert result.exit_code == 1
    assert article.read_bytes() == before


def test_o_refuses_a_socket(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        result = runner.invoke(app, ["list", "-o", str(path)])
    finally:
        server.close()
    assert result.exit_code == 1
    assert result.stderr == f"timeline: refusing to write {path}: it is a socket; name a regular file\n"


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path: Path) -> None:
    probe = subprocess.Popen(["true"])  # a process that has ended: its pid names nobody now
    probe.wait()
    from kztm_timeline.datafile.fs import temporary_name

    stale = tmp_path / temporary_name(probe.pid)
    stale.write_text("half a file")
    stale.chmod(0o600)  # as tempfile.mkstemp made it
    assert runner.invoke(app, ["list", "--year", "2017", "-f", "csv", "-o", str(tmp_path / "out.csv")]).exit_code == 0
    assert not stale.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.csv"]


def test_a_temporary_file_of_a_living_process_is_left_alone(tmp_path: Path) -> None:
    living = tmp_path / f".timeline-{os.getppid()}-abc123.tmp"
    living.write_text("being written")
    assert runner.invoke(app, ["list", "--year", "2017", "-f", "csv", "-o", str(tmp_path / "out.csv")]).exit_code == 0
    assert living.exists()


# ---------------------------------------------------------------- writing: add


ADD = [
    "add",
    "--date", "2024-08-05",
    "--title", "Another call",
    "--kind", "telephone_call",
    "--status", "happened",
    "--actor", "tokayev:caller",
    "--summary", "A second call.",
    "--source", "tm-2024-08-06-phone-call",
    "--quote", "a telephone conversation took place",
]  # fmt: skip


def test_add_through_a_symlink_updates_the_real_file_and_keeps_the_link(workdir: Path) -> None:
    real = workdir / "data" / "events.yaml"
    link = workdir / "link.yaml"
    link.symlink_to(real)
    result = runner.invoke(app, [*ADD, "--data", str(link)])
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert "Another call" in real.read_text(encoding="utf-8")


def test_add_through_a_symlink_locks_the_real_path(workdir: Path) -> None:
    from kztm_timeline.datafile.lock import lock_path

    link = workdir / "link.yaml"
    link.symlink_to(workdir / "data" / "events.yaml")
    assert lock_path(str(link)) == str(workdir / "data" / ".events.yaml.lock")


def test_add_refuses_a_read_only_data_file_and_changes_nothing(workdir: Path) -> None:
    path = workdir / "data" / "events.yaml"
    path.chmod(0o444)
    before = path.read_bytes()
    result = runner.invoke(app, [*ADD, "--data", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"timeline: refusing to write {path}: the file is read-only; make it writable first if you mean to replace it\n"
    )
    assert path.read_bytes() == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_add_keeps_the_data_files_owner_and_group(workdir: Path) -> None:
    path = workdir / "data" / "events.yaml"
    os.chown(path, 1000, 1001)
    assert runner.invoke(app, [*ADD, "--data", str(path)]).exit_code == 0
    info = path.stat()
    assert (info.st_uid, info.st_gid) == (1000, 1001)


def test_add_on_a_full_file_system_says_so_changes_nothing_and_leaves_no_temporary_file(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import kztm_timeline.datafile.fs as fs

    def full(_stream: object, _data: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fs, "_write_all", full)  # the disk fills while the new file is written
    path = workdir / "data" / "events.yaml"
    before = path.read_bytes()
    result = runner.invoke(app, [*ADD, "--data", str(path)])
    assert result.exit_code == 1
    assert result.stderr == f"timeline: cannot write {path}: No space left on device\n"
    assert path.read_bytes() == before
    assert [name for name in os.listdir(path.parent) if name.endswith(".tmp")] == []


def test_a_file_another_user_may_not_write_is_refused_for_that_user() -> None:
    import tempfile

    from kztm_timeline.datafile.fs import write_file
    from kztm_timeline.errors import TimelineError

    # pytest's tmp_path lies below a folder only root may enter; this temporary folder is open to the other user.
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o777)
        message, kept = _write_as_nobody(Path(folder) / "root-owned.csv", write_file, TimelineError)
    assert message.startswith("refusing to write ")
    assert message.endswith("root-owned.csv: the file is read-only; make it writable first if you mean to replace it")
    assert kept == "root's\n"


def _write_as_nobody(target: Path, write_file: Callable[[str, bytes], None], error_type: type[Exception]) -> tuple[str, str]:
    """Write ``target`` (owned by root, 0644) from a child process running as nobody; the message and what is left."""
    target.write_text("root's\n")
    target.chmod(0o644)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which reports through the pipe
        os.close(read)
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        try:
            write_file(str(target), b"nobody's\n")
            message = "written"
        except error_type as error:
            message = str(error)
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        message = answer.read().decode()
    os.waitpid(child, 0)
    return message, target.read_text()


def test_add_refuses_the_shipped_dataset_and_points_to_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(HERE.parent / "data", tmp_path / "data")
    shutil.copytree(HERE.parent / "seeds", tmp_path / "seeds")
    stand_in = tmp_path / "data" / "events.yaml"  # stands in for the copy inside site-packages
    monkeypatch.setattr("kztm_timeline.datafile.fs.shipped_data_path", lambda: str(stand_in))
    monkeypatch.delenv("KZTM_TIMELINE_DATA", raising=False)
    before = stand_in.read_bytes()
    result = runner.invoke(app, ADD)
    assert result.exit_code == 1
    assert "name the data file to change: pass --data" in result.stderr
    assert "'timeline init DIR' makes a copy of your own" in result.stderr
    assert stand_in.read_bytes() == before


def test_add_refuses_the_copy_inside_the_installed_package_even_when_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kztm_timeline.datafile.fs as fs_module

    installed = tmp_path / "_shipped" / "data" / "events.yaml"  # stands in for site-packages/kztm_timeline/_shipped
    installed.parent.mkdir(parents=True)
    shutil.copy(HERE.parent / "data" / "events.yaml", installed)
    monkeypatch.setattr(fs_module, "__file__", str(tmp_path / "datafile" / "fs.py"))
    before = installed.read_bytes()
    result = runner.invoke(app, [*ADD, "--data", str(installed)])
    assert result.exit_code == 1
    assert "the shipped dataset is read-only" in result.stderr
    assert "timeline init DIR" in result.stderr
    assert installed.read_bytes() == before


def test_init_copies_the_dataset_and_its_articles_into_a_folder_that_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KZTM_TIMELINE_DATA")  # the shipped dataset
    result = runner.invoke(app, ["init", str(tmp_path / "mine")])
    assert result.exit_code == 0, result.stderr
    copy = tmp_path / "mine" / "data" / "events.yaml"
    assert result.stdout == f"{copy}\n"
    assert copy.read_bytes() == (HERE.parent / "data" / "events.yaml").read_bytes()
    assert sorted(path.name for path in (tmp_path / "mine" / "seeds").iterdir()) == sorted(
        path.name for path in (HERE.parent / "seeds").iterdir()
    )
    assert runner.invoke(app, [*ADD, "--data", str(copy)]).exit_code == 0


def test_init_refuses_a_folder_that_already_holds_a_dataset(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", str(tmp_path / "mine")]).exit_code == 0
    again = runner.invoke(app, ["init", str(tmp_path / "mine")])
    assert again.exit_code == 1
    assert "already exists; choose an empty folder" in again.stderr


# ---------------------------------------------------------------- reading


def test_a_fifo_as_the_data_file_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "events.yaml"
    os.mkfifo(fifo)
    result = timeline("validate", "--data", str(fifo), timeout=20)
    assert result.returncode == 1
    assert one_line_no_traceback(result.stderr[: result.stderr.index(b"\n") + 1]).startswith(
        f"{fifo}: cannot read the file: it is a FIFO (named pipe), not a regular file; pass the path of a regular file"
    )


def test_an_endless_device_as_the_data_file_is_refused_at_once(tmp_path: Path) -> None:
    zero = char_device(tmp_path / "zero", 1, 5)
    result = timeline("--no-cache", "validate", "--data", str(zero), timeout=20, preexec_fn=limited_memory)
    assert result.returncode == 1
    assert b"it is a character device, not a regular file" in result.stderr


def test_a_data_file_over_the_size_bound_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "events.yaml"
    with huge.open("wb") as handle:
        handle.truncate(2 * 1024**3 + 1)  # sparse: no disk, no time
    result = timeline("--no-cache", "validate", "--data", str(huge), timeout=20, preexec_fn=limited_memory)
    assert result.returncode == 1
    assert b"it is larger than 2048 MiB, the most this tool reads" in result.stderr


def test_an_article_that_is_a_fifo_is_refused_at_once(small: Path) -> None:
    article = small.parent / "article.txt"
    article.unlink()
    os.mkfifo(article)
    result = timeline("validate", "--data", str(small), timeout=20)
    assert result.returncode == 1
    assert b"source file 'article.txt': cannot read the file: it is a FIFO (named pipe)" in result.stderr


@pytest.mark.parametrize("command", ["extract", "sources add"])
def test_extract_and_sources_add_refuse_a_device_at_once(workdir: Path, command: str) -> None:
    urandom = char_device(workdir / "urandom", 1, 9)
    data = str(workdir / "data" / "events.yaml")
    extra = ["--title", "t", "--publisher", "p"] if command == "sources add" else []
    result = timeline(*command.split(), str(urandom), *extra, "--data", data, timeout=20, preexec_fn=limited_memory)
    assert result.returncode == 1
    assert b"it is a character device, not a regular file" in result.stderr


def test_a_cache_file_that_is_a_fifo_is_ignored_at_once(small: Path, private_cache: Path) -> None:
    from kztm_timeline.store import cache_file

    assert runner.invoke(app, ["list", "--data", str(small)]).exit_code == 0
    cached = Path(cache_file(str(private_cache), str(small)))
    cached.unlink()
    os.mkfifo(cached)
    env = {"XDG_CACHE_HOME": str(private_cache.parent)}
    result = timeline("list", "--data", str(small), "-f", "jsonl", env=env, timeout=20)
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 3


# ---------------------------------------------------------------- the parse cache


def _forge_cache(small: Path, cache_root: Path) -> Path:
    """A cache file for ``small`` made from another data file that holds one more event, with every check valid."""
    from kztm_timeline.seal import renew
    from kztm_timeline.store import cache_file

    forged_folder = small.parent.parent / "forged"
    shutil.copytree(small.parent, forged_folder)
    forged = forged_folder / "events.yaml"
    text = forged.read_text(encoding="utf-8").replace("  - id: hostile\n", "  - id: planted\n", 1)
    forged.write_text(text, encoding="utf-8")
    env = {"XDG_CACHE_HOME": str(cache_root.parent)}
    assert timeline("list", "--data", str(forged), env=env).returncode == 0
    source = Path(cache_file(str(cache_root), str(forged)))
    connection = sqlite3.connect(source)
    (sources,) = connection.execute("SELECT value FROM meta WHERE key = 'sources'").fetchone()
    forged_sources = {str(small.parent / "article.txt"): digest for digest in json.loads(sources).values()}
    connection.execute("UPDATE meta SET value = ? WHERE key = 'data'", (hashlib.sha256(small.read_bytes()).hexdigest(),))
    connection.execute("UPDATE meta SET value = ? WHERE key = 'sources'", (json.dumps(forged_sources),))
    connection.execute("UPDATE meta SET value = '[]' WHERE key = 'stat'")
    connection.commit()
    connection.close()
    target = Path(cache_file(str(cache_root), str(small)))
    target.write_bytes(source.read_bytes())
    source.unlink()
    assert renew(str(target))  # and a seal that vouches for it
    return target


def test_the_forgery_is_a_valid_cache_when_this_user_owns_it_alone(small: Path, private_cache: Path) -> None:
    # The trust boundary is the user: a cache file the same user made is believed (documented).
    forged = _forge_cache(small, private_cache)
    forged.chmod(0o600)
    result = timeline("list", "--data", str(small), "-f", "jsonl", env={"XDG_CACHE_HOME": str(private_cache.parent)})
    assert b'"id":"planted"' in result.stdout


def test_a_cache_file_another_user_owns_is_never_trusted(small: Path, private_cache: Path) -> None:
    forged = _forge_cache(small, private_cache)
    os.chown(forged, 1000, 1000)
    env = {"XDG_CACHE_HOME": str(private_cache.parent)}
    listed = timeline("list", "--data", str(small), "-f", "jsonl", env=env)
    assert b"planted" not in listed.stdout
    assert b'"id":"hostile"' in listed.stdout


def test_a_cache_file_others_could_write_is_never_trusted_and_verbose_says_so(small: Path, private_cache: Path) -> None:
    forged = _forge_cache(small, private_cache)
    forged.chmod(0o666)
    env = {"XDG_CACHE_HOME": str(private_cache.parent)}
    result = timeline("--verbose", "list", "--data", str(small), "-f", "jsonl", env=env)
    assert b"planted" not in result.stdout
    assert f"timeline: cache ignored: {forged} is not a regular file that only this user owns and can write\n".encode() in (
        result.stderr
    )


def test_a_cache_file_others_could_write_never_answers_validate(small: Path, private_cache: Path) -> None:
    expected = timeline("--no-cache", "validate", "--data", str(small))
    forged = _forge_cache(small, private_cache)
    forged.chmod(0o666)
    result = timeline("validate", "--data", str(small), env={"XDG_CACHE_HOME": str(private_cache.parent)})
    assert (result.returncode, result.stdout) == (expected.returncode, expected.stdout)


def test_a_cache_folder_others_could_write_is_never_trusted(small: Path, private_cache: Path) -> None:
    forged = _forge_cache(small, private_cache)
    forged.chmod(0o600)
    private_cache.chmod(0o777)
    listed = timeline("list", "--data", str(small), "-f", "jsonl", env={"XDG_CACHE_HOME": str(private_cache.parent)})
    assert b"planted" not in listed.stdout


def test_the_cache_is_private_whatever_the_umask(small: Path, private_cache: Path) -> None:
    from kztm_timeline.store import cache_file

    small.chmod(0o600)
    env = {"XDG_CACHE_HOME": str(private_cache.parent)}
    result = timeline("list", "--data", str(small), env=env, preexec_fn=lambda: os.umask(0))
    assert result.returncode == 0
    assert stat.S_IMODE(private_cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(Path(cache_file(str(private_cache), str(small))).stat().st_mode) == 0o600


def test_an_article_edited_during_a_cold_run_is_never_keyed_to_the_old_verdict(
    small: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kztm_timeline.datafile.sources as validate_module  # where the quote of an article kept with the data is checked
    from kztm_timeline.text import quote_found as checked

    article = small.parent / "article.txt"

    def check_then_edit(quote: str, text: str) -> bool:
        found = checked(quote, text)
        article.write_text("Someone rewrote the article while it was being checked.\n", encoding="utf-8")
        return found

    monkeypatch.setattr(validate_module, "quote_found", check_then_edit)
    with contextlib.suppress(DataError):  # validated against the old text, then the text changed: this run may notice
        load_dataset(str(small), cache=str(private_cache))
    monkeypatch.setattr(validate_module, "quote_found", checked)
    assert list(private_cache.iterdir())  # a cache was written: the next run must not believe it
    result = runner.invoke(app, ["validate", "--data", str(small)])
    assert result.exit_code == 1
    assert "quote not found in source 'wire'" in result.stderr


def test_text_from_any_origin_is_escaped_at_output_time(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    dataset = load_dataset(str(small))
    link = "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07"
    events = [dataclasses.replace(event, id=event.id + link) for event in dataset.events]
    forged = dataclasses.replace(dataset, events=EventList(events))  # as a damaged cache could decode it
    monkeypatch.setattr("kztm_timeline.load.load_dataset", lambda *_args, **_kwargs: forged)
    for command in (["list"], ["list", "-f", "table"], ["show", "hostile"], ["list", "-f", "csv"], ["list", "-f", "html"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, command
        assert ESC not in result.stdout, command
        assert "\\x1b]8;;https://evil.example" in result.stdout, command
    assert ESC not in runner.invoke(app, ["list", "--json"]).stdout  # JSON writes it as \u001b


# ---------------------------------------------------------------- exit codes


@pytest.mark.parametrize(
    "command",
    [
        ["list"],
        ["show", "2024-08-05"],
        ["actors"],
        ["stats"],
        ["list", "-f", "table"],
        ["list", "-f", "markdown"],
        ["list", "-f", "ics"],
    ],
)
def test_output_the_terminal_cannot_encode_is_escaped_not_a_crash(command: list[str]) -> None:
    result = timeline(*command, env={"PYTHONIOENCODING": "latin-1"})
    assert result.returncode == 0
    assert result.stderr == b""
    assert b"\\u" in result.stdout


def test_a_full_disk_on_stdout_is_one_line_and_exit_1(tmp_path: Path) -> None:
    full = char_device(tmp_path / "full", 1, 7)
    with full.open("wb") as stdout:
        result = timeline("list", stdout=stdout, stderr=subprocess.PIPE)
    assert result.returncode == 1
    assert one_line_no_traceback(result.stderr) == "timeline: cannot write the output: No space left on device\n"


def test_a_closed_stdout_is_one_line_and_exit_1() -> None:
    result = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m kztm_timeline list >&-"], capture_output=True, check=False, timeout=60
    )
    assert result.returncode == 1
    assert one_line_no_traceback(result.stderr) == "timeline: cannot write the output: standard output is closed\n"


def test_version_with_a_closed_stdout_shows_no_traceback() -> None:
    result = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m kztm_timeline --version >&-"], capture_output=True, check=False, timeout=60
    )
    assert result.returncode == 1
    assert one_line_no_traceback(result.stderr) == "timeline: cannot write the output: standard output is closed\n"


def test_help_into_a_closed_pipe_exits_0() -> None:
    shell = f"{sys.executable} -m kztm_timeline --help | true"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, check=False, timeout=60)
    assert result.returncode == 0
    assert result.stderr == b""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int abc", "'abc' is not a valid int"),
        ("!!float abc", "'abc' is not a valid float"),
        ("!!bool maybe", "'maybe' is not a valid bool"),
        ("9" * 5000, "is not a plain decimal number"),
    ],
)
def test_a_tagged_or_huge_number_is_a_located_problem(small: Path, value: str, message: str) -> None:
    text = small.read_text(encoding="utf-8").replace("    title: Next meeting\n", f"    title: {value}\n")
    small.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", "--data", str(small)])
    assert result.exit_code == 1
    assert f"{small}:35:12: " in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize("value", ["0x7E8", "33:44", "2_024", "03750"])
def test_yaml_1_1_number_forms_are_refused_as_dates(small: Path, value: str) -> None:
    text = small.read_text(encoding="utf-8").replace("    date: 2024-10\n", f"    date: {value}\n")
    small.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", "--data", str(small)])
    assert result.exit_code == 1
    assert f"{small}:34:11: {value!r} is not a plain decimal number" in result.stderr


@pytest.mark.parametrize("date", ["9999", "2024/..", "9999-12-31", "../2024", "9999-12/.."])
def test_ics_of_a_date_at_the_end_of_the_calendar_is_written(small: Path, date: str) -> None:
    text = small.read_text(encoding="utf-8").replace('    date: "2024"\n', f'    date: "{date}"\n')
    small.write_text(text, encoding="utf-8")
    for fmt in ("ics", "timelinejs", "html", "csv", "json", "markdown", "plover", "table"):
        result = runner.invoke(app, ["list", "--data", str(small), "-f", fmt])
        assert result.exit_code == 0, (fmt, result.stderr)


@pytest.mark.parametrize("command", ["sources", "actors"])
def test_a_source_or_actor_no_event_cites_is_listed_with_zero_events(small: Path, command: str) -> None:
    text = small.read_text(encoding="utf-8")
    text = text.replace("actors:\n", "actors:\n  - {id: gamma, name: Gamma, type: person, country: KZ, variants: []}\n", 1)
    text = text.replace(
        "sources:\n", "sources:\n  - {id: unused, file: article.txt, title: Unused, publisher: P, published: null}\n", 1
    )
    small.write_text(text, encoding="utf-8")
    result = runner.invoke(app, [command, "--data", str(small), "--json"])
    assert result.exit_code == 0, result.stderr
    counts = {item["id"]: item["events"] for item in json.loads(result.stdout)}
    assert counts["unused" if command == "sources" else "gamma"] == 0


def test_sigterm_is_handled_like_ctrl_c() -> None:
    script = (
        "import os, signal, sys\n"
        "from kztm_timeline import cli, load\n"
        "def term(*a, **k):\n    os.kill(os.getpid(), signal.SIGTERM)\n"
        "load.load_dataset = term\n"
        "sys.argv = ['timeline', 'list']\n"
        "cli.run()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 143
    assert result.stderr == "timeline: terminated\n"


def test_ctrl_c_while_the_command_line_is_still_loading_prints_no_traceback() -> None:
    script = (
        "import os, runpy, signal, sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'typer':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "sys.argv = ['timeline', 'list']\n"
        "runpy.run_module('kztm_timeline', run_name='__main__')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 130
    assert result.stderr == "timeline: interrupted\n"


# ---------------------------------------------------------------- text that reaches a terminal or a spreadsheet


def test_extract_never_prints_an_articles_escape_sequence(workdir: Path) -> None:
    article = workdir / "seeds" / "004_5b251d539b2f1450.txt"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("to the friendly country.", "to the friendly country \x1b]0;pwned\x07.", 1), encoding="utf-8")
    result = runner.invoke(app, ["extract", "tm-2024-08-06-phone-call", "--data", str(workdir / "data" / "events.yaml")])
    assert result.exit_code == 0, result.stderr
    assert ESC not in result.stdout
    assert "to the friendly country \\x1b]0;pwned\\x07." in result.stdout  # the "# quote:" line of a present candidate


def test_a_bad_since_value_is_echoed_escaped() -> None:
    result = timeline("list", "--since", "\x1b[31mred")
    assert result.returncode == 2
    assert b"\x1b" not in result.stderr
    assert b"'\\x1b[31mred' is not a date I can read" in result.stderr


def test_an_unknown_huge_key_is_echoed_cut_short(small: Path) -> None:
    key = "k" * 1_000_000  # an explicit key ("? "): YAML limits implicit keys to 1,024 characters
    explicit = f"    title: Next meeting\n    ? {key}\n    : 1\n"
    text = small.read_text(encoding="utf-8").replace("    title: Next meeting\n", explicit)
    small.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", "--data", str(small)])
    assert result.exit_code == 1
    assert f"{small}:36:7: unknown key 'kkkkkkkkkk" in result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) < 400


@pytest.mark.parametrize(
    "char",
    ["\u061c", "\u200b", "\u200d", "\u2060", "\ufeff", "\U000e0041", "\u2028", "\u2029", "\u00ad", "\\n", "\\t"],
)
def test_invisible_and_line_breaking_characters_in_a_title_are_refused(small: Path, char: str) -> None:
    escaped = char if char.startswith("\\") else f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}"
    text = small.read_text(encoding="utf-8").replace("    title: Next meeting\n", f'    title: "Next{escaped}meeting"\n')
    small.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", "--data", str(small)])
    assert result.exit_code == 1
    assert f"{small}:35:12: " in result.stderr


def test_a_newline_in_a_summary_is_allowed(small: Path) -> None:
    assert runner.invoke(app, ["validate", "--data", str(small)]).exit_code == 0  # the fixture's first summary has one


@pytest.mark.parametrize("cell", [" =1+1", "\t=1+1", "\u200b=1+1", "\uff1d1+1", "\uff0b1", "\u3000@SUM(A1)", "\r=1"])
def test_the_csv_guard_sees_a_formula_behind_space_or_invisible_characters(cell: str) -> None:
    assert guard_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Astana", "a=1", "2024-08-05", "Ashgabat, Turkmenistan"])
def test_the_csv_guard_leaves_ordinary_cells_alone(cell: str) -> None:
    assert guard_cell(cell) == cell


def _guard_without_the_shortcut(value: str) -> str:
    """The guard as OWASP states it, without guard_cell's shortcut for a cell that starts with a letter or digit."""
    import unicodedata

    from kztm_timeline.text import UNSAFE_RE

    if value.startswith(("\t", "\r")):
        return "'" + value
    head = UNSAFE_RE.sub("", value[:64]).lstrip()
    return "'" + value if head and unicodedata.normalize("NFKC", head[0]).startswith(("=", "+", "-", "@")) else value


@settings(max_examples=300)
@given(st.text(max_size=12))
def test_the_csv_guards_shortcut_guards_exactly_what_the_full_check_guards(cell: str) -> None:
    assert guard_cell(cell) == _guard_without_the_shortcut(cell)


def test_a_one_letter_quote_is_refused(small: Path) -> None:
    text = small.read_text(encoding="utf-8").replace("        quote: signed a plan\n", "        quote: e\n")
    small.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", "--data", str(small)])
    assert result.exit_code == 1
    assert "quote is shorter than 3 words" in result.stderr


def test_a_quote_must_match_whole_words(small: Path) -> None:
    # "... meet again in Oct" is in the article only as the start of "October": not a quote.
    text = small.read_text(encoding="utf-8").replace(
        "        quote: They agreed to meet again in October 2024.\n", "        quote: They agreed to meet again in Oct\n"
    )
    small.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", "--data", str(small)])
    assert result.exit_code == 1
    assert "quote not found in source 'wire'" in result.stderr


# ---------------------------------------------------------------- properties: random input through every command


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


READ_COMMANDS = (
    ["validate"],
    ["list"],
    ["list", "--json"],
    ["stats"],
    ["actors"],
    ["sources"],
    ["show", "ministers-meet"],
    *(["list", "-f", fmt] for fmt in ("table", "csv", "markdown", "ics", "timelinejs", "plover", "html", "jsonl")),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.binary(max_size=400))
def test_random_bytes_as_the_data_file_never_make_a_bug_or_a_control_character(small: Path, garbage: bytes) -> None:
    small.write_bytes(garbage)
    before = _snapshot(small.parent)
    for command in (["validate"], ["list"], ["list", "--json"]):
        result = runner.invoke(app, ["--no-cache", *command, "--data", str(small)])
        assert result.exit_code in (0, 1), (command, result.stderr)
        assert ESC not in result.stdout + result.stderr
    assert _snapshot(small.parent) == before


TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, place=TEXT)
def test_random_unicode_in_the_data_never_reaches_any_format_raw(small: Path, title: str, place: str) -> None:
    text = small.read_text(encoding="utf-8")
    text = text.replace("    title: Next meeting\n", f"    title: {json.dumps(title)}\n")
    text = text.replace("    place: null\n", f"    place: {json.dumps(place)}\n", 1)
    small.write_text(text, encoding="utf-8")
    before = _snapshot(small.parent)
    for command in READ_COMMANDS:
        result = runner.invoke(app, ["--no-cache", *command, "--data", str(small)])
        assert result.exit_code in (0, 1), (command, result.stderr)
        for output in (result.stdout, result.stderr):
            unsafe = [char for char in output if char not in "\n\r\t" and (ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F)]
            assert unsafe == [], (command, unsafe)
    assert _snapshot(small.parent) == before
