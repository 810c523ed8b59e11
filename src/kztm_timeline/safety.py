"""Characters that must never reach a terminal raw: controls and bidi overrides."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and the Unicode
# directional marks, embeddings, overrides and isolates (Trojan Source).
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
UNSAFE_RE = re.compile(f"[{_UNSAFE}]")
_UNSAFE_LINE_RE = re.compile(f"[{_UNSAFE}\t\n]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, *, keep_newlines: bool = True) -> str:
    """Show unsafe characters as escapes (``\\x1b``, ``\\u202e``)."""
    pattern = UNSAFE_RE if keep_newlines else _UNSAFE_LINE_RE
    return pattern.sub(_escape, text)


def first_unsafe(text: str) -> str | None:
    """The first unsafe character of ``text`` shown as an escape, or None."""
    match = UNSAFE_RE.search(text)
    return None if match is None else _escape(match)
