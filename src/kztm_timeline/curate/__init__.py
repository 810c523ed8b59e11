"""Growing the data file safely: ``add`` and ``sources add``.

The new record is written in the file's own style and spliced into the text,
so no other byte changes: comments, formatting and key order stay as they are.
Before anything is written, the new text is composed again and must read back
as the old data plus exactly the new record, and the whole dataset (quotes
included) must validate. The write is atomic and serialised by a file lock.
"""

from __future__ import annotations

from .adding import add_event
from .editing import Changed, EditStart, StillLinked, copy_dataset, finish_edit, remove_event, start_edit
from .records import NEW_EVENT, NEW_SOURCE, Added, EventInput, new_event, split_pair
from .sources import SourceInput, add_source, corpus_folder

__all__ = [
    "NEW_EVENT",
    "NEW_SOURCE",
    "Added",
    "Changed",
    "EditStart",
    "EventInput",
    "SourceInput",
    "StillLinked",
    "add_event",
    "add_source",
    "copy_dataset",
    "corpus_folder",
    "finish_edit",
    "new_event",
    "remove_event",
    "split_pair",
    "start_edit",
]
