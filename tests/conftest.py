"""Shared fixtures: copies of the shipped data that tests may change."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kztm_timeline.load import load_dataset
from kztm_timeline.model import Dataset

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "events.yaml"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets an empty parse cache of its own (never the user's ~/.cache)."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv("KZTM_TIMELINE_NO_CACHE", raising=False)
    return folder / "kztm-timeline"


@pytest.fixture(scope="session")
def shipped() -> Dataset:
    return load_dataset(str(DATA))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A copy of data/ and seeds/ laid out as in the repository."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path


EditData = Callable[[str, str], Path]


@pytest.fixture
def edited(workdir: Path) -> EditData:
    """Replace one exact snippet of the copied data file; fail if it is not there once."""

    def edit(old: str, new: str) -> Path:
        path = workdir / "data" / "events.yaml"
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"snippet must occur once: {old!r}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path

    return edit


def line_of(path: Path, snippet: str) -> int:
    """1-based line of the first occurrence of ``snippet`` in ``path``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if snippet in line:
            return number
    raise AssertionError(f"{snippet!r} not in {path}")
