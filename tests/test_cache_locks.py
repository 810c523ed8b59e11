"""One version of a cache database a run (issue 28): the tool changes a database in place after an edit by hand
(copying 850 MB to change a few pages cost most of a second at 100,000 events), so a run that reads one holds a
shared lock on it from before its seal is judged to the end of the run, and a change in place is made only under
an exclusive lock, taken only when no other run reads the database (else the change goes to a copy put in its
place, and the reader keeps the old file)."""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kztm_timeline import cache, seal
from kztm_timeline.cli import app
from kztm_timeline.load import load_dataset
from kztm_timeline.store import cache_file

from .conftest import ROOT


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path / "data" / "events.yaml"


@pytest.fixture
def database(data: Path, private_cache: Path) -> str:
    """The sealed cache database of ``data``, which no run holds."""
    load_dataset(str(data), cache=str(private_cache))
    seal.release()
    return cache_file(str(private_cache), str(data))


def exclusive_is_free(database: str) -> bool:
    descriptor = os.open(database, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)
    return True


def cached_read(data: Path, folder: Path, notices: list[str] | None = None) -> object:
    return cache.read(str(folder), str(data), lambda: "", list, notice=None if notices is None else notices.append)


def test_a_run_that_reads_a_cache_database_holds_a_shared_lock_on_it(data: Path, database: str, private_cache: Path) -> None:
    assert cached_read(data, private_cache) is not None
    assert exclusive_is_free(database) is False
    seal.release()
    assert exclusive_is_free(database) is True


def test_a_command_lets_go_of_the_cache_database_at_its_end(data: Path, database: str) -> None:
    result = CliRunner().invoke(app, ["list", "--json", "--data", str(data)])
    assert result.exit_code == 0
    assert seal._HELD == {}
    assert exclusive_is_free(database) is True


def test_a_run_waits_for_another_run_changing_the_database_and_then_reads_it(
    data: Path, database: str, private_cache: Path
) -> None:
    writer = os.open(database, os.O_RDONLY)
    fcntl.flock(writer, fcntl.LOCK_EX)
    notices: list[str] = []
    letting_go = threading.Timer(0.3, os.close, (writer,))
    letting_go.start()
    try:
        found = cached_read(data, private_cache, notices)
    finally:
        letting_go.join()
    assert found is not None  # from the cache: the run waited rather than read the data file afresh
    assert notices == [f"waiting for another run to finish changing the cache {database}"]


def test_a_run_that_waits_longer_than_its_patience_reads_the_data_file_and_leaves_the_database(
    data: Path, database: str, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seal, "PATIENCE", 0.1)
    inode = os.stat(database).st_ino
    writer = os.open(database, os.O_RDONLY)
    fcntl.flock(writer, fcntl.LOCK_EX)
    try:
        assert cached_read(data, private_cache) is None
    finally:
        os.close(writer)
    assert os.stat(database).st_ino == inode
    assert seal.judge(database, os.stat(database)) == seal.SEALED


def test_a_change_in_place_waits_for_no_reader_and_is_refused_while_one_reads(database: str) -> None:
    reader = os.open(database, os.O_RDONLY)
    fcntl.flock(reader, fcntl.LOCK_SH)
    changed: list[bool] = []
    try:
        identity = (os.fstat(reader).st_dev, os.fstat(reader).st_ino)
        assert seal.change_in_place(database, identity, lambda: changed.append(True)) is False
    finally:
        os.close(reader)
    assert changed == []


def test_a_change_in_place_is_refused_for_a_database_its_seal_does_not_vouch_for(database: str) -> None:
    os.utime(database, ns=(1, 1))  # its status is no longer the sealed one (its bytes may be any)
    info = os.stat(database)
    changed: list[bool] = []
    assert seal.change_in_place(database, (info.st_dev, info.st_ino), lambda: changed.append(True)) is False
    assert changed == []


def test_a_change_in_place_is_refused_for_another_file_than_the_one_that_was_read(database: str) -> None:
    info = os.stat(database)
    changed: list[bool] = []
    assert seal.change_in_place(database, (info.st_dev, info.st_ino + 1), lambda: changed.append(True)) is False
    assert changed == []


def test_a_change_in_place_cut_short_leaves_a_database_no_seal_vouches_for(database: str) -> None:
    info = os.stat(database)

    def torn() -> None:
        with open(database, "r+b") as handle:
            handle.seek(5000)
            handle.write(b"half")
        raise OSError("the disk is full")

    with pytest.raises(OSError, match="the disk is full"):
        seal.change_in_place(database, (info.st_dev, info.st_ino), torn)
    seal.release()
    assert seal.judge(database, os.stat(database)) == seal.UNSEALED


def test_a_change_in_place_is_sealed_anew(database: str) -> None:
    info = os.stat(database)

    def change() -> None:
        with open(database, "r+b") as handle:
            handle.seek(5000)
            handle.write(b"new!")
        # (says nothing of where it wrote: every CRC is taken again)

    assert seal.change_in_place(database, (info.st_dev, info.st_ino), change) is True
    renewed = seal.read_seal(database)
    assert renewed is not None
    assert renewed.status == seal.status_of(os.stat(database))
    descriptor = os.open(database, os.O_RDONLY)
    try:
        assert renewed.crcs == seal.file_crcs(descriptor)
    finally:
        os.close(descriptor)


def test_a_run_whose_change_went_to_a_copy_still_holds_the_database_it_reads(database: str) -> None:
    reader = os.open(database, os.O_RDONLY)  # another run, reading
    fcntl.flock(reader, fcntl.LOCK_SH)
    info = os.stat(database)
    assert seal.hold(database, info) is not None  # this run reads it too
    try:
        assert seal.change_in_place(database, (info.st_dev, info.st_ino), lambda: None) is False
    finally:
        os.close(reader)
    assert exclusive_is_free(database) is False  # (a lock that fails to turn exclusive is dropped by flock)
