"""The corpus: sources, sources show, coverage and extract."""

from typing import TYPE_CHECKING, Annotated

import typer

from .app import CONTEXT, app, guarded
from .options import (
    CorpusOpt,
    DataOpt,
    complete_sources,
    global_options,
    record_output,
)
from .output import (
    OutputChoice,
    emit,
    progress_bar,
    say,
)
from .reading import read_dataset

if TYPE_CHECKING:
    from ..model import Dataset, Source

sources_app = typer.Typer(
    help="List the source articles, or register a new one with 'sources add'.",
    invoke_without_command=True,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)


app.add_typer(sources_app, name="sources")


@sources_app.callback()
@guarded
@global_options
@record_output
def sources(ctx: typer.Context, out: OutputChoice, corpus: CorpusOpt = None, data: DataOpt = None) -> None:
    """List the source articles with their event counts, or register one with 'sources add'."""
    if ctx.invoked_subcommand is not None:
        return
    from ..contract import sources_json
    from ..screens import render_sources

    dataset = read_dataset(data, corpus)
    emit(
        out,
        dataset,
        "sources",
        lambda: sources_json(dataset),
        lambda color, width: render_sources(dataset, color=color, width=width),
    )


@sources_app.command("show")
@guarded
@global_options
@record_output
def sources_show(
    source: Annotated[
        str, typer.Argument(metavar="SOURCE", help="A source id, or a unique prefix of one.", autocompletion=complete_sources)
    ],
    out: OutputChoice,
    uncited: Annotated[bool, typer.Option("--uncited", help="Only the paragraphs no event cites.")] = False,
    corpus: CorpusOpt = None,
    data: DataOpt = None,
) -> None:
    """An article as plain text, every cited passage between ⟦ and ⟧ and the events that cite it below it."""
    from ..coverage import cited_paragraphs, marked_text
    from ..extract import article_text
    from ..query import find_source

    dataset = read_dataset(data, corpus)
    found = find_source(dataset, source)
    paragraphs = cited_paragraphs(dataset, found, article_text(dataset, found))
    records: list[dict[str, object]] = [
        {"paragraph": p.number, "text": p.text, "cited": [list(span) for span in p.cited], "events": list(p.events)}
        for p in paragraphs
        if not (uncited and p.events)
    ]
    emit(
        out,
        dataset,
        "paragraphs",
        lambda: records,
        lambda _color, _width: f"{found.title} — {found.publisher} ({found.id})\n\n"
        + marked_text(paragraphs, uncited_only=uncited),
    )


@app.command()
@guarded
@global_options
@record_output
def coverage(out: OutputChoice, corpus: CorpusOpt = None, data: DataOpt = None) -> None:
    """Per article: the share of its sentences an event cites, and the dated sentences no event covers."""
    from ..coverage import CITED_SHARE, furniture_summary
    from ..coverage import measure_coverage as measure
    from ..extract import article_text

    dataset = read_dataset(data, corpus)
    kept = [source for source in dataset.sources if source.file is not None]  # a web page's text is not kept
    found = [measure(dataset, source, article_text(dataset, source)) for source in kept]

    def screen(_color: bool, _width: int) -> str:
        lines = []
        for c in found:
            share = round(100 * c.cited / c.sentences) if c.sentences else 0
            uncovered = len(c.dated_uncovered)
            left_out = f"; {len(c.excluded)} lines of page furniture left out" if c.excluded else ""
            datable = f"; {len(c.datable)} datable phrases" if c.datable else ""
            lines.append(
                f"{c.source}: {c.cited} of {c.sentences} sentences cited ({share}%); "
                f"{uncovered} dated sentences uncovered{left_out}{datable}"
            )
            lines += [f"  {item}" for item in c.dated_uncovered]
            lines += [f"  left out: {item}" for item in furniture_summary(c.excluded)]
            lines += [f"  datable: line {line}: {phrase!r}" for line, phrase, _ in c.datable]
        lines.append(f"(a sentence is cited when quotes cover at least {round(100 * CITED_SHARE)}% of its words)")
        return "\n".join(lines) + "\n"

    records: list[dict[str, object]] = [
        {
            "source": c.source,
            "sentences": c.sentences,
            "cited": c.cited,
            "dated_uncovered": list(c.dated_uncovered),
            "excluded": [{"line": line, "text": text, "reason": reason} for line, text, reason in c.excluded],
            "datable": [{"line": line, "phrase": phrase, "sentence": sentence} for line, phrase, sentence in c.datable],
        }
        for c in found
    ]
    emit(out, dataset, "coverage", lambda: records, screen)


@app.command()
@guarded
@global_options
@record_output
def extract(
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="A source id (or a unique prefix of one), or the path of an article's text file.",
            autocompletion=complete_sources,
        ),
    ],
    out: OutputChoice,
    corpus: CorpusOpt = None,
    data: DataOpt = None,
) -> None:
    """Propose candidate events from an article: every sentence with a date, as YAML stubs."""
    from ..extract import candidate_json, find_candidates, load_article, stubs_yaml

    dataset = read_dataset(data, corpus)
    article = load_article(dataset, source)
    if not article.registered:
        say(
            f"note: {source} is not a registered source; the stubs cite it as {article.source!r}. "
            "Register it first: timeline sources add PATH --title ... --publisher ..."
        )
    candidates = find_candidates(dataset, article)
    emit(
        out,
        dataset,
        "candidates",
        lambda: [candidate_json(dataset, article, candidate) for candidate in candidates],
        lambda _color, _width: stubs_yaml(dataset, article, candidates),
    )


# Over 60 lines: its options are its signature, where Typer reads them; the body is under 50.
@sources_app.command("check")
@guarded
@global_options
@record_output
def sources_check(
    out: OutputChoice,
    source: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[SOURCE]...",
            help="Only these web sources (ids or unique prefixes); default: every one.",
            autocompletion=complete_sources,
            show_default=False,
        ),
    ] = None,
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="Fetch each page and look for its quotes (needs the web extra: pip install 'kztm-timeline[web]').",
        ),
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", metavar="SECONDS", min=0.1, help="Give up on a page after this long.")
    ] = 30.0,
    corpus: CorpusOpt = None,
    data: DataOpt = None,
) -> None:
    """Check the web citations: with --online, fetch each page, report dead links and quotes no longer found
    (exit 1 when any fails); without it, list what would be checked."""
    from ..errors import TimelineError, UsageError
    from ..query import find_source

    dataset = read_dataset(data, corpus)
    chosen = [find_source(dataset, wanted) for wanted in source or ()]
    for found in chosen:
        if found.url is None:
            raise UsageError(f"{found.id} is an article kept with the data: 'timeline validate' checks its quotes")
    pages = chosen or [found for found in dataset.sources if found.url is not None]
    if not online:
        quotes = sum(1 for event in dataset.events for c in event.citations if c.source in {p.id for p in pages})
        records = [_unchecked(dataset, page) for page in pages]
        emit(out, dataset, "checks", lambda: records, lambda _c, _w: _check_screen(records))
        say(f"{len(pages)} web pages and {quotes} quotes not checked; pass --online to fetch the pages and look for the quotes")
        return
    try:
        import selectolax.lexbor  # noqa: F401 - only to say at once that the web extra is missing
    except ImportError:
        raise TimelineError(
            "sources check --online reads pages with the HTML parser selectolax; install it: pip install 'kztm-timeline[web]'"
        ) from None
    from ..web import MAX_BYTES, check_pages, fetch

    bar = progress_bar()
    try:
        results = check_pages(dataset, pages, lambda url: fetch(url, timeout=timeout, max_bytes=MAX_BYTES), bar)
    finally:
        if bar is not None:
            bar.close()
    records = [
        {
            "source": result.source.id,
            "url": result.source.url,
            "state": result.state,
            "detail": result.detail,
            "quotes": len(result.quotes),
            "missing": [{"event": q.event, "quote": q.quote} for q in result.quotes if not q.found],
        }
        for result in results
    ]
    emit(out, dataset, "checks", lambda: records, lambda _c, _w: _check_screen(records))
    failed = [result for result in results if result.failed]
    dead = sum(1 for result in failed if result.state == "dead")
    say(f"checked {len(results)} web pages: {len(results) - len(failed)} ok, {dead} dead, {len(failed) - dead} changed")
    if failed:
        raise TimelineError(f"{len(failed)} of {len(results)} web pages failed the check")


def _unchecked(dataset: "Dataset", page: "Source") -> dict[str, object]:
    cited = [citation for event in dataset.events for citation in event.citations if citation.source == page.id]
    state = {"state": "unchecked", "detail": "not fetched"}
    return {"source": page.id, "url": page.url, **state, "quotes": len(cited), "missing": []}


def _check_screen(records: list[dict[str, object]]) -> str:
    lines = []
    for record in records:
        lines.append(f"{record['state']:<9} {record['source']}  {record['url']}: {record['detail']}")
        missing = record["missing"]
        assert isinstance(missing, list)
        lines += [f"          not found (event {item['event']}): {item['quote']!r}" for item in missing]
    return "\n".join(lines) + "\n" if lines else ""
