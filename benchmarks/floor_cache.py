"""The floor of a warm query: the least any program can do to answer `timeline list --year 2024 --json`
from the parse cache. It opens the cache database of the data file, selects the events whose span
overlaps 2024 by their indexed first and last day, decodes each stored record and writes them as one
JSON array: no Typer, no validation, no event objects, no output contract.

    python benchmarks/floor_cache.py DATA_FILE     # the same XDG_CACHE_HOME as the timeline run

Whatever `timeline` costs beyond this is its start-up and its own work per event.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from datetime import date


def main() -> None:
    data = os.path.abspath(sys.argv[1])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    name = hashlib.sha256(data.encode()).hexdigest()[:32]
    connection = sqlite3.connect(f"file:{os.path.join(base, 'kztm-timeline', name)}.sqlite?mode=ro", uri=True)
    low, high = date(2024, 1, 1).toordinal(), date(2024, 12, 31).toordinal()
    rows = connection.execute("SELECT record FROM events WHERE first <= ? AND last >= ? ORDER BY first, id", (high, low))
    out = sys.stdout
    opening = "[\n"
    for (record,) in rows:
        out.write(opening + json.dumps(json.loads(record), ensure_ascii=False))
        opening = ",\n"
    out.write("[]\n" if opening == "[\n" else "\n]\n")


if __name__ == "__main__":
    main()
