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

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from .errors import DataError, Problem

_LoaderBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 64
_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + name for name in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _SEQ, _MAP = _TAG + "timestamp", _TAG + "seq", _TAG + "map"
_CONSTRUCTOR = SafeConstructor()

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    """A composed data file: plain values plus the node tree for positions."""

    file: str
    data: object
    root: yaml.Node


class _Refused(Exception):
    def __init__(self, node: yaml.Node, message: str, hint: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message
        self.hint = hint


def read_text(path: str) -> str:
    """Read a UTF-8 file (a BOM is allowed); raise DataError with a location otherwise."""
    return decode(path, read_bytes(path))


def read_bytes(path: str) -> bytes:
    """A file's bytes, or DataError saying why it cannot be read."""
    try:
        return _read_bytes(path)
    except OSError as error:
        raise DataError([file_problem(path, error)]) from None


def decode(path: str, raw: bytes) -> str:
    """UTF-8 text (a BOM is allowed), or DataError at the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise DataError(
            [Problem(path, line, column, f"byte 0x{raw[error.start]:02x} is not UTF-8", "save the file as UTF-8")]
        ) from None


def _read_bytes(path: str) -> bytes:
    if os.path.isdir(path):
        raise IsADirectoryError(21, "Is a directory", path)
    with open(path, "rb") as handle:
        return handle.read()


def file_problem(path: str, error: OSError) -> Problem:
    reason = error.strerror or str(error)
    if isinstance(error, FileNotFoundError):
        hint = "check the path, or pass --data PATH"
    elif isinstance(error, IsADirectoryError):
        hint = "pass the path of a YAML file, not a directory"
    elif isinstance(error, PermissionError):
        hint = "make the file readable"
    else:
        hint = "check the file"
    return Problem(path, None, None, f"cannot read the file: {reason}", hint)


def compose(path: str, text: str) -> Document:
    """Compose ``text`` and convert it to plain values, or raise DataError."""
    try:
        root = yaml.compose(text, Loader=_LoaderBase)
    except yaml.MarkedYAMLError as error:
        raise DataError([_syntax_problem(path, text, error)]) from None
    except yaml.YAMLError as error:
        raise DataError([Problem(path, None, None, f"YAML error: {error}", "fix the YAML syntax")]) from None
    except RecursionError:
        raise DataError(
            [Problem(path, None, None, "the YAML is nested too deeply", f"keep nesting under {MAX_DEPTH} levels")]
        ) from None
    if root is None:
        raise DataError([Problem(path, 1, 1, "the file is empty", "it needs the keys sources, actors and events")])
    try:
        data = _convert(root, set(), 0)
    except _Refused as refused:
        mark = refused.node.start_mark
        raise DataError([Problem(path, mark.line + 1, mark.column + 1, refused.message, refused.hint)]) from None
    return Document(path, data, root)


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


def _convert(node: yaml.Node, seen: set[int], depth: int) -> object:
    if id(node) in seen:
        raise _Refused(
            node, "anchors and aliases are not allowed (this value is reused by an alias)", "write the value out in full"
        )
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise _Refused(node, f"nested deeper than {MAX_DEPTH} levels", "flatten the structure")
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise _refused_tag(node)
        return [_convert(item, seen, depth + 1) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise _refused_tag(node)
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                raise _Refused(key_node, "merge keys (<<) are not allowed", "write the keys out in full")
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (_STR, _INT, _BOOL, _NULL, _FLOAT):
                raise _Refused(key_node, "a mapping key must be a plain string", "write the key as text")
            key = str(key_node.value)
            if key in result:
                raise _Refused(key_node, f"duplicate key {key!r} in this mapping", "YAML forbids repeated keys; keep one")
            seen.add(id(key_node))
            result[key] = _convert(value_node, seen, depth + 1)
        return result
    raise _Refused(node, "unsupported YAML node", "use plain mappings, lists and scalars")  # pragma: no cover


def _scalar(node: yaml.ScalarNode) -> object:
    tag = node.tag
    if tag in (_STR, _TIMESTAMP):
        return node.value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return _CONSTRUCTOR.construct_yaml_bool(node)
    if tag == _INT:
        return _CONSTRUCTOR.construct_yaml_int(node)
    if tag == _FLOAT:
        return _CONSTRUCTOR.construct_yaml_float(node)
    raise _refused_tag(node)


def _refused_tag(node: yaml.Node) -> _Refused:
    return _Refused(node, f"the tag {node.tag!r} is not allowed", "remove the tag: data files hold only plain values")


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
