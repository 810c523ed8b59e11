"""The fixed vocabulary of event kinds and its one mapping to CAMEO and PLOVER.

CAMEO codes are strings ("042"), never numbers: leading zeros are part of the
code. The PLOVER event type, mode and context follow the PLOVER manual and its
CAMEO-to-PLOVER table; an empty mode means the manual gives none for the case.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


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


class IcsPartial(StrEnum):
    """How the ICS export shows a date that is not one known day (``--ics-partial``; see exporters/ics.py)."""

    FIRST_DAY = "first-day"
    SPAN = "span"
    SKIP = "skip"


class KindInfo(NamedTuple):  # a NamedTuple, not a dataclass: defining a frozen dataclass costs every run 0.3 ms of start-up
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
        "Parliamentary meeting", "▤", "#708090", "040", "Consult, not specified", "CONSULT", "", "legislative"
    ),
    Kind.CEREMONY: KindInfo("Ceremony", "✦", "#996515", "050", "Engage in diplomatic cooperation", "SUPPORT", "", "diplomatic"),
    Kind.CULTURAL_EVENT: KindInfo(
        "Cultural or monument event", "♜", "#c71585", "050", "Engage in diplomatic cooperation", "SUPPORT", "", "diplomatic"
    ),
    Kind.DIPLOMATIC_RELATIONS: KindInfo(
        "Diplomatic relations", "⚑", "#006400", "054", "Grant diplomatic recognition", "SUPPORT", "", "diplomatic"
    ),
}

ROLES: tuple[str, ...] = ("visitor", "host", "caller", "callee", "signatory", "attendee", "participant", "honoree", "organiser")

RELATIONS: tuple[str, ...] = (
    "part_of",
    "follows_up",
    "occasioned_by",
    "prepares",
    "mentions",
    "fulfils",
    "cancels",
    "postpones",
)

# The relations that record a plan's outcome: the event that fulfils it, or the record that it was
# cancelled or postponed. Each points at a planned event.
OUTCOMES: dict[str, str] = {"fulfils": "fulfilled", "cancels": "cancelled", "postpones": "postponed"}

ACTOR_TYPES: tuple[str, ...] = ("person", "state", "organisation")

# Where an event's date comes from (see evidence.py): a quote that says it, the article's own date, or an inference.
EVIDENCE: tuple[str, ...] = ("quoted", "reported", "inferred")


# PLOVER (manual, "Event Categories" and "Numeric conflict/cooperation scores"): each category's quad code
# and scaled cooperation score, for the categories this timeline uses.
PLOVER_QUAD: dict[str, int] = {"AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1}
PLOVER_SCORE: dict[str, float] = {"AGREE": 4.2, "CONSULT": 2.1, "SUPPORT": 4.6, "CONCEDE": 5.0}

# PLOVER sector primary codes an actor may carry in the data (``sector:``); persons and states default to GOV.
SECTORS: tuple[str, ...] = ("GOV", "LEG", "JUD", "MIL", "COP", "OPP", "PTY", "CVL", "BUS", "EDU", "MED", "JRN", "REL", "SOC")

# ISO 3166-1 alpha-2 → alpha-3, which PLOVER actor codes use; countries of the region and of its partners.
ALPHA3: dict[str, str] = {
    "AF": "AFG", "AZ": "AZE", "CN": "CHN", "DE": "DEU", "FR": "FRA", "GB": "GBR", "IN": "IND", "IR": "IRN",
    "JP": "JPN", "KG": "KGZ", "KR": "KOR", "KZ": "KAZ", "PK": "PAK", "RU": "RUS", "TJ": "TJK", "TM": "TKM",
    "TR": "TUR", "UA": "UKR", "US": "USA", "UZ": "UZB",
}  # fmt: skip


class Period(StrEnum):
    """What one bar of ``timeline chart`` counts."""

    YEAR = "year"
    MONTH = "month"


# Places under their other names: each entry lists one place, its name of today first, then its older names
# and other spellings in Latin letters. --place and --search take any of them for all of them. Names in
# other scripts need no entry: Cyrillic is written in Latin letters before it is compared (Нур-Султан is
# nur-sultan, Ашхабад is ashkhabad), and the romanization rules (text.py) join many spellings already.
PLACE_NAMES: tuple[tuple[str, ...], ...] = (
    ("Astana", "Nur-Sultan", "Akmola", "Akmolinsk", "Tselinograd"),  # renamed 1961, 1992, 1998, 2019, 2022
    ("Ashgabat", "Ashgabad", "Ashkhabad", "Asgabat", "Poltoratsk"),  # Aşgabat in Turkmen; Poltoratsk 1919-1927
    ("Almaty", "Alma-Ata", "Verny"),
    ("Turkmenbashi", "Turkmenbasy", "Krasnovodsk"),  # Türkmenbaşy; renamed 1993
    ("Aktau", "Shevchenko"),  # Shevchenko 1964-1991
    ("Turkmenabat", "Chardzhou", "Chardjou", "Charjew", "Leninsk-Turkmensky"),
    ("Dashoguz", "Dasoguz", "Tashauz"),  # Daşoguz
    ("Balkanabat", "Nebit-Dag"),
    ("Shymkent", "Chimkent"),
    ("Atyrau", "Guryev"),
    ("Zhanaozen", "Novy Uzen"),
)
