"""One JSON writer: whatever a string holds, every command's JSON and JSON Lines are accepted by a strict
JSON parser and decode to that very string (issue 27: soft hyphens and C1 controls came out as ``\\xNN``,
which no JSON parser accepts)."""

from __future__ import annotations

import dataclasses
import itertools
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.contract import dumps
from kztm_timeline.load import load_dataset
from kztm_timeline.model import EventList
from kztm_timeline.text import UNSAFE_RE, escape_json

HERE = Path(__file__).resolve().parent
SMALL = HERE / "fixtures" / "small"
runner = CliRunner()

# Every kind of character a JSON text must escape to stay readable and valid, and ordinary ones.
AWKWARD = st.sampled_from(
    ["\x00", "\x1b", "\x7f", "\x85", "\x9f", "\xad", "\u061c", "\u200b", "\u200f", "\u2028", "\u2029", "\u202e", "\u2066",
     "\ufeff", "\ud800", "\udfff", "\udcff", "\U000e0001", "\U000110bd", "\\", '"', "/", "é", "Ж", "\U0001f600"]
)


def _no_split_pair(text: str) -> bool:
    """Whether ``text`` holds no high surrogate followed by a low one: JSON writes such a pair as the one character
    beyond U+FFFF that it encodes, and no text the tool reads holds one (undecodable bytes become low surrogates)."""
    return not any(0xD800 <= ord(a) <= 0xDBFF and 0xDC00 <= ord(b) <= 0xDFFF for a, b in itertools.pairwise(text))


STRINGS = st.lists(st.one_of(AWKWARD, st.characters()), min_size=1, max_size=12).map("".join).filter(_no_split_pair)


def strict_loads(text: str) -> object:
    """A strict parser's reading: the text is UTF-8 (no lone surrogate left raw), no character outside
    ASCII needs more than JSON's own escapes, and no constant beyond JSON's own (NaN, Infinity)."""
    text.encode("utf-8")  # raises on a raw lone surrogate

    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, strict=True, parse_constant=refuse)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.items() for part in item for text in _strings(part)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


# ---------------------------------------------------------------- the writer


@pytest.mark.parametrize(
    ("char", "escaped"),
    [
        ("\x85", "\\u0085"),
        ("\xad", "\\u00ad"),
        ("\u202e", "\\u202e"),
        ("\ud800", "\\ud800"),
        ("\U000e0001", "\\udb40\\udc01"),
    ],
)
def test_the_writer_escapes_an_unsafe_character_as_a_json_u_escape(char: str, escaped: str) -> None:
    assert dumps({"text": f"a{char}b"}, pretty=False) == f'{{"text":"a{escaped}b"}}'


def test_the_writer_leaves_letters_of_any_script_as_they_are() -> None:
    assert dumps(["Ашхабад", "Türkmenistan", "😀"], pretty=False) == '["Ашхабад","Türkmenistan","😀"]'


@settings(max_examples=300, deadline=None)
@given(STRINGS)
def test_the_writer_gives_json_that_decodes_to_the_very_string(value: str) -> None:
    for pretty in (True, False):
        text = dumps({"k" + value: [value]}, pretty=pretty)
        assert UNSAFE_RE.search(text) is None
        assert strict_loads(text) == {"k" + value: [value]}


@given(STRINGS)
def test_escaping_json_twice_changes_nothing_more(value: str) -> None:
    once = escape_json(json.dumps(value, ensure_ascii=False))
    assert escape_json(once) == once


# ---------------------------------------------------------------- every command that writes JSON


def _forged(small: Path, value: str) -> object:
    """The small dataset with ``value`` in every string a command prints (as a damaged cache could decode it)."""
    dataset = load_dataset(str(small))
    events = [
        dataclasses.replace(event, title=event.title + value, summary=value, place=value, topics=(value,), note=value)
        for event in dataset.events
    ]
    actors = tuple(dataclasses.replace(actor, name=actor.name + value, variants=(value,)) for actor in dataset.actors)
    sources = tuple(dataclasses.replace(source, title=value, publisher=value) for source in dataset.sources)
    return dataclasses.replace(dataset, events=EventList(events), actors=actors, sources=sources)


DATA_COMMANDS = (
    ["list", "--json"],
    ["list", "-f", "jsonl"],
    ["list", "-f", "timelinejs"],
    ["list", "-f", "plover"],
    ["list", "--json", "--fields", "id,title,place"],
    ["search", "a", "--json"],
    ["show", "ministers-meet", "--json"],
    ["actors", "--json"],
    ["actors", "-f", "jsonl"],
    ["sources", "--json"],
    ["stats", "--json"],
    ["stats", "-f", "jsonl"],
    ["plans", "--json", "--as-of", "2030-01-01"],
)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    folder = tmp_path / "small"
    shutil.copytree(SMALL, folder)
    return folder / "events.yaml"


def _check_json(command: list[str], output: str, value: str) -> None:
    jsonl = "jsonl" in command or "plover" in command
    documents = [strict_loads(line) for line in output.splitlines()] if jsonl else [strict_loads(output)]
    assert UNSAFE_RE.search(output) is None, command
    if value.strip() and "timelinejs" not in command:  # (TimelineJS holds HTML: its text is HTML-escaped)
        assert any(value in text for document in documents for text in _strings(document)), command


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(value="tele\xadphone \x85\u202e\ud800")
@given(value=STRINGS)
def test_every_command_writes_json_a_strict_parser_reads_back_whatever_the_data_holds(
    small: Path, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    forged = _forged(small, value)
    monkeypatch.setattr("kztm_timeline.load.load_dataset", lambda *_args, **_kwargs: forged)
    for command in DATA_COMMANDS:
        result = runner.invoke(app, ["--no-cache", *command, "--data", str(small)])
        assert result.exit_code == 0, (command, result.stderr)
        _check_json(command, result.stdout, value)


ARTICLE_COMMANDS = (
    ["extract", "wire", "--json"],
    ["extract", "wire", "-f", "jsonl"],
    ["sources", "show", "wire", "--json"],
    ["sources", "show", "wire", "-f", "jsonl"],
    ["coverage", "--json"],
)

ARTICLE_TEXT = st.lists(st.one_of(AWKWARD, st.characters(codec="utf-8")), min_size=1, max_size=12).map("".join)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(value="tele\xadphone")
@example(value="\x85\u202e\x1b[31m")
@given(value=ARTICLE_TEXT.filter(lambda text: not any(0xD800 <= ord(char) <= 0xDFFF for char in text)))
def test_every_command_that_reads_an_article_writes_json_a_strict_parser_reads_back(small: Path, value: str) -> None:
    article = small.parent / "article.txt"
    text = SMALL.joinpath("article.txt").read_text(encoding="utf-8") + f"On 5 August 2024 a {value} took place.\n"
    article.write_bytes(text.encode("utf-8"))
    for command in ARTICLE_COMMANDS:
        result = runner.invoke(app, ["--no-cache", *command, "--data", str(small)])
        assert result.exit_code == 0, (command, result.stderr)
        _check_json(command, result.stdout, "")  # (sentences are normalised: the soft hyphen's test below reads one back)


def test_the_soft_hyphen_of_the_issue_comes_out_of_extract_as_valid_json(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("On 5 August 2024 a tele\u00adphone call took place.\n", encoding="utf-8")
    for options in (["--json"], ["-f", "jsonl"]):
        result = runner.invoke(app, ["--no-cache", "extract", str(article), *options])
        assert result.exit_code == 0, result.stderr
        assert "tele\\u00adphone" in result.stdout
        first = strict_loads(result.stdout.splitlines()[0] if options == ["-f", "jsonl"] else result.stdout)
        assert any("tele\u00adphone" in text for text in _strings(first))


def test_json_written_with_o_is_the_same_valid_json(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("On 5 August 2024 a tele\u00adphone call took place.\n", encoding="utf-8")
    target = tmp_path / "out.json"
    result = runner.invoke(app, ["--no-cache", "extract", str(article), "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert text == runner.invoke(app, ["--no-cache", "extract", str(article), "--json"]).stdout
    assert any("tele\u00adphone" in found for found in _strings(strict_loads(text)))


@pytest.mark.parametrize("command", [["schema"], ["chart", "--json"], ["chart", "-f", "jsonl"]])
def test_the_other_json_writers_give_strict_json(command: list[str]) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines() if "jsonl" in command else [result.stdout]
    assert all(strict_loads(line) is not None for line in lines)


def test_json_reaches_the_user_only_through_the_one_writer() -> None:
    """``json.dumps`` is called by the one writer (contract.dumps) and by the modules that keep JSON for the tool
    itself (the cache, its seal and its kept verdicts) or quote YAML; every other module asks contract.dumps."""
    source = HERE.parent / "src" / "kztm_timeline"
    modules = source.rglob("*.py")
    callers = sorted(str(path.relative_to(source)) for path in modules if "json.dumps(" in path.read_text(encoding="utf-8"))
    assert callers == ["cache/tables.py", "contract/__init__.py", "datafile/yaml_write.py", "evidence.py", "seal.py", "store.py"]
