"""Growing the dataset: `add`, `sources add`, the YAML writer, the lock, and schema/validator agreement."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.datafile import yaml_read
from kztm_timeline.datafile.fs import display_path
from kztm_timeline.datafile.lock import lock_path
from kztm_timeline.datafile.yaml_write import folded, render_item, scalar
from kztm_timeline.errors import DataError, TimelineError
from kztm_timeline.load import load_dataset
from kztm_timeline.model import Dataset
from kztm_timeline.text import first_unsafe, slugify, unique_id

from .conftest import DATA, ROOT

runner = CliRunner()

CALL = [
    "--date",
    "2024-08-05",
    "--title",
    "Presidents speak again",
    "--kind",
    "telephone_call",
    "--status",
    "happened",
    "--actor",
    "tokayev:caller",
    "--actor",
    "Serdar Berdimuhamedow:callee",
    "--summary",
    "The two presidents talked by telephone.",
    "--source",
    "tm-2024-08-06-phone-call",
    "--quote",
    "a telephone conversation took place",
]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def data_file(workdir: Path) -> Path:
    return workdir / "data" / "events.yaml"


# ---------------------------------------------------------------- add


def test_add_inserts_one_block_and_changes_no_other_line(workdir: Path) -> None:
    path = data_file(workdir)
    before = path.read_text(encoding="utf-8").splitlines()
    code, out, err = run("add", *CALL, "--data", str(path))
    assert (code, out) == (0, "")
    assert err == f"added 2024-08-05-presidents-speak-again to {display_path(str(path))}\n"
    after = path.read_text(encoding="utf-8").splitlines()
    opcodes = [op for op in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes() if op[0] != "equal"]
    assert [op[0] for op in opcodes] == ["insert"]
    _, _, _, start, end = opcodes[0]
    assert after[start:end] == [
        "  - id: 2024-08-05-presidents-speak-again",
        "    date: 2024-08-05",
        "    title: Presidents speak again",
        "    kind: telephone_call",
        "    status: happened",
        "    participants:",
        "      - {actor: tokayev, role: caller}",
        "      - {actor: serdar-berdimuhamedov, role: callee}",
        "    place: null",
        "    topics: []",
        "    summary: The two presidents talked by telephone.",
        "    citations:",
        "      - source: tm-2024-08-06-phone-call",
        "        quote: a telephone conversation took place",
        "",
    ]


def test_add_keeps_the_file_in_date_order_first_day_then_id(workdir: Path) -> None:
    path = data_file(workdir)
    run("add", *CALL, "--data", str(path))
    ids = [event.id for event in load_dataset(str(path)).events]
    assert ids[-5:] == [
        "2024-08-05-presidents-speak-again",
        "2024-08-05-presidents-telephone-call",
        "2024-central-asia-japan-summit-astana",
        "2024-consultative-meeting-astana",
        "abai-sculpture-ashgabat",
    ]


def test_the_shipped_events_are_in_date_order(shipped: Dataset) -> None:
    keys = [(event.date.first or date.min, event.id) for event in shipped.events]
    assert keys == sorted(keys)


def test_add_of_the_earliest_event_goes_first(workdir: Path) -> None:
    path = data_file(workdir)
    code, _, _ = run("add", *CALL[2:], "--date", "1992", "--data", str(path))
    assert code == 0
    # after the two events open at their start ("until …"), whose first day is unknown
    assert [event.id for event in load_dataset(str(path)).events][:3] == [
        "days-of-culture-held",
        "earlier-intergovernmental-commission-meetings",
        "1992-presidents-speak-again",
    ]


def test_add_of_the_latest_event_goes_last(workdir: Path) -> None:
    path = data_file(workdir)
    code, _, _ = run("add", *CALL[2:], "--date", "2030-01-01", "--data", str(path))
    assert code == 0
    assert load_dataset(str(path)).events[-1].id == "2030-01-01-presidents-speak-again"


def test_a_refused_add_leaves_the_file_byte_identical(workdir: Path) -> None:
    path = data_file(workdir)
    before = path.read_bytes()
    code, out, err = run("add", *CALL[:-1], "words the article never says", "--data", str(path))
    assert (code, out) == (1, "")
    assert err == (
        "the new event (--source/--quote): quote not found in source 'tm-2024-08-06-phone-call'; "
        "copy the words exactly from the article; join separate fragments with '...'\n"
        "timeline: 1 problem in the data; nothing was changed\n"
    )
    assert path.read_bytes() == before
    assert sorted(os.listdir(path.parent)) == [".events.yaml.lock", "events.yaml"]


def test_add_names_each_bad_option(workdir: Path) -> None:
    path = data_file(workdir)
    args = [*CALL, "--actor", "tokayev:boss", "--related", "abai-sculpture-ashgabat:inspired", "--data", str(path)]
    code, _, err = run("add", *args)
    assert code == 1
    assert err.splitlines()[:2] == [
        "the new event (--actor): role 'boss' is not allowed; use one of: visitor, host, caller, callee, signatory, "
        "attendee, participant, honoree, organiser",
        "the new event (--related): relation 'inspired' is not allowed; use one of: part_of, follows_up, "
        "occasioned_by, prepares, mentions, fulfils, cancels, postpones",
    ]


def test_add_reports_an_unknown_actor_with_a_suggestion(workdir: Path) -> None:
    path = data_file(workdir)
    code, _, err = run("add", *CALL, "--actor", "tokarev", "--actor", "Meredoff", "--data", str(path))
    assert code == 1
    assert err.splitlines()[:2] == [
        "the new event (--actor): no actor 'tokarev'; did you mean 'tokayev'?",
        "the new event (--actor): no actor 'Meredoff'; did you mean 'meredov' (Meredov)?",
    ]


def test_add_takes_an_actor_in_another_romanization(workdir: Path) -> None:
    path = data_file(workdir)
    code, _, err = run("add", *CALL, "--actor", "Tokaev:caller", "--data", str(path))
    assert code == 0, err
    assert "{actor: tokayev, role: caller}" in path.read_text(encoding="utf-8")


def test_add_takes_an_actor_by_any_spelling_of_its_name(workdir: Path) -> None:
    path = data_file(workdir)
    code, _, _ = run("add", *CALL, "--actor", "Rashid Meredov:attendee", "--data", str(path))
    assert code == 0
    event = load_dataset(str(path)).event_by_id["2024-08-05-presidents-speak-again"]
    assert [participant.actor for participant in event.participants] == ["tokayev", "serdar-berdimuhamedov", "meredov"]


def test_add_refuses_an_id_that_is_taken(workdir: Path) -> None:
    path = data_file(workdir)
    code, _, err = run("add", *CALL, "--id", "abai-sculpture-ashgabat", "--data", str(path))
    assert code == 1
    assert err.splitlines()[0] == "the new event (--id): event id 'abai-sculpture-ashgabat' is taken; choose another id"


def test_add_makes_a_free_id_when_the_slug_is_taken(workdir: Path) -> None:
    path = data_file(workdir)
    run("add", *CALL, "--data", str(path))
    code, _, err = run("add", *CALL, "--data", str(path))
    assert code == 0
    assert err.startswith("added 2024-08-05-presidents-speak-again-2 to ")


def test_add_without_a_terminal_names_every_missing_option_and_exits_2(workdir: Path) -> None:
    path = data_file(workdir)
    before = path.read_bytes()
    code, out, err = run("add", "--date", "2024", "--data", str(path))
    assert (code, out) == (2, "")
    assert err.endswith(
        "Error: missing --title, --kind, --status, --actor, --summary, --source "
        "(no terminal to ask at; pass them as options)\n"
    )
    assert path.read_bytes() == before


def test_add_needs_a_quote_for_each_source(workdir: Path) -> None:
    code, _, err = run("add", *CALL, "--source", "trend-2023-10-31", "--data", str(data_file(workdir)))
    assert code == 2
    assert err.endswith("Error: each --source needs its --quote: got 2 --source and 1 --quote\n")


def test_dry_run_prints_the_yaml_and_writes_nothing(workdir: Path) -> None:
    path = data_file(workdir)
    before = path.read_bytes()
    code, out, err = run("add", *CALL, "--topic", "high-level-dialogue", "--dry-run", "--data", str(path))
    assert code == 0
    assert out.splitlines()[0] == "  - id: 2024-08-05-presidents-speak-again"
    assert "    topics: [high-level-dialogue]" in out.splitlines()
    assert err == "dry run: 2024-08-05-presidents-speak-again is valid; nothing was written\n"
    assert path.read_bytes() == before


def test_add_prompts_for_missing_values_at_a_terminal(workdir: Path) -> None:
    path = data_file(workdir)
    controller, terminal = os.openpty()
    answers = "Presidents speak again\ntelephone_call\nhappened\ntokayev:caller\nThey talked.\ntm-2024-08-06-phone-call\n"
    answers += "a telephone conversation took place\n"
    os.write(controller, answers.encode())
    process = subprocess.run(
        [sys.executable, "-m", "kztm_timeline", "add", "--date", "2024-08-05", "--data", str(path)],
        stdin=terminal,
        stderr=terminal,
        stdout=subprocess.PIPE,
        timeout=60,
        check=False,
    )
    os.close(terminal)
    prompts = os.read(controller, 65536).decode()
    os.close(controller)
    assert process.returncode == 0
    for question in ("Title: ", "Kind (state_visit, ", "Status (happened, planned): ", "Summary: ", "Quote from"):
        assert question in prompts
    event = load_dataset(str(path)).event_by_id["2024-08-05-presidents-speak-again"]
    assert (event.title, event.summary, event.citations[0].quote) == (
        "Presidents speak again",
        "They talked.",
        "a telephone conversation took place",
    )


def test_eight_parallel_adds_all_land_and_the_file_stays_valid(workdir: Path) -> None:
    path = data_file(workdir)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "kztm_timeline", "add", *CALL, "--title", f"Parallel call {number}", "--data", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        for number in range(8)
    ]
    results = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0] * 8, results
    ids = set(load_dataset(str(path)).event_by_id)
    assert {f"2024-08-05-parallel-call-{number}" for number in range(8)} <= ids
    assert len(ids) == 26 + 8


def test_a_held_lock_makes_a_writer_wait_then_give_up_with_a_message(workdir: Path) -> None:
    import fcntl

    from kztm_timeline.datafile import lock

    path = data_file(workdir)
    descriptor = os.open(lock_path(str(path)), os.O_RDWR | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        with (
            pytest.raises(TimelineError, match="is locked by another timeline command"),
            lock.file_lock(str(path), timeout=0.2),
        ):
            pass  # pragma: no cover - never reached
    finally:
        os.close(descriptor)


# ---------------------------------------------------------------- sources add


def test_sources_add_copies_the_article_byte_for_byte_and_registers_it(workdir: Path, tmp_path: Path) -> None:
    article = tmp_path / "new-article.txt"
    article.write_bytes(b"A new article.\r\nOn 3 March 2025 the ministers met in Astana.\n")
    path = data_file(workdir)
    code, _, err = run(
        "sources", "add", str(article), "--title", "Ministers meet", "--publisher", "Example", "--published", "2025-03-04",
        "--data", str(path),
    )  # fmt: skip
    assert code == 0, err
    assert (workdir / "seeds" / "new-article.txt").read_bytes() == article.read_bytes()
    source = load_dataset(str(path)).source_by_id["2025-03-04-ministers-meet"]
    assert (source.file, source.title, source.publisher) == ("../seeds/new-article.txt", "Ministers meet", "Example")


def test_sources_add_refuses_an_article_already_registered(workdir: Path) -> None:
    path = data_file(workdir)
    before = path.read_bytes()
    code, _, err = run(
        "sources", "add", str(ROOT / "seeds" / "004_5b251d539b2f1450.txt"), "--title", "t", "--publisher", "p",
        "--data", str(path),
    )  # fmt: skip
    assert code == 1
    assert err.endswith("is already registered as source 'tm-2024-08-06-phone-call'\n")
    assert path.read_bytes() == before


def test_sources_add_refuses_a_different_file_of_the_same_name(workdir: Path, tmp_path: Path) -> None:
    article = tmp_path / "004_5b251d539b2f1450.txt"
    article.write_text("Another text entirely.\n", encoding="utf-8")
    code, _, err = run("sources", "add", str(article), "--title", "t", "--publisher", "p", "--data", str(data_file(workdir)))
    assert code == 1
    assert "a different file named '004_5b251d539b2f1450.txt' is already in" in err


def test_sources_add_refuses_an_article_that_is_not_utf8(workdir: Path, tmp_path: Path) -> None:
    article = tmp_path / "latin1.txt"
    article.write_bytes(b"Caf\xe9 diplomacy.\n")
    code, _, err = run("sources", "add", str(article), "--title", "t", "--publisher", "p", "--data", str(data_file(workdir)))
    assert code == 1
    assert err.startswith(f"{article}:1:4: byte 0xe9 is not UTF-8; save the file as UTF-8\n")
    assert not (workdir / "seeds" / "latin1.txt").exists()


def test_sources_add_dry_run_copies_and_writes_nothing(workdir: Path, tmp_path: Path) -> None:
    article = tmp_path / "dry.txt"
    article.write_text("Text.\n", encoding="utf-8")
    path = data_file(workdir)
    before = path.read_bytes()
    code, out, _ = run("sources", "add", str(article), "--title", "Dry", "--publisher", "p", "--dry-run", "--data", str(path))
    assert code == 0
    assert out == "  - id: dry\n    file: ../seeds/dry.txt\n    title: Dry\n    publisher: p\n    published: null\n"
    assert path.read_bytes() == before
    assert not (workdir / "seeds" / "dry.txt").exists()


def test_sources_without_a_subcommand_still_lists_them() -> None:
    code, out, _ = run("sources", "--json", "--data", str(DATA))
    assert code == 0
    assert json.loads(out)[0]["id"] == "trend-2023-10-31"


# ---------------------------------------------------------------- the YAML writer


def test_slugify_keeps_ascii_words_and_cuts_at_a_word() -> None:
    assert slugify("Tokaýew’s visit — to Aşgabat!") == "tokayews-visit-to-asgabat"
    assert slugify("one two three", limit=8) == "one-two"


def test_unique_id_counts_up_from_2() -> None:
    assert unique_id("a", {"a", "a-2"}) == "a-3"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("plain words", "plain words"),
        ("yes", '"yes"'),
        ("1e3", '"1e3"'),
        ("2024", '"2024"'),
        ("2024-08-05", "2024-08-05"),
        ("a: b", '"a: b"'),
        ("# not a comment", '"# not a comment"'),
        ('say "hi"', 'say "hi"'),
        ("line\nbreak", '"line\\nbreak"'),
        ("", '""'),
    ],
)
def test_scalars_are_plain_only_where_plain_reads_back_the_same(text: str, written: str) -> None:
    assert scalar(text) == written


def test_a_comma_forces_quotes_inside_a_flow_list() -> None:
    assert scalar("a, b", flow=True) == '"a, b"'


_SAFE_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=120).filter(lambda text: first_unsafe(text) is None)


@given(_SAFE_TEXT)
def test_any_text_is_written_so_that_it_reads_back_exactly(text: str) -> None:
    record: dict[str, object] = {"id": "x", "summary": text * 3, "topics": [text], "citations": [{"quote": text}]}
    rendered = render_item(record, 2).text
    assert yaml_read.compose("<test>", rendered).data == [record]


@given(_SAFE_TEXT)
def test_a_folded_block_is_used_only_when_it_reads_back_exactly(text: str) -> None:
    block = folded(text, 4)
    if block is not None:
        assert yaml_read.compose("<test>", "k: " + block).data == {"k": text}


# ---------------------------------------------------------------- schema and validator agree


SPA_CITATION = (
    "    citations:\n      - source: tm-2023-05-16-prospects\n"
    "        quote: The Strategic Partnership Agreement between the countries, signed in April 2017\n"
)
SPA_PARTICIPANTS = "    participants:\n      - {actor: kazakhstan, role: signatory}"
INVALID = {
    "missing summary": ("    summary: >-\n      Kazakhstan and", "    sumary: >-\n      Kazakhstan and"),
    "unknown key": (SPA_PARTICIPANTS, "    mood: festive\n" + SPA_PARTICIPANTS),
    "bad kind": ("kind: agreement_signing", "kind: signing"),
    "bad status": ("kind: agreement_signing\n    status: happened", "kind: agreement_signing\n    status: done"),
    "bad role": ("{actor: kazakhstan, role: signatory}", "{actor: kazakhstan, role: signer}"),
    "id not a slug": ("id: 2017-04-strategic-partnership-agreement", "id: 2017 Strategic"),
    "topics not a list": ("topics: [strategic-partnership, regional-cooperation]", "topics: strategic-partnership"),
    "no citations": (SPA_CITATION, "    citations: []\n"),
    "date not edtf": ("date: 2017-04\n", "date: April 2017\n"),
    "title a number": ("title: Strategic Partnership Agreement signed", "title: 2017"),
    "country a list": ("country: KZ", "country: [KZ]"),
}


def _schema_errors(document: object) -> list[str]:
    import jsonschema

    schema = json.loads((ROOT / "schema" / "events.schema.json").read_text(encoding="utf-8"))
    return [error.message for error in jsonschema.Draft202012Validator(schema).iter_errors(document)]


def test_the_shipped_data_passes_both_the_schema_and_the_validator() -> None:
    document = yaml_read.compose(str(DATA), DATA.read_text(encoding="utf-8"))
    assert _schema_errors(document.data) == []
    load_dataset(str(DATA))


@pytest.mark.parametrize("name", list(INVALID))
def test_each_invalid_fixture_fails_both_the_schema_and_the_validator(workdir: Path, name: str) -> None:
    old, new = INVALID[name]
    path = data_file(workdir)
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    document = yaml_read.compose(str(path), path.read_text(encoding="utf-8"))
    assert _schema_errors(document.data) != []
    with pytest.raises(DataError):
        load_dataset(str(path))


def test_add_into_an_empty_flow_list_writes_a_block_list(tmp_path: Path) -> None:
    small = ROOT / "tests" / "fixtures" / "small"
    shutil.copy(small / "article.txt", tmp_path / "article.txt")
    text = (small / "events.yaml").read_text(encoding="utf-8")
    path = tmp_path / "events.yaml"
    path.write_text(text[: text.index("events:")] + "events: []  # none yet\n", encoding="utf-8")
    quote = (small / "article.txt").read_text(encoding="utf-8").split()[:4]
    args = ["--date", "2024-03-05", "--title", "First", "--kind", "talks", "--status", "happened", "--actor", "alpha"]
    code, _, err = run("add", *args, "--summary", "S.", "--source", "wire", "--quote", " ".join(quote), "--data", str(path))
    assert code == 0, err
    assert [event.id for event in load_dataset(str(path)).events] == ["2024-03-05-first"]
    assert path.read_text(encoding="utf-8").startswith(text[: text.index("events:")] + "events:\n  - id: 2024-03-05-first\n")


def test_an_anchor_is_refused_even_without_an_alias(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text("sources: &s []\nactors: []\nevents: []\n", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load_dataset(str(path))
    assert [str(problem) for problem in raised.value.problems] == [
        f"{path}:1:10: anchors and aliases are not allowed; write the value out in full"
    ]


@pytest.mark.parametrize(("bom", "newline"), [(b"\xef\xbb\xbf", b"\n"), (b"", b"\r\n"), (b"\xef\xbb\xbf", b"\r\n")])
def test_add_keeps_a_byte_order_mark_and_crlf_line_ends(workdir: Path, bom: bytes, newline: bytes) -> None:
    path = data_file(workdir)
    before = bom + path.read_bytes().replace(b"\n", newline)
    path.write_bytes(before)
    code, _, err = run("add", *CALL, "--data", str(path))
    assert code == 0, err
    after = path.read_bytes()
    assert after.startswith(bom + b"# yaml-language-server")
    assert after.count(b"\n") == after.count(newline)  # every line end in the file's own style
    lines_before, lines_after = before.split(newline), after.split(newline)
    opcodes = difflib.SequenceMatcher(a=lines_before, b=lines_after, autojunk=False).get_opcodes()
    assert [op[0] for op in opcodes if op[0] != "equal"] == ["insert"]


def test_a_writer_waits_for_the_lock_for_as_long_as_the_writer_in_front_needs(workdir: Path) -> None:
    import threading
    import time

    from kztm_timeline.datafile import lock

    path = str(data_file(workdir))
    held = threading.Event()

    def in_front() -> None:
        with lock.file_lock(path):
            held.set()
            time.sleep(1.5)

    thread = threading.Thread(target=in_front)
    thread.start()
    held.wait()
    start = time.monotonic()
    with lock.file_lock(path):  # no timeout: it queues instead of failing
        waited = time.monotonic() - start
    thread.join()
    assert waited >= 1.0
