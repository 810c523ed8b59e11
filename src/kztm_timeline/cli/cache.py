"""The parse cache: cache info (where it is, how large, for which data files) and cache clear."""

import os
from typing import Annotated

import typer

from ..datafile.fs import display_path
from .app import CONTEXT, app, guarded
from .options import DataOpt, global_options, record_output
from .output import OutputChoice, emit, say
from .reading import data_file

cache_app = typer.Typer(
    help="Where the parse cache is, how large, for which data files; clear it.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)


app.add_typer(cache_app, name="cache")


def _size(size: int) -> str:
    """A size as people read it: 512 B, 233.5 kB, 517.0 MB (powers of 1000, as Rich and ls --si write them)."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"  # not reached: GB is the last unit


def _served(record: dict[str, object]) -> str:
    """The data file an entry serves, or what the entry is when that is not known."""
    if record["data"]:
        return str(record["data"])
    name = os.path.basename(str(record["file"]))
    return f"{name} (a write under way, or interrupted)" if name.endswith(".tmp") else f"{name} (data file not known)"


@cache_app.command("info")
@guarded
@global_options
@record_output
def cache_info(out: OutputChoice, data: DataOpt = None) -> None:
    """Where the parse cache is, and each entry: the data file it serves, whether that still exists, its size,
    when it was last used, and whether it will be pruned (its data file gone, or unused for 30 days)."""
    import time
    from datetime import UTC, datetime

    from ..store import MAX_UNUSED_DAYS, cache_dir, cache_entries, cache_file, stale

    folder = cache_dir(os.environ)
    current = cache_file(folder, data_file(data))
    now = time.time()
    records: list[dict[str, object]] = [
        {
            "data": entry.data,
            "exists": entry.data is not None and os.path.exists(entry.data),
            "current": entry.file == current,
            "size": entry.size,
            "used": datetime.fromtimestamp(entry.used, tz=UTC).isoformat(timespec="seconds"),
            "stale": stale(entry, now),
            "file": entry.file,
        }
        for entry in cache_entries(folder)
    ]

    def screen(_color: bool, _width: int) -> str:
        if not records:
            return f"{folder}: no cache yet\n"
        total = sum(int(str(record["size"])) for record in records)
        count = f"{len(records)} entr{'y' if len(records) == 1 else 'ies'}"
        lines = [
            f"{folder}: {count}, {_size(total)}",
            f"(an entry whose data file is gone, or unused for {MAX_UNUSED_DAYS} days, goes when a cache is next written)",
            "",
        ]
        sizes = [_size(int(str(record["size"]))) for record in records]
        wide = max(len(size) for size in sizes)
        for record, size in zip(records, sizes, strict=True):
            notes = ["in use" if record["current"] else "", f"to be removed: {record['stale']}" if record["stale"] else ""]
            note = "; ".join(note for note in notes if note)
            lines.append(
                f"  {size:>{wide}}  {str(record['used'])[:10]}  {_served(record)}" + (f"  ({note})" if note else "")
            )
        return "\n".join(lines) + "\n"


    emit(out, None, "cache", lambda: records, screen)


@cache_app.command("clear")
@guarded
@global_options
def cache_clear(
    all_: Annotated[bool, typer.Option("--all", help="Every entry, for every data file (default: this data file's).")] = False,
    data: DataOpt = None,
) -> None:
    """Remove the cache of the data file (--data, else the default one), or with --all every entry; the next run
    reads the data file afresh and writes its cache again."""
    from ..store import cache_dir, cache_entries, cache_file, remove_entry

    folder = cache_dir(os.environ)
    entries = cache_entries(folder, read_names=False)
    if not all_:
        path = data_file(data)
        mine = [entry for entry in entries if entry.file == cache_file(folder, path)]
        if not mine:
            say(f"timeline: no cache for {display_path(path)} in {display_path(folder)}")
            return
        entries = mine
    removed = [entry for entry in entries if remove_entry(entry)]
    size = _size(sum(entry.size for entry in removed))
    if not all_:
        say(f"timeline: removed the cache of {display_path(data_file(data))} ({size})")
    else:
        say(f"timeline: removed {len(removed)} entr{'y' if len(removed) == 1 else 'ies'} ({size}) from {display_path(folder)}")
