"""Habits of the command line: several words without quotes, usage lines as man pages write them,
``timeline help``, closed vocabularies that refuse what they do not hold and accept what ``stats`` prints,
and hints that name ``--help``."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kztm_timeline.cli import app
from kztm_timeline.errors import UsageError
from kztm_timeline.query import kind_named, loose, status_named
from kztm_timeline.vocab import KINDS, Kind, Status

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "100"})
    return result.exit_code, result.stdout, result.stderr


def ids(*args: str) -> list[str]:
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return [event["id"] for event in json.loads(out)]


# ---------------------------------------------------------------- several words


def test_search_takes_several_words_without_quotes() -> None:
    assert ids("search", "gas", "transit") == ["2024-08-05-presidents-telephone-call"]


def test_search_words_without_quotes_find_what_the_quoted_words_find() -> None:
    assert ids("search", "Tokayev", "visit") == ids("search", "Tokayev visit")


# ---------------------------------------------------------------- usage lines


def test_a_usage_line_writes_several_words_with_dots() -> None:
    assert run("search", "--help")[1].splitlines()[0] == "Usage: timeline search [OPTIONS] WORDS..."


def test_a_usage_line_writes_a_required_argument_bare() -> None:
    assert run("show", "--help")[1].splitlines()[0] == "Usage: timeline show [OPTIONS] EVENT"


def every_command() -> list[tuple[str, ...]]:
    from typer.main import get_command

    group = get_command(app)
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]  # a Typer group has commands
        found.append((name,))
        found.extend((name, sub) for sub in getattr(command, "commands", {}))
    return found


@pytest.mark.parametrize("command", every_command())
def test_no_usage_line_writes_braces(command: tuple[str, ...]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0
    assert "{" not in out.splitlines()[0]


def test_the_usage_line_of_a_refused_argument_names_the_commands_arguments() -> None:
    code, _, err = run("search", "gas", "--since", "2025", "--until", "2020")
    assert code == 2
    assert err.splitlines()[0] == "Usage: timeline search [OPTIONS] WORDS..."


# ---------------------------------------------------------------- timeline help


def test_help_alone_prints_the_tools_help() -> None:
    assert run("help") == run("--help")


@pytest.mark.parametrize("command", [("list",), ("search",), ("sources", "add")])
def test_help_with_a_command_prints_that_commands_help(command: tuple[str, ...]) -> None:
    code, out, _ = run("help", *command)
    assert code == 0
    assert out == run(*command, "--help")[1]


def test_help_with_an_unknown_command_is_a_usage_error_with_suggestions() -> None:
    code, _, err = run("help", "serach")
    assert code == 2
    assert "no command 'serach'; did you mean 'search'" in err


def test_the_tools_help_lists_the_help_command() -> None:
    assert "  help " in run("--help")[1]


# ---------------------------------------------------------------- closed vocabularies


def test_an_unknown_topic_is_a_usage_error_with_suggestions() -> None:
    code, out, err = run("list", "--topic", "gsa")
    assert (code, out) == (2, "")
    assert "no topic 'gsa'; did you mean 'gas'?" in err


def test_an_unknown_topic_is_refused_by_a_warm_cache_too() -> None:
    run("list", "--json")  # writes the cache
    code, _, err = run("list", "--topic", "gsa")
    assert code == 2
    assert "did you mean 'gas'?" in err


def test_an_unknown_topic_is_refused_by_stats_too() -> None:
    assert run("stats", "--topic", "gsa")[0] == 2


def test_a_known_topic_that_matches_nothing_else_is_no_error() -> None:
    code, _, err = run("list", "--topic", "gas", "--year", "1990")
    assert (code, err) == (0, "no events match\n")


def test_a_topic_may_be_written_as_stats_prints_it() -> None:
    assert ids("list", "--topic", "high level dialogue") == ids("list", "--topic", "high-level-dialogue") != []


def test_a_topic_ignores_case_and_underscores() -> None:
    assert ids("list", "--topic", "High_Level_Dialogue") == ids("list", "--topic", "high-level-dialogue")


def test_an_unknown_kind_is_a_usage_error_with_suggestions() -> None:
    code, _, err = run("list", "--kind", "sumit")
    assert code == 2
    assert "no kind 'sumit'; did you mean 'summit'" in err


def test_a_kind_may_be_written_as_stats_prints_it() -> None:
    assert ids("list", "--kind", "Cultural or monument event") == ids("list", "--kind", "cultural_event") != []


@pytest.mark.parametrize("spelling", ["state visit", "state-visit", "STATE_VISIT", "State visit"])
def test_a_kind_ignores_case_spaces_and_hyphens(spelling: str) -> None:
    assert ids("list", "--kind", spelling) == ids("list", "--kind", "state_visit") != []


def test_an_unknown_status_is_a_usage_error_naming_the_choices() -> None:
    code, _, err = run("list", "--status", "planed")
    assert code == 2
    assert "no status 'planed'; did you mean 'planned'? (choose from happened, planned)" in err


def test_a_status_ignores_case() -> None:
    assert ids("list", "--status", "Planned") == ids("list", "--status", "planned") != []


def test_an_unknown_actor_is_a_usage_error_with_suggestions() -> None:
    code, _, err = run("list", "--actor", "Tokayv")
    assert code == 2
    assert "did you mean" in err


def test_an_actor_may_be_written_as_actors_prints_it() -> None:
    assert ids("list", "--actor", "Murat Nurtleu") == ids("list", "--actor", "nurtleu") != []


# ---------------------------------------------------------------- hints


@pytest.mark.parametrize(
    "command",
    [
        ("list", "--bogus"),
        ("list", "--since", "2025", "--until", "2020"),
        ("list", "--kind", "sumit"),
        ("nosuch",),
        ("sources", "nosuch"),
        ("show",),
    ],
)
def test_every_hint_names_help_in_full(command: tuple[str, ...]) -> None:
    code, _, err = run(*command)
    assert code == 2
    assert "--help' for help." in err
    assert " -h'" not in err


# ---------------------------------------------------------------- the parsers of closed vocabularies


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40))
def test_any_text_names_a_kind_or_is_refused_with_the_choices(text: str) -> None:
    named = [kind for kind in Kind if loose(text) in (loose(kind.value), loose(KINDS[kind].label))]
    if named:
        assert kind_named(text) is named[0]
    else:
        with pytest.raises(UsageError, match=r"^no kind .*\(choose from state_visit, "):
            kind_named(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40))
def test_any_text_names_a_status_or_is_refused_with_both(text: str) -> None:
    named = [status for status in Status if loose(text) == status.value]
    if named:
        assert status_named(text) is named[0]
    else:
        with pytest.raises(UsageError, match=r"\(choose from happened, planned\)$"):
            status_named(text)


@given(text=st.text(max_size=40))
def test_a_loose_spelling_is_its_own_loose_spelling(text: str) -> None:
    assert loose(loose(text)) == loose(text)


def test_help_with_a_word_after_a_plain_command_says_it_has_none() -> None:
    code, _, err = run("help", "sources", "add", "more")
    assert code == 2
    assert "timeline sources add has no commands of its own; see timeline help sources add" in err
