"""A faster first read for files in the plain block style: what :func:`yaml_read.compose_stream` gives, or
:class:`Declined`.

Going through libyaml's event stream costs about as much as PyYAML's whole load (issue 28). The data files
this tool writes, and the shipped one, use a small part of YAML: block mappings and lists indented with
spaces, one-line plain, quoted and flow values, and folded or literal block scalars. This module reads that
part a line at a time. At the first line outside it (a tag, an anchor, a value over several lines that is
not a block scalar, a comment after a value, a repeated key, a tab, a character YAML refuses, a second
document, ...) it raises :class:`Declined`, and the caller reads the file with libyaml from its start:
refusals, their messages and their places stay :mod:`yaml_read`'s alone. Scalars are resolved by PyYAML's
own resolver and converted by :func:`yaml_read.scalar_value`, so the rules for what a value is have one home.
``tests/test_fast_read.py`` holds this reader to :mod:`yaml_read`'s answer on random documents.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from typing import Any

import yaml.resolver

from . import yaml_read
from .yaml_read import Layout, Streamed

CHUNK = 1 << 20
_DEPTH = yaml_read.MAX_DEPTH - 2
# Characters this reader leaves to libyaml: tabs, carriage returns and the other line breaks YAML 1.1 knows,
# every character YAML refuses, and a byte-order mark after the start.
_LEFT = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_KEY = re.compile(r"([A-Za-z_][\w.\-]*):(?: +|$)")
# A plain value may not start with an indicator; "-", "?" and ":" only before a space or the end
_PLAIN_START = re.compile(r"[^\-?:,\[\]{}#&*!|>'\"%@`\s]|[\-?:](?=\S)")
_FLOW_PLAIN = re.compile(r"[^\-?:,\[\]{}#&*!|>'\"%@`\s][^,\[\]{}:#]*")
_FLOW_KEY = re.compile(r"([A-Za-z_][\w.\-]*): +")
_SINGLE = re.compile(r"(?:[^']|'')*'")
_DOUBLE_RUN = re.compile(r'[^"\\]*')
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX = {"x": 2, "u": 4, "U": 8}
_HEADERS = {  # (folded, keep): keep is None to clip, False to strip, True to keep
    ">": (True, None), ">-": (True, False), ">+": (True, True), "|": (False, None), "|-": (False, False), "|+": (False, True),
}  # fmt: skip
_RESOLVER: Any = yaml.resolver.Resolver()  # PyYAML's own resolver, untyped
_FIRSTS = frozenset(key for key in _RESOLVER.yaml_implicit_resolvers if key)
_TAGS: dict[str, str] = {}  # what short plain values resolve to (ids, kinds, roles and dates repeat)
_STR, _TIMESTAMP, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:null"


class Declined(Exception):
    """The text holds something this reader leaves to libyaml (the message says what, and on which line)."""


def read_block_style(stream: Any, streamed: Streamed) -> tuple[object, Layout, list[str]]:
    """:func:`yaml_read.compose_stream` for a file in the plain block style: reads ``stream`` (binary) a chunk
    at a time, hands each item of ``streamed.key`` to ``streamed.take``, and returns the other values, the
    layout and the double-quoted texts outside the streamed items. Raises :class:`Declined` (perhaps after
    some items were handed over) where the file leaves that style."""
    reader = _Reader(stream.read, streamed)
    return reader.document(), reader.layout, reader.escaped


class _Reader:
    def __init__(self, read: Callable[[int], bytes], streamed: Streamed) -> None:
        self.read = read
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.lines: list[str] = []
        self.at = 0  # the current line's index in self.lines
        self.rest = ""  # the start of a line the last chunk cut
        self.ended = False
        self.line: str | None = None  # the current line, None at the end of the file
        self.number = -1  # its number (0-based)
        self.column = 0  # the indentation of the line _content gave
        self.offset = 0  # the offset of its first character in the text
        self.streamed = streamed
        self.layout = Layout({}, {}, {}, set())
        self.escaped: list[str] = []
        self.shared: dict[str, str] = {}
        self.items = 0
        self.top: dict[str, object] = {}
        self._next()

    # lines

    def _next(self) -> None:
        if self.line is not None:
            self.offset += len(self.line) + 1
        self.number += 1
        if self.at >= len(self.lines):
            self._fill()
        if self.at < len(self.lines):
            self.line = self.lines[self.at]
            self.at += 1
        else:
            self.line = None

    def _fill(self) -> None:
        self.lines, self.at = [], 0
        while not self.lines and not self.ended:
            chunk = self.read(CHUNK)
            text = self.rest + self.decoder.decode(chunk, final=not chunk)
            if _LEFT.search(text):
                raise Declined(f"a tab, a carriage return or a character YAML refuses after line {self.number}")
            if not chunk:
                self.ended = True
                if text:
                    raise Declined("the file does not end with a line break")
                return
            self.lines = text.split("\n")
            self.rest = self.lines.pop()

    def _content(self) -> str | None:
        """The current line, after skipping empty lines and comments (its indentation in ``self.column``)."""
        line = self.line
        while line is not None:
            stripped = line.lstrip(" ")
            if stripped and stripped[0] != "#":
                self.column = len(line) - len(stripped)
                return line
            self._next()
            line = self.line
        return None

    def _decline(self, what: str) -> Declined:
        return Declined(f"line {self.number + 1}: {what}")

    # structure

    def document(self) -> object:
        line = self._content()
        if line is None or line[0] == " " or _KEY.match(line) is None:
            raise self._decline("not a mapping at column 1")
        data = self._mapping(0, 1)
        if self._content() is not None:
            raise self._decline("more after the top-level mapping")
        return data

    def _mapping(self, indent: int, depth: int, field: str | None = None, compact: bool = False) -> dict[str, object]:
        """A block mapping whose keys are at column ``indent``; the current line holds its first key (after a
        list item's dash when ``compact``). ``field``: the key whose value's place is noted for the streamed list."""
        if depth > _DEPTH:
            raise self._decline("nested too deep")
        result: dict[str, object] = {}
        if depth == 1:
            self.top = result
        shared = self.shared
        while True:
            line = self._content()
            if line is None:
                return result
            column = indent if compact else self.column
            compact = False
            if column < indent:
                return result
            match = _KEY.match(line, indent) if column == indent else None
            if match is None:
                raise self._decline("not a key where one belongs")
            key = match.group(1)
            if key in result:
                raise self._decline("a repeated key")
            key = shared.setdefault(key, key)
            if depth == 1:
                self.layout.keys[key] = self.offset
                self.layout.key_columns[key] = 0
            start = match.end()
            if start == len(line):
                if key == field:
                    raise self._decline("the streamed field's value on the lines below it")
                result[key] = self._nested(indent, depth, key if depth == 1 else None)
            else:
                if key == field:
                    self.streamed.mark = (self.number + 1, start + 1)
                result[key] = self._inline(line, start, indent, depth, key)

    def _nested(self, indent: int, depth: int, top_key: str | None) -> object:
        """The value of a key that ends its line: a block node below it (or a list at its column), or null."""
        self._next()
        line = self._content()
        if line is None:
            return None
        column = self.column
        if column < indent:
            return None
        dash = line[column] == "-" and (len(line) == column + 1 or line[column + 1] == " ")
        if dash:
            return self._sequence(column, depth + 1, top_key, column == indent)
        if column == indent:
            return None  # the mapping's next key
        return self._mapping(column, depth + 1)

    def _sequence(self, indent: int, depth: int, top_key: str | None, at_key_column: bool) -> list[object]:
        """A block list whose dashes are at column ``indent``; ``top_key`` when it is a top-level key's value;
        ``at_key_column`` when its dashes are at its key's column (then that mapping's next key ends it)."""
        if depth > _DEPTH:
            raise self._decline("nested too deep")
        result: list[object] = []
        layout = self.layout
        streamed = top_key is not None and top_key == self.streamed.key
        if top_key is not None:
            layout.items[top_key] = []
            layout.columns[top_key] = set()
        while True:
            line = self._content()
            if line is None:
                return result
            column = self.column
            if column < indent:
                return result
            if column > indent or line[indent] != "-":
                if column == indent and at_key_column:
                    return result  # a list at its key's column ends at the next key
                raise self._decline("not a list item where one belongs")
            start = indent + 1
            while start < len(line) and line[start] == " ":
                start += 1
            if start == indent + 1 or start == len(line):
                raise self._decline("a list item that is not on its dash's line")
            if top_key is not None:
                layout.columns[top_key].add(start)
                if not streamed:
                    layout.items[top_key].append(self.offset + start)
            line_start = self.offset
            match = _KEY.match(line, start)
            if match is not None:
                value: object = self._mapping(start, depth + 1, self.streamed.field if streamed else None, True)
            elif streamed:
                raise self._decline("an item of the streamed list that is not a block mapping")
            elif line[start] in "|>":
                raise self._decline("a block scalar as a list item")
            else:
                value = self._inline(line, start, indent, depth, None)
            if streamed:
                self._hand_over(value, line_start)
            else:
                result.append(value)

    def _hand_over(self, value: object, line_start: int) -> None:
        streamed = self.streamed
        streamed.take(self.top, value, self.items, line_start, self.escaped)
        self.items += 1
        self.escaped.clear()
        if len(self.shared) > yaml_read.SHARED_MAX:
            self.shared.clear()

    # values on one line

    def _inline(self, line: str, start: int, indent: int, depth: int, key: str | None) -> object:
        """The value that starts at ``start`` of the current line, which ends it; the next line becomes current."""
        first = line[start]
        value: object
        if first == '"' or first == "'":
            value, end = self._quoted(line, start)
            if line[end:].strip(" "):
                raise self._decline("more after a quoted value")
        elif first == "{" or first == "[":
            value, end, columns = self._flow(line, start)
            if line[end:].strip(" "):
                raise self._decline("more after a flow collection")
            if depth == 1 and key is not None and first == "[":
                if key == self.streamed.key and columns:
                    raise self._decline("the streamed list in flow style")
                self.layout.items[key] = [self.offset + column for column in columns]
                self.layout.columns[key] = set(columns)
                self.layout.flow.add(key)
        elif first == ">" or first == "|":
            return self._block_scalar(line[start:].rstrip(" "), indent)
        elif _PLAIN_START.match(line, start) is None:
            raise self._decline("a value that starts with an indicator")
        else:
            text = line[start:].rstrip(" ")
            if ": " in text or text[-1] == ":" or " #" in text:
                raise self._decline("a plain value holding ': ' or ' #'")
            value = self._plain(text)
        self._next()
        return value

    def _plain(self, text: str) -> object:
        if text[0] not in _FIRSTS:
            tag = _STR
        elif len(text) <= 48:
            tag = _TAGS.get(text) or _TAGS.setdefault(text, _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)))
            if len(_TAGS) > yaml_read.SHARED_MAX:
                _TAGS.clear()
        else:
            tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
        if tag in (_STR, _TIMESTAMP):
            return self.shared.setdefault(text, text) if len(text) <= 48 else text
        if tag == _NULL:
            return None
        try:
            return yaml_read.scalar_value(text, tag, None)
        except yaml_read.InvalidScalar:
            raise self._decline(f"a plain value yaml_read refuses ({tag})") from None

    def _quoted(self, line: str, start: int) -> tuple[str, int]:
        """A one-line quoted scalar at ``start``: its value and the offset after its closing quote."""
        if line[start] == "'":
            match = _SINGLE.match(line, start + 1)
            if match is None:
                raise self._decline("a single-quoted value that goes on")
            value = line[start + 1 : match.end() - 1].replace("''", "'")
            end = match.end()
        else:
            value, end = self._double(line, start + 1)
            self.escaped.append(value)
        return (self.shared.setdefault(value, value) if len(value) <= 48 else value), end

    def _double(self, line: str, at: int) -> tuple[str, int]:
        parts: list[str] = []
        while True:
            run = _DOUBLE_RUN.match(line, at)
            assert run is not None  # it matches the empty string
            parts.append(run.group())
            at = run.end()
            if at >= len(line):
                raise self._decline("a double-quoted value that goes on")
            if line[at] == '"':
                return "".join(parts), at + 1
            escape = line[at + 1 : at + 2]
            if escape in _ESCAPES:
                parts.append(_ESCAPES[escape])
                at += 2
                continue
            width = _HEX.get(escape)
            digits = line[at + 2 : at + 2 + width] if width else ""
            if not width or len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise self._decline("an escape libyaml judges")
            code = int(digits, 16)
            if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
                raise self._decline("an escape libyaml judges")
            parts.append(chr(code))
            at += 2 + width

    def _flow(self, line: str, start: int) -> tuple[object, int, list[int]]:
        """A flow list or mapping of scalars that closes on its line: its value, the offset after it, and the
        columns its items start at."""
        mapping = line[start] == "{"
        close = "}" if mapping else "]"
        result_map: dict[str, object] = {}
        result_list: list[object] = []
        columns: list[int] = []
        at = start + 1
        while True:
            while at < len(line) and line[at] == " ":
                at += 1
            if at >= len(line):
                raise self._decline("a flow collection that goes on")
            if line[at] == close and not columns:
                return (result_map if mapping else result_list), at + 1, columns
            columns.append(at)
            key = None
            if mapping:
                match = _FLOW_KEY.match(line, at)
                if match is None:
                    raise self._decline("a flow mapping's key that is not a plain word")
                key, at = match.group(1), match.end()
                if key in result_map:
                    raise self._decline("a repeated key")
            value, at = self._flow_scalar(line, at)
            if key is not None:
                result_map[self.shared.setdefault(key, key)] = value
            else:
                result_list.append(value)
            while at < len(line) and line[at] == " ":
                at += 1
            if at < len(line) and line[at] == close:
                return (result_map if mapping else result_list), at + 1, columns
            if at >= len(line) or line[at] != ",":
                raise self._decline("a flow collection this reader leaves to libyaml")
            at += 1

    def _flow_scalar(self, line: str, at: int) -> tuple[object, int]:
        if at < len(line) and line[at] in "'\"":
            return self._quoted(line, at)
        match = _FLOW_PLAIN.match(line, at)
        if match is None:
            raise self._decline("a flow value this reader leaves to libyaml")
        return self._plain(match.group().rstrip(" ")), match.end()

    def _block_scalar(self, header: str, indent: int) -> str:
        """A folded or literal block scalar whose header is ``header``; its lines follow the current one."""
        if header not in _HEADERS:
            raise self._decline("a block scalar header with an indentation indicator or a comment")
        folded, keep = _HEADERS[header]
        self._next()
        line = self.line
        if line is None or not line.strip(" "):
            raise self._decline("a block scalar that starts with an empty line")
        column = len(line) - len(line.lstrip(" "))
        if column <= indent:
            raise self._decline("an empty block scalar")
        chunks: list[str] = []
        breaks = 0
        while True:
            chunks.append(line[column:])
            self._next()
            breaks = 0
            line = self.line
            while line is not None and not line.strip(" "):
                if len(line) > column:
                    raise self._decline("a block scalar line of spaces")
                breaks += 1
                self._next()
                line = self.line
            if line is None or not line.startswith(" " * column):
                break
            if folded and line[column] == " ":
                raise self._decline("a more-indented line in a folded scalar")
            if folded and not breaks:
                chunks.append(" ")
            else:
                chunks.append("\n" * (breaks if folded else breaks + 1))
        if line is not None and line.strip(" ") and len(line) - len(line.lstrip(" ")) > indent:
            raise self._decline("a line below a block scalar, indented between it and its key")
        if keep is not False:
            chunks.append("\n")
        if keep:
            chunks.append("\n" * breaks)
        return "".join(chunks)
