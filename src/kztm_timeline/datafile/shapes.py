"""The shape rules of a data file's records (the fields :mod:`.schema` declares, and the forms a record may
take: a source is an article kept with the data or a web page) and the text-safety rule: what each record
must look like on its own, before any rule across records is checked."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from ..text import first_unsafe, shown
from . import yaml_read
from .patterns import LANGUAGE_PATTERN, SLUG_PATTERN, URL_PATTERN
from .schema import FORMS, SHAPES, Field, T

_SLUG_RE = re.compile(SLUG_PATTERN)
_URL_RE = re.compile(URL_PATTERN)
_LANGUAGE_RE = re.compile(LANGUAGE_PATTERN)


@dataclass
class Found:
    """A problem at a path of the plain values: where it is is worked out only when it is reported."""

    path: yaml_read.Path
    message: str
    hint: str
    at_key: bool = False


@dataclass
class Findings:
    items: list[Found] = field(default_factory=list)

    def add(self, path: yaml_read.Path, message: str, hint: str, *, at_key: bool = False) -> None:
        self.items.append(Found(path, message, hint, at_key))


def type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


_MISSING = object()
_KNOWN: dict[str, dict[str, Field]] = {record: {spec.name: spec for spec in fields} for record, fields in SHAPES.items()}


def check_record(
    found: Findings,
    value: object,
    record: str,
    path: yaml_read.Path,
    *,
    fields: Collection[str] | None = None,
    unknown: bool = True,
) -> None:
    """``value`` against the shape of ``record``: its unknown keys (unless not ``unknown``) and its fields (only
    those named in ``fields``, when given: a reader that checks a record in parts)."""
    # Hot at 100,000 events: paths are built only when a problem is found.
    if type(value) is not dict:
        found.add(path, f"expected a mapping ({record}), found {type_name(value)}", f"write the {record} as key: value lines")
        return
    known = _KNOWN[record]
    if unknown and not value.keys() <= known.keys():
        for key in value:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f"did you mean {shown(close[0])}?" if close else f"allowed keys: {', '.join(known)}"
                found.add((*path, key), f"unknown key {shown(key)} in {record}", hint, at_key=True)
    for spec in SHAPES[record]:
        if fields is not None and spec.name not in fields:
            continue
        field_value = value.get(spec.name, _MISSING)
        kind = spec.type
        if type(field_value) is str and field_value:  # the common cases, inline
            if kind is T.TEXT and not field_value.isspace() and (spec.multiline or one_line(field_value)):
                continue
            if kind is T.SLUG and _SLUG_RE.match(field_value):
                continue
            if kind is T.CHOICE and field_value in spec.choices:
                continue
        if field_value is _MISSING:
            if spec.required:
                found.add(
                    path,
                    f"{record} is missing the required key {shown(spec.name)}",
                    f"add {spec.name}: ({spec.description.rstrip('.')})",
                )
            continue
        _check_field(found, field_value, spec, path)
    if fields is None and record in FORMS:
        check_form(found, value, record, path)


def check_form(found: Findings, value: dict[str, object], record: str, path: yaml_read.Path) -> None:
    """The keys of the form the record takes (a source is a file or a web page), and none of another's."""
    forms = FORMS[record]
    marked = [form for form in forms if form.marker in value]
    if not marked:
        keys = " or ".join(f"{form.marker}: ({form.name})" for form in forms)
        found.add(path, f"{record} has neither {' nor '.join(form.marker for form in forms)}", f"add {keys}")
        return
    if len(marked) > 1:
        found.add(
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
            found.add(
                path,
                f"{record} ({form.name}) is missing the required key {shown(key)}",
                f"add {key}: ({spec.description.rstrip('.')})",
            )
    for key in form.forbids:
        if key in value:
            found.add(
                (*path, key),
                f"{shown(key)} does not belong to {form.name}",
                f"remove it, or make the {record} {form.name}",
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


def _check_field(found: Findings, value: object, spec: Field, parent: yaml_read.Path) -> None:
    kind = spec.type
    if kind is T.TEXT and type(value) is str and value and not value.isspace() and (spec.multiline or one_line(value)):
        return  # the common case, first
    if value is None:
        if not spec.nullable:
            found.add((*parent, spec.name), f"{spec.name} is empty", f"give a value: {spec.description.rstrip('.')}")
        return
    path = (*parent, spec.name)
    if kind is T.TEXT or kind is T.SLUG:
        _check_text(found, value, spec, path)
    elif kind is T.URL:
        if not isinstance(value, str) or not web_address(value):
            found.add(path, f"{spec.name} {shown(value)} is not a web address", "write it in full: https://host/path")
    elif kind is T.LANGUAGE:
        if not isinstance(value, str) or not _LANGUAGE_RE.match(value):
            found.add(path, f"{spec.name} {shown(value)} is not a BCP 47 language tag", "write e.g. en, ru, kk, tk or kk-Cyrl")
    elif kind is T.EDTF:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            found.add(path, f"{spec.name} must be an EDTF date, found {type_name(value)}", "write it like 2021-10 or 2024-08-05")
    elif kind is T.CHOICE:
        if not isinstance(value, str) or value not in spec.choices:
            given = value if isinstance(value, str) else type_name(value)
            close = difflib.get_close_matches(given, spec.choices, n=1, cutoff=0.6)
            hint = f"did you mean {shown(close[0])}?" if close else f"use one of: {', '.join(spec.choices)}"
            found.add(path, f"{spec.name} {shown(given)} is not allowed", hint)
    elif kind is T.TEXTS:
        _check_texts(found, value, spec, path)
    elif kind is T.SLUGS:
        _check_slugs(found, value, spec, path)
    elif kind is T.RECORD:
        check_record(found, value, spec.record, path)
    elif kind is T.VIEWS:
        if not isinstance(value, dict):
            found.add(path, f"{spec.name} must be a mapping of corpus names, found {type_name(value)}", "write corpus: fields")
            return
        for corpus, view in value.items():
            if not isinstance(corpus, str) or not _SLUG_RE.match(corpus):
                found.add((*path, corpus), f"{spec.name}: {shown(corpus)} is not a corpus name", "name a corpus of the sources")
            else:
                check_record(found, view, spec.record, (*path, corpus))
    elif not isinstance(value, list):
        found.add(path, f"{spec.name} must be a list, found {type_name(value)}", "write each item as a - entry")
    else:
        if len(value) < spec.min_items:
            found.add(path, f"{spec.name} needs at least {spec.min_items} item(s)", f"add a {spec.record}")
        for index, item in enumerate(value):
            check_record(found, item, spec.record, (*path, index))


def _check_text(found: Findings, value: object, spec: Field, path: yaml_read.Path) -> None:
    if not isinstance(value, str):
        found.add(path, f"{spec.name} must be text, found {type_name(value)}", "quote the value")
    elif not value or value.isspace():
        found.add(path, f"{spec.name} is blank", "write a value, or remove the key if it is optional")
    elif spec.type is T.SLUG and not _SLUG_RE.match(value):
        found.add(path, f"{spec.name} {shown(value)} is not a slug", "use lower-case letters, digits and single hyphens")
    elif not spec.multiline and not one_line(value):
        found.add(path, f"{spec.name} holds a line break or tab", ONE_LINE_HINT)


def _check_texts(found: Findings, value: object, spec: Field, path: yaml_read.Path) -> None:
    if not isinstance(value, list):
        found.add(path, f"{spec.name} must be a list, found {type_name(value)}", "write it as [a, b] or as - items")
        return
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item or item.isspace():
            found.add((*path, index), f"{spec.name} items must be non-empty text", "quote the item")
        elif not one_line(item):
            found.add((*path, index), f"{spec.name} items hold a line break or tab", ONE_LINE_HINT)


def _check_slugs(found: Findings, value: object, spec: Field, path: yaml_read.Path) -> None:
    if not isinstance(value, list):
        found.add(path, f"{spec.name} must be a list, found {type_name(value)}", "write it as [a, b] or as - items")
        return
    for index, item in enumerate(value):
        if not isinstance(item, str) or not _SLUG_RE.match(item):
            hint = "use lower-case letters, digits and single hyphens"
            found.add((*path, index), f"{spec.name} item {shown(item)} is not a slug", hint)


ONE_LINE_HINT = "write it on one line: only summaries, notes and quotes may span lines"


def one_line(text: str) -> bool:
    return "\n" not in text and "\t" not in text and "\r" not in text


def check_text_safety(found: Findings, value: object, path: yaml_read.Path = ()) -> None:
    """Every text in ``value`` (keys included, each reported at its own path) that holds an invisible or
    control character."""
    for where, text in yaml_read.iter_paths(value, path):
        unsafe = first_unsafe(text)
        if unsafe is not None:
            found.add(
                where,
                f"text contains the invisible or control character {unsafe}",
                "remove it: it could alter the terminal or hide text",
            )
