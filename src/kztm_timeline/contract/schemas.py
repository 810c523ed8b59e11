"""What the registry of fields (:mod:`.fields`) derives for each format: the JSON Schema of the output, the
Frictionless ``datapackage.json`` of a CSV export and the Parquet schema. Nothing here is declared twice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import CONTRACT_VERSION
from .fields import LIST_SEPARATOR, TABLES, FieldType, FlatColumn, OutputField, Table, field_names


def _value_schema(field: OutputField, *, nullable: bool) -> dict[str, object]:
    schema: dict[str, object]
    if field.choices:
        return {"enum": [*field.choices, None] if nullable else list(field.choices)}
    kind = {FieldType.DATE: "string"}.get(field.type, field.type.value)
    schema = {"type": [kind, "null"] if nullable else kind}
    if field.type is FieldType.DATE:
        schema["format"] = "date"
    if field.pattern is not None:
        schema["pattern"] = field.pattern
    return schema


def _member_schema(member: OutputField) -> dict[str, object]:
    return {**_value_schema(member, nullable=member.nullable), "description": member.description}


def field_schema(field: OutputField) -> dict[str, object]:
    """The JSON Schema of one field of a record."""
    item: dict[str, object]
    if not field.members:
        item = _value_schema(field, nullable=field.nullable and not field.many)
    elif field.positional:
        prefix = [_member_schema(member) for member in field.members]
        item = {"type": "array", "prefixItems": prefix, "minItems": len(prefix), "maxItems": len(prefix)}
    else:
        item = {
            "type": ["object", "null"] if field.nullable and not field.many else "object",
            "additionalProperties": False,
            "required": [member.name for member in field.members],
            "properties": {member.name: _member_schema(member) for member in field.members},
        }
    if field.many:
        item = {"type": "array", "items": item, **({"minItems": field.min_items} if field.min_items else {})}
    return {"description": field.description, **item}


def record_schema(table: Table) -> dict[str, object]:
    """The JSON Schema of one record of ``table``: every field required, no other key, in the contract's order."""
    return {
        "title": table.title,
        "type": "object",
        "additionalProperties": False,
        "required": list(field_names(table)),
        "properties": {field.name: field_schema(field) for field in table.fields},
    }


def output_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of the JSON output: an array of events (``list`` in JSON), and every
    command's record under ``$defs``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kztm-timeline.invalid/schema/event-list.schema.json",
        "title": f"kztm-timeline JSON output, contract {CONTRACT_VERSION}",
        "description": "In JSON, `timeline list` prints an array of events and `timeline show` one event; in JSON "
        "Lines, one event a line. Every other command's records are under $defs. A minor version "
        "of the contract only adds fields, members and values; a major one removes, renames or retypes.",
        "contract_version": CONTRACT_VERSION,
        "type": "array",
        "items": {"$ref": "#/$defs/event"},
        "$defs": {table.record: record_schema(table) for table in TABLES},
    }


_FRICTIONLESS = {
    FieldType.STRING: "string",
    FieldType.INTEGER: "integer",
    FieldType.NUMBER: "number",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATE: "date",
    FieldType.OBJECT: "object",
}


def frictionless_field(column: FlatColumn) -> dict[str, object]:
    """A column in Frictionless Table Schema terms; a list column is a string of items joined by "; "."""
    described = column.description + (f" Items joined by '{LIST_SEPARATOR}'." if column.many else "")
    field: dict[str, object] = {
        "name": column.name,
        "type": "string" if column.many else _FRICTIONLESS[column.type],
        "description": described,
    }
    constraints: dict[str, object] = {}
    if not column.many and not column.nullable:
        constraints["required"] = True
    choices = (column.member or column.field).choices
    if choices and not column.many:
        constraints["enum"] = list(choices)
    if constraints:
        field["constraints"] = constraints
    return field


def datapackage(table: Table, chosen: Sequence[FlatColumn], csv_name: str) -> dict[str, object]:
    """A Frictionless Tabular Data Package describing the CSV export of ``chosen`` columns of ``table``."""
    schema: dict[str, object] = {"fields": [frictionless_field(column) for column in chosen], "missingValues": [""]}
    if set(table.key) <= {column.name for column in chosen}:
        schema["primaryKey"] = list(table.key) if len(table.key) > 1 else table.key[0]
    return {
        "profile": "tabular-data-package",
        "name": "kztm-timeline",
        "title": "Kazakhstan–Turkmenistan relations: an evidence-backed timeline",
        "contract_version": CONTRACT_VERSION,
        "resources": [
            {
                "name": table.name,
                "title": table.title,
                "path": csv_name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "header": True},
                "schema": schema,
            }
        ],
    }


def parquet_schema(pa: Any, chosen: Sequence[FlatColumn]) -> Any:
    """The Parquet (Arrow) schema of ``chosen`` columns: dates as date32, a list column as a typed list."""
    types = {
        FieldType.STRING: pa.string(),
        FieldType.INTEGER: pa.int64(),
        FieldType.NUMBER: pa.float64(),
        FieldType.BOOLEAN: pa.bool_(),
        FieldType.DATE: pa.date32(),
        FieldType.OBJECT: pa.string(),
    }
    fields = [
        pa.field(
            column.name,
            pa.list_(pa.field("element", types[column.type])) if column.many else types[column.type],
            nullable=column.nullable,
        )
        for column in chosen
    ]
    return pa.schema(fields, metadata={"contract_version": CONTRACT_VERSION})
