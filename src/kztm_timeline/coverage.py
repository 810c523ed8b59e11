"""An article read against the data: its paragraphs with the passages events quote, and coverage.

Coverage counts the article, not the page around it: the menus, headline and dateline above its first
paragraph, a "Last news" list after it, and labels of a word or three are page furniture, left out with
the reason shown (:func:`furniture`). A sentence counts as cited when the quotes cover at least
:data:`CITED_SHARE` of its words, so a three-word fragment does not cite a sentence of three clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .extract import datable_phrases, find_candidates, source_article
from .model import Dataset, Source
from .text import find_whole, normalize_quote, quote_fragments

COVERAGE_FIELDS = ("source", "sentences", "cited", "dated_uncovered", "excluded", "datable")
PARAGRAPH_FIELDS = ("paragraph", "text", "cited", "events")
CITED_SHARE = 0.5  # a sentence is cited when quotes cover at least this share of its words


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of an article, the passages of it that events quote, and those events."""

    number: int
    text: str
    cited: tuple[tuple[int, int], ...]  # character spans of ``text`` that a citation quotes
    events: tuple[str, ...]  # ids of the events that quote this paragraph


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Where each fragment of ``quote`` stands in ``text`` (white space and quote marks compared loosely)."""
    found = []
    for fragment in quote_fragments(quote):
        pattern = r"\s+".join(re.escape(word) for word in fragment.split(" "))
        match = re.search(pattern, normalize_quote(text).replace("\n", " "))
        if match is None:
            return []
        found.append((match.start(), match.end()))
    return found


def cited_paragraphs(dataset: Dataset, source: Source, text: str) -> list[Paragraph]:
    """The article's paragraphs (blocks between blank lines), each with the passages events quote from it."""
    citations = [
        (event.id, citation.quote) for event in dataset.events for citation in event.citations if citation.source == source.id
    ]
    found = []
    for number, block in enumerate((part.strip() for part in re.split(r"\n\s*\n", text)), 1):
        if not block:
            continue
        flat = normalize_quote(block)
        spans: list[tuple[int, int]] = []
        events: list[str] = []
        for event_id, quote in citations:
            located = _spans(flat, quote)
            if located:
                spans.extend(located)
                events.append(event_id)
        found.append(Paragraph(number, flat, tuple(sorted(set(spans))), tuple(dict.fromkeys(events))))
    return found


def marked_text(paragraphs: list[Paragraph], *, uncited_only: bool = False) -> str:
    """The article as plain text: each paragraph numbered, cited passages between ⟦ and ⟧, and the ids
    of the events that cite it below it. With ``uncited_only``, only the paragraphs no event cites."""
    out = []
    for paragraph in paragraphs:
        if uncited_only and paragraph.events:
            continue
        text, last = [], 0
        for start, end in _merged(paragraph.cited):
            text += [paragraph.text[last:start], "⟦", paragraph.text[start:end], "⟧"]
            last = end
        text.append(paragraph.text[last:])
        out.append(f"[{paragraph.number}] {''.join(text)}")
        if paragraph.events:
            out.append(f"    cited by: {', '.join(paragraph.events)}")
        out.append("")
    return "\n".join(out)


def _merged(spans: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# ---------------------------------------------------------------- page furniture

_LIST_HEADING_RE = re.compile(
    r"(?:last|latest|recent|related|more|other|top|popular|most read|read also|also read|see also|news feed)"
    r"(?: (?:news|articles|stories|posts|materials|publications))?:?",
    re.IGNORECASE,
)
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_SENTENCE_END = ".!?…\"'»”)"


def _body_line(line: str) -> bool:
    """A line of the article itself: eight words or more, or five or more ending as a sentence ends."""
    count = len(_LETTERS_RE.findall(line))
    return count >= 8 or (count >= 5 and line.rstrip()[-1:] in _SENTENCE_END)


def furniture(text: str) -> dict[int, str]:
    """The lines of a saved page that are not the article (1-based line → why): everything above its first
    paragraph (menus, breadcrumbs, headline, dateline), a list of other stories from its heading ("Last
    news", "Related articles", "Read also") to the end, whatever follows its last paragraph, and labels of
    three words or fewer in between. A text with no paragraph at all is left whole."""
    lines = [line.strip() for line in text.splitlines()]
    body = [number for number, line in enumerate(lines, 1) if _body_line(line)]
    if not body:
        return {}
    first = body[0]
    heading = next(
        (number for number, line in enumerate(lines, 1) if number > first and _LIST_HEADING_RE.fullmatch(line)), None
    )
    last = max((number for number in body if heading is None or number < heading), default=first)
    found: dict[int, str] = {}
    for number, line in enumerate(lines, 1):
        if not line:
            continue
        if number < first:
            found[number] = "page header above the article's first paragraph (menu, headline, dateline)"
        elif heading is not None and number >= heading:
            found[number] = f"a {lines[heading - 1]!r} list of other stories"
        elif number > last:
            found[number] = "page footer below the article's last paragraph"
        elif not _body_line(line) and len(_LETTERS_RE.findall(line)) <= 3:
            found[number] = "a menu item or label inside the page"
    return found


# ---------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Coverage:
    """How much of an article the data cites, what dated sentences no event covers, which lines of the page
    are not the article (and why), and the phrases that point at a date without giving one."""

    source: str
    sentences: int
    cited: int
    dated_uncovered: tuple[str, ...]  # "line N: expression" of dated sentences no event covers
    excluded: tuple[tuple[int, str, str], ...] = ()  # (line, text, reason) of the page furniture left out
    datable: tuple[tuple[int, str, str], ...] = ()  # (line, phrase, sentence) of undated but datable phrases


_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z«\"“'])")  # as extract.sentences splits a line


def _covered_words(sentence: str, spans: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    """How many words ``sentence`` (at ``offset`` of its line) has, and how many of them ``spans`` cover."""
    words = [(offset + match.start(), offset + match.end()) for match in re.finditer(r"\w+", sentence)]
    covered = sum(1 for start, end in words if any(low <= start and end <= high for low, high in spans))
    return len(words), covered


def _fragment_spans(line: str, fragments: list[str]) -> list[tuple[int, int]]:
    """Every place in ``line`` (normalized) where a quote's fragment stands, on word boundaries."""
    spans = []
    for fragment in fragments:
        found = find_whole(line, fragment, 0)
        while found >= 0:
            spans.append((found, found + len(fragment)))
            found = find_whole(line, fragment, found + 1)
    return spans


def cited_sentences(text: str, fragments: list[str], left_out: dict[int, str]) -> tuple[int, int]:
    """How many sentences the article has (its furniture left out), and how many of them the quotes'
    ``fragments`` cite: cover at least :data:`CITED_SHARE` of their words."""
    total = cited = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = normalize_quote(raw)
        if not line or number in left_out:
            continue
        spans = _fragment_spans(line, fragments)
        position = 0
        for piece in _SPLIT_RE.split(line):
            offset = line.index(piece, position)
            position = offset + len(piece)
            words, covered = _covered_words(piece, spans, offset)
            if not words:
                continue
            total += 1
            cited += covered >= CITED_SHARE * words
    return total, cited


def measure_coverage(dataset: Dataset, source: Source, text: str) -> Coverage:
    fragments = [
        piece
        for event in dataset.events
        for citation in event.citations
        if citation.source == source.id
        for piece in quote_fragments(citation.quote)
    ]
    left_out = furniture(text)
    total, cited = cited_sentences(text, fragments, left_out)
    candidates = [c for c in find_candidates(dataset, source_article(source, text)) if c.line not in left_out]
    uncovered = tuple(f"line {candidate.line}: {candidate.expression}" for candidate in candidates if not candidate.present)
    lines = text.splitlines()
    excluded = tuple((number, lines[number - 1].strip(), reason) for number, reason in sorted(left_out.items()))
    datable = tuple((d.line, d.phrase, d.sentence) for d in datable_phrases(text) if d.line not in left_out)
    return Coverage(source.id, total, cited, uncovered, excluded, datable)


def furniture_summary(excluded: tuple[tuple[int, str, str], ...]) -> list[str]:
    """The furniture left out, as runs of lines with one reason: ``lines 1-9: page header …``."""
    runs: list[tuple[int, int, str]] = []
    for number, _, reason in excluded:
        if runs and runs[-1][2] == reason and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number, reason)
        elif runs and runs[-1][2] == reason and all(n not in range(runs[-1][1] + 1, number) for n, _, _ in excluded):
            runs[-1] = (runs[-1][0], number, reason)  # only blank lines between: one run
        else:
            runs.append((number, number, reason))
    return [f"line {first}: {reason}" if first == last else f"lines {first}-{last}: {reason}" for first, last, reason in runs]
