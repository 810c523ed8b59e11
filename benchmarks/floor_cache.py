"""The floor of a warm query: the least any program can do to answer `timeline list --year 2024 --json`
from the parse cache. It opens the cache database of the data file, selects the events whose span
lies in 2024 by their indexed first and last day, decodes each stored record and writes them as one
JSON array: no Typer, no validation, no event objects, no output contract.

    python benchmarks/floor_cache.py DATA_FILE     # the same XDG_CACHE_HOME as the timeline run

Whatever `timeline` costs beyond this is its start-up and its own work per event.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from datetime import date

SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def main() -> None:
    data = os.path.abspath(sys.argv[1])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    # the cache's name: the absolute path, every byte but ASCII letters, digits and ._- as %XX
    name = "".join(chr(byte) if chr(byte) in SAFE else f"%{byte:02X}" for byte in data.encode())
    file = os.path.join(base, "kztm-timeline", name) + ".sqlite"
    connection = sqlite3.connect(f"file:{file.replace('%', '%25')}?mode=ro", uri=True)
    low, high = date(2024, 1, 1).toordinal(), date(2024, 12, 31).toordinal()
    rows = connection.execute("SELECT record FROM events WHERE first >= ? AND last <= ? ORDER BY first, id", (low, high))
    out = sys.stdout
    opening = "[\n"
    for (record,) in rows:
        out.write(opening + json.dumps(json.loads(record), ensure_ascii=False))
        opening = ",\n"
    out.write("[]\n" if opening == "[\n" else "\n]\n")


if __name__ == "__main__":
    main()
