"""The data file's shapes, declared once: each record's fields and their types.

The validator checks records against these specs, and the JSON Schema of the
data file (``timeline schema``) is generated from them, so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..vocab import ACTOR_TYPES, EVIDENCE, RELATIONS, ROLES, SECTORS, Kind, Status

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
EDTF_PATTERN = r"^[0-9X./?~%-]+$"
SINGLE_LINE_PATTERN = r"^[^\n\t]*$"


class T(StrEnum):
    """Value types of a field."""

    TEXT = "text"
    SLUG = "slug"
    EDTF = "edtf"
    CHOICE = "choice"
    TEXTS = "texts"
    LIST = "list"


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
        Field("file", T.TEXT, True, "Article text file, relative to the folder of the data file."),
        Field("title", T.TEXT, True, "The article's headline."),
        Field("publisher", T.TEXT, True, "Who published the article."),
        Field("published", T.EDTF, True, "Publication date (EDTF), or null where the article gives none.", nullable=True),
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
    ),
    "position": (
        Field("title", T.TEXT, True, "The office as the sources name it."),
        Field("span", T.EDTF, False, "When the sources attest it (EDTF).", nullable=True),
    ),
    "event": (
        Field("id", T.SLUG, True, "Stable slug."),
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
            "A verbatim quote from that source, at least three whole words; '...' joins fragments.",
            multiline=True,
        ),
    ),
    "relation": (
        Field("event", T.SLUG, True, "Another event's id."),
        Field("relation", T.CHOICE, True, "How this event relates to it.", choices=RELATIONS),
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
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [field.name for field in fields if field.required],
        "properties": {field.name: _field_schema(field) for field in fields},
    }


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
    elif field.type is T.CHOICE:
        schema = {"enum": list(field.choices)}
    elif field.type is T.TEXTS:
        schema = {"type": "array", "items": {"type": "string", "minLength": 1, "pattern": SINGLE_LINE_PATTERN}}
    else:
        schema = {"type": "array", "items": {"$ref": f"#/$defs/{field.record}"}}
        if field.min_items:
            schema["minItems"] = field.min_items
    if field.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return {"description": field.description, **schema}
