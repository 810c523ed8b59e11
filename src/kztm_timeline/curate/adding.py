"""``add``: a new event inserted in date order, through the cache where it can serve (no parse of the file)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..datafile import yaml_read
from ..datafile.build import event_from
from ..datafile.fs import (
    MAX_DATA_BYTES,
    Scan,
    scan_text,
    spliced_bytes,
    write_file,
)
from ..datafile.lock import file_lock
from ..datafile.splice import Insertion, Splice, insert_item, splice
from ..datafile.validate import Known, validate_addition
from ..edtf import parse_edtf
from ..errors import CacheDamaged, DataError
from ..model import Dataset, Memos
from .records import NEW_EVENT, Added, date_and_id, hashed, load_current, open_for_add, relabel, validate_new, write_data

if TYPE_CHECKING:
    from ..cache.adding import Indexed


def add_event(
    path: str,
    build: Callable[[Dataset], dict[str, object]],
    *,
    dry_run: bool = False,
    cache: str | None = None,
    notice: Callable[[str], None] | None = None,
    memos: Callable[[Dataset], Memos] | None = None,
    committing: Callable[[], None] | None = None,
) -> Added:
    """Validate and insert a new event in date order; write atomically under the file's lock.

    With ``cache`` (the parse cache's folder), the event is checked against the cache of the file's
    current bytes and inserted without parsing the file, and the cache is updated in step (it is built
    first if there is none; ``memos`` works out what the cache keeps, as for ``load_dataset``, and brings
    it up to date with the new event); when that cannot be done (no usable cache, an unusual layout), the whole
    file is parsed and validated with the new event instead. Either way the same checks pass or fail.
    A data file reached through a symbolic link is updated where it really is, under its real path's lock.
    ``committing`` is called just before the new file takes the old one's place (the commit).
    """
    path = os.path.realpath(path)
    with file_lock(path, enabled=not dry_run):
        if cache is not None:
            added = _add_through_cache(path, build, cache, notice, memos, dry_run=dry_run, committing=committing)
            if added is not None:
                return added
        text, document, dataset = load_current(path)
        record = build(dataset)
        first, identifier = date_and_id(dataset, record)
        key = (first, identifier)
        position = 0
        for index, event in enumerate(dataset.events):
            if (event.date.span[0], event.id) <= key:
                position = index + 1
        spliced = splice(document, text, "events", position, record)
        validate_new(path, spliced, NEW_EVENT)
        block = spliced.block
        if not dry_run:
            write_data(path, spliced.text, committing)
        return Added(identifier, block, not dry_run)


def _add_through_cache(
    path: str,
    build: Callable[[Dataset], dict[str, object]],
    folder: str,
    notice: Callable[[str], None] | None,
    memos: Callable[[Dataset], Memos] | None,
    *,
    dry_run: bool,
    committing: Callable[[], None] | None,
) -> Added | None:
    """``add`` through the cache: None when the cache cannot serve (then the caller parses the file)."""

    opened = open_for_add(path, folder, notice, memos)
    if opened is None:
        return None
    indexed, data_digest = opened
    try:
        if indexed.dash is None or indexed.key is None:
            return None
        record = build(indexed.dataset)
        planned = _plan_insertion(path, indexed, record, data_digest)
        if planned is None:
            return None
        if not dry_run:
            _insert(path, indexed, planned, memos, notice, committing)
        return Added(planned.identifier, planned.rendered, not dry_run)
    except CacheDamaged:
        return None
    finally:
        indexed.close()


@dataclass(frozen=True)
class _Insertion:
    """A new event, checked, and where its block goes in the part of the file read around its place."""

    record: dict[str, object]
    identifier: str
    position: int
    base: int  # where the part read starts in the text
    part: str
    inserted: Insertion
    scan: Scan
    rendered: str


def _plan_insertion(path: str, indexed: Indexed, record: dict[str, object], data_digest: str) -> _Insertion | None:
    """The new event's block and place, checked against the cache; None when the file changed since the
    cache was opened, or is laid out so that the insertion could read differently."""
    assert indexed.dash is not None
    assert indexed.key is not None
    first, identifier = date_and_id(indexed.dataset, record)
    position = indexed.position_for(first, identifier)
    count = indexed.count
    # Only the part of the file around the new item is read as text: from the line of the item before
    # it (or of the events: key) to the line of the item after the next (or the following key, or the end).
    base = indexed.start(position - 1) if position > 0 else indexed.key
    following = indexed.following
    end = indexed.start(position + 1) if position + 1 < count else following
    ranges: list[tuple[int, int | None]] = [(base, end)]
    second = indexed.start(1) if count > 1 else 0
    if position >= 2:
        ranges.append((max(second - 4, 0), second))  # whether items are set apart by blank lines
    scan = scan_text(path, [base], ranges, limit=MAX_DATA_BYTES)
    if scan.digest != data_digest:
        return None  # changed since the cache was opened
    part = scan.texts[(base, end)]
    newline = "\r\n" if scan.crlf else "\n"
    blank = None if position < 2 else scan.texts[ranges[1]].endswith(newline * 2)
    inserted = insert_item(
        part,
        indexed.dash,
        lambda number: indexed.start(number) - base,
        count,
        None if following is None else following - base,
        position,
        record,
        blank=blank,
        crlf=scan.crlf,
    )
    rendered = inserted.rendered.text.replace(newline, "\n")
    _validate_alone(path, rendered, inserted.rendered.fields, indexed)
    # The neighbours, read back around the new item, must be what they were: then no other byte of the
    # file reads differently (a block list's items are separate once each starts a line at the same column).
    start = indexed.start(position - 1) - base if position > 0 else inserted.at
    expected = [indexed.record(position - 1)] if position > 0 else []
    expected.append(record)
    if position < count:
        expected.append(indexed.record(position))
    window = part[start : inserted.at] + inserted.inserted + part[inserted.at :]
    if yaml_read.compose(path, "events:" + newline + window).data != {"events": expected}:
        return None  # an unusual layout: the whole file is composed instead, and says why
    return _Insertion(record, identifier, position, base, part, inserted, scan, rendered)


def _insert(
    path: str,
    indexed: Indexed,
    planned: _Insertion,
    memos: Callable[[Dataset], Memos] | None,
    notice: Callable[[str], None] | None,
    committing: Callable[[], None] | None,
) -> None:
    """Write the new event's block into the file, and bring the cache in step."""
    import hashlib

    from ..cache import adding as index

    assert indexed.dash is not None
    part, inserted, record = planned.part, planned.inserted, planned.record
    base_byte, base_lines = planned.scan.places[planned.base]
    at_byte = base_byte + len(part[: inserted.at].encode("utf-8"))
    line = base_lines + part.count("\n", 0, inserted.at) + 1  # where the insertion starts
    item_line = line + inserted.inserted.count("\n", 0, inserted.item - inserted.at)
    digest = hashlib.sha256()
    new_bytes = spliced_bytes(
        path, at_byte, at_byte, inserted.inserted.encode("utf-8"), planned.scan.digest, limit=MAX_DATA_BYTES
    )
    write_file(path, hashed(new_bytes, digest.update), committing=committing)
    event = event_from(record, parse_edtf(str(record["date"])))
    tally = None
    if memos is not None:
        tally = memos(indexed.dataset)
        fields = inserted.rendered.fields
        tally.add(event, (item_line + fields.index("date"), indexed.dash + len("- date: ") + 1))
    index.record_addition(
        indexed,
        event,
        record,
        planned.position,
        at=planned.base + inserted.at,
        size=inserted.size,
        item=planned.base + inserted.item,
        data_digest=digest.hexdigest(),
        memos=tally,
        lines=(line, inserted.inserted.count("\n")),
        notice=notice,
    )


def _validate_alone(path: str, rendered: str, fields: tuple[str, ...], indexed: Indexed) -> None:
    """Check the new event (its YAML block, as it will be written) against the cache, as the whole file
    would be checked with it; problems are named by the field they are in."""
    text = "events:\n" + rendered
    known = Known(indexed.registry["sources"], indexed.registry["actors"], indexed.planned)
    try:
        validate_addition(yaml_read.compose(NEW_EVENT, text), known, path)
    except DataError as error:
        spliced = Splice(text, 2, 1 + len(fields), fields)
        raise DataError(relabel(error.problems, spliced, NEW_EVENT)) from None
