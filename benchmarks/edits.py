"""Edits the tool did not make (issue 28): a title changed by hand in one event, or in 1% of the events,
and what the next command then costs. Each timed run starts from a copy of the data whose cache is warm;
the edit is made before the run, untimed."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

TITLE = b"\n    title: "


def edit_titles(path: Path, share: float) -> int:
    """Append a word to the title of one event in the middle (``share`` 0), or of every event in ``share``
    of them, spread evenly; how many were edited."""
    data = path.read_bytes()
    places = []
    found = data.find(TITLE)
    while found >= 0:
        places.append(found + len(TITLE))
        found = data.find(TITLE, found + 1)
    events = [place for place in places if place > data.find(b"\nevents:")]
    chosen = [events[len(events) // 2]] if share == 0 else events[:: max(int(1 / share), 1)]
    pieces, last = [], 0
    for place in chosen:
        end = data.find(b"\n", place)
        if data[end - 1 : end] in (b'"', b"'"):  # a quoted title: the word goes inside its quotes
            end -= 1
        pieces += [data[last:end], b" edited"]
        last = end
    pieces.append(data[last:])
    path.write_bytes(b"".join(pieces))
    return len(chosen)


def preparer(data: str, copy: Path, warm_up: Callable[[Path], None], share: float) -> Callable[[], None]:
    """Before each run: the copy holds the original data again, its cache in step (warm), then the edit."""

    def prepare() -> None:
        target = copy / "data" / "events.yaml"
        if not target.exists():
            shutil.copytree(Path(data).parent, copy / "data")
            (copy / "seeds").symlink_to(Path(data).parent.parent / "seeds")
        else:
            shutil.copyfile(data, target)
        warm_up(target)
        edit_titles(target, share)

    return prepare


def warmer(timeline: list[str], env: dict[str, str]) -> Callable[[Path], None]:
    def warm_up(path: Path) -> None:
        subprocess.run([*timeline, "list", "--limit", "1", "--data", str(path)], env=env, check=True, stdout=subprocess.DEVNULL)

    return warm_up
