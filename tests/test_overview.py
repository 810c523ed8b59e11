"""The HTML page's overview: a piecewise time axis, open dates drawn open, and kind colours that stay apart,
for every reader (CIELAB ΔE and simulated colour blindness). The layout in a real browser is checked in
tests/test_clients.py."""

from __future__ import annotations

import itertools
import math
import re

from kztm_timeline.contract import View
from kztm_timeline.exporters import Format, render_text
from kztm_timeline.exporters.html import contrast
from kztm_timeline.exporters.overview import KIND_STYLES, NARROW, WIDE, axis, kind_property
from kztm_timeline.load import load_dataset
from kztm_timeline.model import Dataset
from kztm_timeline.query import Query, select
from kztm_timeline.vocab import Kind


def page_of(dataset: Dataset) -> str:
    return render_text(Format.HTML, View(dataset=dataset, events=tuple(select(dataset, Query()))))


def overview(page: str, which: str) -> str:
    start = page.index(f'<svg class="overview overview-{which}"')
    return page[start : page.index("</svg>", start)]


def marks(svg: str) -> dict[str, str]:
    """Each event's link in an overview, by its id."""
    return dict(re.findall(r'<a href="#([^"]+)"[^>]*>(.*?)</a>', svg))


# ---------------------------------------------------------------- colours, the way people see them


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _rgb(color: str) -> list[float]:
    return [_linear(int(color[index : index + 2], 16) / 255) for index in (1, 3, 5)]


def _lab(linear: list[float]) -> tuple[float, float, float]:
    """CIELAB (D65) of a linear sRGB colour."""
    r, g, b = linear
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(one: list[float], two: list[float]) -> float:
    """CIE76 colour difference of two linear sRGB colours."""
    return math.dist(_lab(one), _lab(two))


# Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
COLOUR_BLINDNESS = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def seen_by(matrix: tuple[tuple[float, ...], ...], linear: list[float]) -> list[float]:
    return [min(max(sum(weight * value for weight, value in zip(row, linear, strict=True)), 0.0), 1.0) for row in matrix]


def declared(page: str) -> dict[str, str]:
    """The kind colours the page declares, by custom property."""
    return dict(re.findall(r"(--kind-[a-z-]+): (#[0-9a-f]{6});", page))


def test_each_kind_colour_is_declared_as_a_kind_custom_property(shipped: Dataset) -> None:
    colours = declared(page_of(shipped))
    assert sorted(colours) == sorted(kind_property(kind) for kind in Kind)
    assert "--kind-state-visit" in colours
    assert ".kind-state_visit { --kind: var(--kind-state-visit); }" in page_of(shipped)


def test_any_two_kind_colours_differ_by_at_least_12_in_cielab(shipped: Dataset) -> None:
    colours = declared(page_of(shipped))
    closest = min(delta_e(_rgb(one), _rgb(two)) for one, two in itertools.combinations(colours.values(), 2))
    assert closest >= 12


def test_a_few_hue_families_and_within_each_a_shape_for_each_kind() -> None:
    families = {style.family for style in KIND_STYLES.values()}
    assert len(families) == 5
    for family in families:
        shapes = [style.shape for style in KIND_STYLES.values() if style.family == family]
        assert len(shapes) == len(set(shapes))


def test_kinds_that_share_a_shape_stay_12_apart_for_colour_blind_readers() -> None:
    closest = {}
    for name, matrix in COLOUR_BLINDNESS.items():
        pairs = [(one, two) for one, two in itertools.combinations(KIND_STYLES.values(), 2) if one.shape == two.shape]
        seen = [delta_e(seen_by(matrix, _rgb(one.color)), seen_by(matrix, _rgb(two.color))) for one, two in pairs]
        closest[name] = round(min(seen))
    assert all(value >= 12 for value in closest.values()), closest


def test_white_text_on_every_kind_colour_meets_wcag_aa() -> None:
    assert [kind for kind, style in KIND_STYLES.items() if contrast("#ffffff", style.color) < 4.5] == []


# ---------------------------------------------------------------- the axis and the marks


def test_the_page_draws_an_overview_across_for_wide_screens_and_down_for_narrow_ones(shipped: Dataset) -> None:
    page = page_of(shipped)
    ids = [event.id for event in select(shipped, Query())]
    for which in ("wide", "narrow"):
        assert list(marks(overview(page, which))) == ids


def test_dates_open_at_an_end_fade_out_with_an_arrow_and_are_never_solid_bars(shipped: Dataset) -> None:
    for which, prefix in (("wide", "w"), ("narrow", "n")):
        drawn = marks(overview(page_of(shipped), which))
        for event in shipped.events:
            mark = drawn[event.id]
            if event.date.first is None:
                assert f'mask="url(#{prefix}-open-in)"' in mark
                assert 'class="arrow"' in mark
            elif event.date.last is None:
                assert f'mask="url(#{prefix}-open-out)"' in mark
                assert 'class="arrow"' in mark
            else:
                assert "mask=" not in mark
                assert 'class="arrow"' not in mark


def test_uncertain_and_approximate_spans_are_drawn_dashed(shipped: Dataset) -> None:
    drawn = marks(overview(page_of(shipped), "wide"))
    assert 'class="uncertain"' in drawn["c1993-diplomatic-relations"]  # 1993~
    assert 'class="uncertain"' in drawn["2020-2021-commission-extraordinary-session"]  # 2020~/2021~
    assert 'class="uncertain"' not in drawn["2021-10-tokayev-state-visit"]


def test_the_axis_gives_the_dense_recent_years_room_and_keeps_the_early_years(shipped: Dataset) -> None:
    pieces = axis(list(shipped.events), WIDE)
    length = pieces[-1].end - pieces[0].start
    room = {piece.first_year: piece.end - piece.start for piece in pieces if piece.kind == "year"}
    assert sorted(room) == [1993, 2017, 2020, 2021, 2022, 2023, 2024]
    assert room[2023] + room[2024] >= 0.3 * length  # 19 of 26 events
    assert room[1993] >= WIDE.least_year  # room for its label
    gaps = [(piece.first_year, piece.last_year) for piece in pieces if piece.kind == "gap"]
    assert gaps == [(1994, 2016), (2018, 2019)]
    assert "<title>1994–2016: no events</title>" in overview(page_of(shipped), "wide")


def test_year_labels_keep_their_room_even_when_every_year_holds_events(tmp_path_factory: object) -> None:
    import subprocess
    import sys

    from .conftest import ROOT

    folder = tmp_path_factory.mktemp("busy")  # type: ignore[attr-defined]  # a pytest TempPathFactory
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "400", str(folder)], check=True)
    page = page_of(load_dataset(str(folder / "data" / "events.yaml")))
    patterns = {"wide": r'<text x="([0-9.]+)" y="[0-9.]+">', "narrow": r'<text x="[0-9.]+" y="([0-9.]+)" text-anchor="end">'}
    for which, room in (("wide", WIDE.label_room), ("narrow", NARROW.label_room)):
        places = [float(value) for value in re.findall(patterns[which], overview(page, which))]
        assert len(places) >= 8
        assert min(after - before for before, after in itertools.pairwise(places)) >= room
