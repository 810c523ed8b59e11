"""Every file the tool reads or writes goes through here: reading with located problems, atomic writes, locks.

No YAML here, so a run served from the cache never imports PyYAML.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from ..errors import DataError, Problem, TimelineError


def resolve_source_path(data_path: str, file: str) -> str:
    """Where a source's ``file`` is: relative paths start at the data file's folder."""
    if os.path.isabs(file):
        return file
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(data_path)), file))


def read_text(path: str) -> str:
    """Read a UTF-8 file (a BOM is allowed); raise DataError with a location otherwise."""
    return decode(path, read_bytes(path))


def read_bytes(path: str) -> bytes:
    """A file's bytes, or DataError saying why it cannot be read."""
    try:
        return _read_bytes(path)
    except OSError as error:
        raise DataError([file_problem(path, error)]) from None


def decode(path: str, raw: bytes) -> str:
    """UTF-8 text (a BOM is allowed), or DataError at the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise DataError(
            [Problem(path, line, column, f"byte 0x{raw[error.start]:02x} is not UTF-8", "save the file as UTF-8")]
        ) from None


def _read_bytes(path: str) -> bytes:
    if os.path.isdir(path):
        raise IsADirectoryError(21, "Is a directory", path)
    with open(path, "rb") as handle:
        return handle.read()


def file_problem(path: str, error: OSError) -> Problem:
    reason = error.strerror or str(error)
    if isinstance(error, FileNotFoundError):
        hint = "check the path"
    elif isinstance(error, IsADirectoryError):
        hint = "pass the path of a YAML file, not a directory"
    elif isinstance(error, PermissionError):
        hint = "make the file readable"
    else:
        hint = "check the file"
    return Problem(path, None, None, f"cannot read the file: {reason}", hint)


# ---------------------------------------------------------------- writing

LOCK_TIMEOUT = 30.0


def atomic_write_text(path: str, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) so that readers see the old or the new file, never half."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str, data: bytes | Iterable[bytes], *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` (bytes, or chunks of them): temporary file in the same folder, fsync,
    rename, fsync the folder.

    ``durable=False`` skips the fsyncs (for caches: still atomic, not crash-durable).
    """
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".timeline-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            if isinstance(data, bytes):
                stream.write(data)
            else:
                stream.writelines(data)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        if os.path.exists(path):
            os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    if not durable:
        return
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def lock_path(path: str) -> str:
    """The lock file that serialises writers of ``path``: ``.NAME.lock`` beside it."""
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{name}.lock")


@contextmanager
def file_lock(path: str, *, enabled: bool = True, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on ``path``'s lock file (``flock``), waiting up to ``timeout`` seconds.

    The lock is on a separate file because a write replaces the data file's
    inode: a lock on the old inode would not stop a writer that opens the new one.
    """
    if not enabled:
        yield
        return
    import fcntl

    where = lock_path(path)
    try:
        descriptor = os.open(where, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise TimelineError(f"cannot lock {path}: {where}: {error.strerror or error}") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimelineError(
                        f"{path} is locked by another timeline command (lock file {where}); try again"
                    ) from None
                time.sleep(0.01)
        yield
    finally:
        os.close(descriptor)
