"""Every validation rule, each reported as file:line:col: message; hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from kztm_timeline.errors import DataError
from kztm_timeline.load import load_dataset
from kztm_timeline.model import Dataset

from .conftest import EditData, line_of


def problems(path: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_dataset(str(path))
    return [str(problem) for problem in caught.value.problems]


def test_the_shipped_data_is_valid(shipped: Dataset) -> None:
    assert (len(shipped.events), len(shipped.actors), len(shipped.sources)) == (26, 14, 5)


def test_every_shipped_event_has_at_least_one_citation(shipped: Dataset) -> None:
    assert all(event.citations for event in shipped.events)


def test_an_impossible_date_is_reported_at_its_line(edited: EditData) -> None:
    path = edited("date: 2017-04\n", "date: 2021-02-29\n")
    line = line_of(path, "date: 2021-02-29")
    assert problems(path) == [
        f"{path}:{line}:11: invalid date: '2021-02-29': day 29 does not exist in 2021-02, which has 28 days; "
        "write an existing date in EDTF, e.g. 2021-10, 2020-09~ or 2024-08-05"
    ]


def test_a_quote_missing_from_its_source_is_reported_at_its_line(edited: EditData) -> None:
    path = edited(
        "quote: The Strategic Partnership Agreement between the countries, signed in April 2017",
        "quote: The Strategic Partnership Agreement between the countries, signed in May 2017",
    )
    line = line_of(path, "signed in May 2017")
    assert problems(path) == [
        f"{path}:{line}:16: quote not found in source 'tm-2023-05-16-prospects'; "
        "copy the words exactly from the article; join separate fragments with '...'"
    ]


def test_a_quote_may_join_fragments_in_order_with_an_ellipsis(edited: EditData) -> None:
    path = edited(
        "quote: The Strategic Partnership Agreement between the countries, signed in April 2017",
        "quote: The Strategic Partnership Agreement ... signed in April 2017",
    )
    assert len(load_dataset(str(path)).events) == 26


def test_fragments_out_of_order_are_not_found(edited: EditData) -> None:
    path = edited(
        "quote: The Strategic Partnership Agreement between the countries, signed in April 2017",
        "quote: signed in April 2017 ... The Strategic Partnership Agreement",
    )
    assert "quote not found" in problems(path)[0]


def test_quote_matching_folds_white_space_and_typographic_quotes(edited: EditData) -> None:
    path = edited("quote: as well as meetings in the «SCO+» format", 'quote: "as well as   meetings in the \\"SCO+\\" format"')
    assert len(load_dataset(str(path)).events) == 26


def test_quote_matching_does_not_fold_case(edited: EditData) -> None:
    path = edited("quote: as well as meetings in the «SCO+» format", "quote: AS WELL AS meetings in the «SCO+» format")
    assert "quote not found" in problems(path)[0]


def test_a_missing_required_key_is_reported(edited: EditData) -> None:
    path = edited("    title: Strategic Partnership Agreement signed\n", "")
    assert "event is missing the required key 'title'" in problems(path)[0]


def test_an_unknown_key_gets_a_did_you_mean(edited: EditData) -> None:
    path = edited(
        "    kind: diplomatic_relations\n",
        "    kind: diplomatic_relations\n    stauts: happened\n",
    )
    line = line_of(path, "stauts:")
    assert problems(path) == [f"{path}:{line}:5: unknown key 'stauts' in event; did you mean 'status'?"]


def test_a_wrong_type_is_reported(edited: EditData) -> None:
    path = edited("    topics: [strategic-partnership, regional-cooperation]", "    topics: strategic-partnership")
    assert "topics must be a list, found text" in problems(path)[0]


def test_an_unknown_kind_gets_a_did_you_mean(edited: EditData) -> None:
    path = edited(
        "kind: agreement_signing\n    status: happened\n    participants:\n      - {actor: kazakhstan, role: signatory}",
        "kind: agreement_sign\n    status: happened\n    participants:\n      - {actor: kazakhstan, role: signatory}",
    )
    assert "kind 'agreement_sign' is not allowed; did you mean 'agreement_signing'?" in problems(path)[0]


def test_a_duplicate_event_id_is_reported_at_the_second(edited: EditData) -> None:
    path = edited("  - id: 2017-04-strategic-partnership-agreement", "  - id: c1993-diplomatic-relations")
    lines = path.read_text(encoding="utf-8").splitlines()
    second = [number for number, line in enumerate(lines, 1) if line == "  - id: c1993-diplomatic-relations"][1]
    assert problems(path) == [
        f"{path}:{second}:9: duplicate event id 'c1993-diplomatic-relations' (first used by event #3); give each a unique id"
    ]


def test_an_unknown_actor_reference_is_reported(edited: EditData) -> None:
    path = edited("{actor: mamin, role: visitor}", "{actor: mamim, role: visitor}")
    assert "unknown actor 'mamim'; did you mean 'mamin'?" in problems(path)[0]


def test_an_unknown_source_reference_is_reported(edited: EditData) -> None:
    path = edited(
        "      - source: golden-age-mamin-commission\n        quote: despite",
        "      - source: golden-age-mamin-comission\n        quote: despite",
    )
    assert "unknown source 'golden-age-mamin-comission'; did you mean 'golden-age-mamin-commission'?" in problems(path)[0]


def test_an_unknown_related_event_is_reported(edited: EditData) -> None:
    path = edited(
        "{event: 2021-10-tokayev-state-visit, relation: follows_up}", "{event: 2021-10-tokaev-state-visit, relation: follows_up}"
    )
    assert "unknown event '2021-10-tokaev-state-visit'; did you mean '2021-10-tokayev-state-visit'?" in problems(path)[0]


def test_an_event_related_to_itself_is_reported(edited: EditData) -> None:
    path = edited(
        "{event: 2021-10-tokayev-state-visit, relation: follows_up}",
        "{event: 2022-10-serdar-berdimuhamedov-state-visit, relation: follows_up}",
    )
    assert "an event cannot be related to itself" in problems(path)[0]


def test_a_missing_source_file_is_reported(edited: EditData) -> None:
    path = edited("file: ../seeds/002_c628b4c7a307634f.txt", "file: ../seeds/nope.txt")
    found = problems(path)
    assert "source file '../seeds/nope.txt': cannot read the file: No such file or directory" in found[0]


def test_an_id_that_is_not_a_slug_is_reported(edited: EditData) -> None:
    path = edited("  - id: abai-sculpture-ashgabat", "  - id: Abai Sculpture")
    assert "id 'Abai Sculpture' is not a slug; use lower-case letters, digits and single hyphens" in problems(path)[0]


def test_an_event_without_citations_is_reported(edited: EditData) -> None:
    path = edited(
        "    citations:\n      - source: tm-2023-05-16-prospects\n        quote: The Strategic",
        "    citations: []\n    old_citations:\n      - source: tm-2023-05-16-prospects\n        quote: The Strategic",
    )
    found = problems(path)
    assert any("citations needs at least 1 item(s)" in problem for problem in found)


def test_all_problems_are_reported_at_once_in_file_order(edited: EditData) -> None:
    edited("date: 2017-04\n", "date: 2017-13\n")
    path = edited("{actor: mamin, role: visitor}", "{actor: nobody, role: visitor}")
    found = problems(path)
    assert len(found) == 2
    assert "month 13" in found[0]
    assert "unknown actor 'nobody'" in found[1]


def test_a_control_character_in_text_is_refused_and_shown_escaped(edited: EditData) -> None:
    path = edited("title: Strategic Partnership Agreement signed", 'title: "Strategic \\e[31mPartnership"')
    found = problems(path)
    assert "text contains the invisible or control character \\x1b" in found[0]
    assert "\x1b" not in found[0]


def test_a_bidi_override_in_text_is_refused_and_shown_escaped(edited: EditData) -> None:
    path = edited("title: Strategic Partnership Agreement signed", "title: Strategic \u202ePartnership")
    found = problems(path)
    assert "text contains the invisible or control character \\u202e" in found[0]
    assert "\u202e" not in found[0]


def test_a_source_published_date_may_be_null(shipped: Dataset) -> None:
    assert shipped.source_by_id["kz-mfa-nurtleu-visit"].published is None


def test_an_invalid_publication_date_is_reported(edited: EditData) -> None:
    path = edited('published: "2023-05-16"', 'published: "2023-05-32"')
    line = line_of(path, '"2023-05-32"')
    assert problems(path)[0].startswith(f"{path}:{line}:16: invalid date: '2023-05-32': day 32 does not exist")


def test_an_invalid_position_span_is_reported(edited: EditData) -> None:
    path = edited("span: 2021-10/2024-08-05", "span: 2024-08-05/2021-10")
    assert "the interval ends before it starts" in problems(path)[0]


def test_an_unknown_role_is_reported(edited: EditData) -> None:
    path = edited("{actor: mamin, role: visitor}", "{actor: mamin, role: vistor}")
    assert "role 'vistor' is not allowed; did you mean 'visitor'?" in problems(path)[0]


# ---------------------------------------------------------------- a source's url and language


SOURCE_LINE = "    published: \"2023-10-31\"\n"


def test_a_source_may_give_its_web_address_and_its_language(edited: EditData) -> None:
    path = edited(SOURCE_LINE, SOURCE_LINE + "    url: https://example.org/trend/2023-10-31\n    language: ru\n")
    source = load_dataset(str(path)).source_by_id["trend-2023-10-31"]
    assert (source.url, source.language) == ("https://example.org/trend/2023-10-31", "ru")


def test_a_source_without_a_language_is_in_english_and_without_a_url_has_none(shipped: Dataset) -> None:
    source = shipped.source_by_id["trend-2023-10-31"]
    assert (source.url, source.language) == (None, "en")


def test_a_url_must_be_a_web_address(edited: EditData) -> None:
    path = edited(SOURCE_LINE, SOURCE_LINE + "    url: ftp://example.org/x\n")
    line = line_of(path, "url: ftp")
    assert problems(path) == [
        f"{path}:{line}:10: url 'ftp://example.org/x' is not a web address; write it whole, from http:// or https://"
    ]


def test_a_language_must_be_an_iso_639_1_code(edited: EditData) -> None:
    path = edited(SOURCE_LINE, SOURCE_LINE + "    language: rus\n")
    line = line_of(path, "language: rus")
    assert problems(path) == [
        f"{path}:{line}:15: language 'rus' is not allowed; "
        "use the article's language as an ISO 639-1 code (en, ru, kk, tk …); default en"
    ]
