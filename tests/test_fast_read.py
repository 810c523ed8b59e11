"""The fast first read (``datafile/fast_read.py``) gives exactly what libyaml's reader gives, or declines.

Declining is always safe: the file is then read by libyaml from its start. Giving a value libyaml's reader
would not give, or accepting what it refuses, never is: that is what these tests hunt for."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kztm_timeline import load
from kztm_timeline.datafile import fast_read, yaml_read
from kztm_timeline.errors import DataError

from .conftest import DATA, ROOT

Outcome = tuple[str, str]  # ("read", what was read) or ("declined" / "refused", why)


def read(data: bytes, *, fast: bool) -> Outcome:
    """Read ``data`` as a cold read does, streaming the list ``events``; what each item handed over came with
    is recorded too (the keys read before it, its number, its line's offset, the double-quoted texts, the
    place of its date)."""
    items: list[object] = []
    streamed = yaml_read.Streamed("events", lambda *_: None)

    def take(top: dict[str, object], value: object, index: int, at: int, escaped: list[str]) -> None:
        items.append((sorted(top), value, index, at, list(escaped), streamed.mark))

    streamed.take = take
    stream = io.BytesIO(data)
    text = data.decode("utf-8", "replace")
    try:
        if fast:
            result: tuple[Any, ...] = fast_read.read_block_style(stream, streamed)
        else:
            result = yaml_read.compose_stream("f", stream, streamed, lambda i: text[i : i + 1], lambda n: text[:n])
    except fast_read.Declined as declined:
        return ("declined", str(declined))
    except DataError as error:
        return ("refused", str(error.problems[0]))
    values, layout, escaped = result
    return ("read", repr((values, layout, escaped, items)))  # repr: True, 1 and 1.0 differ


def assert_alike_or_declined(data: bytes) -> bool:
    """The fast reader declines, or reads what libyaml's reader reads; True when it read."""
    fast = read(data, fast=True)
    if fast[0] == "declined":
        return False
    assert fast == read(data, fast=False)
    return True


def test_the_shipped_data_file_is_read_by_the_fast_reader_as_libyaml_reads_it() -> None:
    assert assert_alike_or_declined(DATA.read_bytes())


def test_benchmark_files_of_both_kinds_are_read_by_the_fast_reader_as_libyaml_reads_them(tmp_path: Path) -> None:
    for script, folder in (("generate.py", tmp_path / "generated"), ("replicate.py", tmp_path / "shipped")):
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "400", str(folder)], check=True, capture_output=True)
        assert assert_alike_or_declined((folder / "data" / "events.yaml").read_bytes()), script


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n\tb: 2\n",  # a tab
        "a: x\n  y\n",  # a plain value on two lines
        "a: x # note\n",  # a comment after a value
        "a: 1\na: 2\n",  # a repeated key
        "a: &x 1\nb: *x\n",  # an anchor and an alias
        "a: !!str 1\n",  # a tag
        "a: 'x\n  y'\n",  # a quoted value on two lines
        "---\na: 1\n",  # a document marker
        "a: |2\n   x\n",  # an indentation indicator
        "a: b: c\n",  # ': ' inside a plain value
        "a: 1",  # no line break at the end
        "a: 0x1F\n",  # a YAML 1.1 number
        "a: |\n  x\n     \n  y\n",  # a line of spaces beyond a block scalar's indentation (libyaml keeps them)
    ],
)
def test_the_fast_reader_declines_what_it_leaves_to_libyaml(text: str) -> None:
    assert read(text.encode(), fast=True)[0] == "declined"


@pytest.mark.parametrize(
    "text",
    [
        "a: >+\n  x\n  y\n\n\nb: 1\n",  # a kept block scalar keeps its trailing empty lines
        "a: |+\n  x\n\n  \nb: 1\n",  # a line of fewer spaces than the block's is an empty line
        "a: >\n  x\n\n  y\n  z\nb: 1\n",  # folding: an empty line is a line break, none is a space
        "a: |-\n  x\n   y\n\n  z\n",  # literal lines keep their further indentation
        "a: >-\n    x\n    # not a comment\n# a comment\nb: 1\n",
        "a: 'it''s'\nb: ''''\n",  # a doubled quote is one quote
        'a: "\\_\\N\\L\\P\\ \\"\\/\\0\\e\\x41\\u00e9\\U0001F600"\n',  # every escape
        "a: [x, 'y, z', \"w\"]\nb: {k: v, l: 'm'}\nc: []\nd: {}\n",
        "a:\n- x\n- y\nb:\n  c:\n  - 1\n  d: ~\n",  # lists at their key's column
        "a: yes\nb: No\nc: 12\nd: -3\ne: 1.5\nf: .inf\ng: 2024-01-02\nh: null\ni:\n",
        "events:\n  - id: a\n    date: 2024-01-02\n\n  -   id: b\n      date: '2024'\nafter: [1, 2]\n",
    ],
)
def test_the_fast_reader_reads_each_of_these_as_libyaml_does(text: str) -> None:
    assert assert_alike_or_declined(text.encode())


# Random documents in the block style, with values chosen to sit on the edges: indicators, YAML 1.1 words and
# numbers, quotes, escapes, spaces at the ends, line breaks of other kinds.
_COMMON = st.sampled_from(
    ["a", "b", "Ab", "x y", "é", "yes", "No", "null", "~", "true", "on", "12", "-3", "1.5", ".inf", "0x1F", "1_000", "0o7",
     "2024-01-02", "12:30", "../2023", "2021~", ":", "-", "?", "#", " #", "# ", ",", "[", "]", "{", "}", "'", '"', "\\",
     "!", "&", "*", "|", ">", "%", "@", "`", "<<", "=", " ", "  ", "\\n", "\\x41", "\\u00e9", "\\q",
     "\\_", "\\N", "\\L", "\\ ", "\\0", "\\U0001F600", "\\ud800", "''"]
)  # fmt: skip
_RARE = st.sampled_from(["\t", "\u2028", "\x85", "\ufeff", "\x07", "\r"])  # characters the fast reader leaves to libyaml
_ATOMS = st.one_of(_COMMON, _COMMON, _COMMON, _COMMON, _COMMON, _RARE, st.sampled_from(["événement: ", "1: ", "a b: "]))
_TEXTS = st.lists(_COMMON, min_size=1, max_size=5).map("".join)
_KEYS = st.sampled_from(["id", "date", "title", "kind", "yes", "null", "a-b", "a.b", "_x", "k"])
# (keys the fast reader leaves to libyaml, "événement", "1", "a b", come in by the damage below)


@st.composite
def _scalar(draw: st.DrawFn, indent: int) -> list[str]:
    """A scalar's text after ``key:`` (its first line) and the lines that follow it."""
    text = draw(_TEXTS)
    style = draw(st.sampled_from(["plain", "single", "double", "json", "block"]))
    if style == "plain":
        return [" " + text]
    if style == "single":
        return [" '" + text.replace("'", draw(st.sampled_from(["''", "'"]))) + "'"]
    if style == "double":
        return [' "' + text + '"']
    if style == "json":
        return [" " + json.dumps(text, ensure_ascii=draw(st.booleans()))]
    header = draw(st.sampled_from([">", ">-", ">+", "|", "|-", "|+"]))
    width = indent + draw(st.sampled_from([1, 2, 4]))
    lines = [draw(_TEXTS), *draw(st.lists(st.one_of(_TEXTS, st.just(""), st.just(" ")), max_size=3))]
    if draw(st.integers(0, 5)) == 0:
        lines.insert(0, "")
    body = [(" " * width + line) if line else "" for line in lines]
    return [" " + header, *body, *draw(st.sampled_from([[], [""], ["", ""], ["  "]]))]


@st.composite
def _flow(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.one_of(_TEXTS, _TEXTS.map(json.dumps)), max_size=3))
    if draw(st.booleans()):
        return "[" + ", ".join(words) + "]"
    keys = draw(st.lists(_KEYS, min_size=len(words), max_size=len(words)))
    return "{" + ", ".join(f"{key}: {word}" for key, word in zip(keys, words, strict=True)) + "}"


@st.composite
def _mapping(draw: st.DrawFn, indent: int, depth: int, first: str = "") -> list[str]:
    lines: list[str] = []
    for number, key in enumerate(draw(st.lists(_KEYS, min_size=1, max_size=4, unique=True))):
        lead = first if number == 0 and first else " " * indent
        kinds = ["scalar", "scalar", "flow", "empty", "map", "list", "indentless"]
        kind = draw(st.sampled_from(kinds if depth < 3 else ["scalar"]))
        if draw(st.integers(0, 6)) == 0:
            lines.append(draw(st.sampled_from(["", "# a comment", " " * indent + "# indented", "   "])))
        if kind == "scalar":
            head, *rest = draw(_scalar(indent))
            lines += [f"{lead}{key}:{head}", *rest]
        elif kind == "flow":
            lines.append(f"{lead}{key}: {draw(_flow())}")
        elif kind == "empty":
            lines.append(f"{lead}{key}:")
        elif kind == "map":
            lines.append(f"{lead}{key}:")
            lines += draw(_mapping(indent + draw(st.sampled_from([1, 2, 4])), depth + 1))
        else:
            lines.append(f"{lead}{key}:")
            lines += draw(_sequence(indent + (0 if kind == "indentless" else 2), depth + 1))
    return lines


@st.composite
def _sequence(draw: st.DrawFn, indent: int, depth: int, *, mappings: bool = False) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        gap = draw(st.sampled_from([1, 1, 2, 3]))
        dash = " " * indent + "-" + " " * gap
        kind = "map" if mappings else draw(st.sampled_from(["map", "map", "scalar", "flow"]))
        if kind == "map":
            lines += draw(_mapping(indent + 1 + gap, depth + 1, first=dash))
        elif kind == "flow":
            lines.append(dash + draw(_flow()))
        else:
            head, *rest = draw(_scalar(indent + 1 + gap))
            lines += [dash + head[1:], *rest]
        if draw(st.booleans()):
            lines.append("")
    return lines


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    lines = ["# a data file", ""] if draw(st.booleans()) else []
    lines += draw(_mapping(0, 1))
    lines += ["events:", *draw(_sequence(draw(st.sampled_from([0, 2, 4])), 2, mappings=True))]
    if draw(st.booleans()):
        lines += draw(_mapping(0, 1))
    return ("\n".join(lines) + "\n").encode()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents())
def test_the_fast_reader_reads_random_documents_as_libyaml_does_or_declines(data: bytes) -> None:
    assert_alike_or_declined(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents(), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 3), _ATOMS), min_size=1, max_size=3))
def test_the_fast_reader_reads_damaged_documents_as_libyaml_does_or_declines(
    data: bytes, damage: list[tuple[int, int, str]]
) -> None:
    text = data.decode()
    for at, cut, atom in damage:
        at %= len(text)
        text = text[:at] + atom + text[at + cut :]
    assert_alike_or_declined(text.encode())


def test_the_random_documents_are_often_read_by_the_fast_reader_not_only_declined() -> None:
    """The properties above say something only if the fast reader does read many of the documents (a fixed
    sample: one in five or so is read, the others exercise its refusals)."""
    read_fast = 0

    @settings(max_examples=200, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(documents())
    def count(data: bytes) -> None:
        nonlocal read_fast
        read_fast += assert_alike_or_declined(data)

    count()
    assert read_fast >= 20


def test_a_file_the_fast_reader_declines_at_its_end_is_read_by_libyaml_from_its_start(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    path = tmp_path / "data" / "events.yaml"
    text = path.read_text(encoding="utf-8")
    last = text.rindex("\n    title: ")
    end = text.index("\n", last + 1)
    path.write_text(text[:end] + "\n      and more of the title on the next line" + text[end:], encoding="utf-8")
    heard: list[str] = []
    dataset = load._stream_into_cache(str(path), str(tmp_path / "cache"), heard.append, None)
    assert dataset is not None
    assert [line for line in heard if line.startswith("read by libyaml: ")] != []
    assert any(event.title.endswith(" and more of the title on the next line") for event in dataset.events)


def test_a_read_started_again_by_libyaml_says_so_on_its_progress_bar(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    path = tmp_path / "data" / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# a comment\nmore: x # and one after a value\n", encoding="utf-8")

    begun: list[str] = []

    class Bars:
        def begin(self, what: str, total: int | None, unit: str) -> None:
            begun.append(f"{what} ({unit})" if total else what)

        def advance(self, done: int) -> None:
            pass

    with pytest.raises(DataError):  # "more" is not a key of a data file
        load._stream_into_cache(str(path), str(tmp_path / "cache"), None, None, Bars())
    assert begun == ["reading events.yaml (bytes)", "reading events.yaml again (bytes)"]
