"""Tables that keep what matters: each table's columns yield in a documented order, ids move rather than
being cut, names and words are never split unless alone wider than their cell, counts stay beside their
bars, and nothing at a terminal ends in padding."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.exporters.terminal import TABLE_COLUMNS
from kztm_timeline.screens import ACTOR_COLUMNS, PLAN_COLUMNS, SOURCE_COLUMNS, Column, fitted_table, priority, render_bars

from .test_habits import at_terminal

runner = CliRunner()

WIDTHS = [60, 80, 100, 120]


def run(*args: str, width: int) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def header(out: str) -> list[str]:
    """The column names of a table's header line, or [] when the output is no table."""
    line = next((line for line in out.splitlines() if "┃" in line), None)
    return [] if line is None else [name.strip() for name in line.split("┃")]


def shown_words(out: str) -> set[str]:
    """The words shown, each also without a colon that ends it (a plan's state: "overdue: no outcome …")."""
    words = out.replace("│", " ").replace("┃", " ").split()
    return {*words, *(word.removesuffix(":") for word in words)}


def records(command: str) -> list[dict[str, object]]:
    result = runner.invoke(app, [command, "--json"])
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- what each table keeps


def test_list_as_a_table_keeps_date_title_and_status_at_80_columns() -> None:
    assert header(run("list", "-f", "table", width=80)) == ["Date", "Title", "Status"]


def test_list_as_a_table_moves_each_id_under_its_title_rather_than_hiding_the_date() -> None:
    out = run("list", "-f", "table", width=80)
    assert " Apr 2017          │ Strategic Partnership Agreement signed          │ happened\n" in out
    assert "                   │ 2017-04-strategic-partnership-agreement         │\n" in out


def test_list_as_a_table_keeps_its_id_column_where_everything_fits() -> None:
    assert header(run("list", "-f", "table", width=200)) == ["Date", "Kind", "Title", "Participants", "Status", "Id"]


def test_list_as_a_table_hides_participants_before_kind() -> None:
    out = run("list", "-f", "table", width=120)
    assert header(out) == ["Date", "Kind", "Title", "Status"]
    assert "(Participants hidden to fit 120 columns; widen the terminal, or choose fewer fields)" in out


def test_list_as_a_table_becomes_cards_rather_than_lose_its_date_or_status_at_60_columns() -> None:
    out = run("list", "-f", "table", width=60)
    assert header(out) == []
    assert out.count("\n  Date ") == out.count("\n  Status ") == len(records("list"))


@pytest.mark.parametrize("width", [80, 100, 120])
def test_plans_keep_their_title_and_state(width: int) -> None:  # the state names the outcome: "fulfilled by …"
    assert {"Title", "State"} <= set(header(run("plans", width=width)))


@pytest.mark.parametrize("width", WIDTHS)
def test_actors_keep_their_names_and_counts(width: int) -> None:
    assert {"Name", "Events"} <= set(header(run("actors", width=width)))


@pytest.mark.parametrize("width", WIDTHS)
def test_sources_keep_their_titles_and_counts(width: int) -> None:
    assert {"Title", "Events"} <= set(header(run("sources", width=width)))


# ---------------------------------------------------------------- nothing cut, nothing split


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", [("list", "-f", "table"), ("plans",), ("actors",), ("sources",)])
def test_no_id_is_cut_at_any_width(width: int, command: tuple[str, ...]) -> None:
    out = run(*command, width=width)
    ids = [str(record["id"]) for record in records(command[0])]
    assert [id_ for id_ in ids if id_ not in shown_words(out)] == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("command", "keys"),
    [
        (("list", "-f", "table"), ("title", "display_date", "status")),
        (("plans",), ("title", "state")),
        (("actors",), ("name",)),
        (("sources",), ("title", "publisher")),
    ],
)
def test_no_word_of_a_name_or_title_is_split_at_any_width(width: int, command: tuple[str, ...], keys: tuple[str, ...]) -> None:
    out = run(*command, width=width)
    words = {word for record in records(command[0]) for key in keys for word in str(record[key]).split()}
    assert sorted(word for word in words if word not in shown_words(out)) == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", [("list", "-f", "table"), ("plans",), ("actors",), ("sources",), ("stats",)])
def test_no_line_is_wider_than_the_screen(width: int, command: tuple[str, ...]) -> None:
    out = run(*command, width=width)
    assert [line for line in out.splitlines() if len(line) > width] == []


WORD = st.text(alphabet="abcdefghij-", min_size=1, max_size=14)
CELL = st.lists(WORD, min_size=1, max_size=6).map(" ".join)
KEY = st.text(alphabet="abcdefghij-0123456789", min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(KEY, CELL, CELL, CELL), min_size=1, max_size=6), width=st.integers(40, 160))
def test_a_fitted_table_never_splits_a_word_that_fits_a_cell_nor_cuts_an_id(
    rows: list[tuple[str, str, str, str]], width: int
) -> None:
    columns = (
        Column("Id", whole=True, key=True),
        Column("Title", least=12, home=True),
        Column("Notes", least=10, drop=1),
        Column("More", least=10, drop=2),
    )
    out = fitted_table(columns, rows, color=False, width=width)
    words = shown_words(out.replace("Id:", " "))
    assert [row[0] for row in rows if row[0] not in words] == []
    assert [word for row in rows for cell in row[1:2] for word in cell.split() if word not in words] == []
    assert [line for line in out.splitlines() if len(line) > width and line.strip() not in {row[0] for row in rows}] == []


# ---------------------------------------------------------------- counts beside bars


def test_stats_shows_every_actors_count_beside_its_bar_at_120_columns() -> None:
    out = run("stats", width=120)
    section = out.split("By actor\n")[1].split("\n\n")[0]
    bars = [line for line in section.splitlines() if "█" in line]
    assert len(bars) == len(json.loads(runner.invoke(app, ["stats", "--json"]).stdout)["by_actor"])
    assert [line for line in bars if not re.search(r" \d+ █+$", line)] == []


def test_a_label_too_long_for_its_line_wraps_at_words_and_keeps_its_count_and_bar() -> None:
    label = "Intergovernmental Commission on Economic, Scientific, Technical and Cultural Cooperation"
    out = render_bars({"By actor": {label: 2, "Kazakhstan": 16}}, color=False, width=60)
    assert out.splitlines()[1:6] == [
        "  Intergovernmental Commission    2 ███",
        "  on Economic, Scientific,",
        "  Technical and Cultural",
        "  Cooperation",
        "  Kazakhstan                     16 ████████████████████████",
    ]


# ---------------------------------------------------------------- no padding at a terminal


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.mark.parametrize(
    "command", [("list",), ("list", "-f", "table"), ("actors",), ("sources",), ("plans",), ("stats",), ("show", "2017-04")]
)
def test_no_line_at_a_terminal_ends_in_spaces(command: tuple[str, ...]) -> None:
    shown = ANSI.sub("", at_terminal(*command, "--no-pager", rows=500, columns=80).decode())
    assert [line for line in shown.replace("\r\n", "\n").split("\n") if line.endswith(" ")] == []


# ---------------------------------------------------------------- the documented priorities


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (TABLE_COLUMNS, ["Date", "Title", "Status", "Id", "Kind", "Participants"]),
        (PLAN_COLUMNS, ["Id", "Title", "State", "Date"]),
        (ACTOR_COLUMNS, ["Id", "Name", "Events", "Type", "Country", "Variants"]),
        (SOURCE_COLUMNS, ["Id", "Title", "Events", "Publisher", "Published", "File or page"]),
    ],
)
def test_each_table_keeps_its_columns_in_the_documented_order(columns: tuple[Column, ...], expected: list[str]) -> None:
    assert priority(columns) == expected


@pytest.mark.parametrize("columns", [TABLE_COLUMNS, PLAN_COLUMNS, ACTOR_COLUMNS, SOURCE_COLUMNS])
def test_each_table_has_one_id_column_that_may_move_under_one_other(columns: tuple[Column, ...]) -> None:
    assert [column.name for column in columns if column.key] == ["Id"]
    assert len([column for column in columns if column.home]) == 1
