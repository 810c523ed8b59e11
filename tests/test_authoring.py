"""Authoring at scale: `add` checks a new event against the cache, splices the text without parsing the file,
and brings the cache up to date in step, so that it answers exactly as a cache built afresh would."""

from __future__ import annotations

import codecs
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kztm_timeline import cache, curate
from kztm_timeline.curate import EventInput, add_event, new_event
from kztm_timeline.datafile import validate as validate_module
from kztm_timeline.errors import DataError, TimelineError
from kztm_timeline.evidence import VerdictTally
from kztm_timeline.load import load_dataset
from kztm_timeline.model import Dataset
from kztm_timeline.store import cache_file

from .conftest import ROOT

QUOTE = "A cooperation program was signed between"  # words of trend-2023-10-31


def data_file(workdir: Path) -> Path:
    return workdir / "data" / "events.yaml"


def event(date: str, *, title: str = "Benchmark call", related: tuple[str, ...] = (), status: str = "happened") -> EventInput:
    return EventInput(
        date=date,
        title=title,
        kind="telephone_call",
        status=status,
        actors=("kazakhstan:caller", "Serdar Berdimuhamedow:callee"),
        summary="A call, in our own words.",
        sources=("trend-2023-10-31",),
        quotes=(QUOTE,),
        place="Ashgabat",
        topics=("energy",),
        related=related,
    )


def add(path: Path, given: EventInput, folder: Path | None, *, dry_run: bool = False) -> curate.Added:
    build: Callable[[Dataset], dict[str, object]] = lambda dataset: new_event(dataset, given)  # noqa: E731 - a one-line builder reads best here
    return add_event(str(path), build, dry_run=dry_run, cache=None if folder is None else str(folder), memos=VerdictTally)


def warm(path: Path, folder: Path) -> None:
    load_dataset(str(path), cache=str(folder), memos=VerdictTally)


def rows(database: str) -> dict[str, object]:
    """Everything the cache holds, with each event's own row number replaced by its place in the file."""
    connection = sqlite3.connect(database)
    try:
        place = dict(connection.execute("SELECT row, pos FROM events"))
        return {
            "events": connection.execute(
                "SELECT pos, at, id, first, last, record, crc, contract, contract_crc FROM events ORDER BY pos"
            ).fetchall(),
            "keys": sorted((name, key, place[row]) for name, key, row in connection.execute("SELECT * FROM keys")),
            "links": sorted(
                (target, place[source], relation, idx)
                for target, source, relation, idx in connection.execute("SELECT * FROM links")
            ),
            "search": sorted(
                place[row] for (row,) in connection.execute("SELECT rowid FROM search WHERE search MATCH 'berdimuhamed'")
            ),
            "inferred": sorted((place[row], *rest) for row, *rest in connection.execute("SELECT * FROM inferred")),
            "meta": dict(connection.execute("SELECT key, value FROM meta WHERE key NOT IN ('stat')")),
        }
    finally:
        connection.close()


def fresh_rows(path: Path, tmp_path: Path) -> dict[str, object]:
    folder = tmp_path / "fresh-cache"
    shutil.rmtree(folder, ignore_errors=True)
    warm(path, folder)
    return rows(cache_file(str(folder), str(path)))


def test_add_through_the_cache_parses_no_data_file(workdir: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = data_file(workdir)
    warm(path, private_cache)

    def refused(*_: object, **__: object) -> Dataset:
        raise AssertionError("the whole file was validated")

    monkeypatch.setattr(curate.records, "validate_document", refused)
    monkeypatch.setattr(curate.adding, "load_current", refused)
    monkeypatch.setattr(validate_module, "validate_document", refused)
    assert add(path, event("2024-08-05"), private_cache).written is True


@pytest.mark.parametrize("date", ["1990-01-01", "2019-06", "2024-08-05", "2099-12-31"])
def test_add_through_the_cache_writes_the_bytes_a_full_parse_writes(workdir: Path, private_cache: Path, date: str) -> None:
    path = data_file(workdir)
    twin = workdir / "data" / "twin.yaml"
    shutil.copyfile(path, twin)
    warm(path, private_cache)
    add(path, event(date), private_cache)
    add(twin, event(date), None)
    assert path.read_bytes() == twin.read_bytes()


@pytest.mark.parametrize("date", ["1990-01-01", "2019-06", "2024-08-05", "2099-12-31"])
def test_the_cache_after_add_holds_what_a_cache_built_afresh_holds(
    workdir: Path, private_cache: Path, tmp_path: Path, date: str
) -> None:
    path = data_file(workdir)
    warm(path, private_cache)
    add(path, event(date, related=("2021-10-tokayev-state-visit:mentions",)), private_cache)
    add(path, event(date, title="Second call"), private_cache)
    assert rows(cache_file(str(private_cache), str(path))) == fresh_rows(path, tmp_path)


def test_the_updated_cache_is_used_by_the_next_run(workdir: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = data_file(workdir)
    warm(path, private_cache)
    added = add(path, event("2024-08-05"), private_cache)
    monkeypatch.setattr("kztm_timeline.load._parse", lambda *_: pytest.fail("the data file was parsed"))
    served = load_dataset(str(path), cache=str(private_cache))
    assert isinstance(served.events, cache.CachedEvents)
    assert added.id in served.event_by_id


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda text: text.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda text: "\ufeff" + text, id="bom"),
        pytest.param(lambda text: text.replace("\n\n  - id:", "\n  - id:"), id="no blank lines"),
        pytest.param(lambda text: text.replace("\n  - id: 2024", "\n  # a comment\n  - id: 2024"), id="comments above items"),
        pytest.param(lambda text: text.rstrip("\n"), id="no final newline"),
        pytest.param(lambda text: text[text.index("events:") :] + "\n" + text[: text.index("events:")], id="the events first"),
    ],
)
def test_add_through_the_cache_keeps_the_files_style(
    workdir: Path, private_cache: Path, tmp_path: Path, change: Callable[[str], str]
) -> None:
    path = data_file(workdir)
    path.write_bytes(change(path.read_text(encoding="utf-8")).encode("utf-8"))
    twin = workdir / "data" / "twin.yaml"
    shutil.copyfile(path, twin)
    warm(path, private_cache)
    for date in ("1990", "2099"):
        add(path, event(date), private_cache)
        add(twin, event(date), None)
    assert path.read_bytes() == twin.read_bytes()
    assert rows(cache_file(str(private_cache), str(path))) == fresh_rows(path, tmp_path)


def test_a_byte_order_mark_stays(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    warm(path, private_cache)
    add(path, event("2024-08-05"), private_cache)
    assert path.read_bytes().startswith(codecs.BOM_UTF8)


def test_a_cache_of_other_bytes_is_never_used_to_add(workdir: Path, private_cache: Path, tmp_path: Path) -> None:
    path = data_file(workdir)
    warm(path, private_cache)
    text = path.read_text(encoding="utf-8")
    item = "  - id: 2024-08-05-presidents-telephone-call"
    path.write_text(text.replace(item, "  # edited by hand\n" + item), encoding="utf-8")
    add(path, event("2024-08-05"), private_cache)
    assert "# edited by hand" in path.read_text(encoding="utf-8")
    assert rows(cache_file(str(private_cache), str(path))) == fresh_rows(path, tmp_path)


def test_add_without_a_cache_builds_one_first(workdir: Path, private_cache: Path, tmp_path: Path) -> None:
    path = data_file(workdir)
    add(path, event("2024-08-05"), private_cache)
    assert rows(cache_file(str(private_cache), str(path))) == fresh_rows(path, tmp_path)


def test_a_dry_run_changes_neither_the_file_nor_the_cache(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    warm(path, private_cache)
    database = Path(cache_file(str(private_cache), str(path)))
    before = (path.read_bytes(), database.read_bytes())
    added = add(path, event("2024-08-05"), private_cache, dry_run=True)
    assert added.written is False
    assert added.yaml.startswith("  - id: 2024-08-05-benchmark-call\n")
    assert (path.read_bytes(), database.read_bytes()) == before


def test_a_refused_event_changes_neither_the_file_nor_the_cache(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    warm(path, private_cache)
    database = Path(cache_file(str(private_cache), str(path)))
    before = (path.read_bytes(), database.read_bytes())
    bad = EventInput(**{**event("2024-08-05").__dict__, "quotes": ("words that are in no article at all",)})
    with pytest.raises(DataError) as refused:
        add(path, bad, private_cache)
    assert [(problem.field, problem.message) for problem in refused.value.problems] == [
        ("citations", "quote not found in source 'trend-2023-10-31'")
    ]
    assert (path.read_bytes(), database.read_bytes()) == before


def test_the_problems_found_through_the_cache_are_those_a_full_parse_finds(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    warm(path, private_cache)
    bad = EventInput(
        **{
            **event("2024-08-05").__dict__,
            "quotes": ("too short",),
            "related": ("2021-10-tokayev-state-visi:fulfils", "2024-08-05-presidents-telephone-call:fulfils"),
        }
    )
    found = []
    for folder in (private_cache, None):
        with pytest.raises(DataError) as refused:
            add(path, bad, folder)
        found.append([(problem.file, problem.field, problem.message, problem.hint) for problem in refused.value.problems])
    assert found[0] == found[1]
    assert [message for _, _, message, _ in found[0]] == [
        "quote is shorter than 3 words",
        "unknown event '2021-10-tokayev-state-visi'",
        "fulfils names '2024-08-05-presidents-telephone-call', which is not a planned event",
    ]


def test_verdicts_are_dropped_by_an_add_that_cannot_bring_them_up_to_date(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    warm(path, private_cache)
    given = event("2024-08-05")
    add_event(str(path), lambda dataset: new_event(dataset, given), cache=str(private_cache))  # no memos to update them with
    connection = sqlite3.connect(cache_file(str(private_cache), str(path)))
    assert connection.execute("SELECT count(*) FROM meta WHERE key LIKE 'memo:%'").fetchone() == (0,)
    connection.close()


def test_an_events_list_in_flow_style_is_added_to_by_a_full_parse(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    text = path.read_text(encoding="utf-8")
    head = text[: text.index("\nevents:\n") + 1]
    path.write_text(head + "events: []\n", encoding="utf-8")
    warm(path, private_cache)
    added = add(path, event("2024-08-05"), private_cache)
    assert added.id in load_dataset(str(path), cache=str(private_cache)).event_by_id


def test_eight_adds_at_once_all_land(workdir: Path, tmp_path: Path) -> None:
    path = data_file(workdir)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "shared-cache"), "PYTHONPATH": str(ROOT / "src")}
    timeline = [sys.executable, "-m", "kztm_timeline"]
    subprocess.run([*timeline, "validate", "--data", str(path)], env=env, check=True, capture_output=True)
    command = [
        *timeline, "add", "--data", str(path), "--date", "2024-08-05", "--kind", "telephone_call",
        "--status", "happened", "--actor", "kazakhstan:caller", "--summary", "A call.", "--source", "trend-2023-10-31",
        "--quote", QUOTE,
    ]  # fmt: skip
    running = [
        subprocess.Popen([*command, "--title", f"Parallel call {n}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for n in range(8)
    ]
    results = [(*process.communicate(timeout=120), process.returncode) for process in running]
    assert [code for _, _, code in results] == [0] * 8
    query = ["list", "--search", "Parallel call", "-f", "jsonl", "--fields", "id", "--data", str(path)]
    listed = subprocess.run([*timeline, *query], env=env, check=True, capture_output=True, text=True).stdout
    fresh = subprocess.run([*timeline, "--no-cache", *query], env=env, check=True, capture_output=True, text=True).stdout
    assert listed == fresh
    assert sorted(listed.splitlines()) == sorted(f'{{"id":"2024-08-05-parallel-call-{number}"}}' for number in range(8))


def test_a_layout_an_insertion_would_change_is_refused_through_the_cache_too(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    text = path.read_text(encoding="utf-8")
    note = text[text.rindex("    note: >-") : text.rindex("    citations:")]
    path.write_text(text.replace(note, "") + "    note: |+\n      Kept lines.\n\n\n", encoding="utf-8")  # keeps its blank lines
    warm(path, private_cache)
    before = path.read_bytes()
    with pytest.raises(TimelineError, match="without changing other lines"):
        add(path, event("2099"), private_cache)
    assert path.read_bytes() == before


def test_where_the_kernel_cannot_copy_files_the_cache_is_copied_through_memory(
    workdir: Path, private_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = data_file(workdir)
    warm(path, private_cache)

    def unsupported(*_: object) -> int:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", unsupported)
    add(path, event("2024-08-05"), private_cache)
    assert rows(cache_file(str(private_cache), str(path))) == fresh_rows(path, tmp_path)


ARTICLE = "Ashgabat, 3 March 2025. The two foreign ministers met in Ashgabat and agreed on a new railway timetable.\n"


def add_source_at(path: Path, workdir: Path, folder: Path | None, name: str = "new-article.txt") -> curate.Added:
    article = workdir / name
    article.write_text(ARTICLE, encoding="utf-8")
    given = curate.SourceInput(str(article), "Ministers meet", "Example News", "2025-03-03")
    return curate.add_source(str(path), given, cache=None if folder is None else str(folder), memos=VerdictTally)[0]


def test_sources_add_through_the_cache_parses_no_data_file(
    workdir: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = data_file(workdir)
    warm(path, private_cache)
    monkeypatch.setattr(curate.sources, "load_current", lambda *_: pytest.fail("the whole file was parsed"))
    monkeypatch.setattr("kztm_timeline.load._parse", lambda *_: pytest.fail("the whole file was parsed"))
    assert add_source_at(path, workdir, private_cache).id == "2025-03-03-ministers-meet"


def test_sources_add_through_the_cache_writes_the_bytes_a_full_parse_writes(workdir: Path, private_cache: Path) -> None:
    path = data_file(workdir)
    twin_folder = workdir / "twin"
    shutil.copytree(workdir / "data", twin_folder / "data")
    shutil.copytree(workdir / "seeds", twin_folder / "seeds")
    warm(path, private_cache)
    add_source_at(path, workdir, private_cache)
    add_source_at(data_file(twin_folder), twin_folder, None)
    assert path.read_bytes() == data_file(twin_folder).read_bytes()
    assert (workdir / "seeds" / "new-article.txt").read_text(encoding="utf-8") == ARTICLE


def test_the_cache_after_sources_add_holds_what_a_cache_built_afresh_holds(
    workdir: Path, private_cache: Path, tmp_path: Path
) -> None:
    path = data_file(workdir)
    warm(path, private_cache)
    add_source_at(path, workdir, private_cache)
    assert rows(cache_file(str(private_cache), str(path))) == fresh_rows(path, tmp_path)
    quoted = {"sources": ("2025-03-03-ministers-meet",), "quotes": ("agreed on a new railway timetable",)}
    cited = EventInput(**{**event("2025-03-03").__dict__, **quoted})
    add(path, cited, private_cache)
    assert rows(cache_file(str(private_cache), str(path))) == fresh_rows(path, tmp_path)


def test_the_kept_verdict_is_brought_up_to_date_by_add(workdir: Path, private_cache: Path, tmp_path: Path) -> None:
    path = data_file(workdir)
    text = path.read_text(encoding="utf-8")
    early, late = "  - id: c1993-diplomatic-relations\n    date: ", "  - id: abai-sculpture-ashgabat\n    date: "
    text = text.replace(early + "1993~\n", early + "1993-05-01\n").replace(late + "2024-08-06/..\n", late + '"2024"\n')
    path.write_text(text, encoding="utf-8")  # a date-evidence problem before the new event, and one after
    warm(path, private_cache)
    inferred_day = EventInput(**{**event("2020-05-05").__dict__, "evidence": "inferred", "note": "A guess."})
    add(path, inferred_day, private_cache)
    database = cache_file(str(private_cache), str(path))
    assert rows(database) == fresh_rows(path, tmp_path)
    kept = sqlite3.connect(database).execute("SELECT value FROM meta WHERE key = 'memo:validate'").fetchone()[0]
    assert [problem["message"].split(":")[0] for problem in json.loads(kept)["problems"]] == [
        "c1993-diplomatic-relations",
        "2020-05-05-benchmark-call",
        "abai-sculpture-ashgabat",
    ]


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet="ab\nçş\r", max_size=60),
    bom=st.booleans(),
    picks=st.lists(st.integers(min_value=0, max_value=60), min_size=4, max_size=4),
)
def test_a_scan_and_a_splice_read_the_file_as_a_whole_read_would(
    tmp_path_factory: pytest.TempPathFactory, text: str, bom: bool, picks: list[int]
) -> None:
    import hashlib

    from kztm_timeline.datafile import fs

    raw = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    path = tmp_path_factory.mktemp("scan") / "events.yaml"
    path.write_bytes(raw)
    place, low = (pick % (len(text) + 1) for pick in picks[:2])
    high = None if picks[2] % 3 == 0 else max(low, picks[2] % (len(text) + 1))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fs, "_SCAN_CHUNK", 7)  # many chunk boundaries, some inside a character
        scan = fs.scan_text(str(path), [place], [(low, high)], limit=1000)
        expected = (hashlib.sha256(raw).hexdigest(), bom, "\r\n" in text, len(text))
        assert (scan.digest, scan.bom, scan.crlf, scan.length) == expected
        assert scan.places[place] == (len(raw) - len(text[place:].encode("utf-8")), text[:place].count("\n"))
        assert scan.texts[(low, high)] == text[low:high]
        start = picks[3] % (len(raw) + 1)
        end = min(len(raw), start + picks[0] % 5)
        spliced = b"".join(fs.spliced_bytes(str(path), start, end, b"XY", scan.digest, limit=1000))
        assert spliced == raw[:start] + b"XY" + raw[end:]


def test_a_file_changed_under_a_splice_is_not_written(tmp_path: Path) -> None:
    from kztm_timeline.datafile import fs

    path = tmp_path / "events.yaml"
    path.write_bytes(b"events:\n")
    stale = fs.scan_text(str(path), [], [], limit=1000).digest
    path.write_bytes(b"events: []\n")
    with pytest.raises(TimelineError, match="changed while it was being written"):
        fs.write_file(str(tmp_path / "out.yaml"), fs.spliced_bytes(str(path), 0, 0, b"# x\n", stale, limit=1000))
    assert not (tmp_path / "out.yaml").exists()
