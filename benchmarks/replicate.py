"""Benchmark data built from the shipped events: the events of data/events.yaml (the public record: web sources,
old ids and views of a corpus, plans with their outcomes) written again and again, each copy's ids given a suffix
(its old ids, the ids and old ids its related entries name, and its views' ids too), until there are N events
(rounded up to whole copies, since a copy's related entries name events of that copy).

    python benchmarks/replicate.py 100000 OUT_DIR

writes OUT_DIR/data/events.yaml (the shipped sources and actors, then the copies, in the shipped file's own
style: comments, flow mappings, block scalars), OUT_DIR/seeds/ (the shipped articles) and OUT_DIR/events.json
(the same events as one JSON array, for the jq baseline). The quotes are the shipped ones, so every one is
checked against its article as in the real file (a web page's, online only). Only the names of events are
suffixed, where an event names one (``id:``, ``aliases:``, ``event:``), never a source's or an actor's."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ITEM = re.compile(r"^  - ", re.MULTILINE)
# where an item names an event: its id, a view's id, its old ids (a flow list), a related entry's event
NAMES = re.compile(r"(?m)^(\s*(?:- )?id: |\s*aliases: \[|.*\{event: |\s*- event: |\s*event: )(.*)$")


def suffixed(item: str, names: set[str], suffix: str) -> str:
    """``item`` with every name of an event in ``names`` (an id or an old id) given ``suffix``."""

    def name(word: re.Match[str]) -> str:
        return word.group(0) + suffix if word.group(0) in names else word.group(0)

    def line(found: re.Match[str]) -> str:
        return found.group(1) + re.sub(r"[A-Za-z0-9][A-Za-z0-9._-]*", name, found.group(2))

    return NAMES.sub(line, item)


def replicate(count: int, out: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from kztm_timeline.load import load_dataset

    text = (ROOT / "data" / "events.yaml").read_text(encoding="utf-8")
    starts = [found.start() for found in ITEM.finditer(text, text.index("\nevents:\n"))]
    head, items = text[: starts[0]], [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    shipped = load_dataset(str(ROOT / "data" / "events.yaml"))
    names = {event.id for event in shipped.events} | {alias for event in shipped.events for alias in event.aliases}
    records = [event_record(event) for event in shipped.events]
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "seeds", ignore_errors=True)
    shutil.copytree(ROOT / "seeds", out / "seeds")
    (out / "data").mkdir(exist_ok=True)
    copies = []
    with open(out / "data" / "events.yaml", "w", encoding="utf-8") as handle:
        handle.write(head)
        whole = -(-count // len(items)) * len(items)  # whole copies: a copy's related entries name events of that copy
        for number in range(whole):
            copy, index = divmod(number, len(items))
            suffix = "" if copy == 0 else f"-r{copy}"
            item = items[index] if not suffix else suffixed(items[index], names, suffix)
            if not item.endswith("\n\n") and number + 1 < whole:
                item += "\n" if item.endswith("\n") else "\n\n"
            handle.write(item)
            record = json.loads(json.dumps(records[index]))
            record["id"] = record["id"] + suffix
            copies.append(record)
    (out / "events.json").write_text(json.dumps(copies, ensure_ascii=False), encoding="utf-8")


def event_record(event: Any) -> dict[str, object]:
    """The fields jq's baseline queries read, as the generated data's events.json has them."""
    return {
        "id": event.id,
        "date": event.date.text,
        "title": event.title,
        "summary": event.summary,
        "kind": event.kind.value,
        "place": event.place,
        "participants": [{"actor": p.actor, "role": p.role} for p in event.participants],
    }


if __name__ == "__main__":
    replicate(int(sys.argv[1]), Path(sys.argv[2]))
