"""Streams stay streams: ``-o`` naming an open descriptor (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``,
``/proc/self/fd/N``) writes into that descriptor, as ``-o -`` writes to stdout: appending where the shell opened
it for appending, into pipes, FIFOs and terminals, and never replacing the file behind it (issue 27:
``timeline list -f csv -o /dev/stdout >> build.log`` replaced build.log whole).

Each test runs the real command in a process of its own, with descriptors the test opened in tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ARGS = ["list", "--year", "2017", "-f", "csv"]


def timeline(*args: str, **options: object) -> subprocess.CompletedProcess[bytes]:
    settings: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "timeout": 60, **options}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]  # keywords passed through as given
        [sys.executable, "-m", "kztm_timeline", *args], check=False, **settings
    )


def expected_csv() -> bytes:
    result = timeline(*ARGS)
    assert result.returncode == 0
    assert result.stdout.startswith(b"id,date,")
    return result.stdout


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "-"])
def test_o_naming_stdout_appends_to_a_log_opened_for_appending(tmp_path: Path, name: str) -> None:
    log = tmp_path / "build.log"
    log.write_bytes(b"old\n")
    inode = log.stat().st_ino
    with log.open("ab") as stdout:
        result = timeline(*ARGS, "-o", name, stdout=stdout)
    assert result.returncode == 0, result.stderr
    assert log.read_bytes() == b"old\n" + expected_csv()
    assert log.stat().st_ino == inode  # the same file, not one put in its place


def test_o_naming_stderr_appends_to_the_error_log(tmp_path: Path) -> None:
    log = tmp_path / "err.log"
    log.write_bytes(b"old\n")
    with log.open("ab") as stderr:
        result = timeline(*ARGS, "-o", "/dev/stderr", stderr=stderr)
    assert result.returncode == 0
    assert log.read_bytes() == b"old\n" + expected_csv()


@pytest.mark.parametrize("prefix", ["/proc/self/fd/", "/dev/fd/"])
def test_o_naming_another_descriptor_writes_into_it(tmp_path: Path, prefix: str) -> None:
    log = tmp_path / "other.log"
    log.write_bytes(b"old\n")
    descriptor = os.open(log, os.O_WRONLY | os.O_APPEND)  # the child gets it under the same number
    try:
        result = timeline(*ARGS, "-o", f"{prefix}{descriptor}", pass_fds=(descriptor,))
    finally:
        os.close(descriptor)
    assert result.returncode == 0, result.stderr
    assert log.read_bytes() == b"old\n" + expected_csv()


def test_o_naming_stdout_writes_into_a_pipe() -> None:
    result = timeline(*ARGS, "-o", "/dev/stdout")  # stdout is a pipe here
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected_csv()
    assert result.stderr == b""


def test_o_naming_stdout_writes_into_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    with open(fifo, "wb") as stdout:
        result = timeline(*ARGS, "-o", "/dev/stdout", stdout=stdout)
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert received == [expected_csv()]


def test_o_naming_stdout_writes_to_a_terminal_and_leaves_it_a_terminal() -> None:
    import tty

    controller, terminal = os.openpty()
    tty.setraw(terminal)  # no line discipline: the bytes arrive as written
    try:
        result = timeline(*ARGS, "-o", "/dev/stdout", stdout=terminal)
        os.set_blocking(controller, False)
        received = b""
        try:
            while chunk := os.read(controller, 65536):
                received += chunk
        except BlockingIOError:
            pass
        assert os.isatty(terminal)
    finally:
        os.close(terminal)
        os.close(controller)
    assert result.returncode == 0, result.stderr
    assert received == expected_csv()


def test_o_naming_a_closed_descriptor_says_so_and_exits_1() -> None:
    result = timeline(*ARGS, "-o", "/dev/fd/63")
    assert result.returncode == 1
    assert result.stderr == b"timeline: cannot write /dev/fd/63: Bad file descriptor\n"


def test_o_naming_a_descriptor_that_holds_the_data_file_is_refused(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "small"
    shutil.copytree(Path(__file__).parent / "fixtures" / "small", folder)
    data = folder / "events.yaml"
    before = data.read_bytes()
    with data.open("ab") as stdout:
        result = timeline("list", "--data", str(data), "-f", "csv", "-o", "/dev/stdout", stdout=stdout)
    assert result.returncode == 1
    assert b"refusing to write /dev/stdout: it is the data file or one of its articles" in result.stderr
    assert data.read_bytes() == before
