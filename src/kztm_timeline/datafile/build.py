"""Building model objects from validated plain values: shared by the validator and the parse cache.

Nothing here imports YAML, so a run served from the cache never loads PyYAML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..edtf import EdtfDate, parse_edtf
from ..model import Actor, Citation, Event, NoOutcome, Participant, Position, Relation, Source
from ..vocab import DEFAULT_CORPUS, Kind, Status


def source_from(record: dict[str, object], date_of: Callable[[object], EdtfDate | None]) -> Source:
    """A Source from a validated record."""
    return Source(
        id=str(record["id"]),
        file=text_or_none(record.get("file")),
        title=str(record["title"]),
        publisher=str(record["publisher"]),
        published=date_of(record.get("published")),
        note=text_or_none(record.get("note")),
        url=text_or_none(record.get("url")),
        language=str(record.get("language") or "en"),
        retrieved=date_of(record.get("retrieved")),
        archive_url=text_or_none(record.get("archive_url")),
        corpus=str(record.get("corpus") or DEFAULT_CORPUS),
    )


def actor_from(record: dict[str, object], date_of: Callable[[object], EdtfDate | None]) -> Actor:
    """An Actor from a validated record."""
    return Actor(
        id=str(record["id"]),
        name=str(record["name"]),
        type=str(record["type"]),
        country=text_or_none(record.get("country")),
        variants=tuple(str(variant) for variant in strings(record.get("variants"))),
        positions=tuple(
            Position(str(position["title"]), date_of(position.get("span"))) for position in mappings(record.get("positions"))
        ),
        note=text_or_none(record.get("note")),
        sector=text_or_none(record.get("sector")),
        views=tuple((corpus, actor_from(view, date_of)) for corpus, view in _views(record)),
    )


def _views(record: dict[str, object]) -> list[tuple[str, dict[str, object]]]:
    """``in_corpus``: each corpus with the record as that corpus tells it (the record with the view's fields)."""
    views = record.get("in_corpus")
    if not isinstance(views, dict):
        return []
    plain = {key: value for key, value in record.items() if key != "in_corpus"}
    return [(str(corpus), {**plain, **view}) for corpus, view in views.items() if isinstance(view, dict)]


def event_from(record: dict[str, object], when: EdtfDate, renamed: Mapping[str, str] | None = None) -> Event:
    """An Event from a validated record and its parsed date; ``renamed`` maps old ids (``aliases``) to the
    ids they now are, so that a link naming an old id points at the event (noting the id it was written as)."""
    return Event(
        id=str(record["id"]),
        date=when,
        title=str(record["title"]),
        kind=Kind(str(record["kind"])),
        status=Status(str(record["status"])),
        participants=tuple(Participant(str(item["actor"]), str(item["role"])) for item in mappings(record.get("participants"))),
        place=text_or_none(record.get("place")),
        topics=tuple(strings(record.get("topics"))),
        summary=str(record["summary"]),
        citations=tuple(
            Citation(str(item["source"]), str(item["quote"]), text_or_none(item.get("translation")))
            for item in mappings(record.get("citations"))
        ),
        related=tuple(_relation(item, renamed) for item in mappings(record.get("related"))),
        note=text_or_none(record.get("note")),
        evidence=text_or_none(record.get("evidence")),
        aliases=tuple(strings(record.get("aliases"))),
        no_outcome=_no_outcome(record.get("no_outcome_found")),
        views=tuple(
            (corpus, event_from(view, parse_optional_date(view["date"]) or when, renamed)) for corpus, view in _views(record)
        ),
    )


def _no_outcome(value: object) -> NoOutcome | None:
    if not isinstance(value, dict):
        return None
    as_of = parse_optional_date(value.get("as_of"))
    return None if as_of is None else NoOutcome(as_of, str(value.get("corpus")), str(value.get("note")))


def _relation(item: dict[str, object], renamed: Mapping[str, str] | None) -> Relation:
    target = str(item["event"])
    if renamed and target in renamed:
        return Relation(renamed[target], str(item["relation"]), alias=target)
    return Relation(target, str(item["relation"]))


def parse_optional_date(value: object) -> EdtfDate | None:
    """The EDTF date of an already validated value (None stays None)."""
    if value is None:
        return None
    return parse_edtf(f"{value:04d}" if isinstance(value, int) else str(value))


def text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def strings(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def mappings(value: object) -> list[dict[str, object]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
