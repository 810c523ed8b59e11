"""The terminal habits users bring from gh, git, khal, jrnl and sqlite-utils: global options anywhere,
colour and paging by the conventions, one output model for every command, widths, dates, editing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kztm_timeline.cli import app, color_wanted, pager_command
from kztm_timeline.errors import UsageError
from kztm_timeline.query import user_date_range

from .conftest import DATA, ROOT

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout_bytes.decode(), result.stderr  # the bytes: .stdout turns CRLF into LF


def at_terminal(*args: str, env: dict[str, str] | None = None, rows: int = 24, columns: int = 100) -> bytes:
    """Run the tool on a pseudo-terminal of the given size and return what it showed there."""
    script = (
        "import fcntl, os, pty, struct, sys, termios\n"
        "pid, fd = pty.fork()\n"
        "if pid == 0:\n"
        f"    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', {rows}, {columns}, 0, 0))\n"
        "    os.execv(sys.executable, [sys.executable, '-m', 'kztm_timeline', *sys.argv[1:]])\n"
        "out = b''\n"
        "while True:\n"
        "    try:\n"
        "        chunk = os.read(fd, 65536)\n"
        "    except OSError:\n"
        "        break\n"
        "    if not chunk:\n"
        "        break\n"
        "    out += chunk\n"
        "os.waitpid(pid, 0)\n"
        "sys.stdout.buffer.write(out)\n"
    )
    environ = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR", "PAGER")}
    environ.update({"TERM": "xterm-256color", **(env or {})})
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, check=True, env=environ).stdout


# ---------------------------------------------------------------- global options before or after the command


def test_data_may_come_before_the_command() -> None:
    code, out, _ = run("--data", str(DATA), "list", "--year", "2017", "--json")
    assert code == 0
    assert [event["id"] for event in json.loads(out)][-1] == "2017-04-strategic-partnership-agreement"


@pytest.mark.parametrize("option", ["--no-cache", "--verbose", "--debug", "--no-pager", "--color=never"])
def test_a_global_option_works_after_the_command_too(option: str) -> None:
    code, out, err = run("list", "--year", "2017", "--json", option)
    assert (code, err) == (0, "")
    assert json.loads(out)[-1]["id"] == "2017-04-strategic-partnership-agreement"


def test_no_cache_after_the_command_writes_no_cache(private_cache: Path) -> None:
    run("list", "--no-cache", "--json")
    assert not private_cache.exists()


# ---------------------------------------------------------------- colour


@pytest.mark.parametrize(
    ("mode", "environ", "terminal", "expected"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("auto", {"FORCE_COLOR": "0"}, False, False),
        ("auto", {"CLICOLOR_FORCE": "1"}, False, True),
        ("auto", {"CLICOLOR": "0"}, True, False),
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
        ("always", {"NO_COLOR": "1"}, False, True),
        ("never", {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_colour_follows_the_flag_then_no_color_then_force_color_then_the_terminal(
    mode: str, environ: dict[str, str], terminal: bool, expected: bool
) -> None:
    assert color_wanted(mode, environ, terminal=terminal) is expected


def test_color_always_keeps_colour_through_a_pipe() -> None:
    code, out, _ = run("list", "--year", "2017", "--color", "always")
    assert code == 0
    assert "\x1b[" in out


def test_force_color_keeps_colour_through_a_pipe() -> None:
    code, out, _ = run("list", "--year", "2017", env={"FORCE_COLOR": "1"})
    assert code == 0
    assert "\x1b[" in out


def test_a_bad_color_value_is_a_usage_error() -> None:
    code, _, err = run("list", "--color", "sometimes")
    assert code == 2
    assert "'sometimes' is not one of 'auto', 'always', 'never'" in err


# ---------------------------------------------------------------- pager


def test_long_output_at_a_terminal_goes_through_timeline_pager(tmp_path: Path) -> None:
    record = tmp_path / "paged.txt"
    shown = at_terminal("list", env={"TIMELINE_PAGER": f"cat > {record}", "PAGER": "false"}, rows=10)
    assert "2017-04-strategic-partnership-agreement" in record.read_text(encoding="utf-8")
    assert b"2017-04-strategic-partnership-agreement" not in shown


def test_pager_falls_back_to_dollar_pager() -> None:
    assert pager_command({"PAGER": "most"}) == "most"


def test_pager_defaults_to_less() -> None:
    assert pager_command({}) == "less"


@pytest.mark.parametrize("value", ["", "cat"])
def test_an_empty_or_cat_pager_means_no_pager(value: str) -> None:
    assert pager_command({"TIMELINE_PAGER": value, "PAGER": "less"}) is None


def test_no_pager_prints_straight_to_the_terminal(tmp_path: Path) -> None:
    record = tmp_path / "paged.txt"
    shown = at_terminal("list", "--no-pager", env={"TIMELINE_PAGER": f"cat > {record}"}, rows=10)
    assert not record.exists()
    assert b"2017-04-strategic-partnership-agreement" in shown


def test_output_that_fits_the_screen_is_not_paged(tmp_path: Path) -> None:
    record = tmp_path / "paged.txt"
    shown = at_terminal("show", "2017-04", env={"TIMELINE_PAGER": f"cat > {record}"}, rows=200)
    assert not record.exists()
    assert b"2017-04-strategic-partnership-agreement" in shown


def test_the_pager_gets_colour_when_the_terminal_would(tmp_path: Path) -> None:
    record = tmp_path / "paged.txt"
    at_terminal("list", env={"TIMELINE_PAGER": f"cat > {record}"}, rows=10)
    assert "\x1b[" in record.read_text(encoding="utf-8")


# ---------------------------------------------------------------- one output model for every command


@pytest.mark.parametrize("command", [["actors"], ["sources"], ["stats"], ["plans"], ["coverage"], ["show", "2017-04"]])
def test_every_data_command_takes_format_csv(command: list[str]) -> None:
    code, out, err = run(*command, "-f", "csv")
    assert (code, err) == (0, "")
    assert out.count("\r\n") >= 2
    assert "," in out.splitlines()[0]


@pytest.mark.parametrize(
    "command",
    [["actors"], ["sources"], ["stats"], ["plans"], ["coverage"], ["extract", "trend-2023-10-31"], ["sources", "show", "trend"]],
)
def test_every_data_command_takes_format_jsonl(command: list[str]) -> None:
    code, out, _ = run(*command, "--format", "jsonl")
    assert code == 0
    assert all(isinstance(json.loads(line), dict) for line in out.splitlines())


def test_actors_csv_flattens_the_json_keys_and_joins_lists_by_semicolons() -> None:
    _, out, _ = run("actors", "-f", "csv")
    lines = out.split("\r\n")
    assert lines[0] == "id,name,type,country,variants,positions_title,positions_span,events"
    serdar = "serdar-berdimuhamedov,Serdar Berdimuhamedov,person,TM,Serdar Berdimuhamedow,President of Turkmenistan,2022-10/2024-08-05,4"  # noqa: E501 - one literal row
    assert serdar in out


def test_stats_csv_is_one_row_per_count() -> None:
    _, out, _ = run("stats", "-f", "csv", "--year", "2021", "--overlapping")
    assert out.split("\r\n")[:4] == ["group,key,count", "year,2021,4", "without_year,open_start,0", "kind,commission_session,2"]


def test_json_and_a_contradicting_format_is_a_usage_error() -> None:
    code, _, err = run("actors", "--json", "-f", "csv")
    assert code == 2
    assert "--json and -f csv disagree; give one of them" in err


def test_output_file_extension_picks_the_format(tmp_path: Path) -> None:
    target = tmp_path / "calendar.ics"
    code, _, _ = run("list", "--year", "2017", "-o", str(target))
    assert code == 0
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


@pytest.mark.parametrize(("name", "start"), [("out.json", "[\n"), ("out.csv", "id,date,start"), ("out.md", "# ")])
def test_each_known_extension_picks_its_format(tmp_path: Path, name: str, start: str) -> None:
    code, _, _ = run("list", "--year", "2017", "-o", str(tmp_path / name))
    assert code == 0
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(start)


def test_a_format_that_contradicts_the_extension_is_refused(tmp_path: Path) -> None:
    code, _, err = run("list", "-f", "json", "-o", str(tmp_path / "out.ics"))
    assert code == 2
    assert "names a .ics file, but -f json writes no such file; drop -f json (the name picks -f ics)" in err
    assert not (tmp_path / "out.ics").exists()


def test_a_json_extension_fits_timelinejs_too(tmp_path: Path) -> None:
    code, _, _ = run("list", "-f", "timelinejs", "-o", str(tmp_path / "story.json"))
    assert code == 0
    assert "events" in json.loads((tmp_path / "story.json").read_text(encoding="utf-8"))


def test_a_command_that_cannot_write_the_extension_says_what_it_writes(tmp_path: Path) -> None:
    code, _, err = run("actors", "-o", str(tmp_path / "actors.ics"))
    assert code == 2
    assert "this command cannot write a .ics file; it writes table, json, jsonl, csv" in err


def test_actors_output_file_gets_csv_from_its_name(tmp_path: Path) -> None:
    code, _, _ = run("actors", "-o", str(tmp_path / "actors.csv"))
    assert code == 0
    assert (tmp_path / "actors.csv").read_text(encoding="utf-8").startswith("id,name,type")


def test_fields_select_and_order_json_fields() -> None:
    _, out, _ = run("list", "--year", "2017", "--json", "--fields", "title,id")
    expected = {"title": "Strategic Partnership Agreement signed", "id": "2017-04-strategic-partnership-agreement"}
    assert json.loads(out)[-1] == expected


def test_fields_select_csv_columns() -> None:
    _, out, _ = run("list", "--year", "2017", "-f", "csv", "--fields", "id,start,end")
    assert out.split("\r\n")[-2] == "2017-04-strategic-partnership-agreement,2017-04-01,2017-04-30"


def test_fields_select_table_columns() -> None:
    _, out, _ = run("actors", "-f", "table", "--fields", "id,events")
    assert out.splitlines()[0].split() == ["id", "┃", "events"]


def test_fields_of_show_give_one_object() -> None:
    _, out, _ = run("show", "2017-04", "--json", "--fields", "id,kind")
    assert json.loads(out) == {"id": "2017-04-strategic-partnership-agreement", "kind": "agreement_signing"}


def test_an_unknown_field_is_refused_with_a_suggestion() -> None:
    code, out, err = run("list", "--json", "--fields", "id,titel")
    assert (code, out) == (2, "")
    assert "Error: --fields: no field 'titel'; did you mean title? choose from: id, date, start," in err


def test_fields_with_a_format_that_has_no_fields_is_refused() -> None:
    code, _, err = run("list", "-f", "ics", "--fields", "id")
    assert code == 2
    assert "--fields works with -f json, jsonl, csv, table or parquet, not -f ics" in err


@pytest.mark.parametrize(
    ("command", "expected"),
    [(["extract", "trend"], "# 4 candidates from trend-2023-10-31"), (["sources", "show", "trend"], "Cooperation")],
)
def test_source_taking_commands_accept_a_unique_prefix(command: list[str], expected: str) -> None:
    code, out, _ = run(*command)
    assert code == 0
    assert expected in out


# ---------------------------------------------------------------- stats: a real time axis


def test_stats_shows_every_year_of_the_range_including_empty_ones() -> None:
    _, out, _ = run("stats", "--json", "--since", "2017", "--until", "2020", "--overlapping")
    assert json.loads(out)["by_year"] == {"2017": 3, "2018": 0, "2019": 0, "2020": 1}


def test_stats_for_one_year_reports_only_that_year() -> None:
    _, out, _ = run("stats", "--json", "--year", "2021", "--overlapping")
    assert json.loads(out)["by_year"] == {"2021": 4}


def test_stats_at_the_terminal_labels_kinds_and_actors_by_name() -> None:
    _, out, _ = run("stats", "--year", "2021", "--overlapping")
    assert "  Commission session         2 " in out
    assert "  Askar Mamin " in out
    assert "commission_session" not in out
    assert "mamin " not in out


def test_stats_at_the_terminal_marks_empty_years() -> None:
    _, out, _ = run("stats", "--since", "2017", "--until", "2020", "--overlapping")
    assert "  2018 0 ·\n" in out


# ---------------------------------------------------------------- every width from 40 to 200


WIDTHS = [40, 60, 80, 120, 200]


def squeezed(text: str) -> str:
    return "".join(text.split())


def is_table(out: str) -> bool:
    return "┃" in out.splitlines()[0]


def column_text(out: str, header: str) -> str:
    """The text of one column of a table, its lines joined, or "" without such a column."""
    lines = [line for line in out.splitlines() if "┃" in line or "│" in line]
    names = [name.strip() for name in lines[0].split("┃")]
    if header not in names:
        return ""
    column = names.index(header)
    return " ".join(parts[column] for parts in (line.split("│") for line in lines[1:]) if len(parts) > column)


def shipped_events() -> list[dict[str, str]]:
    _, out, _ = run("list", "--json")
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("fmt", ["timeline", "table"])
def test_every_id_of_the_shipped_data_appears_whole_at_every_width(width: int, fmt: str) -> None:
    code, out, _ = run("list", "-f", fmt, env={"COLUMNS": str(width)})
    assert code == 0
    words = set(out.replace("│", " ").split())
    assert [event["id"] for event in shipped_events() if event["id"] not in words] == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("fmt", ["timeline", "table"])
def test_every_title_of_the_shipped_data_appears_whole_at_every_width(width: int, fmt: str) -> None:
    code, out, _ = run("list", "-f", fmt, env={"COLUMNS": str(width)})
    assert code == 0
    titles = [squeezed(event["title"]) for event in shipped_events()]
    shown = squeezed(column_text(out, "Title") if is_table(out) else out)
    assert [title for title in titles if title not in shown] == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("command", "key"), [("actors", "name"), ("sources", "title"), ("plans", "title")])
def test_every_registry_id_and_name_appears_whole_at_every_width(width: int, command: str, key: str) -> None:
    _, records, _ = run(command, "--json")
    code, out, _ = run(command, env={"COLUMNS": str(width)})
    assert code == 0
    words = set(out.replace("│", " ").split())
    assert [record["id"] for record in json.loads(records) if record["id"] not in words] == []
    header = "Name" if key == "name" else "Title"
    shown = squeezed(column_text(out, header) if is_table(out) else out)
    assert [r[key] for r in json.loads(records) if squeezed(r[key]) not in shown] == []


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_a_narrow_table_says_which_columns_it_hid(width: int) -> None:
    _, out, _ = run("list", "-f", "table", env={"COLUMNS": str(width)})
    if is_table(out):
        assert "hidden to fit" in out.splitlines()[-2] + out.splitlines()[-1]
    else:  # too narrow for a table: every event is a card with every field
        assert out.count("  Participants ") == 26


def test_the_table_hides_participants_first() -> None:
    _, out, _ = run("list", "-f", "table", env={"COLUMNS": "120"})
    assert "(Participants hidden to fit 120 columns; widen the terminal, or choose fewer fields)" in out


def test_nothing_is_hidden_at_200_columns() -> None:
    _, out, _ = run("list", "-f", "table", env={"COLUMNS": "200"})
    assert "hidden" not in out
    assert out.splitlines()[0].split("┃") == [
        " Date              ",
        " Kind                ",
        " Title                                                    ",
        " Participants                          ",
        " Status   ",
        " Id",
    ]


def test_a_planned_event_does_not_say_planned_twice() -> None:
    _, out, _ = run("list", "--status", "planned")
    assert "(planned)" not in out
    assert out.count("  planned\n") + out.count(" planned\n") >= 10


# ---------------------------------------------------------------- dates as people type them

TODAY = date(2024, 8, 6)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", (date(2024, 8, 6), date(2024, 8, 6))),
        ("yesterday", (date(2024, 8, 5), date(2024, 8, 5))),
        ("3 days ago", (date(2024, 8, 3), date(2024, 8, 3))),
        ("1 day ago", (date(2024, 8, 5), date(2024, 8, 5))),
        ("2 weeks ago", (date(2024, 7, 23), date(2024, 7, 23))),
        ("6 months ago", (date(2024, 2, 6), date(2024, 2, 6))),
        ("2 years ago", (date(2022, 8, 6), date(2022, 8, 6))),
        ("last year", (date(2023, 1, 1), date(2023, 12, 31))),
        ("this year", (date(2024, 1, 1), date(2024, 12, 31))),
        ("last month", (date(2024, 7, 1), date(2024, 7, 31))),
        ("this month", (date(2024, 8, 1), date(2024, 8, 31))),
        ("last week", (date(2024, 7, 29), date(2024, 8, 4))),
        ("This  Year", (date(2024, 1, 1), date(2024, 12, 31))),
    ],
)
def test_relative_dates_count_from_today(text: str, expected: tuple[date, date]) -> None:
    assert user_date_range(text, TODAY) == expected


def test_a_relative_date_before_year_one_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="reaches before the year 1"):
        user_date_range("9999 years ago", TODAY)


@given(st.text(max_size=40))
def test_any_text_is_a_range_or_a_usage_error(text: str) -> None:
    try:
        first, last = user_date_range(text, TODAY)
    except UsageError:
        return
    assert first <= last


def test_since_two_years_ago_on_the_command_line() -> None:
    # SOURCE_DATE_EPOCH pins "today" to 2024-08-06, as for reproducible builds
    pinned = {"SOURCE_DATE_EPOCH": "1722902400"}
    code, out, _ = run("list", "--since", "2 years ago", "-f", "jsonl", "--fields", "id", env=pinned)
    assert code == 0
    assert out == run("list", "--since", "2022-08-06", "-f", "jsonl", "--fields", "id")[1]
    assert '{"id":"2022-10-serdar-berdimuhamedov-state-visit"}\n' in out
    assert '{"id":"2021-10-tokayev-state-visit"}\n' not in out


def test_since_after_until_is_a_usage_error_that_says_so() -> None:
    code, out, err = run("list", "--since", "2024", "--until", "2023")
    assert (code, out) == (2, "")
    assert err.endswith(
        "Error: --since '2024' (2024-01-01) is after --until '2023' (2023-12-31): the range holds no day; swap them\n"
    )


def test_an_unreadable_date_names_the_option_and_the_forms_it_takes() -> None:
    code, _, err = run("list", "--since", "yesterdayy")
    assert code == 2
    assert "Invalid value for '--since': 'yesterdayy' is not a date I can read; try 2021-10," in err


# ---------------------------------------------------------------- timeline chart


def test_chart_draws_one_bar_per_year_with_empty_years_marked() -> None:
    code, out, _ = run("chart", "--since", "2017", "--until", "2020", "--overlapping")
    assert code == 0
    assert out.splitlines()[:5] == [
        "Events per year",
        "  2017 3 ████████████████████████████████████████",
        "  2018 0 ·",
        "  2019 0 ·",
        "  2020 1 █████████████",
    ]


def test_chart_by_month_runs_over_every_month_of_the_range() -> None:
    code, out, _ = run("chart", "--by", "month", "--since", "2024-05", "--overlapping", "-f", "csv")
    assert code == 0
    assert out.split("\r\n") == ["period,count,without_period", "2024-05,7,", "2024-06,0,", "2024-07,4,", "2024-08,4,", ""]


def test_chart_filters_apply() -> None:
    _, out, _ = run("chart", "--kind", "summit", "--json")
    assert json.loads(out) == [{"period": "2024", "count": 3, "without_period": None}]


def test_chart_svg_is_a_standalone_picture(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ElementTree

    target = tmp_path / "chart.svg"
    code, out, _ = run("chart", "--since", "2020", "--overlapping", "-o", str(target))
    assert (code, out) == (0, "")
    text = target.read_text(encoding="utf-8")
    root = ElementTree.fromstring(text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    titles = [element.text for element in root.iter("{http://www.w3.org/2000/svg}title")]
    assert titles[1:] == ["2020: 3 events", "2021: 1 event", "2022: 1 event", "2023: 9 events", "2024: 10 events"]
    assert "<script" not in text
    assert "href" not in text
    assert text.count("http") == 1  # the SVG namespace, which is a name, not a request


def test_chart_svg_escapes_what_the_filters_echo() -> None:
    code, out, _ = run("chart", "-f", "svg", "--search", "<b>&")
    assert code == 0
    assert "search &lt;b&gt;&amp;" in out


def test_chart_refuses_a_file_it_cannot_write(tmp_path: Path) -> None:
    code, _, err = run("chart", "-o", str(tmp_path / "chart.ics"))
    assert code == 2
    assert "this command cannot write a .ics file; it writes text, svg, json, jsonl, csv" in err


# ---------------------------------------------------------------- edit and remove

OLD_TITLE = "title: President Tokayev's state visit to Turkmenistan"


def scripted_editor(tmp_path: Path, *replacements: tuple[str, str]) -> str:
    """An $EDITOR that makes the n-th replacement on its n-th run (and records how often it ran)."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import pathlib, sys\n"
        f"steps = {list(replacements)!r}\n"
        f"count = pathlib.Path({str(tmp_path / 'runs')!r})\n"
        "run = int(count.read_text()) if count.exists() else 0\n"
        "count.write_text(str(run + 1))\n"
        "old, new = steps[min(run, len(steps) - 1)]\n"
        "draft = pathlib.Path(sys.argv[1])\n"
        "draft.write_text(draft.read_text().replace(old, new))\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


def test_edit_writes_the_edited_event_and_keeps_every_other_byte(workdir: Path, tmp_path: Path) -> None:
    path = workdir / "data" / "events.yaml"
    before = path.read_text(encoding="utf-8")
    editor = scripted_editor(tmp_path, (OLD_TITLE, "title: Tokayev visits Turkmenistan"))
    code, out, err = run("edit", "2021-10-tokayev", "--data", str(path), env={"EDITOR": editor, "VISUAL": ""})
    assert (code, out) == (0, "")
    assert err.startswith("updated 2021-10-tokayev-state-visit in ")
    assert path.read_text(encoding="utf-8") == before.replace(OLD_TITLE, "title: Tokayev visits Turkmenistan")


def test_visual_wins_over_editor(workdir: Path, tmp_path: Path) -> None:
    path = workdir / "data" / "events.yaml"
    editor = scripted_editor(tmp_path, (OLD_TITLE, "title: Tokayev visits Turkmenistan"))
    code, _, _ = run("edit", "2021-10-tokayev", "--data", str(path), env={"VISUAL": editor, "EDITOR": "false"})
    assert code == 0
    assert "title: Tokayev visits Turkmenistan" in path.read_text(encoding="utf-8")


def test_an_edit_that_breaks_validation_is_abandoned_without_a_terminal(workdir: Path, tmp_path: Path) -> None:
    path = workdir / "data" / "events.yaml"
    before = path.read_bytes()
    editor = scripted_editor(tmp_path, ("kind: state_visit", "kind: statevisit"))
    code, _, err = run("edit", "2021-10-tokayev", "--data", str(path), env={"EDITOR": editor, "VISUAL": ""})
    assert code == 1
    assert "2021-10-tokayev-state-visit.yaml:5:11: kind 'statevisit' is not allowed; did you mean 'state_visit'?" in err
    assert "timeline: edit abandoned; nothing was written; your text is kept in " in err
    assert path.read_bytes() == before


def test_an_edit_whose_quote_is_not_in_the_article_is_refused(workdir: Path, tmp_path: Path) -> None:
    path = workdir / "data" / "events.yaml"
    before = path.read_bytes()
    old = "quote: state visits of President of Kazakhstan Kassym-Jomart Tokayev to Turkmenistan in October 2021"
    editor = scripted_editor(tmp_path, (old, "quote: state visits of President Tokayev to Turkmenistan in October 2021"))
    code, _, err = run("edit", "2021-10-tokayev", "--data", str(path), env={"EDITOR": editor, "VISUAL": ""})
    assert code == 1
    assert "quote not found" in err
    assert path.read_bytes() == before


def test_after_a_problem_the_editor_can_be_reopened_at_a_terminal(workdir: Path, tmp_path: Path) -> None:
    path = workdir / "data" / "events.yaml"
    editor = scripted_editor(tmp_path, ("kind: state_visit", "kind: statevisit"), ("kind: statevisit", "kind: official_visit"))
    controller, terminal = os.openpty()
    os.write(controller, b"reopen\n")
    process = subprocess.run(
        [sys.executable, "-m", "kztm_timeline", "edit", "2021-10-tokayev", "--data", str(path)],
        stdin=terminal,
        capture_output=True,
        env={**os.environ, "EDITOR": editor, "VISUAL": ""},
        timeout=60,
        check=False,
    )
    os.close(terminal)
    os.close(controller)
    assert process.returncode == 0, process.stderr
    assert (tmp_path / "runs").read_text() == "2"
    assert b"Re-open the editor, or abandon the edit? (reopen, abandon): " in process.stderr
    assert "    kind: official_visit\n" in path.read_text(encoding="utf-8")


def test_an_edit_may_not_add_a_second_event(workdir: Path, tmp_path: Path) -> None:
    path = workdir / "data" / "events.yaml"
    before = path.read_bytes()
    editor = scripted_editor(tmp_path, ("    citations:", "  - id: sneaky\n    citations:"))
    code, _, err = run("edit", "2021-10-tokayev", "--data", str(path), env={"EDITOR": editor, "VISUAL": ""})
    assert code == 1
    assert "edit abandoned; nothing was written" in err
    assert path.read_bytes() == before


def test_edit_dry_run_prints_the_diff_and_writes_nothing(workdir: Path, tmp_path: Path) -> None:
    path = workdir / "data" / "events.yaml"
    before = path.read_bytes()
    editor = scripted_editor(tmp_path, (OLD_TITLE, "title: Tokayev visits Turkmenistan"))
    code, out, err = run("edit", "2021-10-tokayev", "--dry-run", "--data", str(path), env={"EDITOR": editor, "VISUAL": ""})
    assert code == 0
    assert f"-    {OLD_TITLE}\n+    title: Tokayev visits Turkmenistan\n" in out
    assert err == "dry run: 2021-10-tokayev-state-visit would be updated; nothing was written\n"
    assert path.read_bytes() == before


def test_an_unchanged_edit_writes_nothing(workdir: Path) -> None:
    path = workdir / "data" / "events.yaml"
    before = path.stat().st_mtime_ns
    code, _, err = run("edit", "2021-10-tokayev", "--data", str(path), env={"EDITOR": "true", "VISUAL": ""})
    assert code == 0
    assert err == "no change to 2021-10-tokayev-state-visit; nothing was written\n"
    assert path.stat().st_mtime_ns == before


def test_a_failing_editor_writes_nothing(workdir: Path) -> None:
    path = workdir / "data" / "events.yaml"
    before = path.read_bytes()
    code, _, err = run("edit", "2021-10-tokayev", "--data", str(path), env={"EDITOR": "false", "VISUAL": ""})
    assert code == 1
    assert "the editor exited with status 1; nothing was written" in err
    assert path.read_bytes() == before


def test_remove_refuses_an_event_others_link_to(workdir: Path) -> None:
    path = workdir / "data" / "events.yaml"
    before = path.read_bytes()
    code, _, err = run("remove", "2021-10-tokayev-state-visit", "--data", str(path))
    assert code == 1
    assert err == (
        "timeline: 2021-10-tokayev-state-visit is linked from 2022-10-serdar-berdimuhamedov-state-visit; "
        "remove those links first, or pass --force to remove them too\n"
    )
    assert path.read_bytes() == before


def test_remove_force_takes_the_links_too_and_keeps_every_other_byte(workdir: Path) -> None:
    path = workdir / "data" / "events.yaml"
    before = path.read_text(encoding="utf-8")
    code, _, err = run("remove", "2021-10-tokayev", "--force", "--data", str(path))
    assert code == 0
    assert err.endswith("; removed its links from 2022-10-serdar-berdimuhamedov-state-visit\n")
    after = path.read_text(encoding="utf-8")
    start = before.index("  - id: 2021-10-tokayev-state-visit\n")
    end = before.index("  - id: 2022-10-serdar-berdimuhamedov-state-visit\n")
    link = "    related:\n      - {event: 2021-10-tokayev-state-visit, relation: follows_up}\n"
    assert after == (before[:start] + before[end:]).replace(link, "")
    assert run("validate", "--data", str(path))[0] == 0


def test_remove_takes_one_link_of_several(workdir: Path) -> None:
    path = workdir / "data" / "events.yaml"
    before = path.read_text(encoding="utf-8")
    code, _, _ = run("remove", "2023-10-31-foreign-ministers-talks", "--force", "--data", str(path))
    assert code == 0
    after = path.read_text(encoding="utf-8")
    assert "      - {event: 2023-10-31-foreign-ministers-talks, relation: follows_up}\n" in before
    assert "2023-10-31-foreign-ministers-talks" not in after
    link = "      - {event: 2023-10-nurtleu-official-visit, relation: part_of}\n"
    assert (before.count(link), after.count(link)) == (3, 2)  # the removed event's own link went with it
    assert "    related:\n" + link + "\n  - id: 2023-10-nurtleu-official-visit" in after


def test_remove_dry_run_prints_the_diff_and_writes_nothing(workdir: Path) -> None:
    path = workdir / "data" / "events.yaml"
    before = path.read_bytes()
    code, out, err = run("remove", "abai-sculpture", "--dry-run", "--data", str(path))
    assert code == 0
    assert out.startswith("--- a/events.yaml\n+++ b/events.yaml\n")
    assert "-  - id: abai-sculpture-ashgabat\n" in out
    assert err == "dry run: abai-sculpture-ashgabat would be removed; nothing was written\n"
    assert path.read_bytes() == before


def test_remove_of_the_last_event_leaves_the_file_valid(workdir: Path) -> None:
    path = workdir / "data" / "events.yaml"
    code, _, _ = run("remove", "abai-sculpture-ashgabat", "--data", str(path))
    assert code == 0
    assert path.read_text(encoding="utf-8").endswith("\n")
    assert run("validate", "--data", str(path))[0] == 0


def test_remove_of_the_shipped_dataset_is_refused_without_a_named_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KZTM_TIMELINE_DATA")
    code, _, err = run("remove", "abai-sculpture-ashgabat")
    assert code == 1
    assert "name the data file to change" in err


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_any_edited_text_is_written_valid_or_refused_with_the_file_unchanged(workdir: Path, text: str) -> None:
    from kztm_timeline.curate import finish_edit, start_edit
    from kztm_timeline.errors import TimelineError
    from kztm_timeline.load import load_dataset

    path = str(workdir / "data" / "events.yaml")
    before = Path(path).read_bytes()
    started = start_edit(path, "2021-10-tokayev")
    block = started.block.replace("President Tokayev's state visit to Turkmenistan", text.replace("\n", " "))
    for candidate in (block, text):
        try:
            finish_edit(path, started, candidate, dry_run=True)
        except TimelineError:  # DataError is one
            pass
        else:
            assert load_dataset(path)  # a dry run validated it; the file itself is untouched
        assert Path(path).read_bytes() == before


# ---------------------------------------------------------------- paths users can open


def test_a_path_below_the_working_folder_is_printed_relative_to_it(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    code, out, _ = run("validate", "--data", str(workdir / "data" / "events.yaml"), "--as-of", "2024-12-31")
    assert code == 0
    assert out.startswith("ok: data/events.yaml: 26 events")


def test_a_path_elsewhere_is_printed_absolute(workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, _ = run("validate", "--data", "../data/events.yaml", "--as-of", "2024-12-31")  # workdir is tmp_path
    assert code == 0
    assert out.startswith(f"ok: {workdir / 'data' / 'events.yaml'}: 26 events")


def test_the_installed_copy_is_called_the_shipped_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import kztm_timeline.datafile.fs as fs_module

    shipped = tmp_path / "_shipped"
    shutil.copytree(DATA.parent, shipped / "data")
    shutil.copytree(ROOT / "seeds", shipped / "seeds")
    monkeypatch.setattr(fs_module, "__file__", str(tmp_path / "datafile" / "fs.py"))
    code, out, _ = run("validate", "--data", str(shipped / "data" / "events.yaml"), "--as-of", "2024-12-31")
    assert code == 0
    assert out.startswith("ok: the shipped dataset: 26 events")


def test_show_names_each_article_by_its_source_id_and_the_datasets_own_path() -> None:
    _, out, _ = run("show", "2017-04", env={"COLUMNS": "200"})
    assert "source tm-2023-05-16-prospects, file ../seeds/003_c3daa0d2106145c5.txt (relative to the data file)" in out
    assert "site-packages" not in out


def test_a_problem_names_its_file_from_here(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    (workdir / "seeds" / "000_08d2008987c28bee.txt").unlink()
    code, _, err = run("validate", "--data", str(workdir / "data" / "events.yaml"))
    assert code == 1
    assert err.startswith("data/events.yaml:")


def test_sources_json_gives_each_article_an_absolute_path() -> None:
    _, out, _ = run("sources", "--json", "--fields", "id,path", "--data", str(ROOT / "data" / "events.yaml"))
    article = ROOT / "seeds" / "000_08d2008987c28bee.txt"
    assert json.loads(out)[0] == {"id": "trend-2023-10-31", "path": str(article)}


def test_sources_add_of_a_missing_article_names_the_article(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    code, _, err = run("sources", "add", "missing.txt", "--title", "T", "--publisher", "P", "--data", "data/events.yaml")
    assert code == 1
    assert err.startswith("missing.txt: cannot read the file: No such file or directory; check the path\n")
    assert "--data" not in err


# ---------------------------------------------------------------- help that reads like a person wrote it

COMMANDS = [
    [],
    ["validate"],
    ["list"],
    ["search"],
    ["show"],
    ["actors"],
    ["sources"],
    ["sources", "show"],
    ["sources", "add"],
    ["stats"],
    ["plans"],
    ["chart"],
    ["schema"],
    ["init"],
    ["add"],
    ["edit"],
    ["remove"],
    ["coverage"],
    ["extract"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command) or "timeline")
def test_help_names_values_instead_of_python_types(command: list[str]) -> None:
    code, out, _ = run(*command, "--help", env={"COLUMNS": "100"})
    assert code == 0
    for python_type in ("<int", "<str", "<list", "<float", "int range", "<bool"):
        assert python_type not in out
    assert [line for line in out.splitlines() if len(line) > 100] == []


def test_list_help_uses_the_placeholders_of_the_values() -> None:
    _, out, _ = run("list", "--help", env={"COLUMNS": "100"})
    placeholders = ("--year YEAR", "--since DATE", "--kind KIND", "--actor ACTOR", "-f, --format FORMAT", "-o, --output FILE")
    assert [placeholder for placeholder in placeholders if placeholder not in out] == []


def test_the_kinds_are_listed_wrapped_in_the_help_of_kind() -> None:
    _, out, _ = run("list", "--help", env={"COLUMNS": "100"})
    kind = out[out.index("--kind KIND") : out.index("--actor ACTOR")]
    assert " ".join(kind.split()) == (
        "--kind KIND Only this kind (repeatable): state_visit, official_visit, working_visit, visit, telephone_call, "
        "talks, agreement_signing, commission_session, summit, parliamentary_meeting, ceremony, cultural_event, "
        'diplomatic_relations; or its label as stats prints it ("State visit").'
    )
    assert max(len(line) for line in kind.splitlines()) <= 100


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["list", "--year", "abc"], "Error: Invalid value for '--year': 'abc' is not a year; give one like 2024 (1 to 9999)"),
        (["list", "-n", "-1"], "Error: Invalid value for '--limit' / '-n': '-1' is not a count; give a whole number, 0 or more"),
        (["list", "--kind", "summitt"], "Error: no kind 'summitt'; did you mean 'summit'? (choose from state_visit, official_"),
        (["list", "-f", "yaml"], "Error: Invalid value for '--format' / '-f': 'yaml' is not one of 'timeline', 'table', 'json',"),
    ],
)
def test_a_usage_error_names_the_option_the_value_and_the_valid_ones_on_one_line(arguments: list[str], message: str) -> None:
    code, out, err = run(*arguments)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1].startswith(message)


# ---------------------------------------------------------------- completion and the man page


def complete(words: str) -> list[str]:
    env = {**os.environ, "_TIMELINE_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    result = subprocess.run([sys.executable, "-m", "kztm_timeline"], capture_output=True, text=True, env=env, check=False)
    return result.stdout.split()


def test_completion_offers_actor_ids() -> None:
    assert complete("timeline list --actor serd") == ["serdar-berdimuhamedov"]


def test_completion_offers_topics() -> None:
    assert complete("timeline list --topic tr") == ["trade", "transport"]


def test_completion_offers_kinds() -> None:
    assert complete("timeline list --kind comm") == ["commission_session"]


def test_completion_offers_source_ids() -> None:
    assert complete("timeline extract tm") == ["tm-2023-05-16-prospects", "tm-2024-08-06-phone-call"]


@pytest.mark.parametrize(
    ("shell", "start"),
    [("zsh", "#compdef timeline"), ("fish", "complete --command timeline"), ("bash", "_timeline_completion()")],
)
def test_show_completion_prints_the_script_of_the_shell_asked_for(shell: str, start: str) -> None:
    code, out, _ = run("--show-completion", shell)
    assert code == 0
    assert out.lstrip().startswith(start)


def test_show_completion_of_an_unknown_shell_is_a_usage_error() -> None:
    code, _, err = run("--show-completion", "tcsh")
    assert code == 2
    assert "'tcsh' is not a shell I know; choose one of bash, zsh, fish, powershell, pwsh" in err


def test_the_man_page_is_built_from_the_current_commands() -> None:
    from make_manpage import PAGE, manpage

    assert PAGE.read_text(encoding="utf-8") == manpage(), "run python3 tools/make_manpage.py"


def test_the_man_page_names_every_command() -> None:
    from make_manpage import manpage

    page = manpage()
    for command in COMMANDS[1:]:
        assert f'.SS "timeline {" ".join(command)}"' in page


def test_the_man_page_renders_without_a_warning() -> None:
    from make_manpage import PAGE

    result = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(PAGE)], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr) == (0, "")


def test_the_wheel_installs_the_man_page_in_share_man_man1(tmp_path: Path) -> None:
    import zipfile

    root = ROOT
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(root)], check=True, capture_output=True
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "kztm_timeline-0.1.0.data/data/share/man/man1/timeline.1" in names


# ---------------------------------------------------------------- start-up: only the command about to run is built


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["list", "--year", "2024"], "list"),
        (["--data", "x.yaml", "list"], "list"),
        (["--color", "never", "--no-cache", "show", "abc"], "show"),
        (["--version"], None),
        (["--", "list"], None),
    ],
)
def test_the_command_a_line_names_is_found_past_global_options(arguments: list[str], expected: str | None) -> None:
    from kztm_timeline.cli import _invoked

    assert _invoked(arguments) == expected


def test_only_the_named_command_is_built() -> None:
    from kztm_timeline.cli import _app_for

    slim = _app_for(["--data", "x", "list"])
    assert [info.name for info in slim.registered_commands] == ["list"]
    assert _app_for(["lst"]) is app  # no such command: the whole app, for Click's suggestion
    assert _app_for(["--help"]) is app


def test_every_command_and_group_has_its_home_and_no_other() -> None:
    from kztm_timeline.cli import HOMES, command_name

    names = [str(command_name(info)) for info in app.registered_commands] + [str(info.name) for info in app.registered_groups]
    assert sorted(HOMES) == sorted(names)


_GROUP_MODULES = ("browse", "cache", "checks", "corpus", "curation", "plans", "reports")


@pytest.mark.parametrize(
    ("name", "loaded"),
    [
        ("validate", ["checks"]),
        ("list", ["browse"]),
        ("show", ["browse"]),
        ("stats", ["reports"]),
        ("plans", ["plans"]),
        ("schema", ["checks"]),
        ("add", ["corpus", "curation"]),  # curation's `sources add` joins corpus's group of commands
        ("extract", ["corpus"]),
        ("sources", ["corpus", "curation"]),
        ("cache", ["cache"]),
    ],
)
def test_a_run_imports_the_module_of_its_command_and_no_other_group(name: str, loaded: list[str]) -> None:
    script = (
        "import sys\n"
        "from kztm_timeline.cli.app import _app_for, app\n"
        f"slim = _app_for([{name!r}])\n"
        "print(slim is not app, sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('kztm_timeline.cli.')\n"
        f"                               and m.rsplit('.', 1)[1] in {_GROUP_MODULES!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout == f"True {loaded}\n"


def test_the_real_entry_point_runs_a_command_after_global_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kztm_timeline", "--data", str(DATA), "--no-cache", "sources", "show", "trend", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["paragraph"] == 1


def test_each_field_list_is_exactly_the_keys_its_command_writes() -> None:
    from kztm_timeline.contract.fields import ACTORS, EVENTS, PLANS, SOURCES, field_names

    cases = [(["list", "--json"], EVENTS), (["actors", "--json"], ACTORS), (["sources", "--json"], SOURCES)]
    cases.append((["plans", "--as-of", "2026-01-01", "--json"], PLANS))
    for command, table in cases:
        assert list(json.loads(run(*command)[1])[0]) == list(field_names(table))
