"""PLOVER event records, one per event, as a JSON array.

Actor and recipient come from the roles: visitors and callers act, hosts and
callees receive; with no host or callee every participant is an actor. A
planned or announced event is coded AGREE (an expressed intent), as the PLOVER
manual does for promises; event, mode and context otherwise come from the kind
table (signing an agreement is SUPPORT, as the manual says).
"""

from __future__ import annotations

from ..contract import View, dumps, iso
from ..model import Dataset, Event
from ..vocab import KINDS, Status

_ACTING = {"visitor", "caller", "organiser"}
_RECEIVING = {"host", "callee"}


def _sides(dataset: Dataset, event: Event) -> tuple[list[str], list[str]]:
    people = [(dataset.actor_by_id[p.actor].name, p.role) for p in event.participants if p.role != "honoree"]
    recipients = [name for name, role in people if role in _RECEIVING]
    if not recipients:
        return [name for name, _ in people], []
    actors = [name for name, role in people if role in _ACTING] or [name for name, role in people if role not in _RECEIVING]
    return actors, recipients


def plover_record(dataset: Dataset, event: Event) -> dict[str, object]:
    info = KINDS[event.kind]
    actors, recipients = _sides(dataset, event)
    planned = event.status is Status.PLANNED
    citations = [
        f"{dataset.source_by_id[c.source].title} ({dataset.source_by_id[c.source].publisher}): “{c.quote}”"
        for c in event.citations
    ]
    return {
        "id": event.id,
        "date": iso(event.date.first),
        "enddate": iso(event.date.last),
        "date_edtf": event.date.text,
        "actor": actors,
        "recipient": recipients,
        "event": "AGREE" if planned else info.plover_event,
        "mode": None if planned else (info.plover_mode or None),
        "context": [info.plover_context],
        "cameo": "036" if planned else info.cameo,
        "event_loc": event.place,
        "event_text": event.summary,
        "cite_info": citations,
    }


def render_plover(view: View) -> str:
    return dumps([plover_record(view.dataset, event) for event in view.events]) + "\n"
