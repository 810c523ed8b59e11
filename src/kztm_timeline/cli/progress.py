"""Progress on long work: a bar with its rate and estimate on stderr, drawn only at a terminal, only once the work
has gone on for ``DELAY`` seconds, and never under ``--quiet``. Rich is imported only when a bar is drawn.

The core reports through :class:`~kztm_timeline.model.Progress` (``begin`` a step, ``advance`` it); a :class:`ProgressBar`
is one, and the command closes it (erasing it) before it writes its output.
"""

import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..model import Event

DELAY = 1.0  # seconds of work before a bar is drawn: a shorter run shows nothing
STEP = 0.05  # at most this often is the bar told how far the work has come (it redraws 8 times a second)


class ProgressBar:
    """A progress bar on stderr, drawn once the work has lasted ``DELAY`` seconds, erased by :meth:`close`."""

    def __init__(self, *, color: bool) -> None:
        self._color = color
        self._lock = threading.Lock()
        self._drawn: Any = None  # a rich.progress.Progress, once drawn
        self._task: Any = None
        self._timer: threading.Timer | None = None
        self._closed = False
        self._what, self._unit, self._done = "", "", 0
        self._total: int | None = None
        self._told = 0.0

    def begin(self, what: str, total: int | None, unit: str) -> None:
        with self._lock:
            self._what, self._total, self._unit, self._done = what, total, unit, 0
            if self._drawn is not None:  # a new task: Rich cannot set a known total back to unknown
                self._drawn.remove_task(self._task)
                self._task = self._drawn.add_task(what, total=total, completed=0, unit=unit)
            elif self._timer is None and not self._closed:
                self._timer = threading.Timer(DELAY, self._draw)
                self._timer.daemon = True
                self._timer.start()

    def advance(self, done: int) -> None:
        self._done = done
        now = time.monotonic()
        if self._drawn is None or now - self._told < STEP:
            return
        self._told = now
        with self._lock:
            if self._drawn is not None:
                self._drawn.update(self._task, completed=done)

    def again(self) -> None:
        """The same step from its start (an exporter reading the events once more)."""
        self.begin(self._what, self._total, self._unit)

    def _draw(self) -> None:
        with self._lock:
            if self._closed or self._drawn is not None:
                return
            drawn = _rich_progress(color=self._color)
            self._task = drawn.add_task(self._what, total=self._total, completed=self._done, unit=self._unit)
            drawn.start()
            self._drawn = drawn

    def close(self) -> None:
        """Erase the bar (if it was drawn) and draw none from now on."""
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._drawn is not None:
                self._drawn.stop()
                self._drawn = None


def _rich_progress(*, color: bool, get_time: Callable[[], float] | None = None) -> Any:
    """Rich's progress display on stderr: the step, its bar, its share done, its rate and the time left."""
    from rich import filesize
    from rich.console import Console
    from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        """How fast the step goes, in its unit: 1.2 MB/s, 3,400 events/s."""

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            if speed is None and task.elapsed and task.completed:  # a step done within Rich's first samples
                speed = task.completed / task.elapsed
            unit = task.fields.get("unit", "")
            if speed is None or not unit:
                return Text("")
            shown = f"{filesize.decimal(int(speed))}/s" if unit == "bytes" else f"{speed:,.0f} {unit}/s"
            return Text(shown, style="progress.data.speed")

    class Left(TimeRemainingColumn):
        """The estimate of the time left, where the step's size is known: eta 0:00:57."""

        def render(self, task: Task) -> Text:
            if task.total is None:
                return Text("")
            return Text.assemble("eta ", super().render(task))

    console = Console(file=sys.stderr, no_color=not color, highlight=False)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        Rate(),
        Left(),
        console=console,
        transient=True,
        redirect_stdout=False,  # the command's output goes where it goes, never through the bar's console
        redirect_stderr=False,
        refresh_per_second=8,
        get_time=get_time,
    )


T = TypeVar("T")


def counted(items: Iterable[T], bar: ProgressBar | None, start: int = 0) -> Iterator[T]:
    """``items``, telling ``bar`` how many have gone by (after ``start`` counted before them)."""
    if bar is None:
        yield from items
        return
    found = start
    for item in items:
        found += 1
        if not found % 64:
            bar.advance(found)
        yield item
    bar.advance(found)


class Tracked(tuple["Event", ...]):
    """The selected events of a view, telling a bar how far each reading of them has come (an exporter
    renders as it reads them, and some read them more than once: each reading starts the bar again)."""

    bar: ProgressBar
    start: int

    def __new__(cls, events: Iterable["Event"], bar: ProgressBar, start: int = 0) -> "Tracked":
        tracked = super().__new__(cls, events)
        tracked.bar = bar
        tracked.start = start  # the events counted before these (a second part, listed apart, goes on from the first)
        return tracked

    def __iter__(self) -> Iterator["Event"]:
        if not self.start:
            self.bar.again()
        return counted(super().__iter__(), self.bar, self.start)
