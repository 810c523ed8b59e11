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
decoded. Every database is sealed as it is put in place (:mod:`kztm_timeline.seal`: the CRC-32 of every byte,
every table and index included) and opened only while its seal vouches for it; a damaged one is set aside as
``NAME.sqlite.damaged``; a run that only reads never changes it (answers worked out later are kept in the seal). Bad data
is never cached: the database is written only after a validation passed.

What it holds:

    meta     key/value: format, tool, data (SHA-256), stat, sources ({path: SHA-256}), registry
             (the sources and actors, as JSON), count; and the verdicts ``validate`` computed once
    events   row (an event's own number, which never changes), pos (its place in the file's order),
             at (where its item's line starts in the text, for ``add``), id, first and last day
             (proleptic ordinals; an open start is day 1, an open end the last day of 9999), the day a
             plan falls due (``query.due_date``; the last day of 9999 for any other event), record
             (the event as JSON) and its CRC-32, and its contract JSON and that one's CRC-32
    keys     (name, key, row): the event has ``key`` under the index ``name`` (kind, status, actor,
             topic, topic_name, place_run: every run of its place's words, source: the sources it
             cites), for
             :class:`~kztm_timeline.model.Prefilter`
    links    (target, source, relation, idx): event row ``source`` names ``target`` in its ``related``
             (entry idx of that list), always by its id of today
    aliases  (alias, row): an old id of event row ``row`` (its ``aliases``)
    renamed  (row, idx, alias): entry idx of event row ``row``'s ``related`` names its target by that old id
    inferred (row, date, note): event row ``row``'s date evidence is inferred, its date as written and its note
             (what a strict ``validate`` lists, in file order; a plain one reads none of it)
    search   an FTS5 table (trigram tokenizer, no stored content) over each event's searchable text,
             folded and romanized exactly as ``--search`` folds it, rowid = row

    spans    (row, byte, char, line, digest): where event row ``row``'s item starts in the data file (byte,
             character, line) and a BLAKE2b digest of its bytes; with meta ``spans`` (the list's column, where
             its items begin and end, digests of what is above and below them and of the file's 64 KiB blocks),
             what :func:`refresh` compares a changed file against. Absent when the layout cannot vouch for a split.

``add`` updates a database in step with the file it writes (see :func:`record_addition`), and :func:`refresh` in
step with a file changed by hand or by another tool, re-reading only the events that changed: either way it is
changed in place under an exclusive lock when no other run reads it, else a copy of it is changed and put in its
place, and sealed anew (one code path, ``adding.rewrite_sealed``; the locks: :mod:`kztm_timeline.seal`), so a
reader never sees half of a change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import CacheDamaged
from .events import CachedEvents, read
from .rows import KEPT_EVENTS
from .tables import INDEXED

if TYPE_CHECKING:
    from ..model import Dataset, Memos

# The reading side only: every command opens the cache, few write it. The writers are imported from their
# own modules where they are used (``cache.writer`` by a full read, ``cache.adding`` by ``add``,
# ``cache.refreshing`` by :func:`refresh`), so that a warm run does not load them.
__all__ = ["INDEXED", "KEPT_EVENTS", "CacheDamaged", "CachedEvents", "read", "refresh"]


def refresh(
    folder: str,
    data_path: str,
    *,
    memos: Callable[[Dataset], Memos] | None = None,
    notice: Callable[[str], None] | None = None,
    known: Callable[[list[int]], str | None] = lambda _: None,
) -> bool:
    """Bring the cache of ``data_path`` in step with the file as it is now, reading only what changed (see
    :mod:`.refreshing`, imported only when a file changed): True when it was done (the cache then matches the
    file), False when the file is to be read whole. ``memos``: as for a whole read, the values worked out from
    every event (``validate``'s verdict), brought up to date with the change and kept. ``known``: the file's
    SHA-256 if this run worked it out while the file had the status given (else None: it is worked out)."""
    from .refreshing import bring_in_step

    return bring_in_step(folder, data_path, memos=memos, notice=notice, known=known)
