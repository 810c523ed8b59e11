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

# Each relation as a sentence begins, read from the event that names another ("Follows up X") and from the
# event named ("Followed up by X").
RELATION_WORDS: dict[str, tuple[str, str]] = {
    "part_of": ("Part of", "Includes"),
    "follows_up": ("Follows up", "Followed up by"),
    "occasioned_by": ("Occasioned by", "Gave occasion to"),
    "prepares": ("Prepares", "Prepared by"),
    "mentions": ("Mentions", "Mentioned by"),
    "fulfils": ("Fulfils", "Fulfilled by"),
    "cancels": ("Cancels", "Cancelled by"),
    "postpones": ("Postpones", "Postponed by"),
}

# The relations that record a plan's outcome: the event that fulfils it, or the record that it was
# cancelled or postponed. Each points at a planned event.
OUTCOMES: dict[str, str] = {"fulfils": "fulfilled", "cancels": "cancelled", "postpones": "postponed"}

ACTOR_TYPES: tuple[str, ...] = ("person", "state", "organisation")

# Where an event's date comes from (see evidence.py): a quote that says it, the article's own date, or an inference.
EVIDENCE: tuple[str, ...] = ("quoted", "reported", "inferred")
# The corpus of a source kept as a file that names none: the five seed articles.
DEFAULT_CORPUS = "seeds"


# PLOVER (manual at openeventdata/PLOVER 5e0c24f, 4 February 2024: "Quad categories in PLOVER" and "PLOVER
# conflict--cooperation scores"): each category's quad code, and the score of a category ("CONSULT") or of one
# of its modes ("CONSULT:visit"), for the categories this timeline uses.
PLOVER_QUAD: dict[str, int] = {"AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1}
PLOVER_SCORE: dict[str, float] = {
    "AGREE": 2.5,
    "CONSULT": 2.5,
    "CONSULT:visit": 4.0,
    "CONSULT:third-party": 1.0,
    "CONSULT:multilateral": 4.0,
    "CONSULT:phone": 1.5,
    "SUPPORT": 5.0,
    "CONCEDE": 4.5,
}
PLOVER_CODEBOOK = "PLOVER 2.0 draft (openeventdata/PLOVER, PLOVER_MANUAL.tex at 5e0c24f, 4 February 2024)"

# ISO 639-1 language codes (the 184 two-letter codes of ISO 639-2's table), for a source's language.
LANGUAGES: tuple[str, ...] = (
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj",
    "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb",
    "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi",
    "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
)  # fmt: skip

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
