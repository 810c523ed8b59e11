"""The output contract carries a version, and the version follows the policy: a change that only adds (a table, a
field, a member, a value of a vocabulary) needs a minor version; any other change of a field's name, type, nesting,
nullability or order needs a major one. Each released contract's shape is kept in tests/contract/VERSION.json, so a
change of the registry without the right new version fails here."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kztm_timeline import CONTRACT_VERSION
from kztm_timeline.cli import app
from kztm_timeline.contract.fields import TABLES, OutputField

SNAPSHOTS = Path(__file__).resolve().parent / "contract"

Shape = dict[str, list[dict[str, Any]]]


def field_shape(field: OutputField) -> dict[str, Any]:
    return {
        "name": field.name,
        "type": field.type.value,
        "nullable": field.nullable,
        "many": field.many,
        "positional": field.positional,
        "choices": list(field.choices),
        "members": [field_shape(member) for member in field.members],
    }


def shape() -> Shape:
    """What a script relies on: each table's fields in order, with their types, nesting and vocabularies."""
    return {table.name: [field_shape(field) for field in table.fields] for table in TABLES}


def change(old: Shape, new: Shape) -> str:
    """"none", "minor" (only additions) or "major" (anything removed, renamed, retyped or reordered)."""
    found = "none" if old == new else "minor"
    for table, fields in old.items():
        if table not in new or _fields_change(fields, new[table]) == "major":
            return "major"
    return found


def _fields_change(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> str:
    by_name = {field["name"]: field for field in new}
    if [field["name"] for field in new if field["name"] in {o["name"] for o in old}] != [field["name"] for field in old]:
        return "major"  # a field removed or moved
    for field in old:
        other = by_name[field["name"]]
        same = ("type", "nullable", "many", "positional")
        if any(field[key] != other[key] for key in same) or not set(field["choices"]) <= set(other["choices"]):
            return "major"
        if _fields_change(field["members"], other["members"]) == "major":
            return "major"
    return "none" if old == new else "minor"


def snapshot_text() -> str:
    """The shape as kept in tests/contract/VERSION.json: one field a line, so that two versions diff readably.
    (Write a new one with: python -c "from tests.test_contract_version import snapshot_text; print(snapshot_text(), end='')")"""
    tables = [
        f"  {json.dumps(name)}: [\n" + ",\n".join(f"    {json.dumps(field, ensure_ascii=False)}" for field in fields) + "\n  ]"
        for name, fields in shape().items()
    ]
    return "{\n" + ",\n".join(tables) + "\n}\n"


def versions() -> list[str]:
    found = [path.stem for path in SNAPSHOTS.glob("*.json")]
    return sorted(found, key=lambda version: tuple(int(part) for part in version.split(".")))


def test_the_current_contract_is_kept_under_its_version() -> None:
    kept = json.loads((SNAPSHOTS / f"{CONTRACT_VERSION}.json").read_text(encoding="utf-8"))
    assert kept == shape(), (
        f"the registry changed but the contract is still {CONTRACT_VERSION}: raise CONTRACT_VERSION (minor if the change "
        "only adds, major otherwise) and keep the new shape as tests/contract/NEW.json"
    )


def test_each_kept_version_differs_from_the_one_before_as_the_policy_says() -> None:
    kept = versions()
    assert kept[-1] == CONTRACT_VERSION
    for before, after in itertools.pairwise(kept):
        old = json.loads((SNAPSHOTS / f"{before}.json").read_text(encoding="utf-8"))
        new = json.loads((SNAPSHOTS / f"{after}.json").read_text(encoding="utf-8"))
        major = after.split(".")[0] != before.split(".")[0]
        assert change(old, new) == ("major" if major else "minor"), (before, after)


def test_adding_a_field_or_a_value_is_minor_and_removing_or_retyping_major() -> None:
    old: Shape = {"t": [{"name": "a", "type": "string", "nullable": False, "many": False, "positional": False, "choices": ["x"],
                  "members": []}]}  # fmt: skip
    added = {"t": [*old["t"], {**old["t"][0], "name": "b"}]}
    widened = {"t": [{**old["t"][0], "choices": ["x", "y"]}]}
    retyped = {"t": [{**old["t"][0], "type": "integer"}]}
    narrowed = {"t": [{**old["t"][0], "choices": []}]}
    emptied: Shape = {"t": []}
    assert [change(old, new) for new in (old, added, widened, retyped, narrowed, emptied)] == [
        "none", "minor", "minor", "major", "major", "major",
    ]  # fmt: skip


def test_the_version_is_printed_with_the_tools_and_carried_by_every_derived_schema(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["--version"]).stdout == "timeline 0.1.0 (output contract 4.2)\n"
    schema = json.loads(runner.invoke(app, ["schema", "--output"]).stdout)
    assert (schema["contract_version"], schema["title"]) == ("4.2", "kztm-timeline JSON output, contract 4.2")
    assert runner.invoke(app, ["actors", "-o", f"{tmp_path}/"]).exit_code == 0
    assert json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))["contract_version"] == "4.2"
