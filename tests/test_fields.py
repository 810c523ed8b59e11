"""One registry of fields: the JSON Schema, the CSV header, the datapackage.json and the Parquet schema are derived
from it, every export is checked against them, and --fields takes the registry's names in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.contract.fields import EVENTS, TABLES, Table, columns, csv_cell, flat_row, names
from kztm_timeline.contract.schemas import datapackage, output_schema, parquet_schema, record_schema

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout_bytes.decode(), result.stderr  # the bytes: .stdout turns CRLF into LF


def validator(table: Table) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(record_schema(table))


EVENT_HEADER = (
    "id,date,start,end,precision,qualifier,display_date,title,kind,cameo,plover_event,plover_mode,plover_context,status,"
    "summary,note,actors_id,actors_name,actors_role,place,topics,sources_source,sources_title,sources_publisher,"
    "sources_quote,sources_url,sources_language,sources_translation,related_id,related_relation,referenced_by_id,"
    "referenced_by_relation"
)


# ---------------------------------------------------------------- the registry and its rule


def test_an_object_and_a_list_of_objects_flatten_to_one_column_per_member() -> None:
    assert [column.name for column in columns(EVENTS)] == EVENT_HEADER.split(",")


def test_no_two_columns_of_a_table_share_a_name_and_no_column_is_named_as_another_field() -> None:
    for table in TABLES:
        flat = [column.name for column in columns(table)]
        assert len(flat) == len(set(flat)), table.name
        whole = {field.name for field in table.fields}
        assert [column.name for column in columns(table) if column.member and column.name in whole] == []


def test_fields_takes_every_field_and_every_flat_column() -> None:
    assert names(EVENTS)[:3] == ("id", "date", "start")
    assert {"plover", "plover_event", "actors", "actors_role", "referenced_by_relation"} <= set(names(EVENTS))


def test_the_committed_output_schema_is_what_the_registry_derives() -> None:
    committed = (ROOT / "schema" / "event-list.schema.json").read_text(encoding="utf-8")
    assert committed == json.dumps(output_schema(), ensure_ascii=False, indent=2) + "\n"


def test_the_derived_output_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(output_schema())


# ---------------------------------------------------------------- every export against what the registry derives


@pytest.mark.parametrize(
    ("command", "table"),
    [
        (["list", "--json"], "events"),
        (["actors", "--json"], "actors"),
        (["sources", "--json"], "sources"),
        (["plans", "--as-of", "2026-01-01", "--json"], "plans"),
        (["stats", "-f", "jsonl"], "stats"),
        (["sources", "show", "trend", "--json"], "paragraphs"),
        (["coverage", "--json"], "coverage"),
        (["extract", "trend", "--json"], "candidates"),
        (["chart", "--json"], "chart"),
    ],
)
def test_every_commands_json_meets_the_schema_its_table_derives(command: list[str], table: str) -> None:
    code, out, err = run(*command)
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()] if "jsonl" in command else json.loads(out)
    check = validator(next(found for found in TABLES if found.name == table))
    assert records
    for record in records:
        check.validate(record)


def test_show_json_meets_the_event_schema() -> None:
    validator(EVENTS).validate(json.loads(run("show", "abai", "--json")[1]))


def test_the_csv_header_is_the_registry_columns_and_each_row_the_json_flattened() -> None:
    _, out, _ = run("list", "-f", "csv")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert ",".join(rows[0]) == EVENT_HEADER
    events = json.loads(run("list", "--json")[1])
    assert len(rows) == 1 + len(events) == 27
    for row, event in zip(rows[1:], events, strict=True):
        assert row == [csv_cell(value) for value in flat_row(event, columns(EVENTS))]


def test_the_datapackage_of_a_folder_export_is_what_the_registry_derives(tmp_path: Path) -> None:
    code, _, err = run("list", "-o", f"{tmp_path}/out/")
    assert code == 0, err
    written = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert written == datapackage(EVENTS, columns(EVENTS), "events.csv")
    fields = written["resources"][0]["schema"]["fields"]
    assert [field["name"] for field in fields] == EVENT_HEADER.split(",")
    assert {field["name"]: field["type"] for field in fields if field["type"] != "string"} == {"start": "date", "end": "date"}


def test_the_parquet_schema_is_what_the_registry_derives_and_each_row_the_json_flattened(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = tmp_path / "events.parquet"
    assert run("list", "-o", str(target))[0] == 0
    table = pq.read_table(target)
    assert table.schema.equals(parquet_schema(pa, columns(EVENTS)), check_metadata=True)
    assert table.schema.metadata[b"contract_version"] == b"4.2"
    events = json.loads(run("list", "--json")[1])
    for row, event in zip(table.to_pylist(), events, strict=True):
        expected: dict[str, Any] = dict(zip(EVENT_HEADER.split(","), flat_row(event, columns(EVENTS)), strict=True))
        assert {name: str(value) if name in ("start", "end") and value else value for name, value in row.items()} == expected


def test_parquet_and_csv_have_the_same_columns(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    assert run("list", "-o", str(tmp_path / "e.parquet"))[0] == 0
    assert ",".join(pq.read_schema(tmp_path / "e.parquet").names) == EVENT_HEADER


# ---------------------------------------------------------------- --fields in every format


def test_fields_takes_a_flat_column_name_in_csv() -> None:
    code, out, _ = run("list", "--year", "2017", "--fields", "id,plover_event", "-f", "csv")
    assert (code, out.split("\r\n")[:2]) == (0, ["id,plover_event", "2017-04-strategic-partnership-agreement,SUPPORT"])


def test_fields_of_a_member_keep_its_nesting_in_json() -> None:
    _, out, _ = run("show", "2024-08-05", "--json", "--fields", "id,plover_event,actors_name")
    assert json.loads(out) == {
        "id": "2024-08-05-presidents-telephone-call",
        "plover": {"event": "CONSULT"},
        "actors": [{"name": "Serdar Berdimuhamedov"}, {"name": "Kassym-Jomart Tokayev"}],
    }


def test_fields_of_an_object_give_all_its_columns_in_csv() -> None:
    _, out, _ = run("show", "2024-08-05", "-f", "csv", "--fields", "plover")
    assert out.split("\r\n")[:2] == ["plover_event,plover_mode,plover_context", "CONSULT,phone,diplomatic"]


def test_fields_take_the_same_names_in_jsonl_and_the_table() -> None:
    _, out, _ = run("show", "2024-08-05", "-f", "jsonl", "--fields", "plover_mode")
    assert json.loads(out) == {"plover": {"mode": "phone"}}
    _, out, _ = run("show", "2024-08-05", "-f", "table", "--fields", "plover_mode,actors_role")
    assert out.splitlines()[0].split() == ["plover_mode", "┃", "actors_role"]


def test_fields_pick_parquet_columns(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    target = tmp_path / "e.parquet"
    code, _, err = run("list", "--fields", "id,actors_name,start", "-o", str(target))
    assert code == 0, err
    assert pq.read_schema(target).names == ["id", "actors_name", "start"]


def test_fields_alone_imply_json_as_gh_json_does() -> None:
    code, out, _ = run("list", "--year", "2017", "--fields", "id,title")
    assert code == 0
    last = {"id": "2017-04-strategic-partnership-agreement", "title": "Strategic Partnership Agreement signed"}
    assert json.loads(out)[-1] == last
    assert json.loads(run("actors", "--fields", "id")[1])[0] == {"id": "kazakhstan"}


def test_an_unknown_field_names_the_flat_columns_too() -> None:
    code, _, err = run("list", "--fields", "plover_evnt")
    assert code == 2
    assert "no field 'plover_evnt'; did you mean plover_event" in err
    assert "(or one column of a field: plover_event, plover_mode, plover_context, actors_id," in err


# ---------------------------------------------------------------- timeline schema


def test_schema_prints_the_data_files_schema_by_default() -> None:
    code, out, _ = run("schema")
    assert (code, json.loads(out)["title"]) == (0, "kztm-timeline data file")


def test_schema_output_prints_the_output_contracts_schema_as_committed() -> None:
    code, out, _ = run("schema", "--output")
    assert code == 0
    assert out == (ROOT / "schema" / "event-list.schema.json").read_text(encoding="utf-8")
    assert json.loads(out)["title"] == "kztm-timeline JSON output, contract 4.2"


def test_schema_plover_prints_the_plover_records_schema() -> None:
    code, out, _ = run("schema", "--plover")
    assert code == 0
    assert out == (ROOT / "tests" / "schemas" / "plover.schema.json").read_text(encoding="utf-8")


def test_schema_takes_one_of_output_and_plover() -> None:
    code, _, err = run("schema", "--output", "--plover")
    assert code == 2
    assert "--output and --plover name two schemas; give one of them" in err
