"""The parse cache: a validated dataset kept in an SQLite database (Python's own ``sqlite3``), so that the
next run skips YAML and reads only the events its question needs.

Where: ``$XDG_CACHE_HOME/kztm-timeline/`` (default ``~/.cache/kztm-timeline/``), one database per data
file (named for its absolute path, escaped), replaced whenever that data file changes.

Whose it is: the folder is created 0700 and each database 0600, whatever the umask; a folder or file
that another user owns, or that anyone else could write, is ignored, never trusted (``--verbose`` says
so). The trust boundary is the user: the same user could as well edit the data file. Databases are read
with ``mode=ro`` and ``trusted_schema=OFF``, and only through this module's own SELECTs: nothing stored
in one can run as code (no pickle, no SQL taken from the file).

When it is used: only when the SHA-256 of the data file's bytes, the SHA-256 of every source text it
cites, the tool's version and the cache format all match what the database recorded. To skip hashing a
large file on every run, the database also records the file's device, inode, size, modification and
change times (as git's index does): when all five are unchanged, the recorded digest stands for the
bytes; any write changes the change time, which no tool can set back. Anything else (a missing,
corrupt, unreadable or foreign file) means a plain parse; so does damage found later, when an event is
decoded. Bad data is never cached: the database is written only after a validation passed.

What it holds:

    meta     key/value: format, tool, data (SHA-256), stat, sources ({path: SHA-256}), registry
             (the sources and actors, as JSON), count; and the verdicts ``validate`` computed once
    events   row (an event's own number, which never changes), pos (its place in the file's order),
             at (where its item's line starts in the text, for ``add``), id, first and last day
             (proleptic ordinals; an open start is day 1, an open end the last day of 9999), record
             (the event as JSON) and its CRC-32, and its contract JSON and that one's CRC-32
    keys     (name, key, row): the event has ``key`` under the index ``name`` (kind, status, actor,
             topic, topic_name, place_run: every run of its place's words), for
             :class:`~kztm_timeline.model.Prefilter`
    links    (target, source, relation, idx): event row ``source`` names ``target`` in its ``related``
             (entry idx of that list)
    search   an FTS5 table (trigram tokenizer, no stored content) over each event's searchable text,
             folded and romanized exactly as ``--search`` folds it, rowid = row

``add`` updates a database in step with the file it writes (see :func:`record_addition`): a copy of it is
updated and put in its place, so a reader never sees half of a change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..model import Dataset
from .adding import Indexed, open_indexed, record_addition, record_source
from .events import CachedEvents, read
from .rows import KEPT_EVENTS
from .tables import INDEXED, CacheDamaged
from .writer import Builder, meta_values, write

if TYPE_CHECKING:
    from .refreshing import Refreshed

__all__ = [
    "INDEXED",
    "KEPT_EVENTS",
    "Builder",
    "CacheDamaged",
    "CachedEvents",
    "Indexed",
    "keep_memos",
    "meta_values",
    "open_indexed",
    "read",
    "record_addition",
    "record_source",
    "refresh",
    "write",
]


def refresh(folder: str, data_path: str, *, notice: Callable[[str], None] | None = None) -> Refreshed | None:
    """Bring the cache of ``data_path`` in step with the file as it is now, reading only what changed (see
    :mod:`.refreshing`, imported only when a file changed): what changed when it was done, None when the file
    is to be read whole."""
    from .refreshing import bring_in_step

    return bring_in_step(folder, data_path, notice=notice)


def keep_memos(dataset: Dataset, values: Mapping[str, str]) -> None:
    """Keep values worked out from every event (``validate``'s verdict) in the dataset's cache, if it has one."""
    if isinstance(dataset.events, CachedEvents):
        dataset.events.keep_checked(values)
