"""Which data file a command reads, reading it through the parse cache, and today's date."""

import dataclasses
import os
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from ..datafile.fs import data_path
from ..errors import DataError, TimelineError
from .output import notice, progress_bar, state

if TYPE_CHECKING:
    from ..errors import Problem
    from ..model import Dataset, Memos


def data_file(data: str | None) -> str:
    """The data file: ``--data`` (given after the command, or before it), else the environment, else shipped."""
    return data_path(data or str(state["data"] or "") or None, os.environ)


def cache_folder() -> str | None:
    """The parse cache's folder, unless ``--no-cache`` or ``$KZTM_TIMELINE_NO_CACHE`` turned it off."""
    if not state["cache"] or os.environ.get("KZTM_TIMELINE_NO_CACHE"):
        return None
    from ..store import cache_dir

    return cache_dir(os.environ)


def verdict_tally(dataset: "Dataset") -> "Memos":
    """``validate``'s verdict, worked out as a fresh read goes, so that the cache keeps it for any later run."""
    from ..evidence import VerdictTally

    return VerdictTally(dataset)


def read_dataset(data: str | None, corpus: str | None = None) -> "Dataset":
    """The dataset (through the parse cache), as the corpus named by ``--corpus`` tells it when one is."""
    from ..load import load_dataset

    cache = cache_folder()
    path = data_file(data)
    bar = progress_bar()
    try:
        dataset = load_dataset(path, cache=cache, notice=notice, memos=verdict_tally, progress=bar)
    except DataError as error:
        # The data file itself cannot be read: say which option names another one.
        problems = [_data_file_problem(problem, path) for problem in error.problems]
        raise DataError(problems) from None
    finally:
        if bar is not None:
            bar.close()
    if corpus is None:
        return dataset
    from ..query import within_corpus

    return within_corpus(dataset, corpus)


def _data_file_problem(problem: "Problem", path: str) -> "Problem":
    """A problem with the data file itself says which option names another one, or that it must be a file."""
    if problem.file != path or problem.line is not None:
        return problem
    if problem.hint == "check the path":
        return dataclasses.replace(problem, hint="check the path, or pass --data PATH")
    if problem.message.endswith("Is a directory") or "it is a directory" in problem.message:
        return dataclasses.replace(problem, hint="pass the path of the data file (YAML), not a directory")
    return problem


def today() -> date:
    """Today's date, for a page's "generated on" line (``SOURCE_DATE_EPOCH`` pins it, for reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isascii() and epoch.isdigit():
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC).date()
        except (OverflowError, ValueError, OSError):  # past the year 9999, or past what the C library can hold
            raise TimelineError(
                f"SOURCE_DATE_EPOCH={epoch[:20]}{'…' if len(epoch) > 20 else ''} is past the year 9999; "
                "give seconds since 1970-01-01 (UTC), or unset it"
            ) from None
    return date.today()
