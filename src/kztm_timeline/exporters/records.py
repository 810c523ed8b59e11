"""The formats every data command shares: records (JSON objects) as JSON, JSON Lines, CSV or a table.

``list`` has its own exporters for its events; ``actors``, ``sources``, ``stats``,
``plans``, ``coverage``, ``extract`` and ``show``, and ``list`` with chosen fields, give
their records here, with the table (``contract.fields``) that declares them. JSON keeps
their nesting; CSV and the table flatten them by the registry's one rule. Pure functions:
records in, text out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, assert_never

from ..contract import dumps
from . import RecordFormat

if TYPE_CHECKING:
    from ..contract.fields import FlatColumn, Pick, Table

# The registry of fields (contract.fields) is imported where a record is cut or flattened, not here: JSON of
# whole records, the most common output (show --json, stats --json), needs none of it.


def records_json(records: Sequence[dict[str, object]]) -> str:
    """An array, one record per line (as ``list --json``): valid JSON and line-oriented for grep and diff."""
    if not records:
        return "[]\n"
    return "[\n" + ",\n".join(dumps(record, pretty=False, spaced=True) for record in records) + "\n]\n"


def records_jsonl(records: Sequence[dict[str, object]]) -> str:
    return "".join(dumps(record, pretty=False) + "\n" for record in records)


def records_csv(records: Sequence[dict[str, object]], chosen: Sequence[FlatColumn]) -> str:
    """RFC 4180 CSV with a header row of the flat column names; lists joined by "; "; formula cells guarded."""
    from ..contract.fields import csv_cell, getters
    from .data import guard_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in chosen])
    read = getters(chosen)
    for record in records:
        writer.writerow([guard_cell(csv_cell(get(record))) for get in read])
    return buffer.getvalue()


def render_records(
    fmt: RecordFormat,
    table: Table,
    records: Sequence[dict[str, object]],
    picks: Sequence[Pick] | None,
    *,
    color: bool,
    width: int,
) -> str:
    """``records`` of ``table`` in ``fmt``, cut to ``picks`` (every field when None)."""
    from ..contract.fields import columns, csv_cell, flat_row, project

    match fmt:
        case RecordFormat.JSON:
            return records_json([project(record, picks) for record in records])
        case RecordFormat.JSONL:
            return records_jsonl([project(record, picks) for record in records])
        case RecordFormat.CSV:
            return records_csv(records, columns(table, picks))
        case RecordFormat.TABLE:
            from ..screens import render_rows

            chosen = columns(table, picks)
            rows = [[csv_cell(value) for value in flat_row(record, chosen)] for record in records]
            return render_rows([column.name for column in chosen], rows, color=color, width=width)
        case _:
            assert_never(fmt)
