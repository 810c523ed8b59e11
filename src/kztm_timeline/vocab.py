"""The fixed vocabulary of event kinds and its one mapping to CAMEO and PLOVER.

CAMEO codes are strings ("042"), never numbers: leading zeros are part of the
code. The PLOVER event type, mode and context follow the PLOVER manual and its
CAMEO-to-PLOVER table; an empty mode means the manual gives none for the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    STATE_VISIT = "state_visit"
    OFFICIAL_VISIT = "official_visit"
    WORKING_VISIT = "working_visit"
    VISIT = "visit"
    TELEPHONE_CALL = "telephone_call"
    TALKS = "talks"
    AGREEMENT_SIGNING = "agreement_signing"
    COMMISSION_SESSION = "commission_session"
    SUMMIT = "summit"
    PARLIAMENTARY_MEETING = "parliamentary_meeting"
    CEREMONY = "ceremony"
    CULTURAL_EVENT = "cultural_event"
    DIPLOMATIC_RELATIONS = "diplomatic_relations"


class Status(StrEnum):
    HAPPENED = "happened"
    PLANNED = "planned"


@dataclass(frozen=True)
class KindInfo:
    label: str
    marker: str
    color: str
    cameo: str
    cameo_label: str
    plover_event: str
    plover_mode: str
    plover_context: str


KINDS: dict[Kind, KindInfo] = {
    Kind.STATE_VISIT: KindInfo("State visit", "★", "#b8860b", "042", "Make a visit", "CONSULT", "visit", "diplomatic"),
    Kind.OFFICIAL_VISIT: KindInfo("Official visit", "◆", "#a0522d", "042", "Make a visit", "CONSULT", "visit", "diplomatic"),
    Kind.WORKING_VISIT: KindInfo("Working visit", "◇", "#cd853f", "042", "Make a visit", "CONSULT", "visit", "diplomatic"),
    Kind.VISIT: KindInfo("Visit", "○", "#d2691e", "042", "Make a visit", "CONSULT", "visit", "diplomatic"),
    Kind.TELEPHONE_CALL: KindInfo(
        "Telephone call", "☎", "#1e90ff", "041", "Discuss by telephone", "CONSULT", "phone", "diplomatic"
    ),
    Kind.TALKS: KindInfo("Talks", "⇄", "#4682b4", "046", "Engage in negotiation", "CONSULT", "", "diplomatic"),
    Kind.AGREEMENT_SIGNING: KindInfo(
        "Agreement signing", "✍", "#2e8b57", "057", "Sign formal agreement", "SUPPORT", "", "diplomatic"
    ),
    Kind.COMMISSION_SESSION: KindInfo(
        "Commission session", "▣", "#6a5acd", "046", "Engage in negotiation", "CONSULT", "", "economic"
    ),
    Kind.SUMMIT: KindInfo("Summit", "▲", "#8b008b", "040", "Consult, not specified", "CONSULT", "multilateral", "diplomatic"),
    Kind.PARLIAMENTARY_MEETING: KindInfo(
        "Parliamentary meeting", "▤", "#708090", "040", "Consult, not specified", "CONSULT", "", "political"
    ),
    Kind.CEREMONY: KindInfo("Ceremony", "✦", "#996515", "050", "Engage in diplomatic cooperation", "SUPPORT", "", "diplomatic"),
    Kind.CULTURAL_EVENT: KindInfo(
        "Cultural or monument event", "♜", "#c71585", "050", "Engage in diplomatic cooperation", "SUPPORT", "", "culture"
    ),
    Kind.DIPLOMATIC_RELATIONS: KindInfo(
        "Diplomatic relations", "⚑", "#006400", "054", "Grant diplomatic recognition", "SUPPORT", "", "diplomatic"
    ),
}

ROLES: tuple[str, ...] = ("visitor", "host", "caller", "callee", "signatory", "attendee", "participant", "honoree", "organiser")

RELATIONS: tuple[str, ...] = ("part_of", "follows_up", "occasioned_by", "prepares", "mentions")

ACTOR_TYPES: tuple[str, ...] = ("person", "state", "organisation")
