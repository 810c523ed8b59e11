"""A dataset that also cites web pages: the five-article data of December 2025 (tests/fixtures/seeds-2025-12)
with two web sources of the corpus "public-record", one event drawn from a page alone (linked to a seed
event), and a Russian quote with its translation added to a seed event."""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
FROZEN = HERE / "fixtures" / "seeds-2025-12"

WEB_SOURCES = """\
  - id: kz-mfa-relations-1992
    url: https://www.gov.kz/memleket/entities/mfa/press/article/details/1992
    title: Kazakhstan and Turkmenistan established diplomatic relations
    publisher: Ministry of Foreign Affairs of Kazakhstan
    published: "2022-10-05"
    language: en
    retrieved: "2025-11-30"
    archive_url: https://web.archive.org/web/2025/https://www.gov.kz/memleket/entities/mfa/press/article/details/1992
    corpus: public-record

  - id: akorda-2024-08-05-call
    url: https://www.akorda.kz/ru/telefonnyy-razgovor-2024-08-05
    title: Телефонный разговор с Президентом Туркменистана
    publisher: Akorda, the President of Kazakhstan's office
    published: "2024-08-05"
    language: ru
    retrieved: "2025-11-30"
    corpus: public-record

"""

WEB_EVENT = """\

  - id: 1992-10-05-diplomatic-relations
    date: 1992-10-05
    evidence: quoted
    title: Diplomatic relations established
    kind: diplomatic_relations
    status: happened
    participants:
      - {actor: kazakhstan, role: participant}
      - {actor: turkmenistan, role: participant}
    place: Nur-Sultan
    topics: [diplomatic-relations]
    summary: Kazakhstan and Turkmenistan established diplomatic relations.
    citations:
      - source: kz-mfa-relations-1992
        quote: Diplomatic relations were established on October 5, 1992.
    related:
      - {event: 2017-04-strategic-partnership-agreement, relation: mentions}
"""

RUSSIAN_CITATION = """\
      - source: akorda-2024-08-05-call
        quote: Состоялся телефонный разговор Касым-Жомарта Токаева с Сердаром Бердымухамедовым.
        translation: Kassym-Jomart Tokayev and Serdar Berdimuhamedov spoke by telephone.
"""

SEED_CALL_CITATION = (
    "        quote: On August 5, 2024, a telephone conversation took place between the President of Turkmenistan "
    "Serdar Berdimuhamedov and the President of the Republic of Kazakhstan Kassym-Jomart Tokayev.\n"
)


def seeds_copy(folder: Path) -> Path:
    """The frozen five-article data copied into ``folder`` (data/ and seeds/); its data file."""
    shutil.copytree(FROZEN / "data", folder / "data")
    shutil.copytree(FROZEN / "seeds", folder / "seeds")
    return folder / "data" / "events.yaml"


def with_web(folder: Path, *, sources: str = WEB_SOURCES, events: str = WEB_EVENT, russian: bool = True) -> Path:
    """The frozen data with web sources and events added, in ``folder``; its data file."""
    path = seeds_copy(folder)
    text = path.read_text(encoding="utf-8")
    text = text.replace("\nactors:\n", "\n" + sources + "actors:\n", 1)
    if russian:
        assert text.count(SEED_CALL_CITATION) == 1
        text = text.replace(SEED_CALL_CITATION, SEED_CALL_CITATION + RUSSIAN_CITATION)
    text = text.rstrip("\n") + "\n" + events
    path.write_text(text, encoding="utf-8")
    return path


def replaced(path: Path, old: str, new: str) -> Path:
    """Replace one exact snippet of the data file (it must occur once)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"snippet must occur once: {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path
