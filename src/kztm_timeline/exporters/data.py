"""Machine formats: JSON, JSON Lines and CSV."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable, Iterator

from ..contract import View, dumps, event_json, participants_text
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


CSV_COLUMNS = (
    "id",
    "date",
    "start",
    "end",
    "precision",
    "qualifier",
    "title",
    "kind",
    "cameo",
    "plover_event",
    "plover_mode",
    "status",
    "actors",
    "roles",
    "place",
    "topics",
    "summary",
    "sources",
    "quotes",
    "related",
)

_FORMULA_START = ("=", "+", "-", "@")


def guard_cell(value: str) -> str:
    """OWASP's guard against CSV formula injection: a leading ' on a cell that a spreadsheet could read as a
    formula, including one that starts with white space, a tab, a carriage return or an invisible character before
    the sign, and the fullwidth signs (＝ ＋ － ＠) that spreadsheets fold to ASCII."""
    if value.startswith(("\t", "\r")):
        return "'" + value
    head = UNSAFE_RE.sub("", value[:64]).lstrip()
    if head and unicodedata.normalize("NFKC", head[0]).startswith(_FORMULA_START):
        return "'" + value
    return value


# Column types, in Frictionless Table Schema terms: what datapackage.json declares, so that pandas,
# DuckDB and sqlite-utils read "054" as the CAMEO code it is, not as the number 54.
CSV_TYPES = {"start": "date", "end": "date"}
CSV_DESCRIPTIONS = {
    "id": "Event id (see `timeline show ID`).",
    "date": "EDTF date at the precision the source gives.",
    "start": "First day the date covers; empty for an open start.",
    "end": "Last day the date covers; empty for an open end.",
    "cameo": "CAMEO event code: text with its leading zero (054), never a number.",
    "sources": "Source ids, separated by '; '.",
    "quotes": "Verbatim quotes, in the order of sources, separated by '; '.",
}


def datapackage(csv_name: str = "events.csv") -> str:
    """A Frictionless Tabular Data Package describing the CSV export's columns and their types."""
    fields: list[dict[str, str]] = []
    for name in CSV_COLUMNS:
        field = {"name": name, "type": CSV_TYPES.get(name, "string")}
        if name in CSV_DESCRIPTIONS:
            field["description"] = CSV_DESCRIPTIONS[name]
        fields.append(field)
    package = {
        "profile": "tabular-data-package",
        "name": "kztm-timeline",
        "title": "Kazakhstan–Turkmenistan relations: an evidence-backed timeline",
        "resources": [
            {
                "name": "events",
                "path": csv_name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "header": True},
                "schema": {"fields": fields, "primaryKey": "id", "missingValues": [""]},
            }
        ],
    }
    return dumps(package) + "\n"


def render_csv(view: View) -> str:
    return "".join(iter_csv(view, view.events))


def iter_csv(view: View, events: Iterable[Event]) -> Iterator[str]:
    """The header, then one row per event as it comes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        record = event_json(view.dataset, event)
        plover = record["plover"]
        assert isinstance(plover, dict)
        participants = event.participants
        row = [
            event.id,
            event.date.text,
            record["start"] or "",
            record["end"] or "",
            event.date.precision.value,
            record["qualifier"] or "",
            event.title,
            event.kind.value,
            record["cameo"],
            plover["event"],
            plover["mode"] or "",
            event.status.value,
            participants_text(view.dataset, event, roles=False, separator="; "),
            "; ".join(p.role for p in participants),
            event.place or "",
            "; ".join(event.topics),
            event.summary,
            "; ".join(citation.source for citation in event.citations),
            "; ".join(citation.quote for citation in event.citations),
            "; ".join(relation.event for relation in event.related),
        ]
        writer.writerow([guard_cell(str(cell)) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
