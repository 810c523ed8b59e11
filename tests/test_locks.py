"""Locks for shared folders (issue 27): `.events.yaml.lock` was created 0644 whatever the umask and opened
read-write, so in a group-writable data folder, once one user had run `add`, the next user got "cannot lock …
Permission denied" until someone deleted it; the same after root ran `add` in a user's folder.

CI runs as root: each other user is a child process that drops to that user (``nobody``), in a folder under
/tmp that it may enter (pytest's own folders are root's alone)."""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kztm_timeline.datafile.lock import file_lock, lock_path

NOBODY = 65534
GROUP = 4242  # a group nobody is made a member of, for the shared folder


@pytest.fixture
def shared() -> Iterator[Path]:
    """A data file in a folder its group may write (mode 2775 less the set-group-id bit: group GROUP)."""
    with tempfile.TemporaryDirectory() as top:
        os.chmod(top, 0o755)
        folder = Path(top) / "shared"
        folder.mkdir()
        os.chown(folder, 0, GROUP)
        folder.chmod(0o775)
        data = folder / "events.yaml"
        data.write_text("events: []\n")
        yield data


def as_user(
    work: Callable[[], str], *, groups: tuple[int, ...] = (), umask: int = 0o022, unshared: tuple[int, ...] = ()
) -> str:
    """Run ``work`` in a child process as nobody (in ``groups``); what it returns, or the error it raised.
    ``unshared``: descriptors the child closes first (a lock held through one is the parent's, not the child's)."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which reports through the pipe
        os.close(read)
        for descriptor in unshared:
            os.close(descriptor)
        try:
            os.setgroups(list(groups))
            os.setgid(groups[0] if groups else NOBODY)
            os.setuid(NOBODY)
            os.umask(umask)
            message = work()
        except BaseException as error:
            message = f"{type(error).__name__}: {error}"
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        message = answer.read().decode()
    os.waitpid(child, 0)
    return message


def take(data: Path, timeout: float | None = 2.0) -> Callable[[], str]:
    def work() -> str:
        with file_lock(str(data), timeout=timeout):
            return "locked"

    return work


def with_umask(mask: int, work: Callable[[], None]) -> None:
    previous = os.umask(mask)
    try:
        work()
    finally:
        os.umask(previous)


def lock_once(data: Path) -> None:
    with file_lock(str(data)):
        pass


@pytest.mark.parametrize(("umask", "mode"), [(0o002, 0o664), (0o022, 0o644), (0o077, 0o600)])
def test_the_lock_file_is_created_with_the_mode_the_umask_gives(shared: Path, umask: int, mode: int) -> None:
    with_umask(umask, lambda: lock_once(shared))
    assert stat.S_IMODE(os.stat(lock_path(str(shared))).st_mode) == mode


def test_the_lock_file_takes_the_group_of_a_folder_its_group_may_write(shared: Path) -> None:
    lock_once(shared)
    assert os.stat(lock_path(str(shared))).st_gid == GROUP


def test_another_member_of_the_group_takes_the_lock_a_first_one_left(shared: Path) -> None:
    with_umask(0o002, lambda: lock_once(shared))  # the first member (root here) ran add
    assert as_user(take(shared), groups=(GROUP,)) == "locked"


def test_a_lock_file_root_left_readable_does_not_block_another_user(shared: Path) -> None:
    with_umask(0o022, lambda: lock_once(shared))  # 0644, root's: readable, not writable, by the next user
    assert as_user(take(shared), groups=(GROUP,)) == "locked"


def test_a_private_lock_file_another_user_left_is_replaced_when_the_folder_is_writable(shared: Path) -> None:
    with_umask(0o077, lambda: lock_once(shared))  # 0600, root's: the next user may not even read it
    assert as_user(take(shared), groups=(GROUP,)) == "locked"
    replaced = os.stat(lock_path(str(shared)))
    assert (replaced.st_uid, replaced.st_gid) == (NOBODY, GROUP)


def test_a_lock_another_user_holds_still_makes_a_writer_wait(shared: Path) -> None:
    with_umask(0o022, lambda: None)
    descriptor = os.open(lock_path(str(shared)), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        message = as_user(take(shared, timeout=0.3), groups=(GROUP,), unshared=(descriptor,))
    finally:
        os.close(descriptor)
    assert message.startswith("TimelineError: ")
    assert "is locked by another timeline command" in message


def test_a_private_lock_held_by_another_user_is_waited_for_even_once_replaced(shared: Path) -> None:
    descriptor = os.open(lock_path(str(shared)), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)  # root holds it, and nobody may not open it
    try:
        message = as_user(take(shared, timeout=0.3), groups=(GROUP,), unshared=(descriptor,))
    finally:
        os.close(descriptor)
    assert "is locked by another timeline command" in message


def test_a_replaced_lock_is_taken_once_its_old_holder_lets_go(shared: Path) -> None:
    descriptor = os.open(lock_path(str(shared)), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    release = threading.Timer(0.5, lambda: os.close(descriptor))
    release.start()
    start = time.monotonic()
    message = as_user(take(shared, timeout=10), groups=(GROUP,), unshared=(descriptor,))
    release.join()
    assert message == "locked"
    assert 0.4 <= time.monotonic() - start < 10


def test_a_folder_the_user_may_not_write_still_refuses_with_a_hint(shared: Path) -> None:
    with_umask(0o077, lambda: lock_once(shared))
    message = as_user(take(shared))  # not in the group: the folder is not writable to this user
    assert message.startswith(f"TimelineError: cannot lock {shared}: {lock_path(str(shared))}: Permission denied; ")
    assert message.endswith("ask its owner to remove it, or to let the folder's group write it")


def test_a_link_planted_as_the_lock_file_is_never_followed(shared: Path) -> None:
    target = shared.parent / "target"
    os.symlink(target, lock_path(str(shared)))
    lock_once(shared)
    assert not target.exists()
    assert not os.path.islink(lock_path(str(shared)))


def test_the_lock_serialises_writers_as_before(shared: Path) -> None:
    with file_lock(str(shared)):
        message = as_user(take(shared, timeout=0.2), groups=(GROUP,))
    where = lock_path(str(shared))
    assert message == f"TimelineError: {shared} is locked by another timeline command (lock file {where}); try again"
    assert as_user(take(shared, timeout=0.2), groups=(GROUP,)) == "locked"
