"""PLOVER event records, field by field as the PLOVER manual's JSON table has them (openeventdata/PLOVER,
``PLOVER_MANUAL.tex`` at 5e0c24f of 4 February 2024, chapter "Data Fields").

Fields: ``id``; ``date`` and ``enddate`` (YYYY-MM-DD: the first and last day the event's EDTF date covers);
``actor`` (required) and ``recipient`` (optional), lists of entity objects with ``code`` (ISO 3166 alpha-3, or
IGO), ``sector``, ``entity_text`` (the name as the event's quotes spell it), ``identifier_text`` (the one name
every spelling resolves to) and ``office``; ``event``, ``mode`` and ``context`` (lists, from the manual's
vocabularies); ``quad_code`` and ``event_scale`` (the manual's quad and the PLOVER score of the category, or of
its mode where the manual scores the mode); ``event_loc`` (a location object: ``extracted_place``);
``event_text`` (the cited quotes: the source text); ``cite_info`` (a citation object: ``corpus``,
``citation``, ``url`` for sources on the web, ``title``, ``language`` as ISO 639-1, ``publication``,
``coder``, ``codebook``, ``version``). Two extra fields, which the manual allows, keep what PLOVER has no
name for: ``date_edtf`` (the date at its real precision) and ``cameo``.

Actor and recipient come from the roles, as the manual's CONSULT section says: the visitor is the actor and
the host the recipient; callers call callees; where no side is distinguished every participant is an actor.
Honorees (the poet a monument is for) are no entities. A record without an actor cannot be written: the
manual requires one. A planned or announced event is AGREE (the manual: cooperative actions "reported in
future tense are also taken to imply intentions and should be coded as AGREE").

JSON Lines, one record a line, as the manual suggests; a JSON array when the output file is named ``.json``.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..contract import TOOL_VERSION, View, dumps, iso, sides
from ..errors import TimelineError
from ..model import Actor, Dataset, Event
from ..vocab import ALPHA3, KINDS, LANGUAGES, PLOVER_CODEBOOK, PLOVER_QUAD, PLOVER_SCORE, Status


def schema_path() -> str:
    """The JSON Schema of a PLOVER record (what the schema command prints for PLOVER), written by hand from the
    manual's JSON table. It is kept with the tests that check every record against it (``tests/schemas``); the
    wheel ships it as ``_shipped/schema/plover.schema.json``."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "_shipped" / "schema" / "plover.schema.json"
    if installed.is_file():
        return str(installed)
    return str(here.parent.parent / "tests" / "schemas" / "plover.schema.json")


def spelled(actor: Actor, quotes: list[str]) -> str:
    """The actor's name as the quotes spell it: the longest of its names found as whole words, else its name."""
    found = [name for name in actor.names if any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", quote) for quote in quotes)]
    return max(found, key=len) if found else actor.name


def entity_object(actor: Actor, quotes: list[str]) -> dict[str, object]:
    """A PLOVER entity object: ISO alpha-3 country code (IGO for an international body), sector, the name as
    the source writes it, the name all spellings resolve to, and the last office the data records."""
    record: dict[str, object] = {}
    if actor.country is not None and actor.country in ALPHA3:
        record["code"] = ALPHA3[actor.country]
    elif actor.country is None and actor.type == "organisation":
        record["code"] = "IGO"
    sector = actor.sector or ("GOV" if actor.type in ("person", "state") else None)
    if sector is not None:
        record["sector"] = sector
    record["entity_text"] = spelled(actor, quotes)
    record["identifier_text"] = actor.name
    if actor.positions:
        record["office"] = actor.positions[-1].title
    return record


def cite_info(dataset: Dataset, event: Event) -> dict[str, object]:
    """The citation object of the event's sources: their ids, web addresses, titles, language and publishers
    (several joined by "; "); ``language`` only when they share one."""
    sources = [dataset.source_by_id[source] for source in dict.fromkeys(citation.source for citation in event.citations)]
    record: dict[str, object] = {"corpus": "kztm-timeline", "citation": "; ".join(source.id for source in sources)}
    urls = [source.url for source in sources if source.url]
    if urls:
        record["url"] = "; ".join(urls)
    record["title"] = "; ".join(source.title for source in sources)
    languages = {_iso_639_1(source.language) for source in sources}
    if len(languages) == 1 and None not in languages:
        record["language"] = languages.pop()
    record["publication"] = "; ".join(source.publisher for source in sources)
    record["coder"] = "coded by hand (kztm-timeline curation)"
    record["codebook"] = PLOVER_CODEBOOK
    record["version"] = TOOL_VERSION
    return record


def _iso_639_1(tag: str) -> str | None:
    """The ISO 639-1 code of a BCP 47 language tag (``kk-Cyrl`` is ``kk``); None for a language without one."""
    primary = tag.split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def plover_record(dataset: Dataset, event: Event) -> dict[str, object]:
    info = KINDS[event.kind]
    planned = event.status is Status.PLANNED
    category = "AGREE" if planned else info.plover_event
    mode = "" if planned else info.plover_mode
    actor, recipient = sides(dataset, event)
    if not actor:
        raise TimelineError(f"cannot write the PLOVER record of {event.id}: {event.id} has no actor; PLOVER requires one")
    quotes = [citation.quote for citation in event.citations]
    first, last = event.date.first or event.date.last, event.date.last or event.date.first
    record: dict[str, object] = {"id": event.id, "date": iso(first)}
    if last != first:
        record["enddate"] = iso(last)
    record["actor"] = [entity_object(entity, quotes) for entity in actor]
    if recipient:
        record["recipient"] = [entity_object(entity, quotes) for entity in recipient]
    record["event"] = [category]
    if mode:
        record["mode"] = [mode]
    record["context"] = [info.plover_context]
    record["quad_code"] = PLOVER_QUAD[category]
    record["event_scale"] = PLOVER_SCORE.get(f"{category}:{mode}", PLOVER_SCORE[category])
    if event.place is not None:
        record["event_loc"] = {"extracted_place": event.place}
    record["event_text"] = quotes
    record["cite_info"] = cite_info(dataset, event)
    record["date_edtf"] = event.date.text
    record["cameo"] = "036" if planned else info.cameo
    return record


def render_plover(view: View) -> str:
    """JSON Lines, as the manual suggests: one record per line; with the option ``container: array`` (an output
    file named ``.json``), a JSON array of the same records, one a line."""
    lines = [dumps(plover_record(view.dataset, event), pretty=False, spaced=True) for event in view.events]
    if view.options.get("container") == "array":
        return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"
    return "".join(line + "\n" for line in lines)
