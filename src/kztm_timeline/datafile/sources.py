"""The rules of sources and citations across records: a web page's own rules (one source per address, a day
it was read), a citation's quote and translation, and events' old ids (``aliases``). The shape of each record,
the two forms of a source included, is :mod:`.shapes`'s."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass

from ..edtf import EdtfDate, EdtfError, parse_edtf
from ..text import MIN_QUOTE_WORDS, quote_found, quote_sentences, quote_too_short, quote_words, shown
from . import yaml_read
from .schema import MAX_WEB_QUOTE_WORDS
from .shapes import Findings


@dataclass(frozen=True)
class SourceKind:
    """What the checks of a citation need to know of its source: a web page (its quotes are checked only
    online), and whether its language is English (else each quote carries a translation)."""

    web: bool
    english: bool
    language: str


def source_kind(record: Mapping[str, object]) -> SourceKind:
    """The :class:`SourceKind` of a source's plain record."""
    language = str(record.get("language") or "en")
    return SourceKind("url" in record, language.split("-")[0].lower() == "en", language)


@dataclass(frozen=True)
class Registry:
    """What an event is checked against: the source and actor ids, each source's kind, and the folded text of
    every article kept with the data (None for a web page, or a file that could not be read)."""

    source_ids: set[str]
    actor_ids: set[str]
    kinds: dict[str, SourceKind]
    text: Callable[[str], str | None]
    corpora: frozenset[str] = frozenset()  # the corpora the sources belong to


def read_date(found: Findings, value: object, path: yaml_read.Path, dates: dict[yaml_read.Path, EdtfDate]) -> None:
    text = f"{value:04d}" if isinstance(value, int) else str(value)
    try:
        dates[path] = parse_edtf(text)
    except EdtfError as error:
        found.add(path, f"invalid date: {error}", "write an existing date in EDTF, e.g. 2021-10, 2020-09~ or 2024-08-05")


def renamed_ids(
    events: Iterable[tuple[int, Mapping[str, object]]], ids: Container[str], found: Findings | None = None
) -> dict[str, str]:
    """Each old id (``aliases``) of ``events`` (each with its number in the file) and the id it now has. With
    ``found``, an old id that is the id of an event (one of ``ids``), or that two events claim, is a problem."""
    renamed: dict[str, str] = {}
    for index, event in events:
        aliases = event.get("aliases")
        for number, alias in enumerate(aliases if isinstance(aliases, list) else []):
            path = ("events", index, "aliases", number)
            if alias in ids:
                if found is not None:
                    found.add(path, f"old id {shown(alias)} is the id of another event", "an old id names no event of today")
            elif alias in renamed:
                if found is not None and renamed[alias] != event["id"]:
                    found.add(path, f"old id {shown(alias)} is claimed by two events ({renamed[alias]} first)", "keep it on one")
            else:
                renamed[str(alias)] = str(event["id"])
    return renamed


def check_web_source(
    found: Findings,
    source: Mapping[str, object],
    path: yaml_read.Path,
    dates: dict[yaml_read.Path, EdtfDate],
    addresses: dict[str, int],
    index: int,
) -> None:
    """A web page's own rules: one source per address, and a day it was read, not before it was published."""
    address = str(source["url"])
    if address in addresses:
        found.add(
            (*path, "url"),
            f"the page {shown(address)} is registered twice (first as source #{addresses[address] + 1})",
            "cite the first source's id instead",
        )
    addresses.setdefault(address, index)
    if source.get("retrieved") is None:
        return
    read_date(found, source["retrieved"], (*path, "retrieved"), dates)
    retrieved = dates.get((*path, "retrieved"))
    if retrieved is None:
        return
    if retrieved.is_interval or retrieved.qualifier is not None or retrieved.first != retrieved.last:
        found.add(
            (*path, "retrieved"), f"retrieved {shown(retrieved.text)} is not a day", "give the day the page was read: YYYY-MM-DD"
        )
        return
    published = dates.get((*path, "published"))
    if (
        published is not None
        and published.first is not None
        and retrieved.first is not None
        and retrieved.first < published.first
    ):
        found.add(
            (*path, "retrieved"),
            f"retrieved on {retrieved.text}, before the page was published ({published.text})",
            "give the day the page was read",
        )


def check_citation(found: Findings, path: yaml_read.Path, citation: Mapping[str, object], registry: Registry) -> None:
    """A quote: its source exists; it is long enough; it carries a translation when the source is not in
    English; from a web page, it is one sentence of at most MAX_WEB_QUOTE_WORDS words (checked against the page
    only online); from an article kept with the data, it is found there."""
    source_id = str(citation["source"])
    quote = str(citation["quote"])
    if source_id not in registry.source_ids:
        found.add(
            (*path, "source"),
            f"unknown source {shown(source_id)}",
            suggest(source_id, registry.source_ids, "add it under sources:"),
        )
        return
    if quote_too_short(quote):
        found.add(
            (*path, "quote"),
            f"quote is shorter than {MIN_QUOTE_WORDS} words",
            "quote enough of the sentence to pin the passage down",
        )
        return
    kind = registry.kinds.get(source_id, SourceKind(False, True, "en"))
    _check_translation(found, path, citation, source_id, kind)
    if kind.web:
        _check_web_quote(found, path, quote)
        return
    text = registry.text(source_id)
    if text is not None and not quote_found(quote, text):
        found.add(
            (*path, "quote"),
            f"quote not found in source {shown(source_id)}",
            "copy the words exactly from the article; join separate fragments with '...'",
        )


def _check_translation(
    found: Findings, path: yaml_read.Path, citation: Mapping[str, object], source_id: str, kind: SourceKind
) -> None:
    if not kind.english and "translation" not in citation:
        found.add(
            (*path, "quote"),
            f"the quote is in {kind.language} (the language of {shown(source_id)}) and has no translation",
            "add translation: the quote in English, in our own words",
        )
    elif kind.english and "translation" in citation:
        found.add(
            (*path, "translation"),
            f"{shown(source_id)} is in English: its quote needs no translation",
            "remove translation:",
            at_key=True,
        )


def _check_web_quote(found: Findings, path: yaml_read.Path, quote: str) -> None:
    words = quote_words(quote)
    if words > MAX_WEB_QUOTE_WORDS:
        found.add(
            (*path, "quote"),
            f"a quote of a web page holds at most {MAX_WEB_QUOTE_WORDS} words; this one has {words}",
            "quote the words that carry the fact, joining fragments with '...'",
        )
    sentences = quote_sentences(quote)
    if sentences > 1:
        found.add(
            (*path, "quote"),
            f"a quote of a web page is at most one sentence; this one spans {sentences}",
            "quote one sentence, or cite the page twice",
        )


def suggest(value: str, known: set[str], otherwise: str) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return f"did you mean {shown(close[0])}?" if close else otherwise
