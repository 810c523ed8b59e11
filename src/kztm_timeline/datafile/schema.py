"""The data file's shapes, declared once: each record's fields and their types.

The validator checks records against these specs, and the JSON Schema of the
data file (``timeline schema``) is generated from them, so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..vocab import ACTOR_TYPES, DEFAULT_CORPUS, EVIDENCE, RELATIONS, ROLES, SECTORS, Kind, Status
from .patterns import EDTF_PATTERN, LANGUAGE_PATTERN, SINGLE_LINE_PATTERN, SLUG_PATTERN, URL_PATTERN

MAX_WEB_QUOTE_WORDS = 40  # a quote of a web page: at most one sentence and this many words


class T(StrEnum):
    """Value types of a field."""

    TEXT = "text"
    SLUG = "slug"
    EDTF = "edtf"
    CHOICE = "choice"
    TEXTS = "texts"
    LIST = "list"
    URL = "url"
    LANGUAGE = "language"
    SLUGS = "slugs"
    RECORD = "record"  # one mapping of the shape ``record``
    VIEWS = "views"  # a mapping of corpus names to mappings of the shape ``record``


@dataclass(frozen=True)
class Field:
    name: str
    type: T
    required: bool
    description: str
    nullable: bool = False
    choices: tuple[str, ...] = ()
    record: str = ""
    min_items: int = 0
    multiline: bool = False  # text that may hold newlines and tabs; every other text is one line


SHAPES: dict[str, tuple[Field, ...]] = {
    "file": (
        Field("sources", T.LIST, True, "The articles the events come from.", record="source", min_items=1),
        Field("actors", T.LIST, True, "People, states and organisations.", record="actor"),
        Field("events", T.LIST, True, "The timeline's events.", record="event"),
    ),
    "source": (
        Field("id", T.SLUG, True, "Stable id used in citations."),
        Field(
            "file",
            T.TEXT,
            False,
            "An article kept with the data: its text file, relative to the folder of the data file (give file or url).",
        ),
        Field("url", T.URL, False, "A web page: its address (give file or url). Its text is never stored here."),
        Field("title", T.TEXT, True, "The article's headline."),
        Field("publisher", T.TEXT, True, "Who published the article."),
        Field("published", T.EDTF, True, "Publication date (EDTF), or null where the article gives none.", nullable=True),
        Field(
            "language",
            T.LANGUAGE,
            False,
            "The language of the text (BCP 47: en, ru, kk, tk); required for a web page; default en. "
            "Quotes are in this language; one not in English carries a translation.",
        ),
        Field("retrieved", T.EDTF, False, "A web page: the day it was read (YYYY-MM-DD); required for a web page."),
        Field("archive_url", T.URL, False, "A web page: an archived copy of it, e.g. in the Wayback Machine."),
        Field(
            "corpus",
            T.SLUG,
            False,
            f"The named corpus the source belongs to (--corpus NAME); required for a web page; a file's default: "
            f"{DEFAULT_CORPUS}.",
        ),
        Field(
            "note", T.TEXT, False, "How the publication date was inferred, or other remarks.", nullable=True, multiline=True
        ),
    ),
    "actor": (
        Field("id", T.SLUG, True, "Stable id used in participants."),
        Field("name", T.TEXT, True, "Canonical name."),
        Field("type", T.CHOICE, True, "What the actor is.", choices=ACTOR_TYPES),
        Field("country", T.TEXT, True, "ISO 3166-1 alpha-2 code, or null for an international actor.", nullable=True),
        Field("variants", T.TEXTS, True, "Every other spelling the sources use."),
        Field("positions", T.LIST, False, "Offices held, with the span the sources attest.", record="position"),
        Field(
            "sector",
            T.CHOICE,
            False,
            "PLOVER sector code; persons and states default to GOV.",
            nullable=True,
            choices=SECTORS,
        ),
        Field("note", T.TEXT, False, "Remarks.", nullable=True, multiline=True),
        Field(
            "in_corpus",
            T.VIEWS,
            False,
            "The actor as one corpus alone tells it, where that differs (--corpus NAME shows it): corpus name: fields.",
            record="actor_view",
        ),
    ),
    "position": (
        Field("title", T.TEXT, True, "The office as the sources name it."),
        Field("span", T.EDTF, False, "When the sources attest it (EDTF).", nullable=True),
    ),
    "event": (
        Field("id", T.SLUG, True, "Stable slug."),
        Field(
            "aliases",
            T.SLUGS,
            False,
            "Ids this event had before it was renamed: show, related links and scripts that use one keep working.",
        ),
        Field("date", T.EDTF, True, "EDTF date at the precision the source gives."),
        Field("title", T.TEXT, True, "Short title, in our own words."),
        Field("kind", T.CHOICE, True, "Event kind; maps to CAMEO and PLOVER.", choices=tuple(kind.value for kind in Kind)),
        Field("status", T.CHOICE, True, "Whether it happened or was planned.", choices=tuple(s.value for s in Status)),
        Field("participants", T.LIST, True, "Actors and their roles.", record="participant", min_items=1),
        Field("place", T.TEXT, True, "Where it took place, or null.", nullable=True),
        Field("topics", T.TEXTS, True, "Subjects, lower case."),
        Field("summary", T.TEXT, True, "What happened, in our own words.", multiline=True),
        Field("note", T.TEXT, False, "How the date or facts were inferred.", nullable=True, multiline=True),
        Field(
            "evidence",
            T.CHOICE,
            False,
            "Where the date comes from: quoted (a cited quote says it), reported (the article's date bounds it), "
            "inferred (the note says how).",
            choices=EVIDENCE,
        ),
        Field("citations", T.LIST, True, "Evidence: a source and a verbatim quote.", record="citation", min_items=1),
        Field("related", T.LIST, False, "Links to other events.", record="relation"),
        Field(
            "no_outcome_found",
            T.RECORD,
            False,
            "A plan whose outcome was looked for in a corpus and not found: as of which day, where, and what was found.",
            record="no_outcome",
        ),
        Field(
            "in_corpus",
            T.VIEWS,
            False,
            "The event as one corpus alone tells it, where that differs (--corpus NAME shows it): corpus name: fields.",
            record="event_view",
        ),
    ),
    "no_outcome": (
        Field("as_of", T.EDTF, True, "The day the corpus was last searched for the plan's outcome (YYYY-MM-DD)."),
        Field("corpus", T.SLUG, True, "The corpus that was searched."),
        Field("note", T.TEXT, True, "What was found instead, in our own words.", multiline=True),
    ),
    "participant": (
        Field("actor", T.SLUG, True, "An actor id."),
        Field("role", T.CHOICE, True, "The actor's part in the event.", choices=ROLES),
    ),
    "citation": (
        Field("source", T.SLUG, True, "A source id."),
        Field(
            "quote",
            T.TEXT,
            True,
            "A verbatim quote from that source, in its language, at least three whole words; '...' joins fragments. "
            f"From a web page: at most one sentence and {MAX_WEB_QUOTE_WORDS} words.",
            multiline=True,
        ),
        Field(
            "translation",
            T.TEXT,
            False,
            "The quote in English, in our own words; required when the source's language is not English.",
            multiline=True,
        ),
    ),
    "relation": (
        Field("event", T.SLUG, True, "Another event's id."),
        Field("relation", T.CHOICE, True, "How this event relates to it.", choices=RELATIONS),
    ),
}


# What a corpus may tell otherwise of an event or an actor (``in_corpus``): these fields, none of them required.
VIEWED: dict[str, tuple[str, ...]] = {
    "event_view": ("id", "date", "evidence", "title", "summary", "note", "place", "topics", "participants", "related"),
    "actor_view": ("name", "variants", "positions", "note"),
}
for _view, _names in VIEWED.items():
    _base = {field.name: field for field in SHAPES[_view.removesuffix("_view")]}
    SHAPES[_view] = tuple(
        Field(name, _base[name].type, False, _base[name].description, _base[name].nullable or not _base[name].required,
              _base[name].choices, _base[name].record, _base[name].min_items, _base[name].multiline)
        for name in _names
    )  # fmt: skip


@dataclass(frozen=True)
class Form:
    """One form a record may take (a source is a file or a web page): the key that marks it, the keys it
    requires, and the keys it may not have."""

    name: str
    marker: str
    requires: tuple[str, ...]
    forbids: tuple[str, ...]


FORMS: dict[str, tuple[Form, ...]] = {
    "source": (
        Form("an article kept with the data", "file", ("file",), ("url", "retrieved", "archive_url")),
        Form("a web page", "url", ("url", "language", "retrieved", "corpus"), ("file",)),
    ),
}


def json_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of the data file."""
    defs = {name: _record_schema(name) for name in SHAPES if name != "file"}
    schema = _record_schema("file")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kztm-timeline.invalid/schema/events.schema.json",
        "title": "kztm-timeline data file",
        **schema,
        "$defs": defs,
    }


def _record_schema(name: str) -> dict[str, object]:
    fields = SHAPES[name]
    schema: dict[str, object] = {
        "type": "object",
        "additionalProperties": False,
        "required": [field.name for field in fields if field.required],
        "properties": {field.name: _field_schema(field) for field in fields},
    }
    if name in FORMS:
        schema["oneOf"] = [
            {
                "description": form.name,
                "required": list(form.requires),
                "not": {"anyOf": [{"required": [key]} for key in form.forbids]},
            }
            for form in FORMS[name]
        ]
    return schema


def _field_schema(field: Field) -> dict[str, object]:
    schema: dict[str, object]
    if field.type is T.TEXT:
        schema = {"type": "string", "minLength": 1}
        if not field.multiline:
            schema["pattern"] = SINGLE_LINE_PATTERN
    elif field.type is T.SLUG:
        schema = {"type": "string", "pattern": SLUG_PATTERN}
    elif field.type is T.EDTF:
        schema = {"type": ["string", "integer"], "pattern": EDTF_PATTERN}
    elif field.type is T.URL:
        schema = {"type": "string", "pattern": URL_PATTERN}
    elif field.type is T.LANGUAGE:
        schema = {"type": "string", "pattern": LANGUAGE_PATTERN}
    elif field.type is T.CHOICE:
        schema = {"enum": list(field.choices)}
    elif field.type is T.SLUGS:
        schema = {"type": "array", "items": {"type": "string", "pattern": SLUG_PATTERN}}
    elif field.type is T.TEXTS:
        schema = {"type": "array", "items": {"type": "string", "minLength": 1, "pattern": SINGLE_LINE_PATTERN}}
    elif field.type is T.RECORD:
        schema = {"$ref": f"#/$defs/{field.record}"}
    elif field.type is T.VIEWS:
        schema = {"type": "object", "additionalProperties": {"$ref": f"#/$defs/{field.record}"}}
    else:
        schema = {"type": "array", "items": {"$ref": f"#/$defs/{field.record}"}}
        if field.min_items:
            schema["minItems"] = field.min_items
    if field.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return {"description": field.description, **schema}
