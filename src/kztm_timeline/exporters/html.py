"""One self-contained HTML page: inline CSS, no scripts, no network requests.

A vertical timeline with year markers, a colour per kind, planned events set
apart by a dashed border, and every event's sources and quotes. Everything
taken from the data is escaped. It prints on paper without the colours' help.
"""

from __future__ import annotations

from html import escape
from itertools import groupby

from ..contract import View, count_events, participants_text, year_of
from ..edtf import display
from ..vocab import KINDS, Kind, Status

_CSS = """
:root { --line: #c9c9c9; --ink: #1d1d1d; --muted: #5b5b5b; }
* { box-sizing: border-box; }
body { font: 16px/1.5 Georgia, 'Times New Roman', serif; color: var(--ink); margin: 0 auto; max-width: 52rem; padding: 2rem 1rem; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; }
.lead { color: var(--muted); margin: 0 0 2rem; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1rem; font-size: .85rem; margin-bottom: 2rem; padding: 0; list-style: none; }
.legend li::before { content: ''; display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; background: var(--kind); border-radius: 50%; }
.timeline { position: relative; margin: 0; padding: 0 0 0 2rem; border-left: 3px solid var(--line); }
.year { position: relative; font: bold 1.3rem/1 sans-serif; margin: 2rem 0 1rem -2rem; padding-left: 2rem; }
.year::before { content: ''; position: absolute; left: -.65rem; top: .1rem; width: 1rem; height: 1rem; background: var(--ink); border-radius: 50%; }
.event { position: relative; margin: 0 0 1.25rem; padding: .75rem 1rem; border: 1px solid var(--line); border-left: 6px solid var(--kind); border-radius: 6px; break-inside: avoid; }
.event::before { content: ''; position: absolute; left: -2.55rem; top: 1rem; width: .8rem; height: .8rem; background: var(--kind); border-radius: 50%; }
.event.planned { border-style: dashed; background: repeating-linear-gradient(135deg, #fff, #fff 10px, #fafafa 10px, #fafafa 20px); }
.badge { display: inline-block; font: .75rem/1.6 sans-serif; padding: 0 .5rem; border-radius: 1rem; background: var(--kind); color: #fff; margin-right: .4rem; }
.badge.status { background: #fff; color: var(--ink); border: 1px dashed var(--ink); }
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
    return "\n".join(f".kind-{kind.value} {{ --kind: {info.color}; }}" for kind, info in KINDS.items())


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
        f"<h1>{escape(view.title)}</h1>",
        f'<p class="lead">{count_events(len(view.events))}, each backed by a verbatim quote from its source article.</p>',
        '<ul class="legend">'
        + "".join(f'<li class="kind-{kind.value}">{escape(KINDS[kind].label)}</li>' for kind in used)
        + "</ul>",
        '<main class="timeline">',
    ]
    for year, group in groupby(view.events, key=year_of):
        out.append(f'<h2 class="year">{escape(year)}</h2>')
        for event in group:
            planned = event.status is Status.PLANNED
            classes = f"event kind-{event.kind.value}{' planned' if planned else ''}"
            out.append(f'<article class="{classes}" id="{escape(event.id)}">')
            out.append(
                f'<div><span class="badge">{escape(KINDS[event.kind].label)}</span>'
                + ('<span class="badge status">planned</span>' if planned else "")
                + f'<time class="when" datetime="{escape(event.date.text)}">{escape(display(event.date))}</time></div>'
            )
            out.append(f"<h3>{escape(event.title)}</h3>")
            place = f" · {escape(event.place)}" if event.place else ""
            out.append(f'<p class="meta">{escape(participants_text(view.dataset, event))}{place}</p>')
            out.append(f"<p>{escape(event.summary)}</p>")
            for citation in event.citations:
                source = view.dataset.source_by_id[citation.source]
                published = "" if source.published is None else f", {escape(display(source.published))}"
                out.append(f"<blockquote>“{escape(citation.quote)}”</blockquote>")
                out.append(f'<p class="cite">— <cite>{escape(source.title)}</cite>, {escape(source.publisher)}{published}</p>')
            out.append(f'<p class="meta"><code>{escape(event.id)}</code></p>')
            out.append("</article>")
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)
