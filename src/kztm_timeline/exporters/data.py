"""Machine formats: JSON, JSON Lines and CSV."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable, Iterator

from ..contract import View, dumps, event_json
from ..model import Event
from ..text import UNSAFE_RE


def render_json(view: View) -> str:
    return "".join(iter_json(view, view.events))


def iter_json(view: View, events: Iterable[Event]) -> Iterator[str]:
    """An array with one event per line: valid JSON for jq, and line-oriented for grep and diff; each
    event is written as it comes.

    (Each line is encoded by the json module's C encoder; an indented dump would
    run its pure-Python encoder, ten times slower on large selections.)
    """
    return json_array(dumps(event_json(view.dataset, event), pretty=False, spaced=True) for event in events)


def json_array(lines: Iterable[str]) -> Iterator[str]:
    """One JSON array of the given encoded values, one per line."""
    opening = "[\n"
    for line in lines:
        yield opening + line
        opening = ",\n"
    yield "[]\n" if opening == "[\n" else "\n]\n"


def compact_lines(lines: Iterable[str]) -> Iterator[str]:
    """JSON Lines of the given encoded values: each re-encoded as ``--format jsonl`` writes it."""
    for line in lines:
        yield dumps(json.loads(line), pretty=False) + "\n"


def render_jsonl(view: View) -> str:
    return "".join(iter_jsonl(view, view.events))


def iter_jsonl(view: View, events: Iterable[Event]) -> Iterator[str]:
    for event in events:
        yield dumps(event_json(view.dataset, event), pretty=False) + "\n"


_FORMULA_START = ("=", "+", "-", "@")


def guard_cell(value: str) -> str:
    """OWASP's guard against CSV formula injection: a leading ' on a cell that a spreadsheet could read as a
    formula, including one that starts with white space, a tab, a carriage return or an invisible character before
    the sign, and the fullwidth signs (＝ ＋ － ＠) that spreadsheets fold to ASCII."""
    if not value or (value[0].isascii() and value[0].isalnum()):
        return value  # the common case: nothing to strip before a letter or digit, which starts no formula
    if value.startswith(("\t", "\r")):
        return "'" + value
    head = UNSAFE_RE.sub("", value[:64]).lstrip()
    if head and unicodedata.normalize("NFKC", head[0]).startswith(_FORMULA_START):
        return "'" + value
    return value


def render_csv(view: View) -> str:
    return "".join(iter_csv(view, view.events))


def iter_csv(view: View, events: Iterable[Event]) -> Iterator[str]:
    """The header, then one row per event as it comes: every column of the registry, flattened by its rule."""
    from ..contract.fields import EVENTS, columns, csv_cell, getters

    chosen = columns(EVENTS)
    read = getters(chosen)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in chosen])
    for event in events:
        record = event_json(view.dataset, event)
        writer.writerow([guard_cell(csv_cell(get(record))) for get in read])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
