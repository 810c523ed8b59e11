"""The CLI end to end: exit codes, streams, the JSON contract, terminal safety, real pipes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kztm_timeline.cli import app

from .conftest import DATA, ROOT, EditData

runner = CliRunner()

CONTRACT_KEYS = [
    "id",
    "date",
    "start",
    "end",
    "precision",
    "qualifier",
    "display_date",
    "title",
    "kind",
    "cameo",
    "plover",
    "status",
    "summary",
    "note",
    "actors",
    "place",
    "topics",
    "sources",
    "related",
    "referenced_by",
]


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_validate_prints_a_one_line_summary_and_exits_0() -> None:
    code, out, err = run("validate", "--data", str(DATA), "--as-of", "2024-10-31")
    assert (code, err) == (0, "")
    assert out.endswith("26 events, 14 actors, 5 sources; 34 quotes verified\n")
    assert out.count("\n") == 1


def test_validate_reports_bad_data_on_stderr_with_exit_1(edited: EditData) -> None:
    path = edited("date: 2017-04\n", "date: 2021-02-29\n")
    code, out, err = run("validate", "--data", str(path))
    assert (code, out) == (1, "")
    assert "invalid date: '2021-02-29': day 29 does not exist in 2021-02" in err
    assert err.endswith("timeline: 1 problem in the data; nothing was changed\n")
    assert "Traceback" not in err


def test_every_command_that_loads_data_validates_it(edited: EditData) -> None:
    path = edited("date: 2017-04\n", "date: 2021-02-29\n")
    for command in (["list"], ["show", "abai"], ["search", "x"], ["actors"], ["sources"]):
        code, _, err = run(*command, "--data", str(path))
        assert code == 1, command
        assert "day 29 does not exist" in err


def test_the_data_file_can_come_from_the_environment(edited: EditData) -> None:
    path = edited("date: 2017-04\n", "date: 2021-02-29\n")
    code, _, _ = run("list", env={"KZTM_TIMELINE_DATA": str(path)})
    assert code == 1


def test_list_json_is_an_array_with_the_documented_keys_in_order() -> None:
    code, out, _ = run("list", "--year", "2024", "--json")
    records = json.loads(out)
    assert code == 0
    assert [list(record) for record in records] == [CONTRACT_KEYS] * len(records)
    assert len(records) == 7


def test_json_values_for_a_month_precision_event() -> None:
    _, out, _ = run("list", "--kind", "state_visit", "--limit", "1", "--json")
    record = json.loads(out)[0]
    assert {key: record[key] for key in ("id", "date", "start", "end", "precision", "qualifier", "kind", "cameo", "status")} == {
        "id": "2021-10-tokayev-state-visit",
        "date": "2021-10",
        "start": "2021-10-01",
        "end": "2021-10-31",
        "precision": "month",
        "qualifier": None,
        "kind": "state_visit",
        "cameo": "042",
        "status": "happened",
    }
    assert record["plover"] == {"event": "CONSULT", "mode": "visit", "context": "diplomatic"}
    assert record["actors"] == [
        {"id": "tokayev", "name": "Kassym-Jomart Tokayev", "role": "visitor"},
        {"id": "turkmenistan", "name": "Turkmenistan", "role": "host"},
    ]
    assert record["sources"][0] == {
        "source": "trend-2023-10-31",
        "title": "Cooperation program signed between the foreign ministries of Turkmenistan and Kazakhstan for 2024–2026",
        "publisher": "Trend News Agency (via MENAFN)",
        "quote": "state visits of President of Kazakhstan Kassym-Jomart Tokayev to Turkmenistan in October 2021",
        "url": None,
        "language": "en",
        "translation": None,
    }
    assert record["referenced_by"] == [{"id": "2022-10-serdar-berdimuhamedov-state-visit", "relation": "follows_up"}]


def test_json_writes_utf8_unescaped() -> None:
    _, out, _ = run("list", "--search", "2024–2026", "--json")
    assert "2024–2026" in out
    assert "\\u2013" not in out


def test_an_empty_json_result_is_an_empty_array_with_exit_0() -> None:
    assert run("list", "--search", "nowhere-in-the-data", "--json") == (0, "[]\n", "")


def test_an_empty_human_result_says_so_on_stderr() -> None:
    assert run("list", "--search", "nowhere-in-the-data") == (0, "", "no events match\n")


def test_jsonl_is_one_object_a_line() -> None:
    _, out, _ = run("list", "--year", "2023", "--format", "jsonl")
    lines = out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [
        "2023-10-31-foreign-ministers-talks",
        "2023-10-31-mfa-cooperation-programme",
        "2023-10-nurtleu-official-visit",
        "2023-10-nurtleu-wreath-laying",
    ]


def test_show_json_is_one_object_shaped_like_a_list_item() -> None:
    code, out, _ = run("show", "2017-04", "--json")
    record = json.loads(out)
    assert code == 0
    assert list(record) == CONTRACT_KEYS
    assert record["id"] == "2017-04-strategic-partnership-agreement"


def test_show_prints_everything_about_the_event() -> None:
    code, out, _ = run("show", "2023-10-31-mfa-cooperation-programme")
    assert code == 0
    for expected in (
        "Oct 2023?  (EDTF 2023-10?; precision month, uncertain)",
        "CAMEO 057 (Sign formal agreement); PLOVER SUPPORT (diplomatic)",
        "Rashid Meredov (signatory)",
        "Place         Ashgabat",
        "Topics        political-dialogue",
        "Trend News Agency (via MENAFN), 31 Oct 2023",
        "“A cooperation program was signed between the Ministries of Foreign Affairs",
        "Part of Foreign Minister Nurtleu's official visit to Ashgabat (Oct 2023; 2023-10-nurtleu-official-visit).",
    ):
        assert expected in " ".join(out.split()) or expected in out


def test_show_lists_related_events_in_both_directions() -> None:
    _, out, _ = run("show", "2023-10-nurtleu-official-visit")
    assert (
        "Includes Foreign ministries sign their cooperation programme for 2024–2026 (Oct 2023?; "
        "2023-10-31-mfa-cooperation-programme)."
    ) in " ".join(out.split())


def test_show_refuses_an_unknown_id_with_suggestions() -> None:
    code, out, err = run("show", "2021-10-tokaev-state-visit")
    assert (code, out) == (1, "")
    assert err.startswith("timeline: no event '2021-10-tokaev-state-visit'\ndid you mean:\n  2021-10-tokayev-state-visit")


def test_show_refuses_an_ambiguous_prefix() -> None:
    code, _, err = run("show", "2024")
    assert code == 1
    assert "'2024' is the prefix of" in err


def test_search_finds_by_any_spelling() -> None:
    code, out, _ = run("search", "Magtumguly", "--format", "jsonl")
    assert code == 0
    assert len(out.splitlines()) == 4  # as many as Magtymguly (issue 23)


def test_actors_json_lists_variants_and_counts() -> None:
    _, out, _ = run("actors", "--json")
    magtymguly = next(actor for actor in json.loads(out) if actor["id"] == "magtymguly")
    assert magtymguly["variants"] == ["Magtymguly Fragi", "Magtumguly Pyragy", "Magtymguly", "Magtumguly"]
    assert magtymguly["events"] == 2


def test_sources_json_lists_articles_and_counts() -> None:
    _, out, _ = run("sources", "--json")
    assert [(source["id"], source["events"]) for source in json.loads(out)] == [
        ("trend-2023-10-31", 6),
        ("kz-mfa-nurtleu-visit", 12),
        ("golden-age-mamin-commission", 2),
        ("tm-2023-05-16-prospects", 3),
        ("tm-2024-08-06-phone-call", 8),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--since", "not a date"], "Invalid value for '--since'"),
        (["list", "--year", "abc"], "Invalid value for '--year'"),
        (["list", "--format", "pdf"], "Invalid value for '--format'"),
        (["list", "--kind", "invasion"], "no kind 'invasion'"),
        (["list", "--status", "maybe"], "no status 'maybe'"),
        (["list", "--topic", "invasion"], "no topic 'invasion'"),
        (["list", "--limit", "-1"], "Invalid value for '--limit'"),
        (["list", "--actor", "Tokarev"], "no actor matches 'Tokarev'"),
        (["list", "--nonsense"], "No such option"),
        (["frobnicate"], "No such command"),
        (["show"], "Missing argument"),
    ],
)
def test_bad_arguments_exit_2_with_a_usage_message(args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert (code, out) == (2, "")
    assert "Usage: timeline" in err
    assert message in err


def test_since_accepts_a_month_name_and_covers_the_month() -> None:
    _, out, _ = run("list", "--since", "Aug 2024", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in out.splitlines()] == [
        "2024-08-05-presidents-telephone-call",  # 5 Aug 2024 lies in August: "Aug 2024" is its whole month
        "2024-central-asia-japan-summit-astana",  # open at their end, from 6 Aug 2024: wholly on or after 1 August
        "2024-consultative-meeting-astana",
        "abai-sculpture-ashgabat",
    ]


def test_until_a_year_includes_all_of_that_year() -> None:
    _, out, _ = run("list", "--until", "2022", "--format", "jsonl")
    assert json.loads(out.splitlines()[-1])["id"] == "2022-10-serdar-berdimuhamedov-state-visit"


def test_a_date_without_a_year_is_refused() -> None:
    code, _, err = run("list", "--since", "5 August")
    assert code == 2
    assert "has no year" in err


def test_rich_markup_in_the_data_prints_as_written(edited: EditData) -> None:
    path = edited("title: Strategic Partnership Agreement signed", "title: '[bold]Strategic[/bold] Partnership'")
    _, out, _ = run("list", "--data", str(path), "--year", "2017")
    assert "[bold]Strategic[/bold] Partnership" in out
    _, out, _ = run("show", "2017", "--data", str(path))
    assert "[bold]Strategic[/bold] Partnership" in out


def test_output_without_a_terminal_has_no_color() -> None:
    _, out, _ = run("list")
    assert "\x1b[" not in out


def test_list_timeline_groups_by_year_and_marks_planned_events() -> None:
    _, out, _ = run("list", "--since", "2024", "--kind", "summit")
    assert out.splitlines()[0].startswith("2024 ───")
    assert "First Central Asia – Japan Dialogue summit in Astana  planned" in out
    assert "from 6 Aug 2024" in out


def test_the_version_option() -> None:
    assert run("--version")[:2] == (0, "timeline 0.1.0 (output contract 4.2)\n")


# ---------------------------------------------------------------- real processes


def _timeline(*args: str) -> list[str]:
    return [sys.executable, "-m", "kztm_timeline", *args]


def test_a_closed_pipe_ends_quietly() -> None:
    shell = f"{sys.executable} -m kztm_timeline list --format jsonl | head -1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, check=False)
    assert result.stderr == ""
    assert result.returncode == 0
    assert json.loads(result.stdout)["id"] == "earlier-intergovernmental-commission-meetings"


def test_json_through_a_real_pipe_reaches_jq_like_consumers() -> None:
    result = subprocess.run(_timeline("list", "--year", "2024", "--json"), capture_output=True, text=True, check=True)
    assert len(json.loads(result.stdout)) == 7


def test_color_appears_at_a_terminal_and_no_color_turns_it_off() -> None:
    script = "import pty, sys; pty.spawn([sys.executable, '-m', 'kztm_timeline', 'list', '--year', '2017'])"
    with_color = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=True, env={**os.environ, "TERM": "xterm-256color"}
    )
    assert b"\x1b[" in with_color.stdout
    env = {**os.environ, "TERM": "xterm-256color", "NO_COLOR": "1"}
    without = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, env=env)
    assert b"\x1b[" not in without.stdout
    assert b"Strategic Partnership Agreement signed" in without.stdout


def test_ctrl_c_exits_130_without_a_traceback() -> None:
    script = (
        "import signal, sys\n"
        "from kztm_timeline import cli, load\n"
        "def interrupt(*a, **k):\n    raise KeyboardInterrupt\n"
        "load.load_dataset = interrupt\n"
        "sys.argv = ['timeline', 'list']\n"
        "cli.run()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 130
    assert result.stderr == "timeline: interrupted\n"


def test_an_internal_error_is_one_line_and_exit_70() -> None:
    script = (
        "from kztm_timeline import cli, load\n"
        "def broken(*a, **k):\n    raise RuntimeError('boom')\n"
        "load.load_dataset = broken\n"
        "import sys; sys.argv = ['timeline', 'validate']\n"
        "cli.run()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 70
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("timeline: internal error (RuntimeError: boom). This is a bug")


def test_debug_shows_the_traceback_of_an_internal_error() -> None:
    script = (
        "from kztm_timeline import cli, load\n"
        "def broken(*a, **k):\n    raise RuntimeError('boom')\n"
        "load.load_dataset = broken\n"
        "import sys; sys.argv = ['timeline', '--debug', 'validate']\n"
        "cli.run()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert "Traceback" in result.stderr
    assert "RuntimeError: boom" in result.stderr


def test_the_installed_package_runs_from_any_folder_on_the_shipped_data(tmp_path: Path) -> None:
    result = subprocess.run(_timeline("validate"), capture_output=True, text=True, check=True, cwd=tmp_path)
    assert "26 events" in result.stdout


def test_shell_completion_completes_event_ids() -> None:
    env = {**os.environ, "_TIMELINE_COMPLETE": "complete_bash", "COMP_WORDS": "timeline show 2024-07", "COMP_CWORD": "2"}
    result = subprocess.run(
        [sys.executable, "-c", "from kztm_timeline.cli import app; app(prog_name='timeline')"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.stdout.split() == [
        "2024-07-bilateral-talks-astana",
        "2024-07-gurbanguly-berdimuhamedov-astana-visit",
        "2024-07-sco-summit-astana",
        "2024-07-04-magtymguly-monument-astana",
    ]


def test_list_json_conforms_to_the_committed_json_schema() -> None:
    import jsonschema

    schema = json.loads((ROOT / "schema" / "event-list.schema.json").read_text(encoding="utf-8"))
    _, out, _ = run("list", "--json")
    jsonschema.Draft202012Validator(schema).validate(json.loads(out))
    event_schema = {**schema["$defs"]["event"], "$defs": schema["$defs"]}
    _, out, _ = run("show", "abai", "--json")
    jsonschema.Draft202012Validator(event_schema).validate(json.loads(out))


def test_the_committed_data_schema_is_what_timeline_schema_prints() -> None:
    committed = (ROOT / "schema" / "events.schema.json").read_text(encoding="utf-8")
    assert run("schema")[1] == committed
