"""Reading files: bytes, UTF-8 text, and located problems when that fails. No YAML here."""

from __future__ import annotations

import os

from .errors import DataError, Problem


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
        hint = "check the path, or pass --data PATH"
    elif isinstance(error, IsADirectoryError):
        hint = "pass the path of a YAML file, not a directory"
    elif isinstance(error, PermissionError):
        hint = "make the file readable"
    else:
        hint = "check the file"
    return Problem(path, None, None, f"cannot read the file: {reason}", hint)
