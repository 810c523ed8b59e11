"""Finding and loading the data file: file → composed document → validated model."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from . import yamlsrc
from .model import Dataset
from .validate import validate

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


def load_dataset(path: str) -> Dataset:
    """Read, compose and validate; raise DataError listing every problem."""
    text = yamlsrc.read_text(path)
    document = yamlsrc.compose(path, text)
    return validate(document)


def display_path(path: str) -> str:
    """The path as a user would type it: relative to the working folder when shorter."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return relative if len(relative) < len(path) else path
