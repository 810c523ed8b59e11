"""Finding and loading the data file: file → composed document → validated model, through the parse cache."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from .model import Dataset

ENV_VAR = "KZTM_TIMELINE_DATA"


def shipped_data_path() -> str:
    """The dataset shipped with the package (or with the source tree, when editable)."""
    here = Path(__file__).resolve().parent
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


def load_dataset(path: str, *, cache: str | None = None) -> Dataset:
    """Read, compose and validate; raise DataError listing every problem.

    With ``cache`` (a folder), a dataset validated before from the very same
    bytes and source texts is read from the parse cache instead, and a fresh
    parse is written there. A cache that cannot be read or written is ignored.
    """
    if cache is None:
        return _parse(path, _read_bytes(path))
    from . import cache as parse_cache

    with _collector_paused():
        cached = parse_cache.read(cache, path, _file_digest(path), lambda: _parse(path, _read_bytes(path)).events)
    if cached is not None:
        return cached
    raw = _read_bytes(path)
    data_digest = parse_cache.digest(raw)  # the key is the digest of exactly the bytes parsed
    from .datafile import yaml_read
    from .datafile.fs import decode
    from .datafile.validate import validate_document

    with _collector_paused():
        text = decode(path, raw)
        del raw  # the bytes and the text together would double the peak
        document = yaml_read.compose(path, text)
        del text
        dataset = validate_document(document)
        plain = document.data
        del document  # its text is needed only to locate problems, and there were none
        if isinstance(plain, dict):
            with suppress(OSError):  # a read-only or full cache folder only costs speed
                parse_cache.write(cache, path, data_digest, plain, dataset)
    return dataset


def _file_digest(path: str) -> str:
    """SHA-256 of the file, read in chunks (no copy of a large file is held)."""
    import hashlib

    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        _read_bytes(path)  # raises the located DataError for this path
        raise


def _read_bytes(path: str) -> bytes:
    from .datafile.fs import read_bytes

    return read_bytes(path)


def _parse(path: str, raw: bytes) -> Dataset:
    from .datafile import yaml_read
    from .datafile.fs import decode
    from .datafile.validate import validate_document

    with _collector_paused():
        return validate_document(yaml_read.compose(path, decode(path, raw)))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Build millions of objects without the cyclic GC re-scanning them all, then exempt them.

    The parse allocates no reference cycles, but each GC pass would walk every
    object built so far; at 100,000 events that is most of the parse's time.
    ``gc.freeze`` afterwards keeps later passes from walking the dataset too.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def display_path(path: str) -> str:
    """The path as a user would type it: relative to the working folder when shorter."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return relative if len(relative) < len(path) else path
