"""Checking that a quote occurs verbatim in its source text.

Both sides are folded the same way before comparing: Unicode NFKC, every run
of white space to one space, and typographic quote marks to plain ones. An
ellipsis ("..." or "…") in a quote joins fragments that must occur in order.
Case is not folded: a quote is verbatim.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
    }
)
_SPACE_RE = re.compile(r"\s+")
_ELLIPSIS_RE = re.compile(r"\s*\.\.\.\s*")


def fold(text: str) -> str:
    """The form in which quotes and sources are compared."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE_RE.sub(" ", text).strip()


def fragments(quote: str) -> list[str]:
    """The non-empty pieces of a quote between ellipses, folded."""
    return [piece for piece in _ELLIPSIS_RE.split(fold(quote)) if piece]


def quote_found(quote: str, folded_source: str) -> bool:
    """Whether ``quote`` occurs in ``folded_source`` (already passed through :func:`fold`)."""
    pieces = fragments(quote)
    if not pieces:
        return False
    position = 0
    for piece in pieces:
        found = folded_source.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True
