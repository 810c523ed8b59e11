"""Writing to a descriptor this process already has open, named by a path (``-o /dev/stdout``): through the
descriptor, as the shell opened it, never by replacing the file behind it (issue 27: ``-o /dev/stdout >> log``
replaced the log whole)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from contextlib import suppress

from ..errors import TimelineError
from ..text import escape_controls

# (compiled when first used, by -o: a warm run pays nothing for it at start-up)
_DESCRIPTOR = r"/dev/(?:fd/(?P<fd>[0-9]+)|(?P<std>stdin|stdout|stderr))|/proc/(?P<pid>self|thread-self|[0-9]+)/fd/(?P<pfd>[0-9]+)"
_STANDARD = {"stdin": 0, "stdout": 1, "stderr": 2}


def named_descriptor(path: str) -> int | None:
    """The open descriptor of this process that ``path`` names (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``,
    ``/proc/self/fd/N``, ``/proc/PID/fd/N`` with this PID, or a symbolic link to one of them), or None."""
    current = path
    for _ in range(40):  # the kernel's own bound on links followed
        match = re.compile(_DESCRIPTOR).fullmatch(os.path.normpath(current))
        if match is not None:
            if match["std"] is not None:
                return _STANDARD[match["std"]]
            if match["pid"] is not None and match["pid"] not in ("self", "thread-self", str(os.getpid())):
                return None
            return int(match["fd"] or match["pfd"])
        try:
            target = os.readlink(current)
        except OSError:  # not a link (or not there): it names no descriptor
            return None
        current = os.path.join(os.path.dirname(current), target)
    return None


def write_descriptor(path: str, descriptor: int, data: bytes | Iterable[bytes], *, protected: Iterable[str] = ()) -> None:
    """Write ``data`` through the open ``descriptor`` that ``path`` names: at its offset, or at the end when
    it was opened for appending, into a pipe or a terminal as a stream; the file behind it is never replaced
    or truncated. A descriptor that holds a ``protected`` file is refused. BrokenPipeError when the reader
    of a pipe went away; TimelineError for any other failure."""
    shown_path = escape_controls(path, keep_newlines=False)
    try:
        info = os.fstat(descriptor)
    except OSError as error:
        raise TimelineError(f"cannot write {shown_path}: {error.strerror or error}") from None
    for item in protected:
        with suppress(OSError):
            other = os.stat(item)
            if (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino):
                raise TimelineError(
                    f"refusing to write {shown_path}: it is the data file or one of its articles; choose another file"
                )
    try:
        for chunk in [data] if isinstance(data, bytes) else data:
            view = memoryview(chunk)
            while view:
                view = view[os.write(descriptor, view) :]
    except BrokenPipeError:
        raise
    except OSError as error:
        raise TimelineError(f"cannot write {shown_path}: {error.strerror or error}") from None
