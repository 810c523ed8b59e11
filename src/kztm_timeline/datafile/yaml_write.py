"""Writing YAML records in the data file's own style, with scalars that read back exactly.

Every scalar is written plain when plain YAML reads it back as the same string,
otherwise double-quoted with JSON escapes (a subset of YAML's). Long texts are
written as folded blocks (``>-``) only where folding provably gives the text
back. Each choice is checked by composing it again, so a value can never come
back changed (``yes`` as a boolean, ``1e3`` as a number, ``a: b`` as a map).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import DataError
from . import yaml_read

WIDTH = 92


def _reads_back(snippet: str, wanted: object) -> bool:
    try:
        document = yaml_read.compose("<snippet>", snippet)
    except DataError:
        return False
    return document.data == wanted


def _double_quoted(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    # YAML allows only printable characters in a stream; escape the rest.
    return "".join(
        f"\\u{ord(char):04x}" if (0x7F <= ord(char) <= 0x9F or char in "\u2028\u2029\ufeff\ufffe\uffff") else char
        for char in quoted
    )


# Plain scalars that YAML 1.2 readers (editors) take for numbers, booleans or null.
_AMBIGUOUS = re.compile(
    r"[-+]?(\.inf|\.nan|[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.[0-9]+([eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+)"
    r"|true|false|yes|no|on|off|y|n|null|~",
    re.IGNORECASE,
)


def scalar(text: str, *, flow: bool = False) -> str:
    """``text`` as a YAML scalar that reads back as exactly ``text`` (a string), in YAML 1.1 and 1.2."""
    if text and "\n" not in text and text == text.strip() and not _AMBIGUOUS.fullmatch(text):
        snippet = f"[{text}]" if flow else f"k: {text}"
        wanted: object = [text] if flow else {"k": text}
        if _reads_back(snippet, wanted):
            return text
    return _double_quoted(text)


def folded(text: str, indent: int) -> str | None:
    """``text`` as a folded block (``>-`` and indented lines), or None where that cannot be exact."""
    if not text or text != text.strip() or any(char in text for char in "\t\n\r\x0b\x0c") or "  " in text:
        return None
    lines = textwrap.wrap(text, width=max(WIDTH - indent, 40), break_long_words=False, break_on_hyphens=False)
    block = ">-\n" + "".join(" " * indent + line + "\n" for line in lines)
    if not _reads_back("k: " + block, {"k": text}):
        return None
    return block


@dataclass(frozen=True)
class Rendered:
    """A rendered list item: its text and, for each of its lines, the field the line belongs to."""

    text: str
    fields: tuple[str, ...]


def render_item(record: dict[str, object], indent: int, *, flow_records: Sequence[str] = ()) -> Rendered:
    """One block-sequence item (``- key: value`` lines) for ``record``, keys in the given order.

    ``indent`` is the column of the dash. Lists of records named in
    ``flow_records`` are written one flow mapping per line, as the shipped data does.
    """
    lines: list[str] = []
    fields: list[str] = []
    pad = " " * (indent + 2)
    for number, (key, value) in enumerate(record.items()):
        lead = " " * indent + "- " if number == 0 else pad
        start = len(lines)
        if value is None:
            lines.append(f"{lead}{key}: null")
        elif isinstance(value, str):
            block = folded(value, indent + 4) if len(value) > WIDTH - indent - len(key) - 4 else None
            if block is None:
                lines.append(f"{lead}{key}: {scalar(value)}")
            else:
                head, *rest = block.rstrip("\n").split("\n")
                lines.append(f"{lead}{key}: {head}")
                lines.extend(rest)
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            lines.append(f"{lead}{key}: [{', '.join(scalar(str(item), flow=True) for item in value)}]")
        elif isinstance(value, list) and key in flow_records:
            lines.append(f"{lead}{key}:")
            for item in value:
                assert isinstance(item, dict)
                pairs = ", ".join(f"{name}: {scalar(str(text), flow=True)}" for name, text in item.items())
                lines.append(f"{pad}  - {{{pairs}}}")
        elif isinstance(value, list):
            lines.append(f"{lead}{key}:")
            for item in value:
                assert isinstance(item, dict)
                lines.append(render_item(item, indent + 4).text.rstrip("\n"))
        else:
            raise TypeError(f"cannot write {type(value).__name__} values")  # pragma: no cover - callers pass text only
        lines = "\n".join(lines).split("\n")
        fields.extend([key] * (len(lines) - start))
    return Rendered("\n".join(lines) + "\n", tuple(fields))

