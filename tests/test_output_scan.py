"""The output-time check for unsafe characters (text.escape_output) answers exactly as the class of unsafe
characters does, however it is made fast."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kztm_timeline.text import UNSAFE_RE, escape_output

# Text of every kind: ASCII, letters of other scripts, the unsafe characters themselves, and lone surrogates
# (a path's bytes that are not UTF-8 arrive as \udc80-\udcff).
_ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=200)


@given(_ANY_TEXT)
def test_text_is_left_alone_exactly_when_it_holds_no_unsafe_character(text: str) -> None:
    assert (escape_output(text) == text) == (UNSAFE_RE.search(text) is None)


def test_a_lone_surrogate_among_other_letters_is_escaped() -> None:
    assert escape_output("Ашхабад \udc80 Astana") == "Ашхабад \\x80 Astana"


def test_a_carriage_return_alone_is_escaped_and_a_crlf_line_end_kept() -> None:
    assert escape_output("a\rb\r\n") == "a\\x0db\r\n"


def test_a_bidi_override_after_cyrillic_text_is_escaped() -> None:
    assert escape_output("Туркменистан \u202e") == "Туркменистан \\u202e"
