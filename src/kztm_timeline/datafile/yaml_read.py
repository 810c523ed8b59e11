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
from collections.abc import Callable, Iterator
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

    def __init__(
        self, key: str, take: Callable[[dict[str, object], object, int, int, list[str]], None], field: str = "date"
    ) -> None:
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
    escaped: list[str] = []
    layout = Layout({}, {}, {}, set())
    head = lambda size: text.encode("utf-8")[:size].decode("utf-8", "replace")  # noqa: E731 - used on an error only
    data = _read(path, text, escaped, layout, None, lambda index: text[index : index + 1], head)
    suspect = UNSAFE_RE.search(text) is not None or any(UNSAFE_RE.search(value) for value in escaped)
    return Document(path, data, text, suspect, layout)


def compose_stream(
    path: str, stream: Any, streamed: Streamed, char_at: Callable[[int], str], head: Callable[[int], str] | None = None
) -> tuple[object, Layout, list[str]]:
    """Read a data file from the binary ``stream`` (libyaml reads it a chunk at a time) as :func:`compose`
    does, handing each item of the top-level list ``streamed.key`` to ``streamed.take`` as it ends (with
    the values read so far, its number, where the line of the item's start begins, and the double-quoted
    texts in it) instead of keeping it. Returns the other values, the layout, and the double-quoted texts
    outside the streamed items. Raises DataError on any problem, at the place :func:`compose` gives
    (``char_at``: the character at an offset of the text, which a syntax error's message may depend on;
    ``head``: the text of the file's first bytes, up to an offset, which places a character YAML does not allow)."""
    escaped: list[str] = []
    layout = Layout({}, {}, {}, set())
    return _read(path, stream, escaped, layout, streamed, char_at, head), layout, escaped


def _read(
    path: str,
    source: Any,
    escaped: list[str],
    layout: Layout,
    streamed: Streamed | None,
    char_at: Callable[[int], str],
    head: Callable[[int], str] | None,
) -> object:
    loader = _LoaderBase(source)
    try:
        data = _Reader(loader, escaped, layout, streamed).run()
    except yaml.MarkedYAMLError as error:
        raise DataError([_syntax_problem(path, char_at, error)]) from None
    except yaml.reader.ReaderError as error:
        raise DataError([_character_problem(path, head, error)]) from None
    except yaml.YAMLError as error:
        raise DataError([Problem(path, None, None, f"YAML error: {error}", "fix the YAML syntax")]) from None
    except _Refused as refused:
        mark = refused.mark
        raise DataError([Problem(path, mark.line + 1, mark.column + 1, refused.message, refused.hint)]) from None
    finally:
        loader.dispose()
    if data is _EMPTY:
        raise DataError([Problem(path, 1, 1, "the file is empty", "it needs the keys sources, actors and events")])
    return data


_EMPTY = object()
_SCALAR_TAGS = frozenset((_STR, _TIMESTAMP, _NULL, _BOOL, _INT, _FLOAT))
_KEY_TAGS = frozenset((_STR, _INT, _BOOL, _NULL, _FLOAT))
_SKIP = object()  # an event that makes no value (a collection's start, a key, the stream's and document's marks)


class _Reader:
    """Plain values from the event stream of a single-document YAML text, refusing what data files must not hold.

    Double-quoted scalars, the only ones whose escapes can make characters the
    text does not show, are collected in ``escaped`` for the safety check. Where
    the top level is written is noted in ``layout``. With ``streamed``, each item of
    its top-level list is handed to it as it ends, and not kept.
    """

    def __init__(self, loader: Any, escaped: list[str], layout: Layout, streamed: Streamed | None) -> None:
        self.loader = loader
        self.escaped = escaped
        self.layout = layout
        self.streamed = streamed
        # Each open collection: [container, key or _NO_KEY (mappings only), is_mapping]
        self.stack: list[list[Any]] = []
        # Keys and short values (kinds, roles, ids, topics) repeat across thousands of records:
        # keep one string object for each, instead of one per occurrence.
        self.shared: dict[str, str] = {}
        self.documents = 0
        self.item_mark: Any = None
        self.items = 0

    def run(self) -> object:
        get_event = self.loader.get_event
        stack = self.stack
        streamed = self.streamed
        result: object = _EMPTY
        while True:
            event = get_event()
            kind = type(event)
            if getattr(event, "anchor", None) is not None or kind is yaml.AliasEvent:
                raise _Refused(event.start_mark, "anchors and aliases are not allowed", "write the value out in full")
            if len(stack) <= 2:
                self._note_layout(event, kind)
            if streamed is not None and len(stack) == 3 and stack[2][1] == streamed.field and stack[0][1] == streamed.key:
                streamed.mark = (event.start_mark.line + 1, event.start_mark.column + 1)
            if kind is yaml.ScalarEvent:
                value = self._scalar(event)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                value = self._start(event, kind is yaml.MappingStartEvent)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                value = stack.pop()[0]
            elif kind is yaml.StreamEndEvent:
                return result
            else:
                value = self._mark(event, kind)
            if value is _SKIP:
                continue
            if not stack:
                result = value
            elif stack[-1][2]:
                top = stack[-1]
                top[0][top[1]] = value
                top[1] = _NO_KEY
            elif streamed is not None and len(stack) == 2 and stack[0][1] == streamed.key:
                self._hand_over(streamed, value)
            else:
                stack[-1][0].append(value)

    def _note_layout(self, event: Any, kind: type) -> None:
        stack, layout = self.stack, self.layout
        if len(stack) == 2 and stack[0][2] and not stack[1][2] and kind is not yaml.SequenceEndEvent:  # a top-level list's item
            self.item_mark = mark = event.start_mark
            top_key = stack[0][1]
            layout.columns[top_key].add(mark.column)
            if self.streamed is None or top_key != self.streamed.key:
                layout.items[top_key].append(mark.index)
        elif len(stack) == 1 and kind is yaml.SequenceStartEvent and stack[0][2]:
            top_key = stack[0][1]
            layout.items[top_key] = []
            layout.columns[top_key] = set()
            if event.flow_style:
                layout.flow.add(top_key)

    def _scalar(self, event: Any) -> object:
        if event.style == '"':
            self.escaped.append(event.value)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        stack = self.stack
        if stack and stack[-1][2] and stack[-1][1] is _NO_KEY:
            self._key(event, tag)
            return _SKIP
        if tag in (_STR, _TIMESTAMP):
            if len(event.value) <= 48:
                return self.shared.setdefault(event.value, event.value)
            return event.value
        if tag in _SCALAR_TAGS:
            return _scalar(event, tag)
        raise _Refused(event.start_mark, f"the tag {shown(tag)} is not allowed", _TAG_HINT)

    def _key(self, event: Any, tag: str) -> None:
        if tag == _TAG + "merge":
            raise _Refused(event.start_mark, "merge keys (<<) are not allowed", "write the keys out in full")
        if tag not in _KEY_TAGS:
            raise _Refused(event.start_mark, "a mapping key must be a plain string", "write the key as text")
        top = self.stack[-1]
        key = self.shared.setdefault(event.value, event.value)
        if key in top[0]:
            raise _Refused(
                event.start_mark, f"duplicate key {shown(key)} in this mapping", "YAML forbids repeated keys; keep one"
            )
        top[1] = key
        if len(self.stack) == 1:
            self.layout.keys[key] = event.start_mark.index
            self.layout.key_columns[key] = event.start_mark.column

    def _start(self, event: Any, mapping: bool) -> object:
        stack = self.stack
        if stack and stack[-1][2] and stack[-1][1] is _NO_KEY:
            raise _Refused(event.start_mark, "a mapping key must be a plain string", "write the key as text")
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.MappingNode if mapping else yaml.SequenceNode, None, event.implicit)
        if tag != (_MAP if mapping else _SEQ):
            raise _Refused(event.start_mark, f"the tag {shown(tag)} is not allowed", _TAG_HINT)
        if len(stack) > MAX_DEPTH:
            raise _Refused(event.start_mark, f"nested deeper than {MAX_DEPTH} levels", "flatten the structure")
        stack.append([{} if mapping else [], _NO_KEY, mapping])
        return _SKIP

    def _mark(self, event: Any, kind: type) -> object:
        if kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                raise _Refused(event.start_mark, "a second YAML document in the file", "keep one document: remove the '---' line")
        return _SKIP  # stream start, document start and end

    def _hand_over(self, streamed: Streamed, value: object) -> None:
        mark = self.item_mark
        streamed.take(self.stack[0][0], value, self.items, mark.index - mark.column, self.escaped)
        self.items += 1
        self.escaped.clear()
        if len(self.shared) > SHARED_MAX:  # unique values (ids, titles) would otherwise pile up with the file
            self.shared.clear()


_NO_KEY = object()
SHARED_MAX = 50_000
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


def _character_problem(path: str, head: Callable[[int], str] | None, error: yaml.reader.ReaderError) -> Problem:
    """A character YAML does not allow anywhere (a NUL, most controls), as one located line. libyaml stops at
    the first one and says its offset in the UTF-8 bytes (``head``: the text of the file's first bytes, up to an
    offset)."""
    character = chr(error.character) if isinstance(error.character, int) else str(error.character)
    line = column = None
    if head is not None and isinstance(error.position, int) and error.position >= 0:
        before = head(error.position)
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
    shown_character = escape_controls(character, keep_newlines=False)
    hint = "remove it (a NUL byte may mean the file is not text, or was damaged)" if character == "\0" else "remove it"
    return Problem(path, line, column, f"the file holds the control character {shown_character}, which YAML does not allow", hint)


def _syntax_problem(path: str, char_at: Callable[[int], str], error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or "invalid YAML"
    hint = "fix the YAML syntax"
    at_tab = mark is not None and mark.index >= 0 and char_at(mark.index) == "\t"
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


class InvalidScalar(ValueError):
    """A scalar its tag does not fit, or a number form of YAML 1.1 only."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _scalar(event: Any, tag: str) -> object:
    try:
        return scalar_value(event.value, tag, event.tag)
    except InvalidScalar as invalid:
        raise _Refused(event.start_mark, invalid.message, invalid.hint) from None


def scalar_value(text: str, tag: str, written_tag: str | None) -> object:
    """The value of a core-schema scalar ``text`` resolved to ``tag`` (``written_tag``: the tag the file gives it, if
    any), refusing YAML 1.1's other number forms and values their tag does not fit (raises :class:`InvalidScalar`)."""
    if tag == _NULL:
        return None
    if tag == _INT and not _DECIMAL_RE.fullmatch(text) and written_tag not in (None, "!"):
        raise InvalidScalar(f"{shown(text)} is not a valid int", _TAG_HINT)
    if tag == _INT and not _DECIMAL_RE.fullmatch(text):
        raise InvalidScalar(
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
        raise InvalidScalar(f"{shown(text)} is not a valid {name}", _TAG_HINT) from None


Wanted = tuple[Path, bool]  # a path, and whether its key (not its value) is wanted


def find_marks(stream: Any, wanted: list[Wanted]) -> dict[Wanted, tuple[int, int] | tuple[None, None]]:
    """Line and column (1-based) of the value at each wanted path, or of its key, read from ``stream`` (the
    text, or the file opened in binary) as libyaml's events pass: no node tree and no value is built. A path
    that is not there all the way gives the place of its longest part that is. Linear in the file however many
    places are wanted (it stops once each is found); the first of duplicate keys is the one placed."""
    prefixes = {path[:length] for path, _ in wanted for length in range(len(path) + 1)}
    values: dict[Path, tuple[int, int]] = {}
    keys: dict[Path, tuple[int, int]] = {}
    loader = _LoaderBase(stream)
    try:
        _walk_marks(loader, prefixes, values, keys, wanted)
    except yaml.YAMLError:
        pass  # changed since it was read: what was found stands
    finally:
        loader.dispose()
    found: dict[Wanted, tuple[int, int] | tuple[None, None]] = {}
    for path, at_key in wanted:
        if at_key and path in keys:
            found[(path, at_key)] = keys[path]
            continue
        length = len(path)
        while length > 0 and path[:length] not in values:
            length -= 1
        found[(path, at_key)] = values.get(path[:length], (None, None))
    return found


def _walk_marks(
    loader: Any, prefixes: set[Path], values: dict[Path, tuple[int, int]], keys: dict[Path, tuple[int, int]], wanted: list[Wanted]
) -> None:
    # Each open collection: [its path (None when no wanted path goes through it), is a mapping, next item's number,
    # the current key (mappings), whether the next node is a key]
    stack: list[list[Any]] = []
    want_values = {path for path, at_key in wanted if not at_key}
    want_keys = {path for path, at_key in wanted if at_key}
    left = len(want_values) + len(want_keys)  # the wanted places not found yet (a count: checked at each event)
    while True:
        event = loader.get_event()
        kind = type(event)
        if kind is yaml.StreamEndEvent:
            return
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            continue
        if kind is not yaml.ScalarEvent and kind is not yaml.MappingStartEvent and kind is not yaml.SequenceStartEvent:
            continue  # stream and document marks
        mark = (event.start_mark.line + 1, event.start_mark.column + 1)
        path: Path | None = ()
        if stack:
            frame = stack[-1]
            if frame[1] and frame[4]:  # a key
                frame[3], frame[4] = getattr(event, "value", None), False
                if frame[0] is not None and (key_path := (*frame[0], frame[3])) in prefixes and key_path not in keys:
                    keys[key_path] = mark
                    left -= key_path in want_keys
                if kind is not yaml.ScalarEvent:
                    stack.append([None, kind is yaml.MappingStartEvent, 0, None, True])
                continue
            step: str | int = frame[3] if frame[1] else frame[2]
            if frame[1]:
                frame[4] = True
            else:
                frame[2] += 1
            path = None if frame[0] is None else (*frame[0], step)
            if path is not None and path not in prefixes:
                path = None
        if path is not None and path not in values:
            values[path] = mark
            left -= path in want_values
        if kind is not yaml.ScalarEvent:
            stack.append([path, kind is yaml.MappingStartEvent, 0, None, True])
        if not left:
            return


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
