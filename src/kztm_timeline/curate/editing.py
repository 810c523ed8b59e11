"""``init``, ``edit`` and ``remove``: the data file copied, an event's block replaced, an event removed."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..datafile import yaml_read
from ..datafile.fs import (
    MAX_DATA_BYTES,
    named,
    read_bytes,
    resolve_source_path,
    write_file,
)
from ..datafile.lock import file_lock
from ..datafile.splice import item_block, remove_items, replace_item
from ..datafile.validate import validate_document
from ..errors import DataError, Problem, TimelineError
from ..model import Dataset
from .records import load_current, write_data


def copy_dataset(dataset: Dataset, folder: str) -> str:
    """Copy the data file and every article it cites into ``folder``, keeping their relative layout
    (``data/events.yaml`` beside ``seeds/``), so the copy validates as it is. Returns the new data file's path.

    Nothing is written if any file is already there.
    """
    root = os.path.dirname(os.path.dirname(os.path.realpath(dataset.path)))
    files = [os.path.realpath(dataset.path)]
    files += [os.path.realpath(resolve_source_path(dataset.path, s.file)) for s in dataset.sources if s.file is not None]
    plan = []
    for file in dict.fromkeys(files):
        relative = os.path.relpath(file, root)
        if relative.startswith(os.pardir):
            raise TimelineError(f"cannot copy {file}: it lies outside {root}")
        plan.append((file, os.path.join(folder, relative)))
    taken = [target for _, target in plan if os.path.lexists(target)]
    if taken:
        raise TimelineError(f"{taken[0]} already exists; choose an empty folder")
    for source, target in plan:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        write_file(target, read_bytes(source, limit=MAX_DATA_BYTES))
    return plan[0][1]


@dataclass(frozen=True)
class EditStart:
    """An event's block as the file has it, for an editor, and what the file was when it was read."""

    id: str
    block: str
    digest: str


@dataclass(frozen=True)
class Changed:
    """A change to the data file: its text before and after, and whether it was written."""

    id: str
    before: str
    after: str
    written: bool
    unlinked: tuple[str, ...] = ()  # events whose links to a removed event went too

    def diff(self, name: str) -> str:
        """The change as a unified diff, as ``git diff`` shows it."""
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True), self.after.splitlines(keepends=True), f"a/{name}", f"b/{name}"
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


EDITED_EVENT = "the edited event"


def _digest(path: str) -> str:
    import hashlib

    return hashlib.sha256(read_bytes(path, limit=MAX_DATA_BYTES)).hexdigest()


def _position(dataset: Dataset, wanted: str) -> tuple[str, int]:
    from ..query import find_event

    identifier = find_event(dataset, wanted).id
    return identifier, next(number for number, event in enumerate(dataset.events) if event.id == identifier)


def start_edit(path: str, wanted: str) -> EditStart:
    """The block of the event ``wanted`` (an id or a unique prefix) as written in the file."""
    path = os.path.realpath(path)
    digest = _digest(path)
    text, document, dataset = load_current(path)
    identifier, position = _position(dataset, wanted)
    start, end = item_block(document, text, "events", position)
    return EditStart(identifier, text[start:end].replace("\r\n", "\n"), digest)


def _edited_problems(problems: Sequence[Problem], first: int, size: int, old_size: int, label: str) -> list[Problem]:
    """Problems inside the edited block are named by ``label`` and their line in it; the others keep the
    line numbers the file has now."""
    result = []
    for problem in problems:
        line = problem.line
        if line is not None and first <= line < first + size:
            result.append(Problem(label, line - first + 1, problem.column, problem.message, problem.hint))
        elif line is not None and line >= first + size:
            result.append(Problem(problem.file, line - size + old_size, problem.column, problem.message, problem.hint))
        else:
            result.append(problem)
    return result


def finish_edit(
    path: str,
    started: EditStart,
    block: str,
    *,
    dry_run: bool = False,
    label: str = EDITED_EVENT,
    committing: Callable[[], None] | None = None,
) -> Changed:
    """Put the edited ``block`` in place of the event, once the whole dataset (quotes included) validates
    with it; atomically, under the file's lock. Refused if the file changed since :func:`start_edit`."""
    path = os.path.realpath(path)
    with file_lock(path, enabled=not dry_run):
        if _digest(path) != started.digest:
            raise TimelineError(f"{named(path)} changed while you were editing; nothing was written")
        text, document, dataset = load_current(path)
        _, position = _position(dataset, started.id)
        new_text, first = replace_item(document, text, "events", position, block)
        size = block.rstrip("\n").count("\n") + 1
        try:
            edited = validate_document(yaml_read.compose(path, new_text))
        except DataError as error:
            old_size = started.block.rstrip("\n").count("\n") + 1
            raise DataError(_edited_problems(error.problems, first, size, old_size, label)) from None
        if new_text == text:
            return Changed(started.id, text, text, False)
        if not dry_run:
            write_data(path, new_text, committing)
        return Changed(edited.events[position].id, text, new_text, not dry_run)


class StillLinked(TimelineError):
    """An event that other events link to, which was not to be removed with its links."""

    def __init__(self, identifier: str, owners: tuple[str, ...]) -> None:
        super().__init__(f"{identifier} is linked from {', '.join(owners)}; remove those links first")
        self.owners = owners


def remove_event(
    path: str, wanted: str, *, force: bool = False, dry_run: bool = False, committing: Callable[[], None] | None = None
) -> Changed:
    """Remove an event (an id or a unique prefix). Refused while other events link to it, unless ``force``,
    which removes those links too. Every other byte stays; written atomically under the file's lock."""
    path = os.path.realpath(path)
    with file_lock(path, enabled=not dry_run):
        text, document, dataset = load_current(path)
        identifier, position = _position(dataset, wanted)
        links = [
            (number, "related", index)
            for number, event in enumerate(dataset.events)
            for index, relation in enumerate(event.related)
            if relation.event == identifier
        ]
        owners = tuple(dict.fromkeys(dataset.events[number].id for number, _, _ in links))
        if owners and not force:
            raise StillLinked(identifier, owners)
        new_text = remove_items(document, text, "events", position, links)
        validate_document(yaml_read.compose(path, new_text))
        if not dry_run:
            write_data(path, new_text, committing)
        return Changed(identifier, text, new_text, not dry_run, owners)
