"""The lock that serialises the writers of a data file (``add``, ``sources add``, ``edit``, ``remove``), made for
folders that several people share.

The lock is ``flock`` on ``.NAME.lock`` beside the data file (links followed): a separate file, because a write
replaces the data file's inode, and a lock on the old inode would not stop a writer that opens the new one.

* It is created with the mode the umask gives (0666 less the umask: 0664 under the usual shared-folder umask
  002), in the group of its folder when the folder is writable to that group (as a set-group-id folder would
  have it), so that the other members of the group can open it as well.
* ``flock`` needs no write access: a lock file this user may only read is locked through a read-only
  descriptor, so a lock file another user left (root's after ``sudo timeline add``, one made under umask 022)
  does not block anybody who may read it.
* One this user may not even read (made under umask 077, or a link someone planted) is replaced, when the
  folder lets this user, by a lock file of this user's, and the writer then waits until no process holds the
  old one any more (``/proc/locks`` says), so that mutual exclusion holds across the change.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from ..errors import TimelineError
from ..text import escape_controls


def lock_path(path: str) -> str:
    """The lock file that serialises writers of ``path``: ``.NAME.lock`` beside the real file (links followed)."""
    folder, name = os.path.split(os.path.realpath(path))
    return os.path.join(folder, f".{name}.lock")


@contextmanager
def file_lock(path: str, *, enabled: bool = True, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path``'s lock file (``flock``; see the module's description).

    Writers queue: without a ``timeout`` a writer waits for as long as the work in front of it needs (the
    kernel releases a lock the moment its holder exits, however it exits, so no writer can wait on a
    dead one); with one, it gives up after that many seconds. Ctrl-C or SIGTERM end the wait.
    """
    if not enabled:
        yield
        return
    where = lock_path(path)
    deadline = None if timeout is None else time.monotonic() + timeout
    descriptor, replaced = _open_lock(path, where)
    try:
        _flock(descriptor, deadline, path, where)
        if replaced is not None:  # a writer that opened the old lock file before it was replaced finishes first
            while _held(*replaced):
                _wait(deadline, path, where)
        yield
    finally:
        os.close(descriptor)


def _named(path: str) -> str:
    return escape_controls(path, keep_newlines=False)


def _open_lock(path: str, where: str) -> tuple[int, tuple[int, int] | None]:
    """An open descriptor of the lock file, and the device and inode of the one it replaced (or None)."""
    for _ in range(10):  # (a lock file removed or made between two of these steps: look again)
        try:
            descriptor = os.open(where, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
        except FileExistsError:
            pass
        except OSError as error:
            raise _cannot(path, where, error) from None
        else:
            _share_with_group(descriptor, os.path.dirname(where))
            return descriptor, None
        for flags in (os.O_RDWR, os.O_RDONLY):
            try:
                descriptor = os.open(where, flags | os.O_NOFOLLOW | os.O_NONBLOCK)
            except FileNotFoundError:
                break
            except OSError:  # may not open it so (another user's), or a link: try the next way
                continue
            if stat.S_ISREG(os.fstat(descriptor).st_mode):
                return descriptor, None
            os.close(descriptor)  # a FIFO or a device where the lock file should be: replaced below
        else:
            return _replace(path, where)
    raise _cannot(path, where, OSError("the lock file keeps changing"))


def _share_with_group(descriptor: int, folder: str) -> None:
    """Give a new lock file its folder's group when the folder is writable to that group (where this user may)."""
    with suppress(OSError):
        info, shared = os.fstat(descriptor), os.stat(folder)
        if shared.st_mode & 0o020 and info.st_gid != shared.st_gid:
            os.fchown(descriptor, -1, shared.st_gid)


def _replace(path: str, where: str) -> tuple[int, tuple[int, int]]:
    """Put a lock file of this user's in place of one this user may not open (another user's, made under a
    private umask, or a link): only where the folder lets this user (not in a folder with the sticky bit
    that the file's owner has the say over)."""
    folder = os.path.dirname(where)
    try:
        old = os.lstat(where)
        temporary = os.path.join(folder, f".{os.path.basename(where)}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
        descriptor = os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    except OSError as error:
        raise _cannot(path, where, error) from None
    try:
        _share_with_group(descriptor, folder)
        os.rename(temporary, where)
    except OSError as error:
        os.close(descriptor)
        with suppress(OSError):
            os.unlink(temporary)
        raise _cannot(path, where, error) from None
    return descriptor, (old.st_dev, old.st_ino)


def _cannot(path: str, where: str, error: OSError) -> TimelineError:
    return TimelineError(
        f"cannot lock {_named(path)}: {_named(where)}: {error.strerror or error}; "
        "ask its owner to remove it, or to let the folder's group write it"
    )


def _flock(descriptor: int, deadline: float | None, path: str, where: str) -> None:
    import fcntl

    if deadline is None:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        return
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            _wait(deadline, path, where)


def _wait(deadline: float | None, path: str, where: str) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise TimelineError(f"{_named(path)} is locked by another timeline command (lock file {_named(where)}); try again")
    time.sleep(0.01)


def _held(device: int, inode: int) -> bool:
    """Whether some process holds a ``flock`` on the file of ``device`` and ``inode`` (Linux's ``/proc/locks``;
    where there is none to read, the answer is no)."""
    wanted = b"%02x:%02x:%d" % (os.major(device), os.minor(device), inode)
    try:
        with open("/proc/locks", "rb") as locks:
            for line in locks:
                fields = line.split()
                if len(fields) > 5 and fields[1] == b"FLOCK" and fields[5] == wanted:
                    return True
    except OSError:
        return False
    return False
