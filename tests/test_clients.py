"""Exports read by the real clients people use: khal (a calendar), TimelineJS, and a browser.

khal comes from PyPI (a test dependency). TimelineJS comes from the npm registry,
pinned in tests/js/package-lock.json and installed by the fixture below on first
use. Chromium is Debian's package, which .ci/run installs. Where a client cannot
be had, the test is skipped on a developer's machine and fails in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from kztm_timeline.contract import View
from kztm_timeline.exporters import Format, render_text
from kztm_timeline.model import Dataset
from kztm_timeline.query import Query, select

JS = Path(__file__).resolve().parent / "js"
TIMELINEJS = JS / "node_modules" / "@knight-lab" / "timelinejs" / "dist"


def unavailable(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must have {what}: .ci/run and the test dependencies provide it")
    pytest.skip(f"{what} is not available here; CI has it")


def view_of(dataset: Dataset) -> View:
    return View(dataset=dataset, events=tuple(select(dataset, Query())))


def chromium(profile: Path, *extra: str) -> list[str]:
    """Debian's Chromium, headless, with this machine's closed network in mind."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        unavailable("Debian's chromium")
    assert browser is not None
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *extra,
    ]


def chromium_dom(page: Path, profile: Path, *extra: str) -> str:
    command = [*chromium(profile, "--window-size=1200,900", "--virtual-time-budget=15000", *extra), "--dump-dom", page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=True).stdout


def result_of(dom: str) -> dict[str, object]:
    start = dom.index('<pre id="test-result">') + len('<pre id="test-result">')
    found: dict[str, object] = json.loads(dom[start : dom.index("</pre>", start)].replace("&amp;", "&").replace("&lt;", "<"))
    return found


# ---------------------------------------------------------------- ICS into khal


def khal() -> str:
    script = Path(sys.executable).with_name("khal")
    found = str(script) if script.exists() else shutil.which("khal")
    if found is None:
        unavailable("khal (pip install -e '.[test]')")
    assert found is not None
    return found


def _khal_calendar(tmp_path: Path) -> list[str]:
    calendar = tmp_path / "calendar"
    calendar.mkdir()
    config = tmp_path / "khal.conf"
    config.write_text(
        f"[calendars]\n[[timeline]]\npath = {calendar}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n",
        encoding="utf-8",
    )
    return [khal(), "-c", str(config)]


def _khal_import(command: list[str], ics: Path) -> None:
    env = {**os.environ, "TZ": "UTC"}
    subprocess.run([*command, "import", "--batch", "-a", "timeline", str(ics)], check=True, env=env, timeout=120)


def _khal_list(
    command: list[str], fields: str, *, once: bool = True, days: tuple[str, str] = ("1900-01-01", "2100-01-01")
) -> list[str]:
    """What ``khal list`` prints, a line per entry (with ``once``) or per entry and day it covers."""
    flags = ["--once", "--day-format", ""] if once else []
    return subprocess.run(
        [*command, "list", *flags, "--format", fields, *days],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TZ": "UTC"},
        timeout=120,
    ).stdout.splitlines()


def _khal_with(dataset: Dataset, tmp_path: Path) -> tuple[list[str], Path]:
    """A khal calendar in ``tmp_path`` with the ICS export of ``dataset`` imported; the command and the file."""
    command = _khal_calendar(tmp_path)
    ics = tmp_path / "timeline.ics"
    ics.write_text(render_text(Format.ICS, view_of(dataset)), encoding="utf-8")
    _khal_import(command, ics)
    return command, ics


def test_every_event_imports_into_khal_on_its_real_days(shipped: Dataset, tmp_path: Path) -> None:
    command, _ = _khal_with(shipped, tmp_path)
    listed = _khal_list(command, "{uid}|{start-date}|{end-date}")
    assert len(listed) == 26
    assert {line.split("|")[0] for line in listed} == {f"{event.id}@kztm-timeline" for event in shipped.events}
    for line in (
        "c1993-diplomatic-relations@kztm-timeline|1993-01-01|1993-01-01",  # a year: on its first day only
        "2020-2021-commission-extraordinary-session@kztm-timeline|2020-01-01|2020-01-01",
        "2021-10-tokayev-state-visit@kztm-timeline|2021-10-01|2021-10-01",
        "2024-08-05-presidents-telephone-call@kztm-timeline|2024-08-05|2024-08-05",
        "abai-sculpture-ashgabat@kztm-timeline|2024-08-06|2024-08-06",
    ):
        assert line in listed


def test_khal_lists_2024_in_a_few_lines_not_one_per_day(shipped: Dataset, tmp_path: Path) -> None:
    command, _ = _khal_with(shipped, tmp_path)
    listed = _khal_list(command, "{title}", once=False, days=("2024-01-01", "2024-12-31"))
    assert len(listed) < 40  # 1,895 lines when "2024?" was a 366-day event


def test_a_changed_event_reimported_into_khal_updates_its_one_entry(shipped: Dataset, tmp_path: Path) -> None:
    import dataclasses

    from kztm_timeline.model import EventList

    command, ics = _khal_with(shipped, tmp_path)
    call = "2024-08-05-presidents-telephone-call"
    renamed = [dataclasses.replace(e, title="Telephone call, renamed") if e.id == call else e for e in shipped.events]
    changed = dataclasses.replace(shipped, events=EventList(renamed))
    ics.write_text(render_text(Format.ICS, view_of(changed)), encoding="utf-8")
    _khal_import(command, ics)
    listed = _khal_list(command, "{uid}|{title}")
    assert len(listed) == 26
    calls = [line for line in listed if line.startswith("2024-08-05-presidents-telephone-call@")]
    assert calls == ["2024-08-05-presidents-telephone-call@kztm-timeline|5 Aug 2024: Telephone call, renamed"]


# ---------------------------------------------------------------- TimelineJS


@pytest.fixture(scope="session")
def timelinejs() -> Path:
    if not (TIMELINEJS / "js" / "timeline.js").is_file():
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm (to install TimelineJS from tests/js/package-lock.json)")
        assert npm is not None
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--prefix", str(JS)], check=True, timeout=600, capture_output=True)
    return TIMELINEJS


TIMELINEJS_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="DIST/css/timeline.css"><script src="DIST/js/timeline.js"></script></head>
<body><div id="timeline" style="width:1000px;height:600px"></div><pre id="test-result">pending</pre>
<script id="data" type="application/json">DATA</script>
<script>
const out = document.getElementById("test-result");
try {
  const timeline = new TL.Timeline("timeline", JSON.parse(document.getElementById("data").textContent), {});
  const report = () => { out.textContent = JSON.stringify({
    valid: timeline.config.isValid(),
    errors: timeline.config.getErrors(),
    title: timeline.config.title ? timeline.config.title.unique_id : null,
    events: timeline.config.events.map(e => [e.unique_id, e.start_date.data.format, e.end_date ? e.end_date.data.format : null,
                                             e.display_date || null, e.group || null]),
    slides: document.querySelectorAll(".tl-slide").length,
  }); };
  timeline.on("loaded", report);
  setTimeout(report, 5000);
} catch (error) { out.textContent = JSON.stringify({error: String(error)}); }
</script></body></html>"""


@pytest.mark.browser
def test_the_timelinejs_export_loads_in_the_real_timelinejs(shipped: Dataset, timelinejs: Path, tmp_path: Path) -> None:
    data = render_text(Format.TIMELINEJS, view_of(shipped)).replace("</", "<\\/")
    page = tmp_path / "page.html"
    page.write_text(TIMELINEJS_PAGE.replace("DIST", timelinejs.as_uri()).replace("DATA", data), encoding="utf-8")
    result = result_of(chromium_dom(page, tmp_path / "profile"))
    assert (result["valid"], result["errors"], result["title"], result["slides"]) == (True, [], "title", 27)
    rows = result["events"]
    assert isinstance(rows, list)
    events = {row[0]: row[1:] for row in rows}
    assert sorted(events) == sorted(event.id for event in shipped.events)  # TimelineJS orders slides by its own dates
    # A year or a month spans its whole period (TimelineJS keeps an end date only where it differs from the start).
    assert events["c1993-diplomatic-relations"] == ["full", "full", "c. 1993", "Joint or multilateral"]
    assert events["2021-10-tokayev-state-visit"] == ["full", "full", "Oct 2021", "Initiated by Kazakhstan"]
    assert events["2024-08-05-presidents-telephone-call"] == ["full", None, "5 Aug 2024", "Joint or multilateral"]
    commission = events["2020-2021-commission-extraordinary-session"]
    assert commission == ["full", "full", "c. 2020 – c. 2021", "Initiated by Kazakhstan"]


# ---------------------------------------------------------------- HTML: every event visible


# The page forbids all scripts (its CSP), so the probe runs in a wrapper page that
# frames it; --allow-file-access-from-files lets the wrapper read the frame's DOM.
VISIBILITY_WRAPPER = """<!doctype html><html><body style="margin:0">
<iframe id="page" src="PAGE" style="width:WIDTHpx;height:900px;border:0"></iframe><pre id="test-result">pending</pre>
<script>
document.getElementById("page").addEventListener("load", () => {
  const frame = document.getElementById("page");
  const inner = frame.contentDocument;
  const hidden = [];
  for (const article of inner.querySelectorAll("article[id]")) {
    const box = article.getBoundingClientRect();
    const style = frame.contentWindow.getComputedStyle(article);
    const invisible = style.visibility !== "visible" || style.display === "none" || Number(style.opacity) < 0.5;
    if (box.width < 50 || box.height < 20 || invisible) hidden.push(article.id);
  }
  const shown = [...inner.querySelectorAll("header svg.overview")]
    .filter(svg => frame.contentWindow.getComputedStyle(svg).display !== "none");
  const overview = shown.length === 1 ? shown[0] : null;
  const strip = overview ? overview.getBoundingClientRect() : null;
  document.getElementById("test-result").textContent = JSON.stringify({
    articles: inner.querySelectorAll("article[id]").length, hidden: hidden, scripts: inner.scripts.length,
    overflow: inner.documentElement.scrollWidth > frame.clientWidth,
    overview: strip !== null && strip.width > 0.75 * Math.min(frame.clientWidth - 32, 800) && strip.height > 200,
    marks: overview ? overview.querySelectorAll("a").length : 0,
  });
});
</script></body></html>"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 375])
def test_the_html_page_fits_its_screen_with_every_event_and_the_overview_visible(
    shipped: Dataset, tmp_path: Path, width: int
) -> None:
    page = tmp_path / "timeline.html"
    page.write_text(render_text(Format.HTML, view_of(shipped)), encoding="utf-8")
    wrapper = tmp_path / "wrapper.html"
    wrapper.write_text(VISIBILITY_WRAPPER.replace("PAGE", page.name).replace("WIDTH", str(width)), encoding="utf-8")
    result = result_of(chromium_dom(wrapper, tmp_path / "profile", "--allow-file-access-from-files"))
    assert result == {"articles": 26, "hidden": [], "scripts": 0, "overflow": False, "overview": True, "marks": 26}
    shot = tmp_path / f"timeline-{width}.png"  # kept in the test's temporary folder only
    command = [*chromium(tmp_path / "profile", f"--window-size={width},2400", f"--screenshot={shot}"), page.as_uri()]
    subprocess.run(command, capture_output=True, timeout=180, check=True)
    assert not _png_is_blank(shot.read_bytes())


# The overview's layout as a reader meets it: the one overview shown at this width, its year labels
# (none overlapping another, none smaller than 11 pixels), and each event's mark (at least 10 pixels, and
# what a click at its middle reaches is that event's link).
LAYOUT_WRAPPER = """<!doctype html><html><body style="margin:0">
<iframe id="page" src="PAGE" style="width:WIDTHpx;height:900px;border:0"></iframe><pre id="test-result">pending</pre>
<script>
document.getElementById("page").addEventListener("load", () => {
  const frame = document.getElementById("page");
  const inner = frame.contentDocument, view = frame.contentWindow;
  const shown = [...inner.querySelectorAll("svg.overview")].filter(svg => view.getComputedStyle(svg).display !== "none");
  const svg = shown[0];
  const labels = [...svg.querySelectorAll("text")].map(text => text.getBoundingClientRect());
  const overlapping = [];
  labels.forEach((one, i) => labels.forEach((two, j) => {
    const apart = one.right <= two.left || two.right <= one.left || one.bottom <= two.top || two.bottom <= one.top;
    if (i < j && !apart) overlapping.push([i, j]);
  }));
  const unreachable = [], small = [];
  for (const article of inner.querySelectorAll("article[id]")) {
    const link = svg.querySelector(`a[href="#${article.id}"]`);
    if (!link) { unreachable.push(article.id); continue; }
    const mark = link.lastElementChild;
    mark.scrollIntoView({block: "center", inline: "center"});
    const box = mark.getBoundingClientRect();
    if (box.width < 10 || box.height < 10) small.push(article.id);
    const hit = inner.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    if (!hit || !link.contains(hit)) unreachable.push(article.id);
  }
  view.scrollTo(0, 0);
  document.getElementById("test-result").textContent = JSON.stringify({
    shown: shown.map(one => one.getAttribute("class")), labels: labels.length,
    smallest: Math.round(Math.min(...labels.map(box => box.height))), overlapping, unreachable, small,
    overflow: inner.documentElement.scrollWidth > frame.clientWidth,
  });
});
</script></body></html>"""


@pytest.mark.browser
@pytest.mark.parametrize(("width", "which"), [(1280, "overview overview-wide"), (375, "overview overview-narrow")])
def test_the_overview_has_legible_labels_apart_and_every_event_within_reach(
    shipped: Dataset, tmp_path: Path, width: int, which: str
) -> None:
    page = tmp_path / "timeline.html"
    page.write_text(render_text(Format.HTML, view_of(shipped)), encoding="utf-8")
    wrapper = tmp_path / "wrapper.html"
    wrapper.write_text(LAYOUT_WRAPPER.replace("PAGE", page.name).replace("WIDTH", str(width)), encoding="utf-8")
    result = result_of(chromium_dom(wrapper, tmp_path / "profile", "--allow-file-access-from-files"))
    smallest = result["smallest"]
    assert isinstance(smallest, int)
    assert smallest >= 11  # pixels: 12-pixel labels, or larger where the overview is drawn larger
    assert {key: result[key] for key in ("shown", "labels", "overlapping", "unreachable", "small", "overflow")} == {
        "shown": [which], "labels": 7, "overlapping": [], "unreachable": [], "small": [], "overflow": False
    }


# ---------------------------------------------------------------- HTML: a real picture


def _png_is_blank(data: bytes) -> bool:
    """True when every pixel row of an 8-bit RGB(A) PNG carries the same bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat = 8, b""
    width = height = channels = 0
    while position < len(data):
        length = struct.unpack(">I", data[position : position + 4])[0]
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
            channels = {2: 3, 6: 4}[body[9]]
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels + 1
    pixels = {raw[row * stride + 1 : (row + 1) * stride] for row in range(height)}
    return len(pixels) <= 1 and len(set(next(iter(pixels)))) <= channels


@pytest.mark.browser
def test_html_renders_in_headless_chromium_with_every_event_and_a_non_blank_picture(shipped: Dataset, tmp_path: Path) -> None:
    page = tmp_path / "timeline.html"
    page.write_text(render_text(Format.HTML, view_of(shipped)), encoding="utf-8")
    dom = chromium_dom(page, tmp_path / "profile")
    for event in shipped.events:
        assert f'id="{event.id}"' in dom
    shot = tmp_path / "shot.png"
    command = [*chromium(tmp_path / "profile", "--window-size=1200,9000", f"--screenshot={shot}"), page.as_uri()]
    subprocess.run(command, capture_output=True, timeout=180, check=True)
    assert not _png_is_blank(shot.read_bytes())
