"""Text rules, one home each: folding for search and for quotes, words, slugs, and unsafe characters.

* :func:`fold` is how searches, actor names, topics and places compare: case and
  diacritics ignored.
* :func:`normalize_quote` is how a quote and its article compare: verbatim, but
  Unicode NFKC, white space runs and typographic quote marks made alike.
* :func:`escape_controls` is how text that could move the terminal is shown.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from functools import lru_cache
from operator import methodcaller

# ---------------------------------------------------------------- search folding

_WORD_RE = re.compile(r"\w+")


def fold(text: str) -> str:
    """Case-, diacritic- and script-insensitive form: NFKD, combining marks dropped, casefolded, and every
    letter still outside ASCII (Cyrillic: Токаев, Kazakh Тоқаев) written in Latin letters (tokaev, toqaev).
    Each distinct character is looked at once per run (see :func:`_without_marks`), and ASCII text not at all:
    a cold read folds every event's searchable text."""
    if text.isascii():  # NFKD leaves ASCII as it is, and it has no marks
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    folded = (decomposed if decomposed.isascii() else _without_marks(decomposed)).casefold()
    if folded.isascii() or _NON_ASCII_LETTER_RE.search(folded) is None:  # dashes and quote marks need no script
        return folded
    return _latin(folded)


_NON_ASCII_LETTER_RE = re.compile(r"[^\W\d_\x00-\x7f]")
_NOT_LATIN_RE = re.compile(r"[^a-z0-9]")
_SEEN: set[str] = set()  # the characters _without_marks has looked at
_MARKS: set[str] = set()  # the combining marks among them
_MARKS_RE: list[re.Pattern[str]] = []  # one pattern that finds any of them (regex removal is ~10 × str.translate's)
_SPELLED: set[str] = set()  # the characters _latin has looked at
_LATIN: dict[str, str] = {}  # the letters outside ASCII among them, each in Latin letters


def _without_marks(text: str) -> str:
    """``text`` without its combining marks (those of the characters seen so far, this text's included)."""
    new = set(text) - _SEEN
    if new:
        _SEEN.update(new)
        marks = {char for char in new if unicodedata.combining(char)}
        if marks:
            _MARKS.update(marks)
            _MARKS_RE[:] = [re.compile("[" + "".join(re.escape(char) for char in sorted(_MARKS)) + "]")]
    return _MARKS_RE[0].sub("", text) if _MARKS_RE else text


def _latin(text: str) -> str:
    """Each letter of ``text`` outside ASCII in Latin letters, by anyascii (a transliteration of every script
    into ASCII, ISC licence), imported here only, the first time a text needs it (1 ms in a run, and 3 to 7 ms
    for the first table of a script); each letter's Latin letters and digits, casefolded.
    Punctuation, digits and spaces are kept as they are, so words stay words."""
    from anyascii import anyascii

    for char in set(text) - _SPELLED:
        _SPELLED.add(char)
        if _NON_ASCII_LETTER_RE.match(char):
            _LATIN[char] = _NOT_LATIN_RE.sub("", anyascii(char).casefold())
    return _NON_ASCII_LETTER_RE.sub(_spelled, text)


def _spelled(match: re.Match[str]) -> str:
    return _LATIN[match.group()]


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """:func:`fold` of ``text`` plus, for each folded character, its index in ``text``."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = fold(char)
        folded.append(piece)
        origin.extend([index] * len(piece))
    return "".join(folded), origin


def words(text: str) -> list[str]:
    """The folded words of ``text``."""
    return _WORD_RE.findall(fold(text))


# Central Asian names reach English in many romanizations (Berdimuhamedov, Berdimuhamedow,
# Berdymukhammedov; Tokayev, Tokaev, Toqaev). Names and searches are compared after these
# rewrites of the folded text, in this order: kh→h, gh→g, q→k, w→v, ye→e, y→i, then every
# doubled letter once. Display keeps the spellings the data lists.
_ROMANIZATIONS = (("kh", "h"), ("gh", "g"), ("q", "k"), ("w", "v"), ("ye", "e"), ("y", "i"))
_DOUBLED_RE = re.compile(r"([a-z])\1+")
_FIRST_GROUP = methodcaller("group", 1)  # as r"\1", without a template expanded in Python at each match


def romanized(folded: str) -> str:
    """``folded`` (already :func:`fold`-ed) with the romanization rewrites applied."""
    for old, new in _ROMANIZATIONS:
        folded = folded.replace(old, new)
    return _DOUBLED_RE.sub(_FIRST_GROUP, folded)


def name_words(text: str) -> list[str]:
    """The words of ``text`` as names are compared: folded, then romanized."""
    return [romanized(word) for word in words(text)]


def contains_words(have: list[str], wanted: list[str]) -> bool:
    """Whether ``wanted`` occurs as a run of whole words in ``have``."""
    size = len(wanted)
    return bool(size) and any(have[i : i + size] == wanted for i in range(len(have) - size + 1))


# Names whose vowels and guttural consonants the romanizations disagree on (Magtymguly, Magtumguly,
# Makhtumkuli: Махтумкули) are compared by a looser key of each word, name against name: after the
# rewrites above, sh, ch and zh are kept as one sound, g, k and h count as one letter, d as t, every vowel
# after the first letter is dropped, and doubled letters are written once. Only keys of four letters or
# more are compared, so that short words cannot meet by chance.
_DIGRAPHS = (("sh", "S"), ("ch", "C"), ("zh", "Z"))
_GUTTURALS = str.maketrans({"g": "k", "h": "k", "d": "t"})
_VOWELS_RE = re.compile(r"(?<=.)[aeiou]")
MIN_NAME_KEY = 4


def name_key(word: str) -> str:
    """The loose key of one folded and romanized word (see :func:`name_words`): ``magtimguli`` and
    ``mahtumkuli`` are both ``mktmkl``."""
    for old, new in _DIGRAPHS:
        word = word.replace(old, new)
    word = _VOWELS_RE.sub("", word.translate(_GUTTURALS))
    return _DOUBLED_RE.sub(r"\1", word)


def same_name(word: str, other: str) -> bool:
    """Two folded, romanized words are spellings of one name: equal, or equal loose keys of four letters or more."""
    if word == other:
        return True
    key = name_key(word)
    return len(key) >= MIN_NAME_KEY and key == name_key(other)


def contains_name(have: list[str], wanted: list[str]) -> bool:
    """Whether ``wanted`` occurs as a run of whole words in ``have``, each word as a spelling of the same name."""
    size = len(wanted)
    return bool(size) and any(
        all(same_name(word, other) for word, other in zip(have[i : i + size], wanted, strict=True))
        for i in range(len(have) - size + 1)
    )


# ---------------------------------------------------------------- ids

MAX_SLUG = 64


def slugify(text: str, limit: int = MAX_SLUG) -> str:
    """Lower-case ASCII words joined by hyphens (other scripts in Latin letters), cut at a word boundary."""
    ascii_text = fold(text).encode("ascii", "ignore").decode("ascii").lower()
    found = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in found:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or (found[0][:limit] if found else "")


def unique_id(base: str, taken: Container[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever is free."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


# ---------------------------------------------------------------- quotes

_QUOTE_MARKS = str.maketrans(
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


@lru_cache(maxsize=128)  # a quote is checked by several rules in a row (its length, its words, its sentences, its place)
def normalize_quote(text: str) -> str:
    """The form in which quotes and sources are compared (case is kept: a quote is verbatim)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS)
    return _SPACE_RE.sub(" ", text).strip()


def quote_fragments(quote: str) -> list[str]:
    """The non-empty pieces of a quote between ellipses ("..." joins fragments that occur in order), normalized."""
    return [piece for piece in _ELLIPSIS_RE.split(normalize_quote(quote)) if piece]


MIN_QUOTE_WORDS = 3


def quote_too_short(quote: str) -> bool:
    """A quote must hold at least :data:`MIN_QUOTE_WORDS` words, so that it pins down a passage."""
    return len(_WORD_RE.findall(normalize_quote(quote))) < MIN_QUOTE_WORDS


def quote_words(quote: str) -> int:
    """How many words a quote holds (its fragments together)."""
    return len(_WORD_RE.findall(normalize_quote(quote)))


# A sentence ends at . ! ? or … after a word of two letters or more (not an initial, "J. Smith", nor a
# short abbreviation such as "Mr." or "No."), before white space and a capital letter in any script, or an
# opening quote mark or bracket.
_SENTENCE_END_RE = re.compile(r"(?<=[^\W_]{2}[.!?…])\s+(?=[\"'(«“‘]?[^\W\d_])")
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "no", "nos", "vs", "gen", "jr", "sr", "prof", "col", "lt", "gov"})


def sentence_starts(text: str) -> list[int]:
    """Where each sentence after the first begins in ``text`` (white space already single, as
    :func:`normalize_quote` leaves it)."""
    found = []
    for match in _SENTENCE_END_RE.finditer(text):
        following = text[match.end() :].lstrip("\"'(«“‘")
        before = text[: match.start()].rstrip(".!?…").rsplit(" ", 1)[-1]
        if following[:1].isupper() and before.casefold() not in _ABBREVIATIONS:
            found.append(match.end())
    return found


def quote_sentences(quote: str) -> int:
    """How many sentences a quote spans (its fragments joined as they are written)."""
    return 1 + len(sentence_starts(" ".join(quote_fragments(quote))))


def quote_found(quote: str, normalized_source: str) -> bool:
    """Whether ``quote`` occurs in ``normalized_source`` (already passed through :func:`normalize_quote`):
    each fragment in order, and each beginning and ending on a word boundary ("war" is not found in "warm")."""
    pieces = quote_fragments(quote)
    if not pieces:
        return False
    position = 0
    for piece in pieces:
        found = find_whole(normalized_source, piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def find_whole(text: str, piece: str, start: int) -> int:
    """Where ``piece`` first stands in ``text`` from ``start`` on, beginning and ending on a word boundary; -1 if nowhere."""
    found = text.find(piece, start)
    while found >= 0:
        before = text[found - 1] if found else " "
        after = text[found + len(piece)] if found + len(piece) < len(text) else " "
        cut_before = piece[0].isalnum() and before.isalnum()
        cut_after = piece[-1].isalnum() and after.isalnum()
        if not cut_before and not cut_after:
            return found
        found = text.find(piece, found + 1)
    return -1


# ---------------------------------------------------------------- unsafe characters

# "Unsafe text", one definition: every character of the Unicode categories Cc (controls), Cf (format:
# bidi marks and overrides, zero-width spaces and joiners, word joiner, byte-order mark, tag characters,
# soft hyphen), Zl and Zp (line and paragraph separators) and Cs (surrogates), as Python's Unicode
# database (14.0) lists them; tests/test_safety.py checks this class against unicodedata. Tab and
# newline are the exceptions the data needs: in multi-line fields (summaries, notes, quotes) only.
_UNSAFE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
UNSAFE_RE = re.compile(f"[{_UNSAFE}]")
# The patterns below are compiled when first used (re.compile keeps them): each of these classes takes
# 0.15-0.25 ms to compile, which every run would pay at start-up, and most runs never need them.
_UNSAFE_LINE = f"[{_UNSAFE}\t\n]"
# What may leave on stdout besides text: CRLF line ends (CSV, ICS) and, with colour on, Rich's SGR codes.
_OUTPUT = f"\r\n|\x1b\\[[0-9;]*m|[{_UNSAFE}]"
_OUTPUT_PLAIN = f"\r\n|[{_UNSAFE}]"


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if code < 0x100:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (a path's, decoded as Python decodes file names)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape_controls(text: str, *, keep_newlines: bool = True) -> str:
    """Show unsafe characters as escapes (``\\x1b``, ``\\u202e``); with ``keep_newlines=False`` tab and newline too."""
    pattern = UNSAFE_RE if keep_newlines else re.compile(_UNSAFE_LINE)
    return pattern.sub(_escape, text)


def _escape_output(match: re.Match[str]) -> str:
    piece = match.group()
    return piece if len(piece) > 1 else _escape(match)


# Printable ASCII, tab and newline: the bytes that can never be part of an unsafe character.
_SAFE_ASCII = bytes([0x09, 0x0A, *range(0x20, 0x7F)])


def _has_unsafe(text: str) -> bool:
    """Whether ``text`` holds an unsafe character. Its UTF-8 bytes (lone surrogates kept) less every safe ASCII
    byte leave the unsafe ASCII bytes and whole non-ASCII characters, a few hundred bytes in megabytes of
    output, which the class is then searched in: four times as fast as a search of the text itself (19 ms
    against 81 ms for 13 MB of JSON)."""
    rest = text.encode("utf-8", "surrogatepass").translate(None, _SAFE_ASCII)
    return bool(rest) and UNSAFE_RE.search(rest.decode("utf-8", "surrogatepass")) is not None


def escape_output(text: str, *, keep_sgr: bool = False) -> str:
    """Text bound for stdout, escaped at output time whatever its origin (data, cache, article):
    CRLF line ends stay, and with ``keep_sgr`` the colour codes Rich wrote; every other unsafe
    character is shown as an escape."""
    if not _has_unsafe(text):
        return text  # the usual case
    return re.compile(_OUTPUT if keep_sgr else _OUTPUT_PLAIN).sub(_escape_output, text)


def _escape_json(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the Basic Multilingual Plane: JSON writes a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def escape_json(encoded: str) -> str:
    """JSON text (as the json module writes it with ``ensure_ascii=False``) with every unsafe character written
    as a JSON escape, ``\\uXXXX`` (a surrogate pair beyond U+FFFF): a strict parser reads it back to the
    very same string, and no terminal is moved by it. Outside strings such JSON holds no unsafe character,
    so the escapes land inside strings only."""
    if not _has_unsafe(encoded):
        return encoded  # the usual case
    return UNSAFE_RE.sub(_escape_json, encoded)


def first_unsafe(text: str, *, multiline: bool = True) -> str | None:
    """The first unsafe character of ``text`` shown as an escape, or None; tab and newline count
    as unsafe unless ``multiline``."""
    match = (UNSAFE_RE if multiline else re.compile(_UNSAFE_LINE)).search(text)
    return None if match is None else _escape(match)


def shown(value: object, limit: int = 60) -> str:
    """A value echoed in a message: quoted, unsafe characters escaped, cut after ``limit`` characters."""
    text = value if isinstance(value, str) else str(value)
    quoted = repr(text[:limit] + ("…" if len(text) > limit else ""))
    # A byte that was not UTF-8 (decoded as Python decodes file names and arguments) as \\xff, not \\udcff.
    if "\\udc" not in quoted:
        return quoted
    return re.compile(_UNDECODED).sub(lambda match: f"{match[1]}\\x{match[2]}", quoted)


_UNDECODED = r"(?<!\\)((?:\\\\)*)\\udc([89a-f][0-9a-f])"  # (compiled when first used: see _UNSAFE_LINE)


def undecoded(text: str) -> bool:
    """Whether ``text`` holds a byte that was not UTF-8 (Python decodes file names and arguments so: a lone
    surrogate U+DC80–U+DCFF stands for each such byte)."""
    return not text.isascii() and any(0xDC80 <= ord(char) <= 0xDCFF for char in text)
