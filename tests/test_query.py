"""Filtering rules of `list`: each filter, how they combine, and the order of results."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kztm_timeline.errors import LookupFailed, UsageError
from kztm_timeline.model import Dataset
from kztm_timeline.query import Query, find_event, select
from kztm_timeline.text import fold
from kztm_timeline.vocab import Kind, Status


def ids(dataset: Dataset, **filters: object) -> list[str]:
    return [event.id for event in select(dataset, Query(**filters))]  # type: ignore[arg-type]


def test_results_are_ordered_by_first_day_then_id(shipped: Dataset) -> None:
    # an event open at its start ("until 16 May 2023") sorts first: its first day is unknown
    assert ids(shipped, years=(2023,)) == [
        "days-of-culture-held",
        "2023-10-31-foreign-ministers-talks",
        "2023-10-31-mfa-cooperation-programme",
        "2023-10-nurtleu-official-visit",
        "2023-10-nurtleu-wreath-laying",
        "2023-10-plan-business-council",
        "2023-10-plan-business-delegations",
        "2023-10-plan-days-of-culture",
        "2023-10-plan-interuniversity-contacts",
        "2023-10-plan-trade-working-group",
    ]


def test_reverse_puts_the_newest_first(shipped: Dataset) -> None:
    assert ids(shipped, reverse=True, limit=2) == ["abai-sculpture-ashgabat", "2024-consultative-meeting-astana"]


def test_limit_keeps_the_first_n(shipped: Dataset) -> None:
    assert ids(shipped, limit=2) == ["days-of-culture-held", "earlier-intergovernmental-commission-meetings"]


def test_year_matches_events_whose_span_overlaps_it(shipped: Dataset) -> None:
    # the c. 2020–c. 2021 commission session overlaps both years
    assert ids(shipped, years=(2020,))[-1] == "2020-2021-commission-extraordinary-session"
    assert "2020-2021-commission-extraordinary-session" in ids(shipped, years=(2021,))


def test_repeated_years_are_any_of(shipped: Dataset) -> None:
    assert ids(shipped, years=(2017, 2022)) == [
        "days-of-culture-held",  # open at its start: it may lie in any year up to 2023
        "earlier-intergovernmental-commission-meetings",
        "2017-04-strategic-partnership-agreement",
        "2022-10-serdar-berdimuhamedov-state-visit",
    ]


def test_an_open_ended_event_matches_every_later_year(shipped: Dataset) -> None:
    assert ids(shipped, years=(2030,)) == [
        "2023-10-plan-business-council",
        "2023-10-plan-business-delegations",
        "2023-10-plan-days-of-culture",
        "2023-10-plan-interuniversity-contacts",
        "2023-10-plan-trade-working-group",
        "2024-central-asia-japan-summit-astana",
        "2024-consultative-meeting-astana",
        "abai-sculpture-ashgabat",
    ]


def test_until_includes_the_whole_last_day_of_its_period(shipped: Dataset) -> None:
    assert ids(shipped, until=date(2022, 12, 31))[-1] == "2022-10-serdar-berdimuhamedov-state-visit"


def test_since_and_until_select_the_overlapping_events(shipped: Dataset) -> None:
    assert ids(shipped, since=date(2021, 10, 1), until=date(2022, 12, 31)) == [
        "days-of-culture-held",
        "earlier-intergovernmental-commission-meetings",
        "2020-2021-commission-extraordinary-session",
        "2021-10-tokayev-state-visit",
        "2022-10-serdar-berdimuhamedov-state-visit",
    ]


def test_kind_filter(shipped: Dataset) -> None:
    assert ids(shipped, kinds=(Kind.STATE_VISIT,)) == ["2021-10-tokayev-state-visit", "2022-10-serdar-berdimuhamedov-state-visit"]


def test_status_filter(shipped: Dataset) -> None:
    assert len(ids(shipped, statuses=(Status.PLANNED,))) == 10


def test_actor_by_id(shipped: Dataset) -> None:
    assert ids(shipped, actors=("mamin",)) == ["2020-2021-commission-extraordinary-session"]


@pytest.mark.parametrize("spelling", ["Serdar Berdimuhamedow", "serdar berdimuhamedov", "BERDIMUHAMEDOW"])
def test_actor_by_any_spelling_variant_ignoring_case(shipped: Dataset, spelling: str) -> None:
    assert "2024-08-05-presidents-telephone-call" in ids(shipped, actors=(spelling,))


def test_actor_matching_ignores_diacritics(shipped: Dataset) -> None:
    assert ids(shipped, actors=("Mämin",)) == ["2020-2021-commission-extraordinary-session"]


def test_a_surname_matches_every_actor_who_bears_it(shipped: Dataset) -> None:
    found = ids(shipped, actors=("Berdimuhamedov",))
    assert "2024-07-04-magtymguly-monument-astana" in found  # Gurbanguly
    assert "2022-10-serdar-berdimuhamedov-state-visit" in found  # Serdar


def test_magtymguly_is_found_by_every_spelling(shipped: Dataset) -> None:
    for spelling in ("Magtymguly", "Magtumguly", "Magtymguly Fragi", "Magtumguly Pyragy"):
        assert ids(shipped, actors=(spelling,)) == [
            "2024-magtymguly-300th-anniversary-events",
            "2024-07-04-magtymguly-monument-astana",
        ]


def test_an_unknown_actor_is_a_usage_error_with_a_suggestion(shipped: Dataset) -> None:
    with pytest.raises(UsageError, match="no actor matches 'Tokarev'; did you mean 'Tokayev'"):
        select(shipped, Query(actors=("Tokarev",)))


@pytest.mark.parametrize(
    ("spelling", "actors"),
    [
        ("Berdimuhamedow", {"serdar-berdimuhamedov", "gurbanguly-berdimuhamedov"}),
        ("Berdymukhammedov", {"serdar-berdimuhamedov", "gurbanguly-berdimuhamedov"}),
        ("Tokaev", {"tokayev"}),
        ("Toqaev", {"tokayev"}),
        ("Kassym-Jomart Tokayev", {"tokayev"}),
    ],
)
def test_an_actor_is_found_in_any_romanization_of_its_name(shipped: Dataset, spelling: str, actors: set[str]) -> None:
    from kztm_timeline.query import resolve_actors

    assert resolve_actors(shipped, [spelling]) == actors


def test_search_matches_across_romanizations(shipped: Dataset) -> None:
    found = {event.id for event in select(shipped, Query(search=("Berdymukhammedov",)))}
    assert found == {event.id for event in select(shipped, Query(search=("Berdimuhamedov",)))}
    assert "2024-07-gurbanguly-berdimuhamedov-astana-visit" in found


@pytest.mark.parametrize(
    ("text", "key"),
    [("berdymukhammedov", "berdimuhamedov"), ("berdimuhamedow", "berdimuhamedov"), ("toqaev", "tokaev"), ("tokayev", "tokaev")],
)
def test_the_romanization_rule(text: str, key: str) -> None:
    from kztm_timeline.text import romanized

    assert romanized(text) == key


def test_topic_filter(shipped: Dataset) -> None:
    assert ids(shipped, topics=("aral-sea",)) == ["2023-10-31-foreign-ministers-talks"]


def test_place_matches_whole_words_of_the_place(shipped: Dataset) -> None:
    assert "2023-10-nurtleu-wreath-laying" in ids(shipped, places=("ashgabat",))


def test_search_ignores_case_and_diacritics_and_looks_in_quotes(shipped: Dataset) -> None:
    assert ids(shipped, search=("GOLDEN age",)) == []
    assert ids(shipped, search=("pandémic",)) == ["2020-2021-commission-extraordinary-session"]


def test_search_finds_every_spelling_of_a_name_the_actors_list(shipped: Dataset) -> None:
    # Magtumguly is a variant of Magtymguly: it finds what Magtymguly finds (issue 23: it found 2 of the 4)
    assert ids(shipped, search=("Magtumguly",)) == ids(shipped, search=("Magtymguly",)) == [
        "2024-magtymguly-300th-anniversary-events",
        "2024-07-gurbanguly-berdimuhamedov-astana-visit",
        "2024-07-04-magtymguly-monument-astana",
        "abai-sculpture-ashgabat",
    ]


def test_search_needs_every_word(shipped: Dataset) -> None:
    assert ids(shipped, search=("monument Astana",)) == [
        "2024-07-gurbanguly-berdimuhamedov-astana-visit",
        "2024-07-04-magtymguly-monument-astana",
        "abai-sculpture-ashgabat",
    ]
    # the wreath laying at a monument in Ashgabat: --search reads the place too
    assert ids(shipped, search=("monument Ashgabat",)) == [
        "2023-10-nurtleu-official-visit",
        "2023-10-nurtleu-wreath-laying",
        "abai-sculpture-ashgabat",
    ]


def test_different_filters_combine_with_and(shipped: Dataset) -> None:
    assert ids(shipped, years=(2024,), kinds=(Kind.SUMMIT,), statuses=(Status.HAPPENED,)) == ["2024-07-sco-summit-astana"]


def test_show_finds_an_exact_id(shipped: Dataset) -> None:
    assert find_event(shipped, "2017-04-strategic-partnership-agreement").kind is Kind.AGREEMENT_SIGNING


def test_show_finds_a_unique_prefix(shipped: Dataset) -> None:
    assert find_event(shipped, "abai").id == "abai-sculpture-ashgabat"


def test_an_ambiguous_prefix_is_refused_with_the_candidates(shipped: Dataset) -> None:
    with pytest.raises(LookupFailed) as caught:
        find_event(shipped, "2023-10")
    assert str(caught.value) == "'2023-10' is the prefix of 9 events"
    assert caught.value.suggestions[0] == "2023-10-31-foreign-ministers-talks  Talks of the foreign ministers in Ashgabat"


def test_a_near_miss_is_refused_with_suggestions(shipped: Dataset) -> None:
    with pytest.raises(LookupFailed) as caught:
        find_event(shipped, "2021-10-tokaev-state-visit")
    assert caught.value.suggestions[0].startswith("2021-10-tokayev-state-visit")


def test_fold_removes_case_and_diacritics() -> None:
    assert fold("Türkmenistanyň ÝYL") == "turkmenistanyn yyl"


@settings(max_examples=200, deadline=None)
@given(
    years=st.lists(st.integers(1, 9999), max_size=3),
    search=st.lists(st.text(max_size=12), max_size=2),
    places=st.lists(st.text(max_size=12), max_size=2),
    topics=st.lists(st.text(max_size=12), max_size=2),
    limit=st.none() | st.integers(0, 30),
    reverse=st.booleans(),
)
def test_random_filters_never_crash(
    shipped: Dataset, years: list[int], search: list[str], places: list[str], topics: list[str], limit: int | None, reverse: bool
) -> None:
    found = select(
        shipped,
        Query(years=tuple(years), search=tuple(search), places=tuple(places), topics=tuple(topics), limit=limit, reverse=reverse),
    )
    assert len(found) <= (26 if limit is None else limit)
