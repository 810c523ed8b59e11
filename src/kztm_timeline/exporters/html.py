"""One self-contained HTML page: inline CSS and SVG, no scripts, no network requests.

A header (title, legend and an overview strip: every event on a real time axis, each mark a
link to its card), the timeline itself in ``main`` (cards grouped by year, a colour per kind,
planned events set apart by a dashed border, each with its date note, its sources and quotes),
and a footer (when and from what the page was generated, the filters used, the sources and the
licence). Everything taken from the data is escaped. Every colour pair meets WCAG AA (4.5:1):
each kind's colour is darkened until white badge text passes. ``<time datetime>`` holds a valid
HTML date (the start, at the date's precision); the EDTF date is in ``data-edtf``. The page
reads in order with CSS off and prints on paper without the colours' help.
"""

from __future__ import annotations

from html import escape
from itertools import groupby

from ..contract import TOOL_VERSION, View, count_events, heading_of, participants_text
from ..edtf import EdtfDate, display
from ..vocab import KINDS, Kind, Status
from .overview import KIND_STYLES, kind_property, render_overview, shape

WHITE = "#ffffff"
AA = 4.5


def _luminance(color: str) -> float:
    """WCAG 2 relative luminance of an #rrggbb colour."""
    channels = [int(color[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, two: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours (1 to 21)."""
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def badge_color(color: str) -> str:
    """``color``, darkened in small steps until white text on it meets WCAG AA."""
    rgb = [int(color[index : index + 2], 16) for index in (1, 3, 5)]
    shade = color
    while contrast(shade, WHITE) < AA:
        rgb = [max(0, round(channel * 0.95)) for channel in rgb]
        shade = "#" + "".join(f"{channel:02x}" for channel in rgb)
    return shade


_CSS = """
:root { --line: #c9c9c9; --ink: #1d1d1d; --muted: #595959; --paper: #ffffff; --stripe: #f5f5f5; }
* { box-sizing: border-box; }
body { font: 16px/1.5 Georgia, 'Times New Roman', serif; color: var(--ink); background: var(--paper); margin: 0 auto; max-width: 52rem; padding: 2rem 1rem; overflow-wrap: anywhere; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; }
.lead { color: var(--muted); margin: 0 0 2rem; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1rem; font-size: .85rem; margin-bottom: 2rem; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: .3rem; }
.legend svg { width: .9rem; height: .9rem; flex: none; fill: var(--kind); }
.timeline { position: relative; margin: 0; padding: 0 0 0 2rem; border-left: 3px solid var(--line); }
.year { position: relative; font: bold 1.3rem/1 sans-serif; margin: 2rem 0 1rem -2rem; padding-left: 2rem; }
.year::before { content: ''; position: absolute; left: -.65rem; top: .1rem; width: 1rem; height: 1rem; background: var(--ink); border-radius: 50%; }
.event { position: relative; margin: 0 0 1.25rem; padding: .75rem 1rem; border: 1px solid var(--line); border-left: 6px solid var(--kind); border-radius: 6px; break-inside: avoid; }
.event::before { content: ''; position: absolute; left: -2.55rem; top: 1rem; width: .8rem; height: .8rem; background: var(--kind); border-radius: 50%; }
.event.planned { border-style: dashed; background: repeating-linear-gradient(135deg, var(--paper), var(--paper) 10px, var(--stripe) 10px, var(--stripe) 20px); }
.badge { display: inline-flex; align-items: center; gap: .25rem; font: .75rem/1.6 sans-serif; padding: 0 .5rem; border-radius: 1rem; background: var(--kind); color: #ffffff; margin-right: .4rem; }
.badge svg { width: .7rem; height: .7rem; fill: currentColor; }
.badge.status { background: var(--paper); color: var(--ink); border: 1px dashed var(--ink); }
.note { font-size: .9rem; color: var(--muted); margin: .25rem 0; }
.overview { display: block; width: 100%; height: auto; margin: 0 0 1.5rem; }
.overview-narrow { display: none; max-width: 26rem; }
@media (max-width: 41.9rem) { .overview-wide { display: none; } .overview-narrow { display: block; } }
.overview text { font: 12px sans-serif; fill: #595959; }
.overview .axis, .overview .break { stroke: #595959; stroke-width: 1.5; }
.overview .arrow { fill: #595959; }
.overview a:focus :last-child, .overview a:hover :last-child { stroke: #1d1d1d; stroke-width: 2; }
footer { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--line); font-size: .9rem; color: var(--muted); }
footer h2 { font-size: 1rem; color: var(--ink); }
.when { font: bold .95rem sans-serif; color: var(--muted); }
h3 { margin: .25rem 0; font-size: 1.15rem; }
.meta { font-size: .9rem; color: var(--muted); margin: .25rem 0; }
blockquote { margin: .5rem 0 0; padding-left: .75rem; border-left: 3px solid var(--line); font-style: italic; }
.cite { font-size: .85rem; color: var(--muted); margin: .1rem 0 0 .75rem; }
code { font-size: .8rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .event { border-left-width: 3px; }
  .event.planned { background: none; }
  .badge { color: var(--ink); background: none; border: 1px solid var(--ink); }
}
"""


def _kind_vars() -> str:
    """Each kind's colour as a custom property of its own (``--kind-state-visit``), and ``--kind`` for the
    elements of that kind."""
    declared = " ".join(f"{kind_property(kind)}: {style.color};" for kind, style in KIND_STYLES.items())
    uses = "\n".join(f".kind-{kind.value} {{ --kind: var({kind_property(kind)}); }}" for kind in KIND_STYLES)
    return f":root {{ {declared} }}\n{uses}"


def _glyph(kind: Kind) -> str:
    """A kind's shape, small, for the legend and the badges (the overview draws it at every mark)."""
    style = KIND_STYLES[kind]
    return f'<svg viewBox="0 0 16 16" aria-hidden="true">{shape(style.shape, 8, 8, 6)}</svg>'


def html_date(value: EdtfDate) -> str:
    """A valid HTML ``datetime`` for an EDTF date: its start (else its end) at its own precision."""
    simple = value.start or value.end
    assert simple is not None
    day = simple.first
    if simple.precision.value == "day":
        return day.isoformat()
    if simple.precision.value == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}"


def _footer(view: View) -> list[str]:
    cited = {citation.source for event in view.events for citation in event.citations}
    sources = [source for source in view.dataset.sources if source.id in cited]
    generated = view.options.get("generated")
    made = f"Generated on {escape(generated)} by" if generated else "Generated by"
    filters = escape(view.options.get("filters", "all events"))
    out = [
        "<footer>",
        f"<p>{made} kztm-timeline {escape(TOOL_VERSION)} from its data file. Filters: {filters}.</p>",
        "<h2>Sources</h2>",
        "<ul>",
    ]
    for source in sources:
        published = "date not given" if source.published is None else display(source.published)
        out.append(f"<li><cite>{escape(source.title)}</cite>, {escape(source.publisher)}, {escape(published)} ({escape(source.id)})</li>")
    out += [
        "</ul>",
        "<p>Licence: the timeline's data and this page are under the MIT licence (kztm-timeline). "
        "The quotes remain their publishers' and are cited as evidence.</p>",
        "</footer>",
    ]
    return out


def render_html(view: View) -> str:
    used = [kind for kind in Kind if any(event.kind is kind for event in view.events)]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{escape(view.title)}</title>",
        f"<style>{_CSS}{_kind_vars()}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(view.title)}</h1>",
        f'<p class="lead">{count_events(len(view.events))}, each backed by a verbatim quote from its source article.</p>',
        '<ul class="legend">'
        + "".join(
            f'<li class="kind-{kind.value}">{_glyph(kind)}{escape(KINDS[kind].label)}</li>'
            for kind in used
        )
        + "</ul>",
        render_overview(view.events),
        "</header>",
        '<main class="timeline">',
    ]
    for year, group in groupby(view.events, key=heading_of):
        out.append(f'<h2 class="year">{escape(year)}</h2>')
        for event in group:
            planned = event.status is Status.PLANNED
            classes = f"event kind-{event.kind.value}{' planned' if planned else ''}"
            out.append(f'<article class="{classes}" id="{escape(event.id)}">')
            out.append(
                f'<div><span class="badge">{_glyph(event.kind)}{escape(KINDS[event.kind].label)}</span>'
                + ('<span class="badge status">planned</span>' if planned else "")
                + f'<time class="when" datetime="{html_date(event.date)}" data-edtf="{escape(event.date.text)}">'
                + f"{escape(display(event.date))}</time></div>"
            )
            out.append(f"<h3>{escape(event.title)}</h3>")
            place = f" · {escape(event.place)}" if event.place else ""
            out.append(f'<p class="meta">{escape(participants_text(view.dataset, event))}{place}</p>')
            out.append(f"<p>{escape(event.summary)}</p>")
            if event.note:
                out.append(f'<p class="note">Date note: {escape(event.note)}</p>')
            for citation in event.citations:
                source = view.dataset.source_by_id[citation.source]
                published = "" if source.published is None else f", {escape(display(source.published))}"
                out.append(f"<blockquote>“{escape(citation.quote)}”</blockquote>")
                out.append(f'<p class="cite">— <cite>{escape(source.title)}</cite>, {escape(source.publisher)}{published}</p>')
            out.append(f'<p class="meta"><code>{escape(event.id)}</code></p>')
            out.append("</article>")
    out += ["</main>", *_footer(view), "</body>", "</html>", ""]
    return "\n".join(out)
