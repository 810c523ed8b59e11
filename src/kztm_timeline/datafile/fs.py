"""Every file the tool reads or writes goes through here: reading with located problems, atomic writes, locks.

No YAML here, so a run served from the cache never imports PyYAML.
"""

# Over the 500-line aim: reading, atomic writing and locking share their descriptor checks; locks are the next
# room to give a module of their own.

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO, NamedTuple

from ..errors import DataError, Problem, TimelineError
from ..text import escape_controls
from .descriptors import named_descriptor, write_descriptor

ENV_VAR = "KZTM_TIMELINE_DATA"


def shipped_data_path() -> str:
    """The dataset shipped with the package (or with the source tree, when editable)."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "_shipped" / "data" / "events.yaml"
    if installed.is_file():
        return str(installed)
    return str(here.parent.parent / "data" / "events.yaml")


def data_path(option: str | None, environ: Mapping[str, str]) -> str:
    """``--data`` wins, then ``$KZTM_TIMELINE_DATA``, then the shipped data."""
    if option:
        return option
    from_env = environ.get(ENV_VAR, "")
    return from_env or shipped_data_path()


def resolve_source_path(data_path: str, file: str) -> str:
    """Where a source's ``file`` is: relative paths start at the data file's folder."""
    if os.path.isabs(file):
        return file
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(data_path)), file))


# Size bounds of what the tool reads (documented in the README's Safety section).
MAX_DATA_BYTES = 2 * 1024**3  # a data file: 1,000,000 events take about 850 MB
MAX_ARTICLE_BYTES = 16 * 1024**2  # an article's text: news articles take kilobytes


class NotReadable(OSError):
    """A path that names something other than a regular file, or one over the size bound."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.strerror = reason
        self.hint = hint


def read_text(path: str, *, limit: int = MAX_ARTICLE_BYTES) -> str:
    """Read a UTF-8 file (a BOM is allowed); raise DataError with a location otherwise."""
    return decode(path, read_bytes(path, limit=limit))


_SCAN_CHUNK = 1 << 20


class Scan(NamedTuple):  # a NamedTuple, not a dataclass: defining a frozen dataclass costs every run 0.3 ms of start-up
    """What one pass over a UTF-8 file found, holding no more of it than was asked for: the SHA-256 of its
    bytes, whether it begins with a byte-order mark and uses CRLF line ends, its length in characters (the
    mark not counted), for each place asked (a character offset) its byte offset and the line breaks before
    it, and the text of each character range asked."""

    digest: str
    bom: bool
    crlf: bool
    length: int
    places: dict[int, tuple[int, int]]
    texts: dict[tuple[int, int | None], str]


def scan_text(path: str, places: Iterable[int], ranges: Iterable[tuple[int, int | None]], *, limit: int) -> Scan:
    """Read ``path`` once, a chunk at a time (see :class:`Scan`); a range ending in None runs to the end.
    DataError if it cannot be read or is not UTF-8."""
    import codecs
    import hashlib

    wanted = sorted(set(places))
    spans = list(dict.fromkeys(ranges))
    pieces: dict[tuple[int, int | None], list[str]] = {span: [] for span in spans}
    found: dict[int, tuple[int, int]] = {}
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    chars = consumed = newlines = 0
    bom = crlf = False
    last = ""
    try:
        with open_regular(path, limit) as handle:
            first = True
            while True:
                chunk = handle.read(_SCAN_CHUNK)
                digest.update(chunk)
                if first and chunk.startswith(codecs.BOM_UTF8):
                    bom, chunk, consumed = True, chunk[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
                first = False
                text = decoder.decode(chunk, final=not chunk)
                end = chars + len(text)
                while wanted and wanted[0] <= end and (wanted[0] < end or not chunk):
                    place = wanted.pop(0)
                    before = text[: place - chars]
                    found[place] = (consumed + len(before.encode("utf-8")), newlines + before.count("\n"))
                for span in spans:
                    low, high = span
                    if low < end and (high is None or high > chars):
                        pieces[span].append(text[max(low - chars, 0) : None if high is None else max(high - chars, 0)])
                crlf = crlf or "\r\n" in text or (last == "\r" and text.startswith("\n"))
                last = text[-1:] or last
                newlines += text.count("\n")
                consumed += len(text) if text.isascii() else len(text.encode("utf-8"))
                chars = end
                if not chunk:
                    break
    except OSError as error:
        raise DataError([file_problem(path, error)]) from None
    except UnicodeDecodeError:
        raise DataError([Problem(path, None, None, "the file is not UTF-8", "save the file as UTF-8")]) from None
    return Scan(digest.hexdigest(), bom, crlf, chars, found, {span: "".join(parts) for span, parts in pieces.items()})


def spliced_bytes(path: str, start: int, end: int, replacement: bytes, digest: str, *, limit: int) -> Iterator[bytes]:
    """The file's bytes with those from ``start`` to ``end`` replaced, a chunk at a time, for
    :func:`write_file`; TimelineError at the end (so that nothing is written) if the bytes read are not
    those whose SHA-256 is ``digest``: the file changed since it was scanned."""
    import hashlib

    check = hashlib.sha256()
    offset = 0
    placed = False
    with open_regular(path, limit) as handle:
        while chunk := handle.read(_SCAN_CHUNK):
            check.update(chunk)
            low, high = offset, offset + len(chunk)
            if low < start:
                yield chunk[: min(start, high) - low]
            if not placed and start < high:
                placed = True
                yield replacement
            if high > end:
                yield chunk[max(end, low) - low :]
            offset = high
    if not placed:
        yield replacement
    if check.hexdigest() != digest:
        raise TimelineError(f"{named(path)} changed while it was being written; nothing was written, try again")


def read_bytes(path: str, *, limit: int = MAX_ARTICLE_BYTES) -> bytes:
    """A regular file's bytes (after following links), at most ``limit`` of them, or DataError saying why not.

    A FIFO, a device, a socket or a directory is refused without reading from it,
    so nothing can hang on a pipe or fill memory from ``/dev/zero``.
    """
    try:
        with open_regular(path, limit) as handle:
            size = os.fstat(handle.fileno()).st_size
            pieces = [handle.read(size + 1)]  # one read of the known size (a bigger request would allocate it)
            total = len(pieces[0])
            while total > size and total <= limit:  # it grew while being read
                piece = handle.read(1024**2)
                if not piece:
                    break
                pieces.append(piece)
                total += len(piece)
    except OSError as error:
        raise DataError([file_problem(path, error)]) from None
    if total > limit:
        raise DataError([file_problem(path, _too_large(limit))])
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def open_regular(path: str, limit: int) -> io.BufferedReader:
    """Open ``path`` for reading if it is a regular file of at most ``limit`` bytes; raise OSError otherwise.

    The file is opened without blocking (a FIFO would wait for a writer) and checked on the
    open descriptor, so a path swapped between the check and the read cannot slip through.
    """
    handle = open(path, "rb", opener=_open_nonblocking)  # noqa: SIM115 - returned to the caller, who closes it
    try:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable(f"it is {_kind_of(info.st_mode)}, not a regular file", "pass the path of a regular file")
        if info.st_size > limit:
            raise _too_large(limit)
        os.set_blocking(handle.fileno(), True)
    except BaseException:
        handle.close()
        raise
    return handle


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NONBLOCK)


def _too_large(limit: int) -> NotReadable:
    return NotReadable(f"it is larger than {limit // 1024**2} MiB, the most this tool reads", "check that it is the right file")


def _kind_of(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


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


def file_problem(path: str, error: OSError) -> Problem:
    reason = error.strerror or str(error)
    if isinstance(error, NotReadable):
        hint = error.hint
    elif isinstance(error, FileNotFoundError):
        hint = "check the path"
    elif isinstance(error, IsADirectoryError):
        hint = "pass the path of the article's text file, not a directory"  # (the data file's is said by the CLI)
    elif isinstance(error, PermissionError):
        hint = "make the file readable"
    else:
        hint = "check the file"
    return Problem(path, None, None, f"cannot read the file: {reason}", hint)


# ---------------------------------------------------------------- writing

_TEMPORARY_RE = re.compile(r"\.timeline-(?P<pid>[0-9]+)-(?P<host>[0-9a-f]{8})-[A-Za-z0-9_]+\.tmp")


def _host_tag() -> str:
    """Eight hex digits that tell this machine's temporary files from another's on a shared volume: the CRC-32
    of its host name and, where there is one, its machine id (two containers may share a host name)."""
    import zlib

    identity = os.uname().nodename.encode("utf-8", "surrogateescape")
    with suppress(OSError), open("/etc/machine-id", "rb") as handle:
        identity += b"\0" + handle.read(64).strip()
    return f"{zlib.crc32(identity):08x}"


def temporary_name(pid: int, random: str = "") -> str:
    """The name of a temporary file this tool writes (``random`` is added by :func:`tempfile.mkstemp`):
    ``.timeline-PID-HOST-RANDOM.tmp``, HOST being :func:`_host_tag`."""
    return f".timeline-{pid}-{_host_tag()}-{random or 'x'}.tmp"


def write_file(
    path: str,
    data: bytes | Iterable[bytes],
    *,
    protected: Iterable[str] = (),
    committing: Callable[[], None] | None = None,
) -> None:
    """Write what the user asked for to ``path``, by the one write policy (README, "Safety"):

    * a regular file, or a path where nothing is yet, is replaced atomically; its mode
      (without set-user-id, set-group-id and sticky bits), owner and group are kept where
      this user may keep them; a file that is read-only, or that this user may not write,
      is refused, not replaced;
    * a symbolic link is followed: the file it points to is replaced;
    * a name for an open descriptor (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``, ``/proc/self/fd/N``) is
      written through that descriptor, as the shell opened it (appending, into a pipe...): never replaced;
    * a FIFO or a character device (``/dev/null``, a terminal) is written in place, as a stream;
    * anything else (a directory, a socket, a block device) is refused;
    * a path in ``protected`` (after following links) is refused: the data file and its articles.

    ``committing`` is called just before a regular file's new content takes the old one's place (the rename
    that commits the write): what it raises stops the write, and nothing is changed then.
    Raises TimelineError with the reason; nothing is changed then.
    """
    folder_named = not_a_folder(path)
    if folder_named is not None:
        raise TimelineError(folder_named)
    real = os.path.realpath(path)
    if real in {os.path.realpath(item) for item in protected}:
        raise TimelineError(f"refusing to write {named(path)}: it is the data file or one of its articles; choose another file")
    descriptor = named_descriptor(path)
    if descriptor is not None:
        write_descriptor(path, descriptor, data, protected=protected)
        return
    try:
        info = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise TimelineError(f"cannot write {named(path)}: {error.strerror or error}") from None
    if info is not None and (stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)):
        _write_stream(path, real, data)
        return
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise TimelineError(f"refusing to write {named(path)}: it is {_kind_of(info.st_mode)}; name a regular file")
    if info is not None and (not info.st_mode & 0o222 or not os.access(real, os.W_OK)):
        raise TimelineError(
            f"refusing to write {named(path)}: the file is read-only; make it writable first if you mean to replace it"
        )
    atomic_write_bytes(real, data, keep=info, committing=committing)


def named(path: str) -> str:
    """A path as a message shows it: every control character escaped, tab and newline too (so that a file
    named with a newline cannot forge a second line of a message)."""
    return escape_controls(path, keep_newlines=False)


def not_a_folder(path: str) -> str | None:
    """Why ``path``, which ends in ``/`` and so names a folder, cannot be written as one file (a message), or
    None when it does not end in ``/`` or names a folder that is there (which the caller refuses or fills)."""
    if not path.endswith(("/", os.sep)) or os.path.isdir(path):
        return None
    bare = path.rstrip("/" + os.sep)
    if os.path.lexists(bare):
        return (
            f"refusing to write {named(path)}: {named(bare)} is a file, not a folder; "
            "name a folder, or drop the / to name the file"
        )
    return f"refusing to write {named(path)}: a name ending in / names a folder; name a file"


def write_into_folder(folder: str, files: Sequence[tuple[str, bytes]], *, protected: Iterable[str] = ()) -> None:
    """Write ``files`` (name, bytes) into ``folder``: a new folder is made (with its parents); an existing empty
    one is written into; one that holds anything is refused, naming what would be overwritten and what else it
    holds, so that an export never mixes with other files or replaces them unasked. Each file then goes by
    :func:`write_file`'s policy. Raises TimelineError; nothing is written then."""
    bare = folder.rstrip("/" + os.sep)
    refused = not_a_folder(folder) if os.path.lexists(bare) else None  # afile/ where afile is a file: as every format
    if refused is not None:
        raise TimelineError(refused)
    try:
        held = sorted(os.listdir(folder))
    except FileNotFoundError:
        held = None
    except NotADirectoryError:
        raise TimelineError(
            f"refusing to write into {named(folder)}: it is a file, not a folder; name a new or empty folder"
        ) from None
    except OSError as error:
        raise TimelineError(f"cannot write into {named(folder)}: {error.strerror or error}") from None
    if held:
        clash = [name for name, _ in files if name in held]
        others = [name for name in held if name not in clash]
        listed = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        also = f" (it also holds {listed})" if others else ""
        reason = f"{' and '.join(clash)} would be overwritten{also}" if clash else f"it holds other files ({listed})"
        raise TimelineError(f"refusing to write into {named(folder)}: {reason}; name a new or empty folder")
    if held is None:
        try:
            os.makedirs(folder)
        except OSError as error:
            raise TimelineError(f"cannot make the folder {named(folder)}: {error.strerror or error}") from None
    for name, data in files:
        write_file(os.path.join(folder, name), data, protected=protected)


def _write_stream(path: str, real: str, data: bytes | Iterable[bytes]) -> None:
    try:
        with open(real, "wb", buffering=0) as stream:  # no O_CREAT surprises: it exists; no rename: it stays
            _write_all(stream, data)
    except OSError as error:
        raise TimelineError(f"cannot write {named(path)}: {error.strerror or error}") from None


def _write_all(stream: BinaryIO, data: bytes | Iterable[bytes]) -> None:
    if isinstance(data, bytes):
        stream.write(data)
    else:
        stream.writelines(data)


def atomic_write_text(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` by :func:`write_file`'s policy."""
    write_file(path, text.encode("utf-8"))


def atomic_write_bytes(
    path: str,
    data: bytes | Iterable[bytes],
    *,
    durable: bool = True,
    keep: os.stat_result | None = None,
    private: bool = False,
    committing: Callable[[], None] | None = None,
) -> None:
    """Replace ``path`` with ``data`` (bytes, or chunks of them): a temporary file in the same folder
    (named with this process's id), fsync, rename, fsync the folder. Readers see the old file or the new one.

    ``keep`` is the old file's status, whose mode, owner and group the new file takes where it may.
    A new file gets the usual mode (0666 less the umask), or 0600 when ``private``.
    ``durable=False`` skips the fsyncs (for caches: still atomic, not crash-durable).
    Raises TimelineError where the file cannot be written.
    """
    folder = os.path.dirname(os.path.abspath(path))
    try:
        _remove_stale_temporaries(folder)
        handle, temporary = tempfile.mkstemp(prefix=f".timeline-{os.getpid()}-{_host_tag()}-", suffix=".tmp", dir=folder)
    except OSError as error:
        raise TimelineError(f"cannot write {named(path)}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            _write_all(stream, data)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        if keep is not None:
            with suppress(PermissionError):  # only root may give a file to someone else
                os.chown(temporary, keep.st_uid, keep.st_gid)
            os.chmod(temporary, keep.st_mode & 0o777)
        else:
            os.chmod(temporary, 0o600 if private else 0o666 & ~_umask())
        if committing is not None:
            committing()
        os.replace(temporary, path)
    except OSError as error:
        _unlink_quietly(temporary)
        raise TimelineError(f"cannot write {named(path)}: {error.strerror or error}") from None
    except BaseException:
        _unlink_quietly(temporary)
        raise
    if not durable:
        return
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _unlink_quietly(path: str) -> None:
    with suppress(OSError):
        os.unlink(path)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_stale_temporaries(folder: str) -> None:
    """Remove the temporary files of this tool's writes whose process is gone (killed during a write), and only
    those provably so: named ``.timeline-PID-HOST-….tmp`` with this machine's HOST tag (another machine's
    process ids mean nothing here), owned by this user, a regular file (not a link), and still with the mode
    0600 that :func:`tempfile.mkstemp` gave it (a file someone made to look like one keeps its own mode)."""
    host = None
    for name in os.listdir(folder):
        match = _TEMPORARY_RE.fullmatch(name)
        if match is None or int(match["pid"]) == os.getpid():
            continue
        host = host or _host_tag()
        if match["host"] != host or _alive(int(match["pid"])):
            continue
        path = os.path.join(folder, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) == 0o600:
            _unlink_quietly(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or no such pid at all: leave it
    return True


# ---------------------------------------------------------------- paths as users see them


def is_shipped(path: str) -> bool:
    """Whether ``path`` is the copy of the dataset inside the installed package (read-only: copy it with ``init``)."""
    inside = os.path.realpath(Path(__file__).resolve().parent.parent / "_shipped")
    return os.path.realpath(path).startswith(inside + os.sep)


SHIPPED_NAME = "the shipped dataset"


def display_path(path: str) -> str:
    """A path as a user can open it from where they are, for a message or a screen: relative to the working
    folder when it lies below it, absolute otherwise; the data file inside the installed package is "the
    shipped dataset". Control characters are escaped (see :func:`named`)."""
    absolute = os.path.abspath(path)
    if is_shipped(absolute) and os.path.basename(absolute) == "events.yaml":
        return SHIPPED_NAME
    try:
        here = os.getcwd()
    except OSError:  # the working folder was removed
        return named(absolute)
    if absolute.startswith(here.rstrip(os.sep) + os.sep):
        return named(os.path.relpath(absolute, here))
    return named(absolute)


_DIGESTS: dict[tuple[str, tuple[int, ...]], str] = {}  # see file_digest's ``remember``


def file_digest(path: str, *, remember: bool = False) -> str:
    """SHA-256 of the file, read in chunks (no copy of a large file is held). ``remember``: worked out once a run
    for the file's status (device, inode, size, modification and change times), which stands for its bytes as it
    does for the parse cache (for the reads that check a cache against the data file; never for ``add``'s exact
    checks, which hash the bytes every time)."""
    import hashlib

    try:
        with open_regular(path, MAX_DATA_BYTES) as handle:
            if not remember:
                return hashlib.file_digest(handle, "sha256").hexdigest()
            info = os.fstat(handle.fileno())
            key = (path, (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns))
            if key not in _DIGESTS:
                _DIGESTS[key] = hashlib.file_digest(handle, "sha256").hexdigest()
            return _DIGESTS[key]
    except OSError as error:
        raise DataError([file_problem(path, error)]) from None
