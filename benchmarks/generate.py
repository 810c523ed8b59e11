"""Generate a valid synthetic dataset of N events, realistic in size, for the benchmarks.

    python benchmarks/generate.py 100000 OUT_DIR

writes OUT_DIR/data/events.yaml (with sources, actors and events), the article
texts under OUT_DIR/seeds/, and OUT_DIR/events.json, the same events as one JSON
array (for the jq baseline). The output is deterministic for a given N. Every
event has a summary of two or three sentences, two to four participants, one to
three topics, and one or two citations whose quotes occur verbatim in their
article, so `timeline validate` passes and the quote check does real work.
"""

from __future__ import annotations

import calendar
import json
import random
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ARTICLES = 200
SENTENCES_PER_ARTICLE = 60

STATES = [("kazakhstan", "Kazakhstan", "KZ"), ("turkmenistan", "Turkmenistan", "TM"), ("uzbekistan", "Uzbekistan", "UZ")]
KINDS = [
    "state_visit",
    "official_visit",
    "working_visit",
    "visit",
    "telephone_call",
    "talks",
    "agreement_signing",
    "commission_session",
    "summit",
    "parliamentary_meeting",
    "ceremony",
    "cultural_event",
]
ROLES = ["visitor", "host", "caller", "callee", "signatory", "attendee", "participant", "organiser"]
TOPICS = ["trade", "transport", "energy", "oil-and-gas", "water", "culture", "education", "security", "customs", "health"]
PLACES = ["Astana", "Ashgabat", "Almaty", "Turkmenbashi", "Aktau", "Mary", "Shymkent", None]
VOCABULARY = (
    "the parties discussed cooperation in trade transport energy and culture noting steady growth of turnover "
    "and agreed to expand joint projects along the corridor while ministers reviewed the implementation of "
    "earlier agreements and outlined further steps on water resources education customs and logistics"
)
WORDS = VOCABULARY.split(" ")


@dataclass(frozen=True)
class Synthetic:
    id: str
    date: str
    title: str
    kind: str
    status: str
    participants: list[tuple[str, str]]
    place: str | None
    topics: list[str]
    summary: str
    citations: list[tuple[str, str]]
    related: list[str]

    def record(self) -> dict[str, object]:
        """The event as the data file holds it (the shape jq is given)."""
        record: dict[str, object] = {
            "id": self.id,
            "date": self.date,
            "title": self.title,
            "kind": self.kind,
            "status": self.status,
            "participants": [{"actor": actor, "role": role} for actor, role in self.participants],
            "place": self.place,
            "topics": self.topics,
            "summary": self.summary,
            "citations": [{"source": source, "quote": quote} for source, quote in self.citations],
        }
        if self.related:
            record["related"] = [{"event": other, "relation": "follows_up"} for other in self.related]
        return record


def sentence(rng: random.Random, length: int) -> str:
    words = [rng.choice(WORDS) for _ in range(length)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def edtf(rng: random.Random) -> str:
    year = rng.randint(1992, 2024)
    month = rng.randint(1, 12)
    day = rng.randint(1, calendar.monthrange(year, month)[1])
    roll = rng.random()
    if roll < 0.60:
        return f"{year:04d}-{month:02d}-{day:02d}"
    if roll < 0.85:
        return f"{year:04d}-{month:02d}"
    if roll < 0.93:
        return f"{year:04d}"
    if roll < 0.96:
        return f"{year:04d}~"
    if roll < 0.98:
        return f"{year:04d}-{month:02d}?"
    return f"{year:04d}/{min(year + 1, 2024):04d}"


def first_day(text: str) -> date:
    core = text.split("/")[0].rstrip("~?%")
    parts = [int(part) for part in core.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def generate(count: int, out: Path) -> None:
    rng = random.Random(count)
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "seeds").mkdir(parents=True, exist_ok=True)

    articles: list[list[str]] = []
    for number in range(ARTICLES):
        lines = [sentence(rng, rng.randint(12, 24)) for _ in range(SENTENCES_PER_ARTICLE)]
        articles.append(lines)
        body = "\n\n".join(" ".join(lines[start : start + 4]) for start in range(0, len(lines), 4))
        (out / "seeds" / f"article-{number:04d}.txt").write_text(body + "\n", encoding="utf-8")

    people = [
        (f"person-{number:03d}", f"Official Number{number} Example", f"Official Number{number} Exampel") for number in range(40)
    ]
    actor_ids = [state[0] for state in STATES] + [person[0] for person in people]

    events: list[Synthetic] = []
    for number in range(count):
        citations = []
        for _ in range(rng.randint(1, 2)):
            article = rng.randrange(ARTICLES)
            words = rng.choice(articles[article]).rstrip(".").split()
            start = rng.randrange(max(1, len(words) - 8))
            citations.append((f"article-{article:04d}", " ".join(words[start : start + 8])))
        events.append(
            Synthetic(
                id=f"e{number:06d}",
                date=edtf(rng),
                title=f"Synthetic {rng.choice(KINDS).replace('_', ' ')} number {number}",
                kind=rng.choice(KINDS),
                status="happened" if rng.random() < 0.9 else "planned",
                participants=[(actor, rng.choice(ROLES)) for actor in rng.sample(actor_ids, rng.randint(2, 4))],
                place=rng.choice(PLACES),
                topics=rng.sample(TOPICS, rng.randint(1, 3)),
                summary=" ".join(sentence(rng, rng.randint(14, 22)) for _ in range(rng.randint(2, 3))),
                citations=citations,
                related=[f"e{rng.randrange(number):06d}"] if number and rng.random() < 0.1 else [],
            )
        )
    events.sort(key=lambda event: (first_day(event.date), event.id))

    lines = ["# Synthetic benchmark data: generated by benchmarks/generate.py; not real events.", "sources:"]
    for number in range(ARTICLES):
        lines += [
            f"  - id: article-{number:04d}",
            f"    file: ../seeds/article-{number:04d}.txt",
            f"    title: Synthetic article {number}",
            "    publisher: Benchmark generator",
            "    published: null",
        ]
    lines.append("actors:")
    for identifier, name, country in STATES:
        lines += [f"  - id: {identifier}", f"    name: {name}", "    type: state", f"    country: {country}", "    variants: []"]
    for identifier, name, variant in people:
        lines += [f"  - id: {identifier}", f"    name: {name}", "    type: person", "    country: KZ"]
        lines.append(f"    variants: [{variant}]")
    lines.append("events:")
    for event in events:
        lines += [
            "",
            f"  - id: {event.id}",
            f"    date: {quoted(event.date)}",
            f"    title: {event.title}",
            f"    kind: {event.kind}",
            f"    status: {event.status}",
            "    participants:",
        ]
        lines += [f"      - {{actor: {actor}, role: {role}}}" for actor, role in event.participants]
        lines += [
            f"    place: {event.place or 'null'}",
            f"    topics: [{', '.join(event.topics)}]",
            "    summary: >-",
            f"      {event.summary}",
            "    citations:",
        ]
        for source, quote in event.citations:
            lines += [f"      - source: {source}", f"        quote: {quote}"]
        if event.related:
            lines.append("    related:")
            lines += [f"      - {{event: {other}, relation: follows_up}}" for other in event.related]
    (out / "data" / "events.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "events.json").write_text(json.dumps([event.record() for event in events], ensure_ascii=False), encoding="utf-8")


def main() -> None:
    if len(sys.argv) != 3 or not sys.argv[1].isdigit():
        sys.exit("usage: python benchmarks/generate.py N OUT_DIR")
    generate(int(sys.argv[1]), Path(sys.argv[2]))


if __name__ == "__main__":
    main()
