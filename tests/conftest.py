"""Shared fixtures: the dataset the tests run on, and copies of it that tests may change.

The tests were written as specifications against the five-article timeline, which is kept frozen in
tests/fixtures/seeds-2025-12 (data and articles): every test runs on a fresh copy of it (``KZTM_TIMELINE_DATA``),
so what they say stays true whatever the shipped data grows into. The shipped data itself (data/events.yaml, the
public record and the seeds) has tests of its own, which name it: ``SHIPPED``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kztm_timeline import seal
from kztm_timeline.load import load_dataset
from kztm_timeline.model import Dataset

ROOT = Path(__file__).resolve().parent.parent
FIVE_ARTICLES = ROOT / "tests" / "fixtures" / "seeds-2025-12"
DATA = FIVE_ARTICLES / "data" / "events.yaml"  # the five-article dataset the tests are written against
SHIPPED = ROOT / "data" / "events.yaml"  # the dataset the package ships


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets an empty parse cache of its own (never the user's ~/.cache), and lets go of the cache
    databases it read at its end, as a run does (kztm_timeline.seal.release)."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv("KZTM_TIMELINE_NO_CACHE", raising=False)
    yield folder / "kztm-timeline"
    seal.release()


@pytest.fixture(autouse=True)
def five_articles(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test reads a fresh copy of the five-article dataset unless it names another data file."""
    folder = tmp_path_factory.mktemp("five-articles")
    shutil.copytree(FIVE_ARTICLES / "data", folder / "data")
    shutil.copytree(FIVE_ARTICLES / "seeds", folder / "seeds")
    monkeypatch.setenv("KZTM_TIMELINE_DATA", str(folder / "data" / "events.yaml"))
    return folder / "data" / "events.yaml"


@pytest.fixture(scope="session")
def shipped() -> Dataset:
    """The five-article dataset, read once (the name is older than the public record)."""
    return load_dataset(str(DATA))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A copy of the five-article dataset's data/ and seeds/, laid out as in the repository."""
    shutil.copytree(FIVE_ARTICLES / "data", tmp_path / "data")
    shutil.copytree(FIVE_ARTICLES / "seeds", tmp_path / "seeds")
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
