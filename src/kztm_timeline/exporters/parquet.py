"""Apache Parquet, for analysts who load the timeline into DuckDB, Polars or pandas.

One row per event, with the columns and the types the registry declares (``contract.fields``), flattened by
the same rule as CSV: days as ``date32`` (null for an open end), codes as strings (``cameo`` keeps its leading
zero), an object as one column per member (``plover_event``), and a list as a typed list column (``topics``:
list of string; ``actors`` → ``actors_id``, ``actors_name``, ``actors_role``, each a list of string). The
file's metadata carries the contract version (``contract_version``). pyarrow is an optional extra
(``pip install 'kztm-timeline[parquet]'``), imported only when this format is chosen.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from ..contract import View, dumps, event_json
from ..errors import TimelineError

if TYPE_CHECKING:
    from ..contract.fields import FlatColumn


def parquet_bytes(records: Sequence[dict[str, object]], chosen: Sequence[FlatColumn]) -> bytes:
    """``records`` (JSON records) as a Parquet file of the ``chosen`` flat columns."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise TimelineError(
            "the parquet format needs pyarrow, an optional extra: pip install 'kztm-timeline[parquet]'"
        ) from None
    from ..contract.fields import FieldType, getter
    from ..contract.schemas import parquet_schema

    def typed(column: FlatColumn, value: object) -> object:
        if column.type is FieldType.DATE and isinstance(value, str):
            return date.fromisoformat(value)
        if column.type is FieldType.OBJECT and value is not None:
            return dumps(value, pretty=False, spaced=True)
        return value

    schema = parquet_schema(pa, chosen)
    arrays = []
    for column, field in zip(chosen, schema, strict=True):  # column by column: far faster than row dicts
        get = getter(column)
        if column.type in (FieldType.DATE, FieldType.OBJECT):
            values = [typed(column, get(record)) for record in records]
        else:
            values = [get(record) for record in records]
        arrays.append(pa.array(values, type=field.type))
    table = pa.Table.from_arrays(arrays, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def render_parquet(view: View) -> bytes:
    from ..contract.fields import EVENTS, columns

    return parquet_bytes([event_json(view.dataset, event) for event in view.events], columns(EVENTS))
