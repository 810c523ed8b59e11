"""A corpus of bad inputs: each gets its exact message and exit code, never a traceback."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.errors import DataError
from kztm_timeline.load import load_dataset

HERE = Path(__file__).resolve().parent
SMALL_TEXT = (HERE / "fixtures" / "small" / "events.yaml").read_text(encoding="utf-8")
runner = CliRunner()


def write(tmp_path: Path, content: bytes) -> Path:
    shutil.copy(HERE / "fixtures" / "small" / "article.txt", tmp_path / "article.txt")
    path = tmp_path / "events.yaml"
    path.write_bytes(content)
    return path


def validate(path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", "--data", str(path)])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stderr


CASES: dict[str, tuple[bytes, str]] = {
    "unclosed bracket": (b"sources: [\n  {id: a\n", ":3:1: YAML syntax error: "),
    "tab indentation": (
        b"sources:\n\t- id: a\n",
        ":2:1: YAML syntax error: a tab character where YAML allows only spaces; indent with spaces, not tabs",
    ),
    "bad indentation": (
        b"sources:\n  - id: a\n   title: b\n",
        ":3:4: YAML syntax error: did not find expected '-' indicator; "
        "check the indentation of this line against the lines above",
    ),
    "not utf-8": (b"sources: []\nactors: []\nevents: []\n# caf\xe9\n", ":4:6: byte 0xe9 is not UTF-8; save the file as UTF-8"),
    "empty file": (b"", ":1:1: the file is empty; it needs the keys sources, actors and events"),
    "top level is a list": (b"- a\n", ":1:1: the top level is a list, not a mapping"),
    "duplicate key": (
        b"sources: []\nactors: []\nevents: []\nactors: []\n",
        ":4:1: duplicate key 'actors' in this mapping; YAML forbids repeated keys; keep one",
    ),
    "python object tag": (
        b"sources: !!python/object/apply:os.system ['echo pwned']\n",
        ":1:10: the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
    ),
    "custom tag": (b"sources: !include other.yaml\n", ":1:10: the tag '!include' is not allowed"),
    "alias bomb": (
        b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        b"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
        ":1:4: anchors and aliases are not allowed; write the value out in full",
    ),
    "merge key": (b"base: {a: 1}\nother:\n  <<: {b: 2}\n", ":3:3: merge keys (<<) are not allowed"),
    "deep nesting": (
        b"sources: " + b"[" * 200 + b"]" * 200 + b"\n",
        ":1:74: nested deeper than 64 levels; flatten the structure",
    ),
    "two documents": (
        b"sources: []\nactors: []\nevents: []\n---\nsources: []\n",
        ":4:1: a second YAML document in the file; keep one document: remove the '---' line",
    ),
    "mapping as a key": (b"? [a, b]\n: c\n", ":1:3: a mapping key must be a plain string; write the key as text"),
    "unknown top-level key": (
        b"sources: []\nactors: []\nevents: []\nevent: []\n",
        ":4:1: unknown key 'event' in file; did you mean 'events'?",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_bad_input_gets_its_message_and_exit_1(tmp_path: Path, name: str) -> None:
    content, expected = CASES[name]
    path = write(tmp_path, content)
    code, err = validate(path)
    assert code == 1
    assert f"{path}{expected}" in err


def test_a_huge_scalar_is_read_without_trouble(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL_TEXT.replace("A further meeting is planned.", "x" * 5_000_000).encode())
    assert validate(path)[0] == 0


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    assert validate(write(tmp_path, b"\xef\xbb\xbf" + SMALL_TEXT.encode()))[0] == 0


def test_crlf_line_ends_are_accepted(tmp_path: Path) -> None:
    assert validate(write(tmp_path, SMALL_TEXT.replace("\n", "\r\n").encode()))[0] == 0


def test_an_unquoted_iso_date_is_accepted_as_written(tmp_path: Path) -> None:
    assert "date: 2024-03-05" in SMALL_TEXT
    path = write(tmp_path, SMALL_TEXT.encode())
    assert load_dataset(str(path)).event_by_id["ministers-meet"].date.text == "2024-03-05"


def test_a_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert validate(path) == (
        1,
        f"{path}: cannot read the file: No such file or directory; check the path, or pass --data PATH\n"
        "timeline: 1 problem in the data; nothing was changed\n",
    )


def test_a_directory(tmp_path: Path) -> None:
    code, err = validate(tmp_path)
    assert code == 1
    assert f"{tmp_path}: cannot read the file: Is a directory; pass the path of the data file (YAML), not a directory" in err


def test_an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CI runs as root, which reads any file whatever its mode, so the refusal is simulated.
    path = write(tmp_path, SMALL_TEXT.encode())

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("kztm_timeline.datafile.fs.open", refuse, raising=False)
    assert f"{path}: cannot read the file: Permission denied; make the file readable" in validate(path)[1]


def test_a_read_command_never_modifies_the_data(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL_TEXT.encode())
    before = path.read_bytes(), path.stat().st_mtime_ns
    for command in (["validate"], ["list"], ["list", "--json"], ["show", "hostile"], ["stats"], ["actors"], ["sources"]):
        runner.invoke(app, [*command, "--data", str(path)])
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.txt", "events.yaml"]


def test_an_alias_bomb_cannot_reach_json_output(tmp_path: Path) -> None:
    path = write(tmp_path, CASES["alias bomb"][0])
    result = runner.invoke(app, ["list", "--json", "--data", str(path)])
    assert (result.exit_code, result.stdout) == (1, "")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_the_tools_own_error(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, content)
    with contextlib.suppress(DataError):
        load_dataset(str(path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, len(SMALL_TEXT) - 1), st.integers(0, 40), st.text(max_size=8))
def test_mutated_data_files_raise_only_the_tools_own_error(tmp_path: Path, start: int, length: int, insert: str) -> None:
    path = write(tmp_path, (SMALL_TEXT[:start] + insert + SMALL_TEXT[start + length :]).encode("utf-8", "surrogatepass"))
    with contextlib.suppress(DataError):
        load_dataset(str(path))
