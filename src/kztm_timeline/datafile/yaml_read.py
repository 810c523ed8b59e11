"""Reading a YAML data file into plain values, safely and with positions.

The file is composed into nodes by libyaml (or PyYAML's pure parser where
libyaml is missing), then turned into plain Python values by this module, not
by PyYAML's constructors, so that:

* no tag can build a Python object: any tag outside the core schema is refused;
* anchors and aliases are refused, so no alias bomb can expand;
* a key repeated in one mapping is an error at the second key (YAML forbids it;
  PyYAML would silently keep the last);
* ISO dates written without quotes stay strings as written;
* every problem carries the line and column where it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from ..errors import DataError, Problem
from ..text import UNSAFE_RE, escape_controls, shown

_LoaderBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 64
_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + name for name in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _SEQ, _MAP = _TAG + "timestamp", _TAG + "seq", _TAG + "map"
_CONSTRUCTOR = SafeConstructor()

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    """A composed data file: plain values, and the node tree for positions (built only when asked)."""

    file: str
    data: object
    text: str = field(repr=False)
    suspect: bool = True  # False only when no text holds a control or bidi character (then no walk is needed)
    layout: Layout | None = field(default=None, repr=False, compare=False)

    @cached_property
    def root(self) -> yaml.Node:
        """The node tree, composed again on demand: only problems and edits need positions."""
        node = yaml.compose(self.text, Loader=_LoaderBase)
        assert node is not None  # compose() refused empty files before a Document was made
        return node


@dataclass(frozen=True)
class Layout:
    """Where the top level is written, as character offsets into the text, noted while composing (no node
    tree is needed): each top-level key, and the start of each item of a top-level block list, so that an
    item can be inserted between two others without composing the file again."""

    keys: dict[str, int]
    items: dict[str, list[int]]  # the offset of each item's value (two characters after its "- ")
    columns: dict[str, set[int]]  # the columns those values start in
    flow: set[str]  # top-level lists written in flow style ([a, b])
    key_columns: dict[str, int] = field(default_factory=dict)


class Streamed:
    """Takes the items of one top-level list as they are read (see :func:`compose_stream`); ``mark`` is
    where the value of the current item's key ``field`` starts (line and column, 1-based), when it has one."""

    def __init__(self, key: str, take: Callable[[dict[str, object], object, int, list[str]], None], field: str = "date") -> None:
        self.key = key
        self.take = take
        self.field = field
        self.mark: tuple[int, int] | None = None


class _Refused(Exception):
    def __init__(self, mark: yaml.Mark, message: str, hint: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.hint = hint


def compose(path: str, text: str) -> Document:
    """Parse ``text`` into plain values, or raise DataError.

    Values are built straight from libyaml's event stream, so no node tree is
    kept in memory; :attr:`Document.root` composes one if positions are needed.
    """
    loader = _LoaderBase(text)
    escaped: list[str] = []
    layout = Layout({}, {}, {}, set())
    try:
        data = _from_events(loader, escaped, layout)
    except yaml.MarkedYAMLError as error:
        raise DataError([_syntax_problem(path, text, error)]) from None
    except yaml.reader.ReaderError as error:
        raise DataError([_character_problem(path, text, error)]) from None
    except yaml.YAMLError as error:
        raise DataError([Problem(path, None, None, f"YAML error: {error}", "fix the YAML syntax")]) from None
    except _Refused as refused:
        mark = refused.mark
        raise DataError([Problem(path, mark.line + 1, mark.column + 1, refused.message, refused.hint)]) from None
    finally:
        loader.dispose()
    if data is _EMPTY:
        raise DataError([Problem(path, 1, 1, "the file is empty", "it needs the keys sources, actors and events")])
    suspect = UNSAFE_RE.search(text) is not None or any(UNSAFE_RE.search(value) for value in escaped)
    return Document(path, data, text, suspect, layout)


def compose_stream(path: str, stream: Any, streamed: Streamed) -> tuple[object, Layout, list[str]]:
    """Read a data file from the binary ``stream`` (libyaml reads it a chunk at a time) as :func:`compose`
    does, handing each item of the top-level list ``streamed.key`` to ``streamed.take`` as it ends (with
    the values read so far, where the line of the item's start begins, and the double-quoted texts in it)
    instead of keeping it. Returns the other values, the layout, and the double-quoted texts outside the
    streamed items. Raises DataError (without the places a full :func:`compose` gives) on any problem."""
    loader = _LoaderBase(stream)
    escaped: list[str] = []
    layout = Layout({}, {}, {}, set())
    try:
        data = _from_events(loader, escaped, layout, streamed)
    except (yaml.YAMLError, _Refused) as error:
        raise DataError([Problem(path, None, None, f"YAML error: {error}", "fix the YAML syntax")]) from None
    finally:
        loader.dispose()
    if data is _EMPTY:
        raise DataError([Problem(path, 1, 1, "the file is empty", "it needs the keys sources, actors and events")])
    return data, layout, escaped


_EMPTY = object()
_SCALAR_TAGS = frozenset((_STR, _TIMESTAMP, _NULL, _BOOL, _INT, _FLOAT))
_KEY_TAGS = frozenset((_STR, _INT, _BOOL, _NULL, _FLOAT))


def _from_events(loader: Any, escaped: list[str], layout: Layout, streamed: Streamed | None = None) -> object:
    """Plain values from the event stream of a single-document YAML text, refusing what data files must not hold.

    Double-quoted scalars, the only ones whose escapes can make characters the
    text does not show, are collected in ``escaped`` for the safety check. Where
    the top level is written is noted in ``layout``. With ``streamed``, each item of
    its top-level list is handed to it as it ends, and not kept.
    """
    item_mark: Any = None
    get_event = loader.get_event
    resolve = loader.resolve
    scalar_node, sequence_node, mapping_node = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    # Each open collection: [container, key or _NO_KEY (mappings only), is_mapping]
    stack: list[list[Any]] = []
    result: object = _EMPTY
    # Keys and short values (kinds, roles, ids, topics) repeat across thousands of records:
    # keep one string object for each, instead of one per occurrence.
    shared: dict[str, str] = {}
    documents = 0
    while True:
        event = get_event()
        kind = type(event)
        if getattr(event, "anchor", None) is not None or kind is yaml.AliasEvent:
            raise _Refused(event.start_mark, "anchors and aliases are not allowed", "write the value out in full")
        if len(stack) == 2 and stack[0][2] and not stack[1][2] and kind is not yaml.SequenceEndEvent:  # a top-level list's item
            item_mark = mark = event.start_mark
            top_key = stack[0][1]
            layout.columns[top_key].add(mark.column)
            if streamed is None or top_key != streamed.key:
                layout.items[top_key].append(mark.index)
        elif len(stack) == 1 and kind is yaml.SequenceStartEvent and stack[0][2]:
            top_key = stack[0][1]
            layout.items[top_key] = []
            layout.columns[top_key] = set()
            if event.flow_style:
                layout.flow.add(top_key)
        if streamed is not None and len(stack) == 3 and stack[2][1] == streamed.field and stack[0][1] == streamed.key:
            streamed.mark = (event.start_mark.line + 1, event.start_mark.column + 1)
        if kind is yaml.ScalarEvent:
            if event.style == '"':
                escaped.append(event.value)
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolve(scalar_node, event.value, event.implicit)
            in_key = bool(stack) and stack[-1][2] and stack[-1][1] is _NO_KEY
            if in_key:
                if tag == _TAG + "merge":
                    raise _Refused(event.start_mark, "merge keys (<<) are not allowed", "write the keys out in full")
                if tag not in _KEY_TAGS:
                    raise _Refused(event.start_mark, "a mapping key must be a plain string", "write the key as text")
                key = shared.setdefault(event.value, event.value)
                if key in stack[-1][0]:
                    raise _Refused(
                        event.start_mark, f"duplicate key {shown(key)} in this mapping", "YAML forbids repeated keys; keep one"
                    )
                stack[-1][1] = key
                if len(stack) == 1:
                    layout.keys[key] = event.start_mark.index
                    layout.key_columns[key] = event.start_mark.column
                continue
            if tag in (_STR, _TIMESTAMP):
                value: object = event.value
                if len(event.value) <= 48:
                    value = shared.setdefault(event.value, event.value)
            elif tag in _SCALAR_TAGS:
                value = _scalar(event, tag)
            else:
                raise _Refused(event.start_mark, f"the tag {shown(tag)} is not allowed", _TAG_HINT)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            mapping = kind is yaml.MappingStartEvent
            if stack and stack[-1][2] and stack[-1][1] is _NO_KEY:
                raise _Refused(event.start_mark, "a mapping key must be a plain string", "write the key as text")
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolve(mapping_node if mapping else sequence_node, None, event.implicit)
            if tag != (_MAP if mapping else _SEQ):
                raise _Refused(event.start_mark, f"the tag {shown(tag)} is not allowed", _TAG_HINT)
            if len(stack) > MAX_DEPTH:
                raise _Refused(event.start_mark, f"nested deeper than {MAX_DEPTH} levels", "flatten the structure")
            stack.append([{} if mapping else [], _NO_KEY, mapping])
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            value = stack.pop()[0]
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Refused(event.start_mark, "a second YAML document in the file", "keep one document: remove the '---' line")
            continue
        elif kind is yaml.StreamEndEvent:
            return result
        else:  # stream start, document end
            continue
        if not stack:
            result = value
        elif stack[-1][2]:
            top = stack[-1]
            top[0][top[1]] = value
            top[1] = _NO_KEY
        elif streamed is not None and len(stack) == 2 and stack[0][1] == streamed.key:
            streamed.take(stack[0][0], value, item_mark.index - item_mark.column, escaped)
            escaped.clear()
            if len(shared) > _SHARED_MAX:  # unique values (ids, titles) would otherwise pile up with the file
                shared.clear()
        else:
            stack[-1][0].append(value)


_NO_KEY = object()
_SHARED_MAX = 50_000
_TAG_HINT = "remove the tag: data files hold only plain values"


def value_marks(stream: Any, key: str, field: str, wanted: set[int]) -> dict[int, tuple[int, int]]:
    """Where the value of ``field`` starts (line and column, 1-based) in each item numbered in ``wanted`` of
    the top-level list ``key``, read from ``stream`` (text or a binary file) as libyaml's events pass: no
    node tree and no value is built, so memory does not grow with the file. (:func:`locate` gives the same
    places from a composed document.)"""
    loader = _LoaderBase(stream)
    found: dict[int, tuple[int, int]] = {}
    stack: list[list[Any]] = []  # each open collection: [is a mapping, its next node is a key, its current key]
    item = -1
    try:
        while len(found) < len(wanted):
            event = loader.get_event()
            kind = type(event)
            if kind is yaml.StreamEndEvent:
                break
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
                if stack and stack[-1][0]:
                    stack[-1][1] = True
                continue
            if kind is not yaml.ScalarEvent and kind is not yaml.MappingStartEvent and kind is not yaml.SequenceStartEvent:
                continue  # stream and document marks
            if stack and stack[-1][0] and stack[-1][1]:  # a key
                stack[-1][1], stack[-1][2] = False, getattr(event, "value", None)
                continue
            if len(stack) == 2 and stack[0][2] == key and not stack[1][0]:
                item += 1
            elif len(stack) == 3 and stack[0][2] == key and stack[2][0] and stack[2][2] == field and item in wanted:
                found[item] = (event.start_mark.line + 1, event.start_mark.column + 1)
            if kind is yaml.ScalarEvent:
                if stack and stack[-1][0]:
                    stack[-1][1] = True
            else:
                stack.append([kind is yaml.MappingStartEvent, True, None])
    finally:
        loader.dispose()
    return found


def _character_problem(path: str, text: str, error: yaml.reader.ReaderError) -> Problem:
    """A character YAML does not allow anywhere (a NUL, most controls), as one located line. libyaml stops at
    the first one, so its first occurrence in the text is the place."""
    character = chr(error.character) if isinstance(error.character, int) else str(error.character)
    index = text.find(character)
    line = column = None
    if index >= 0:
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
    shown_character = escape_controls(character, keep_newlines=False)
    hint = "remove it (a NUL byte may mean the file is not text, or was damaged)" if character == "\0" else "remove it"
    return Problem(path, line, column, f"the file holds the control character {shown_character}, which YAML does not allow", hint)


def _syntax_problem(path: str, text: str, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or "invalid YAML"
    hint = "fix the YAML syntax"
    at_tab = mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t"
    if at_tab or "'\\t'" in problem:
        problem = "a tab character where YAML allows only spaces"
        hint = "indent with spaces, not tabs"
    elif error.context and "flow" in error.context:
        problem = f"{problem} {error.context}"
        hint = "close every [ and { that you open"
    elif "mapping values are not allowed" in problem:
        hint = "check the indentation, and quote a value that contains ': '"
    elif "expected <block end>" in problem or "did not find expected" in problem or "could not find expected" in problem:
        hint = "check the indentation of this line against the lines above"
    line = None if mark is None else mark.line + 1
    column = None if mark is None else mark.column + 1
    return Problem(path, line, column, f"YAML syntax error: {problem}", hint)


_DECIMAL_RE = re.compile(r"[-+]?(0|[1-9][0-9]{0,17})")  # YAML 1.2 core decimal, at most 18 digits


def _scalar(event: Any, tag: str) -> object:
    """The value of a core-schema scalar, refusing YAML 1.1's other number forms and values their tag does not fit."""
    text = event.value
    if tag == _NULL:
        return None
    if tag == _INT and not _DECIMAL_RE.fullmatch(text) and event.tag not in (None, "!"):
        raise _Refused(event.start_mark, f"{shown(text)} is not a valid int", _TAG_HINT)
    if tag == _INT and not _DECIMAL_RE.fullmatch(text):
        raise _Refused(
            event.start_mark,
            f"{shown(text)} is not a plain decimal number (YAML 1.1 reads 0x7E8, 33:44 and 2_024 as numbers)",
            "write whole numbers in decimal digits (at most 18), or quote the value if it is text",
        )
    node = yaml.ScalarNode(tag, text)
    try:
        if tag == _BOOL:
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if tag == _INT:
            return _CONSTRUCTOR.construct_yaml_int(node)
        return _CONSTRUCTOR.construct_yaml_float(node)
    except (ValueError, KeyError, yaml.YAMLError):
        name = tag.removeprefix(_TAG)
        raise _Refused(event.start_mark, f"{shown(text)} is not a valid {name}", _TAG_HINT) from None


def locate(document: Document, path: Path, *, at_key: bool = False) -> tuple[int, int]:
    """Line and column (1-based) of the value at ``path``, or of its key."""
    node = document.root
    found = node
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            for key_node, value_node in node.value:
                if str(key_node.value) == step:
                    child = key_node if at_key and step == path[-1] else value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            child = node.value[step]
        if child is None:
            break
        found = node = child
    mark = found.start_mark
    return mark.line + 1, mark.column + 1


def places(text: str, wanted: Iterable[tuple[Path, bool]]) -> dict[tuple[Path, bool], tuple[int, int]]:
    """Line and column (1-based) of each ``(path, at_key)`` wanted, exactly as :func:`locate` gives them from the
    node tree (the value at the path, or its key with ``at_key``; where the path goes further than the file,
    the deepest node on it), found in one pass over libyaml's events: linear in the file however many places
    are asked, and no node tree is built (it took a problem in each of 64,000 keys minutes, and 20 MB of
    broken events 700 MB)."""
    asked = list(dict.fromkeys(wanted))
    tree: _Step = ({}, (), False)
    for path, at_key in asked:
        node = tree
        for length, step in enumerate(path, 1):
            children = node[0]
            if step not in children:
                children[step] = ({}, path[:length], False)
            node = children[step]
        if at_key and path:
            parent = tree
            for step in path[:-1]:
                parent = parent[0][step]
            parent[0][path[-1]] = (node[0], node[1], True) if path else node
    values: dict[Path, tuple[int, int]] = {}
    key_marks: dict[Path, tuple[int, int]] = {}
    _walk_marks(text, tree, values, key_marks)
    found: dict[tuple[Path, bool], tuple[int, int]] = {}
    for path, at_key in asked:
        if at_key and path in key_marks:
            found[(path, at_key)] = key_marks[path]
            continue
        length = len(path)
        while length > 0 and path[:length] not in values:
            length -= 1
        found[(path, at_key)] = values.get(path[:length], (1, 1))
    return found


# A step of the asked paths: the steps below it, its path, and whether its key's place is asked too.
_Step = tuple[dict[str | int, "_Step"], Path, bool]


def _walk_marks(text: str, tree: _Step, values: dict[Path, tuple[int, int]], key_marks: dict[Path, tuple[int, int]]) -> None:
    """Note where each node on an asked path starts (``values``), and each key whose place is asked
    (``key_marks``); the first of duplicates, as :func:`locate` finds them. A collection off every asked path
    is passed over, its events only counted."""
    loader = _LoaderBase(text)
    # each open collection: [a mapping, its next node is a key, the step of the current key (or None), its step]
    stack: list[list[Any]] = []
    index: list[int] = []  # the next item's number in each open sequence (for mappings, unused)
    scalar, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    try:
        while True:
            event = loader.get_event()
            kind = type(event)
            if kind in ends:
                stack.pop()
                index.pop()
                continue
            if kind is not scalar and kind is not mapping_start and kind is not sequence_start and kind is not yaml.AliasEvent:
                if kind is yaml.StreamEndEvent:
                    break
                continue  # stream and document marks
            step: _Step | None = tree
            if stack:
                top = stack[-1]
                if top[0] and top[1]:  # a key
                    top[1] = False
                    parent = top[3]
                    top[2] = None if parent is None or kind is not scalar else parent[0].get(event.value)
                    if top[2] is not None and top[2][2]:
                        key_marks.setdefault(top[2][1], (event.start_mark.line + 1, event.start_mark.column + 1))
                    if kind is mapping_start or kind is sequence_start:
                        stack.append([kind is mapping_start, True, None, None])  # (a key that is a collection)
                        index.append(0)
                    continue
                if top[0]:
                    top[1] = True
                    step = top[2]
                else:
                    step = None if top[3] is None else top[3][0].get(index[-1])
                    index[-1] += 1
            if step is not None and step[1] not in values:
                values[step[1]] = (event.start_mark.line + 1, event.start_mark.column + 1)
            if kind is mapping_start or kind is sequence_start:
                stack.append([kind is mapping_start, True, None, step])
                index.append(0)
    finally:
        loader.dispose()


def iter_paths(value: object, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every string in ``value`` with its path (keys included, as their own path)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key), key
            yield from iter_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_paths(item, (*path, index))
