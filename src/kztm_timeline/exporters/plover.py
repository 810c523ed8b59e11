"""PLOVER event records, one JSON object per line, field by field as the PLOVER manual's JSON table has them.

Fields (manual, "Data Fields"): ``id``, ``date`` and ``enddate`` (YYYY-MM-DD: the first and last day the
event's EDTF date covers), ``source`` and ``recipient`` (lists of actor objects with ``code``, ``sector``,
``actor_text``, ``identifier_text`` and ``office``), ``event``, ``mode`` and ``context`` (lists, from the
manual's vocabularies), ``quad_code`` and ``event_scale`` (the manual's quad and PLOVER score),
``event_loc`` (a location object with ``name`` and ``country code``), ``event_text`` (the cited quotes:
the source text) and ``cite_info`` (a citation object). Two extra fields, which the manual allows, keep
what PLOVER has no name for: ``date_edtf`` (the date at its real precision) and ``cameo``.

Source and recipient come from the roles, as the manual's CONSULT section says: the visitor is the
source and the host the recipient; callers call callees; with no clear side every participant is a
source. Honorees (the poet a monument is for) are no actors. A planned or announced event is AGREE (the
manual: "All cooperative actions reported in future tense are also taken to imply intentions").
"""

from __future__ import annotations

from ..contract import TOOL_VERSION, View, dumps, iso, sides
from ..model import Actor, Dataset, Event
from ..vocab import ALPHA3, KINDS, PLOVER_QUAD, PLOVER_SCORE, Status

CODEBOOK = "PLOVER manual, draft 2021 (openeventdata/PLOVER)"


def actor_object(actor: Actor) -> dict[str, object]:
    """A PLOVER actor object: ISO alpha-3 country code (IGO for an international body) and sector."""
    record: dict[str, object] = {}
    if actor.country is not None and actor.country in ALPHA3:
        record["code"] = ALPHA3[actor.country]
    elif actor.country is None and actor.type == "organisation":
        record["code"] = "IGO"
    sector = actor.sector or ("GOV" if actor.type in ("person", "state") else None)
    if sector is not None:
        record["sector"] = sector
    record["actor_text"] = actor.name
    record["identifier_text"] = actor.name
    if actor.positions:
        record["office"] = actor.positions[-1].title
    return record


def plover_record(dataset: Dataset, event: Event) -> dict[str, object]:
    info = KINDS[event.kind]
    planned = event.status is Status.PLANNED
    category = "AGREE" if planned else info.plover_event
    source, recipient = sides(dataset, event)
    first, last = event.date.first or event.date.last, event.date.last or event.date.first
    sources = [dataset.source_by_id[citation.source] for citation in event.citations]
    record: dict[str, object] = {"id": event.id, "date": iso(first)}
    if last != first:
        record["enddate"] = iso(last)
    record["source"] = [actor_object(actor) for actor in source]
    if recipient:
        record["recipient"] = [actor_object(actor) for actor in recipient]
    record["event"] = [category]
    if info.plover_mode and not planned:
        record["mode"] = [info.plover_mode]
    record["context"] = [info.plover_context]
    record["quad_code"] = PLOVER_QUAD[category]
    record["event_scale"] = PLOVER_SCORE[category]
    if event.place is not None:
        record["event_loc"] = {"name": event.place}
    record["event_text"] = [citation.quote for citation in event.citations]
    record["cite_info"] = {
        "corpus": "kztm-timeline",
        "citation": "; ".join(source.id for source in sources),
        "title": "; ".join(source.title for source in sources),
        "publication": "; ".join(source.publisher for source in sources),
        "language": "en",
        "coder": "coded by hand (kztm-timeline curation)",
        "codebook": CODEBOOK,
        "version": TOOL_VERSION,
    }
    record["date_edtf"] = event.date.text
    record["cameo"] = "036" if planned else info.cameo
    return record


def render_plover(view: View) -> str:
    """JSON Lines, as the manual recommends: one record per line."""
    return "".join(dumps(plover_record(view.dataset, event), pretty=False, spaced=True) + "\n" for event in view.events)
