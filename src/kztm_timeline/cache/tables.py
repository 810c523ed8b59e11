"""The cache database's tables, and how an event becomes rows of them."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from datetime import date

from ..model import Dataset, Event
from ..store import row_crc
from ..text import fold, name_words

MIN_DAY, MAX_DAY = date.min.toordinal(), date.max.toordinal()
SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events(row INTEGER PRIMARY KEY, pos INTEGER NOT NULL, at INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
                    first INTEGER NOT NULL, last INTEGER NOT NULL, due INTEGER NOT NULL,
                    record TEXT NOT NULL, crc INTEGER NOT NULL, contract TEXT NOT NULL, contract_crc INTEGER NOT NULL);
CREATE TABLE keys(name TEXT NOT NULL, key TEXT NOT NULL, row INTEGER NOT NULL);
CREATE TABLE links(target TEXT NOT NULL, source INTEGER NOT NULL, relation TEXT NOT NULL, idx INTEGER NOT NULL);
CREATE VIRTUAL TABLE search USING fts5(text, tokenize='trigram', content='');
CREATE TABLE aliases(alias TEXT NOT NULL, row INTEGER NOT NULL);
CREATE TABLE renamed(row INTEGER NOT NULL, idx INTEGER NOT NULL, alias TEXT NOT NULL);
CREATE TABLE inferred(row INTEGER PRIMARY KEY, date TEXT NOT NULL, note TEXT NOT NULL);
"""
INDEXES = """
CREATE INDEX events_span ON events(first, last);
CREATE INDEX events_pos ON events(pos);
CREATE INDEX keys_lookup ON keys(name, key, row);
CREATE INDEX links_target ON links(target);
CREATE INDEX aliases_alias ON aliases(alias);
"""


# The keys each event is indexed under, per index name of :class:`~kztm_timeline.model.Prefilter`.
INDEXED: dict[str, Callable[[Event], list[str]]] = {
    "kind": lambda event: [event.kind.value],
    "status": lambda event: [event.status.value],
    "actor": lambda event: [participant.actor for participant in event.participants],
    "topic": lambda event: [fold(topic) for topic in event.topics],
    "topic_name": lambda event: list(event.topics),  # as written, for stats
    "place_run": lambda event: _runs(name_words(event.place or "")),
    "source": lambda event: [citation.source for citation in event.citations],  # --corpus keeps its sources' events
}


def _runs(words: list[str]) -> list[str]:
    """Every run of consecutive words (``--place`` matches one): ``a b c`` gives a, a b, a b c, b, b c, c."""
    return [" ".join(words[start:end]) for start in range(len(words)) for end in range(start + 1, len(words) + 1)]


def compact_json(value: object) -> str:
    """A meta value as compact JSON, in ASCII: the paths it holds may carry bytes that are not UTF-8 (decoded as lone
    surrogates), which SQLite's UTF-8 text cannot hold but a ``\\udcff`` escape can."""
    return json.dumps(value, separators=(",", ":"))


def record_json(value: object) -> str:
    """An event's plain values as compact JSON (validated text: UTF-8 through and through)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def day(value: date | None, default: int) -> int:
    return default if value is None else value.toordinal()


def temporary_database(folder: str) -> str:
    return os.path.join(folder, f".timeline-{os.getpid()}-{os.urandom(4).hex()}.tmp")


def insert_events(connection: sqlite3.Connection, dataset: Dataset, items: Iterable[tuple[int, int, int, Event, object]]) -> None:
    """Insert events (row, pos, at, the event, its plain record) with their index keys, links, old ids, search
    text and inferred dates, a batch at a time (so that memory does not grow with the dataset)."""
    from ..contract import dumps, event_json
    from ..query import due_date, haystack

    batch: list[tuple[object, ...]] = []
    keys: list[tuple[str, str, int]] = []
    links: list[tuple[str, int, str, int]] = []
    texts: list[tuple[int, str]] = []
    aliases: list[tuple[str, int]] = []
    renamed: list[tuple[int, int, str]] = []
    inferred: list[tuple[int, str, str]] = []

    def flush() -> None:
        connection.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
        connection.executemany("INSERT INTO keys VALUES (?, ?, ?)", keys)
        connection.executemany("INSERT INTO links VALUES (?, ?, ?, ?)", links)
        connection.executemany("INSERT INTO search(rowid, text) VALUES (?, ?)", texts)
        connection.executemany("INSERT INTO aliases VALUES (?, ?)", aliases)
        connection.executemany("INSERT INTO renamed VALUES (?, ?, ?)", renamed)
        connection.executemany("INSERT INTO inferred VALUES (?, ?, ?)", inferred)
        for pending in (batch, keys, links, texts, aliases, renamed, inferred):
            pending.clear()

    for row, pos, at, event, record in items:
        text = record_json(record)
        contract = dumps(event_json(dataset, event), pretty=False, spaced=True)
        first, last = day(event.date.first, MIN_DAY), day(event.date.last, MAX_DAY)
        due = due_date(event)[0].toordinal() if event.status.value == "planned" else MAX_DAY
        batch.append((row, pos, at, event.id, first, last, due, text, row_crc(text), contract, row_crc(contract)))
        keys.extend((name, key, row) for name, index in INDEXED.items() for key in dict.fromkeys(index(event)))
        links.extend((relation.event, row, relation.relation, number) for number, relation in enumerate(event.related))
        texts.append((row, haystack(dataset, event)))
        aliases.extend((alias, row) for alias in dict.fromkeys(event.aliases))
        renamed.extend((row, number, relation.alias) for number, relation in enumerate(event.related) if relation.alias)
        entry = event.inferred_date()
        if entry is not None:
            inferred.append((row, entry[1], entry[2]))
        if len(batch) >= 2000:
            flush()
    flush()
