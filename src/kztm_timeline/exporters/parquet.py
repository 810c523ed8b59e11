"""Apache Parquet, for analysts who load the timeline into DuckDB, Polars or pandas.

One row per event, with typed columns: days as ``date32`` (null for an open end), codes as
strings (``cameo`` keeps its leading zero), and the nested parts as typed lists: ``topics``
(list of string), ``actors`` (list of struct id, name, role), ``sources`` (list of struct
source, title, publisher, quote) and ``related`` (list of struct id, relation). pyarrow is an
optional extra (``pip install 'kztm-timeline[parquet]'``), imported only when this format is chosen.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from ..contract import View, event_json
from ..errors import TimelineError


def _schema(pa: Any) -> Any:
    text = pa.string()
    return pa.schema(
        [
            ("id", text),
            ("date", text),
            ("start", pa.date32()),
            ("end", pa.date32()),
            ("precision", text),
            ("qualifier", text),
            ("display_date", text),
            ("title", text),
            ("kind", text),
            ("cameo", text),
            ("plover_event", text),
            ("plover_mode", text),
            ("plover_context", text),
            ("status", text),
            ("summary", text),
            ("note", text),
            ("place", text),
            ("topics", pa.list_(text)),
            ("actors", pa.list_(pa.struct([("id", text), ("name", text), ("role", text)]))),
            ("sources", pa.list_(pa.struct([("source", text), ("title", text), ("publisher", text), ("quote", text)]))),
            ("related", pa.list_(pa.struct([("id", text), ("relation", text)]))),
        ]
    )


def _row(record: dict[str, Any]) -> dict[str, Any]:
    plover = record["plover"]
    row = {key: record[key] for key in ("id", "date", "precision", "qualifier", "display_date", "title", "kind", "cameo")}
    row |= {key: record[key] for key in ("status", "summary", "note", "place", "topics", "actors", "sources", "related")}
    row["start"] = None if record["start"] is None else date.fromisoformat(record["start"])
    row["end"] = None if record["end"] is None else date.fromisoformat(record["end"])
    row["plover_event"], row["plover_mode"], row["plover_context"] = plover["event"], plover["mode"], plover["context"]
    return row


def render_parquet(view: View) -> bytes:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise TimelineError(
            "the parquet format needs pyarrow, an optional extra: pip install 'kztm-timeline[parquet]'"
        ) from None
    rows = [_row(event_json(view.dataset, event)) for event in view.events]
    table = pa.Table.from_pylist(rows, schema=_schema(pa))
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()
