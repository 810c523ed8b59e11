"""-o DIR/: every command that writes records writes its table as CSV and the datapackage.json that types it,
the layout of `list`, into a new or empty folder; a folder that holds files is refused, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kztm_timeline.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout_bytes.decode(), result.stderr


COMMANDS = [
    (["list", "--year", "2017"], "events.csv"),
    (["search", "Aral"], "events.csv"),
    (["show", "abai"], "events.csv"),
    (["actors"], "actors.csv"),
    (["sources"], "sources.csv"),
    (["sources", "show", "trend"], "paragraphs.csv"),
    (["stats", "--year", "2021"], "stats.csv"),
    (["plans", "--as-of", "2026-01-01"], "plans.csv"),
    (["coverage"], "coverage.csv"),
    (["extract", "trend"], "candidates.csv"),
    (["chart"], "chart.csv"),
]


@pytest.mark.parametrize(("command", "name"), COMMANDS)
def test_a_folder_gets_the_table_as_csv_and_its_datapackage(tmp_path: Path, command: list[str], name: str) -> None:
    code, out, err = run(*command, "-o", f"{tmp_path}/out/")
    assert (code, out) == (0, ""), err
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == sorted([name, "datapackage.json"])
    assert (tmp_path / "out" / name).read_bytes().decode() == run(*command, "-f", "csv")[1]
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    resource = package["resources"][0]
    header = (tmp_path / "out" / name).read_text(encoding="utf-8").split("\n")[0].rstrip("\r")
    assert (resource["path"], resource["name"]) == (name, name.removesuffix(".csv"))
    assert [field["name"] for field in resource["schema"]["fields"]] == header.split(",")


def test_the_datapackage_types_a_tables_counts_as_integers(tmp_path: Path) -> None:
    assert run("actors", "-o", f"{tmp_path}/")[0] == 0
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    types = {field["name"]: field["type"] for field in package["resources"][0]["schema"]["fields"]}
    assert (types["events"], types["variants"], package["resources"][0]["schema"]["primaryKey"]) == ("integer", "string", "id")


def test_an_existing_empty_folder_is_written_into_without_a_trailing_slash(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    code, _, err = run("actors", "-f", "csv", "-o", str(tmp_path / "adir"))
    assert code == 0, err
    assert sorted(path.name for path in (tmp_path / "adir").iterdir()) == ["actors.csv", "datapackage.json"]


def test_fields_choose_the_folders_columns(tmp_path: Path) -> None:
    assert run("list", "--fields", "id,plover_event", "-o", f"{tmp_path}/out/")[0] == 0
    assert (tmp_path / "out" / "events.csv").read_bytes().split(b"\r\n")[0] == b"id,plover_event"
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert [field["name"] for field in package["resources"][0]["schema"]["fields"]] == ["id", "plover_event"]


def test_a_folder_holding_the_exports_files_is_refused_naming_what_would_be_overwritten(tmp_path: Path) -> None:
    (tmp_path / "events.csv").write_text("mine\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    code, _, err = run("list", "-o", f"{tmp_path}/")
    assert code == 1
    assert f"timeline: refusing to write into {tmp_path}/: events.csv would be overwritten (it also holds notes.txt); " in err
    assert "name a new or empty folder" in err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["events.csv", "notes.txt"]
    assert (tmp_path / "events.csv").read_text(encoding="utf-8") == "mine\n"


def test_a_folder_holding_other_files_is_refused_naming_them(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    code, _, err = run("stats", "-o", str(tmp_path))
    assert code == 1
    assert f"refusing to write into {tmp_path}: it holds other files (notes.txt); name a new or empty folder" in err
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_a_folder_with_a_format_other_than_csv_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("actors", "-f", "json", "-o", f"{tmp_path}/out/")
    assert code == 2
    assert "is a folder, which gets the table as CSV and its datapackage.json; drop -f json, or name a file" in err
    assert not (tmp_path / "out").exists()


def test_the_help_of_every_command_with_output_promises_the_folder() -> None:
    for command in (["list"], ["actors"], ["stats"], ["show"], ["sources"], ["coverage"], ["extract"], ["chart"]):
        help_text = " ".join(run(*command, "--help")[1].split())
        assert "a folder (DIR/, new or empty) gets the table as CSV and its datapackage.json" in help_text, command
