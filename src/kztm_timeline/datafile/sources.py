"""The rules of sources and citations, and what every check shares: a problem found at a path of the data,
the two forms of a source (an article kept with the data, a web page) and a web page's own rules, a
citation's quote and translation, and events' old ids (``aliases``)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..edtf import EdtfDate, EdtfError, parse_edtf
from ..text import MIN_QUOTE_WORDS, quote_found, quote_sentences, quote_too_short, quote_words, shown
from . import yaml_read
from .schema import FORMS, MAX_WEB_QUOTE_WORDS, SHAPES, URL_PATTERN, Field

_URL_RE = re.compile(URL_PATTERN)
_KNOWN: dict[str, dict[str, Field]] = {record: {spec.name: spec for spec in fields} for record, fields in SHAPES.items()}


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


@dataclass
class Found:
    path: yaml_read.Path
    message: str
    hint: str
    at_key: bool = False


@dataclass
class Checker:
    items: list[Found] = field(default_factory=list)

    def add(self, path: yaml_read.Path, message: str, hint: str, *, at_key: bool = False) -> None:
        self.items.append(Found(path, message, hint, at_key))


def check_form(checker: Checker, value: dict[str, object], record: str, path: yaml_read.Path) -> None:
    """The keys of the form the record takes (a source is a file or a web page), and none of another's."""
    forms = FORMS[record]
    marked = [form for form in forms if form.marker in value]
    if not marked:
        keys = " or ".join(f"{form.marker}: ({form.name})" for form in forms)
        checker.add(path, f"{record} has neither {' nor '.join(form.marker for form in forms)}", f"add {keys}")
        return
    if len(marked) > 1:
        checker.add(
            (*path, marked[1].marker),
            f"a {record} is {' or '.join(form.name for form in forms)}, not both",
            f"keep one of {', '.join(form.marker for form in marked)}",
            at_key=True,
        )
        return
    form = marked[0]
    for key in form.requires:
        if key not in value:
            spec = _KNOWN[record][key]
            checker.add(
                path,
                f"{record} ({form.name}) is missing the required key {shown(key)}",
                f"add {key}: ({spec.description.rstrip('.')})",
            )
    for key in form.forbids:
        if key in value:
            checker.add(
                (*path, key),
                f"{shown(key)} does not belong to {form.name}",
                f"remove it, or make the {record} a {form.name}",
                at_key=True,
            )


def web_address(value: str) -> bool:
    """An http or https address with a host, no white space and no credentials."""
    from urllib.parse import urlsplit

    if not _URL_RE.match(value):
        return False
    try:
        parts = urlsplit(value)
        return bool(parts.hostname) and parts.username is None and parts.password is None and parts.port != 0
    except ValueError:
        return False


def read_date(checker: Checker, value: object, path: yaml_read.Path, dates: dict[yaml_read.Path, EdtfDate]) -> None:
    text = f"{value:04d}" if isinstance(value, int) else str(value)
    try:
        dates[path] = parse_edtf(text)
    except EdtfError as error:
        checker.add(path, f"invalid date: {error}", "write an existing date in EDTF, e.g. 2021-10, 2020-09~ or 2024-08-05")


@dataclass
class Registry:
    """The sources and actors as the events' checks need them: the ids, each source's kind, and the folded
    text of every article kept with the data (None for a web page, or a file that could not be read)."""

    source_ids: set[str]
    actor_ids: set[str]
    kinds: dict[str, SourceKind]
    text: Callable[[str], str | None]


def renamed_ids(events: list[dict[str, object]], checker: Checker | None = None) -> dict[str, str]:
    """Each old id (``aliases``) of the events and the id it now has. With ``checker``, an old id that is the
    id of an event, or that two events claim, is a problem."""
    ids = {str(event["id"]) for event in events}
    found: dict[str, str] = {}
    for index, event in enumerate(events):
        aliases = event.get("aliases")
        for number, alias in enumerate(aliases if isinstance(aliases, list) else []):
            path = ("events", index, "aliases", number)
            if alias in ids:
                if checker is not None:
                    checker.add(path, f"old id {shown(alias)} is the id of another event", "an old id names no event of today")
            elif alias in found:
                if checker is not None and found[alias] != event["id"]:
                    checker.add(path, f"old id {shown(alias)} is claimed by two events ({found[alias]} first)", "keep it on one")
            else:
                found[str(alias)] = str(event["id"])
    return found


def check_web_source(
    checker: Checker,
    source: dict[str, object],
    path: yaml_read.Path,
    dates: dict[yaml_read.Path, EdtfDate],
    addresses: dict[str, int],
    index: int,
) -> None:
    """A web page's own rules: one source per address, and a day it was read, not before it was published."""
    address = str(source["url"])
    if address in addresses:
        checker.add(
            (*path, "url"),
            f"the page {shown(address)} is registered twice (first as source #{addresses[address] + 1})",
            "cite the first source's id instead",
        )
    addresses.setdefault(address, index)
    if source.get("retrieved") is None:
        return
    read_date(checker, source["retrieved"], (*path, "retrieved"), dates)
    retrieved = dates.get((*path, "retrieved"))
    if retrieved is None:
        return
    if retrieved.is_interval or retrieved.qualifier is not None or retrieved.first != retrieved.last:
        checker.add(
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
        checker.add(
            (*path, "retrieved"),
            f"retrieved on {retrieved.text}, before the page was published ({published.text})",
            "give the day the page was read",
        )


def check_citation(checker: Checker, path: yaml_read.Path, citation: dict[str, object], registry: Registry) -> None:
    """A quote: its source exists; it is long enough; it carries a translation when the source is not in
    English; from a web page, it is one sentence of at most MAX_WEB_QUOTE_WORDS words (checked against the page
    only online); from an article kept with the data, it is found there."""
    source_id = str(citation["source"])
    quote = str(citation["quote"])
    if source_id not in registry.source_ids:
        checker.add(
            (*path, "source"),
            f"unknown source {shown(source_id)}",
            suggest(source_id, registry.source_ids, "add it under sources:"),
        )
        return
    if quote_too_short(quote):
        checker.add(
            (*path, "quote"),
            f"quote is shorter than {MIN_QUOTE_WORDS} words",
            "quote enough of the sentence to pin the passage down",
        )
        return
    kind = registry.kinds.get(source_id, SourceKind(False, True, "en"))
    if not kind.english and "translation" not in citation:
        checker.add(
            (*path, "quote"),
            f"the quote is in {kind.language} (the language of {shown(source_id)}) and has no translation",
            "add translation: the quote in English, in our own words",
        )
    elif kind.english and "translation" in citation:
        checker.add(
            (*path, "translation"),
            f"{shown(source_id)} is in English: its quote needs no translation",
            "remove translation:",
            at_key=True,
        )
    if kind.web:
        words = quote_words(quote)
        if words > MAX_WEB_QUOTE_WORDS:
            checker.add(
                (*path, "quote"),
                f"a quote of a web page holds at most {MAX_WEB_QUOTE_WORDS} words; this one has {words}",
                "quote the words that carry the fact, joining fragments with '...'",
            )
        sentences = quote_sentences(quote)
        if sentences > 1:
            checker.add(
                (*path, "quote"),
                f"a quote of a web page is at most one sentence; this one spans {sentences}",
                "quote one sentence, or cite the page twice",
            )
        return
    text = registry.text(source_id)
    if text is not None and not quote_found(quote, text):
        checker.add(
            (*path, "quote"),
            f"quote not found in source {shown(source_id)}",
            "copy the words exactly from the article; join separate fragments with '...'",
        )


def suggest(value: str, known: set[str], otherwise: str) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return f"did you mean {shown(close[0])}?" if close else otherwise
