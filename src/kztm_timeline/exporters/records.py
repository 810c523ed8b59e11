"""The formats every data command shares: records (JSON objects) as JSON, JSON Lines, CSV or a table.

``list`` has its own exporters for its events; ``actors``, ``sources``, ``stats``,
``plans``, ``coverage``, ``extract`` and ``show``, and ``list`` with chosen fields, give
their records here. Pure functions: records in, text out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import assert_never

from ..contract import cell, dumps
from . import RecordFormat
from .data import guard_cell


def records_json(records: Sequence[dict[str, object]]) -> str:
    """An array, one record per line (as ``list --json``): valid JSON and line-oriented for grep and diff."""
    if not records:
        return "[]\n"
    return "[\n" + ",\n".join(dumps(record, pretty=False, spaced=True) for record in records) + "\n]\n"


def records_jsonl(records: Sequence[dict[str, object]]) -> str:
    return "".join(dumps(record, pretty=False) + "\n" for record in records)


def records_csv(records: Sequence[dict[str, object]], fields: Sequence[str]) -> str:
    """RFC 4180 CSV with a header row; lists joined by "; ", objects by their id; formula cells guarded."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(fields)
    for record in records:
        writer.writerow([guard_cell(cell(record.get(name))) for name in fields])
    return buffer.getvalue()


def render_records(
    fmt: RecordFormat, records: Sequence[dict[str, object]], fields: Sequence[str], *, color: bool, width: int
) -> str:
    """``records`` (each already cut to ``fields``) in ``fmt``."""
    match fmt:
        case RecordFormat.JSON:
            return records_json(records)
        case RecordFormat.JSONL:
            return records_jsonl(records)
        case RecordFormat.CSV:
            return records_csv(records, fields)
        case RecordFormat.TABLE:
            from ..screens import render_rows

            rows = [[cell(record.get(name)) for name in fields] for record in records]
            return render_rows(fields, rows, color=color, width=width)
        case _:
            assert_never(fmt)
