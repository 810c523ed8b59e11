"""Curation: init, add, sources add, edit and remove, the commands that write the data file."""

import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..datafile.fs import display_path, is_shipped
from ..errors import DataError, TimelineError, UsageError
from ..vocab import Kind, Status
from .app import app, guarded, hold_signals
from .corpus import sources_app
from .options import (
    KINDS_HELP,
    DataOpt,
    DryRunOpt,
    EventArg,
    complete_actors,
    complete_event_ids,
    complete_sources,
    complete_topics,
    global_options,
)
from .output import (
    notice,
    say,
    shown_problem,
    write_stdout,
)
from .reading import cache_folder, data_file, read_dataset, today, verdict_tally

if TYPE_CHECKING:
    pass


def _writable_data(data: str | None, *, dry_run: bool) -> str:
    """The data file a curation command may change: one the user named (--data or the environment), never
    the copy inside the installed package."""
    path = data_file(data)
    named = bool(data) or bool(os.environ.get("KZTM_TIMELINE_DATA"))
    if not dry_run and is_shipped(path):
        raise TimelineError(
            "the shipped dataset is read-only (a reinstall would discard your change); copy it first with "
            "'timeline init DIR', then pass --data DIR/data/events.yaml or set KZTM_TIMELINE_DATA to it"
        )
    if not dry_run and not named:
        raise TimelineError(
            f"name the data file to change: pass --data {display_path(path)} (or set KZTM_TIMELINE_DATA); "
            "without one, curation commands change nothing. 'timeline init DIR' makes a copy of your own"
        )
    return path


@app.command()
@guarded
@global_options
def init(
    folder: Annotated[str, typer.Argument(metavar="DIR", help="A folder of your own (created if missing).")],
    data: DataOpt = None,
) -> None:
    """Copy the dataset (by default the shipped one) and its articles into DIR, to curate a copy of your own."""
    from ..curate import copy_dataset

    dataset = read_dataset(data)
    copy = copy_dataset(dataset, folder)
    write_stdout(copy + "\n")
    articles = sum(1 for source in dataset.sources if not source.is_web)
    pages = len(dataset.sources) - articles
    cited = f" (and {pages} web page{'s' if pages != 1 else ''} cited by address)" if pages else ""
    say(
        f"copied {len(dataset.events)} events and {articles} articles{cited}; to use the copy, "
        f"pass --data {display_path(copy)} or run: export KZTM_TIMELINE_DATA={os.path.abspath(copy)}"
    )


def interactive() -> bool:
    """Whether there is a terminal to ask at: stdin open (it may have been closed, ``<&-``) and a terminal."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (OSError, ValueError):  # a descriptor that went away
        return False


def fill_missing(values: dict[str, Any], prompts: dict[str, tuple[str, str, object]]) -> dict[str, Any]:
    """Prompt for each missing required value at a terminal; without one, name them all and exit 2."""
    missing = [name for name in prompts if values.get(name) in (None, "", [], ())]
    if not missing:
        return values
    if not interactive():
        options = ", ".join(prompts[name][0] for name in missing)
        raise UsageError(f"missing {options} (no terminal to ask at; pass {'them' if len(missing) > 1 else 'it'} as options)")
    for name in missing:
        _, question, kind = prompts[name]
        if kind == "list":
            values[name] = [part.strip() for part in ask(question).split(",") if part.strip()]
        elif isinstance(kind, tuple):
            values[name] = ask(f"{question} ({', '.join(kind)})", choices=kind)
        else:
            values[name] = ask(question)
    return values


def ask(question: str, choices: tuple[str, ...] = ()) -> str:
    """Ask on stderr (stdout carries data) until a non-empty answer, one of ``choices`` if given."""
    while True:
        sys.stderr.write(f"{question}: ")
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:
            raise UsageError(f"no answer to {question!r} (input ended)")
        answer = line.strip()
        if answer and (not choices or answer.lower() in choices):
            return answer.lower() if choices else answer
        if choices:
            say(f"choose one of: {', '.join(choices)}")


# Over 60 lines: its 16 options are its signature, where Typer reads them; the body is under 50.
@app.command()
@guarded
@global_options
def add(
    date_: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="EDTF date: 2024-08-05, 2021-10, 2020~, 2024-08-06/..")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", metavar="TEXT", help="Short title, in your own words.")] = None,
    kind: Annotated[
        Kind | None,
        typer.Option("--kind", metavar="KIND", help=f"Event kind: {KINDS_HELP}.", case_sensitive=False, show_choices=False),
    ] = None,
    status: Annotated[
        Status | None,
        typer.Option("--status", metavar="STATUS", help="happened or planned.", case_sensitive=False, show_choices=False),
    ] = None,
    actor: Annotated[
        list[str] | None,
        typer.Option(
            "--actor",
            metavar="ACTOR[:ROLE]",
            autocompletion=complete_actors,
            help="Participant; role defaults to participant (repeatable).",
        ),
    ] = None,
    summary: Annotated[str | None, typer.Option("--summary", metavar="TEXT", help="What happened, in your own words.")] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", metavar="SOURCE", autocompletion=complete_sources, help="Source id of a citation (repeatable)."
        ),
    ] = None,
    quote: Annotated[
        list[str] | None,
        typer.Option("--quote", metavar="TEXT", help="Verbatim quote for the --source at the same position (repeatable)."),
    ] = None,
    id_: Annotated[
        str | None, typer.Option("--id", metavar="ID", help="Event id. Default: a slug of the date and title.")
    ] = None,
    place: Annotated[str | None, typer.Option("--place", metavar="PLACE", help="Where it took place.")] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", metavar="TOPIC", autocompletion=complete_topics, help="Topic, lower case (repeatable)."),
    ] = None,
    related: Annotated[
        list[str] | None,
        typer.Option(
            "--related",
            metavar="EVENT[:RELATION]",
            autocompletion=complete_event_ids,
            help="Related event; relation defaults to mentions (repeatable).",
        ),
    ] = None,
    evidence: Annotated[
        str | None,
        typer.Option("--evidence", metavar="EVIDENCE", help="Where the date comes from: quoted, reported or inferred."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="How the date or facts were inferred.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and print the YAML; write nothing.")] = False,
    data: DataOpt = None,
) -> None:
    """Add an event: validated with the whole dataset, inserted in date order, written atomically."""
    from ..curate import EventInput, add_event, new_event

    values = fill_missing(
        {"date": date_, "title": title, "kind": kind, "status": status, "actors": actor, "summary": summary, "sources": source},
        {
            "date": ("--date", "Date (EDTF, e.g. 2024-08-05 or 2021-10)", "text"),
            "title": ("--title", "Title", "text"),
            "kind": ("--kind", "Kind", tuple(item.value for item in Kind)),
            "status": ("--status", "Status", tuple(item.value for item in Status)),
            "actors": ("--actor", "Actors (ID[:ROLE], comma-separated)", "list"),
            "summary": ("--summary", "Summary", "text"),
            "sources": ("--source", "Source id", "list"),
        },
    )
    quotes = list(quote or [])
    sources_given = [str(item) for item in values["sources"]]
    if len(quotes) < len(sources_given) and interactive():
        for item in sources_given[len(quotes) :]:
            quotes.append(ask(f"Quote from {item}"))
    if len(sources_given) != len(quotes):
        raise UsageError(f"each --source needs its --quote: got {len(sources_given)} --source and {len(quotes)} --quote")
    given = EventInput(
        date=str(values["date"]),
        title=str(values["title"]),
        kind=str(values["kind"]),
        status=str(values["status"]),
        actors=tuple(str(item) for item in values["actors"]),
        summary=str(values["summary"]),
        sources=tuple(sources_given),
        quotes=tuple(quotes),
        id=id_,
        place=place,
        topics=tuple(topic or ()),
        related=tuple(related or ()),
        evidence=evidence,
        note=note,
    )
    path = _writable_data(data, dry_run=dry_run)
    build = lambda dataset: new_event(dataset, given)  # noqa: E731 - the record is built once the dataset is read
    added = add_event(
        path, build, dry_run=dry_run, cache=cache_folder(), notice=notice, memos=verdict_tally, committing=hold_signals
    )
    if dry_run:
        write_stdout(added.yaml)
        say(f"dry run: {added.id} is valid; nothing was written")
    else:
        say(f"added {added.id} to {display_path(path)}")


def _run_editor(file: str) -> int:
    """Open ``file`` in ``$VISUAL``, else ``$EDITOR``, else vi, as git does (the shell reads the variable,
    so ``EDITOR="code --wait"`` works); the editor's exit status."""
    import subprocess

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return subprocess.run(["sh", "-c", f'{editor} "$@"', editor, file], check=False).returncode


def _check_editor() -> None:
    """Without $VISUAL or $EDITOR the editor is vi, which needs a terminal: with none (a script, a pipe, cron),
    refuse at once, before anything is read, rather than start one that cannot work (it spun at full CPU)."""
    if os.environ.get("VISUAL") or os.environ.get("EDITOR"):
        return
    if not (interactive() and sys.stdout is not None and sys.stdout.isatty()):
        raise UsageError("no editor to run: set VISUAL or EDITOR (there is no terminal to start vi in)")


def _say_changed(changed: Any, path: str, verb: str, *, dry_run: bool) -> None:
    if dry_run:
        write_stdout(changed.diff(os.path.basename(path)))
        say(f"dry run: {changed.id} would be {verb}; nothing was written")
        return
    links = f"; removed its links from {', '.join(changed.unlinked)}" if changed.unlinked else ""
    place = "from" if verb == "removed" else "in"
    say(f"{verb} {changed.id} {place} {display_path(path)}{links}")


@app.command()
@guarded
@global_options
def edit(event: EventArg, dry_run: DryRunOpt = False, data: DataOpt = None) -> None:
    """Edit one event's YAML in $VISUAL or $EDITOR; the result is validated with the whole dataset (quotes
    included) and written back atomically, every other byte kept. On a problem: re-open, or abandon."""
    import shutil as files
    import tempfile

    from ..curate import finish_edit, start_edit
    from ..datafile.fs import read_text

    _check_editor()
    path = _writable_data(data, dry_run=dry_run)
    started = start_edit(path, event)
    folder = tempfile.mkdtemp(prefix="timeline-edit-")  # 0700: only this user reads the draft
    draft = os.path.join(folder, f"{started.id}.yaml")
    with open(draft, "w", encoding="utf-8") as handle:
        handle.write(started.block)
    while True:
        status = _run_editor(draft)
        if status != 0:
            raise TimelineError(f"the editor exited with status {status}; nothing was written; your text is kept in {draft}")
        try:
            block = read_text(draft)  # UTF-8 exactly (a byte-order mark allowed), or a located problem
            if block == started.block:
                files.rmtree(folder, ignore_errors=True)
                say(f"no change to {started.id}; nothing was written")
                return
            changed = finish_edit(path, started, block, dry_run=dry_run, label=draft, committing=hold_signals)
        except (DataError, TimelineError) as error:
            if isinstance(error, DataError):
                for problem in error.problems:
                    say(shown_problem(problem))
            else:
                say(f"timeline: {error}")
            if interactive() and ask("Re-open the editor, or abandon the edit? (reopen, abandon)", ("reopen", "abandon")) == (
                "reopen"
            ):
                continue
            raise TimelineError(f"edit abandoned; nothing was written; your text is kept in {draft}") from None
        break
    files.rmtree(folder, ignore_errors=True)
    _say_changed(changed, path, "updated", dry_run=dry_run)


@app.command()
@guarded
@global_options
def remove(
    event: EventArg,
    force: Annotated[bool, typer.Option("--force", help="Also remove the links other events have to it.")] = False,
    dry_run: DryRunOpt = False,
    data: DataOpt = None,
) -> None:
    """Remove one event; refused while other events link to it, unless --force removes those links too.
    Every other byte of the file is kept; the write is atomic."""
    from ..curate import StillLinked, remove_event

    path = _writable_data(data, dry_run=dry_run)
    try:
        changed = remove_event(path, event, force=force, dry_run=dry_run, committing=hold_signals)
    except StillLinked as error:
        raise TimelineError(f"{error}, or pass --force to remove them too") from None
    _say_changed(changed, path, "removed", dry_run=dry_run)


# Over 60 lines: its options are its signature, where Typer reads them; the body is under 40.
@sources_app.command("add")
@guarded
@global_options
def sources_add(
    article: Annotated[
        str | None,
        typer.Argument(metavar="PATH", help="The article, as a UTF-8 text file (or give --url).", show_default=False),
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", metavar="URL", help="A web page to cite instead of a file; its text is never stored.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", metavar="TEXT", help="The article's headline.")] = None,
    publisher: Annotated[str | None, typer.Option("--publisher", metavar="TEXT", help="Who published it.")] = None,
    published: Annotated[
        str | None, typer.Option("--published", metavar="DATE", help="Publication date (EDTF); omit if unknown.")
    ] = None,
    id_: Annotated[
        str | None, typer.Option("--id", metavar="ID", help="Source id. Default: a slug of the date and title.")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option("--language", metavar="TAG", help="The text's language, BCP 47 (en, ru, kk, tk); required with --url."),
    ] = None,
    retrieved: Annotated[
        str | None,
        typer.Option("--retrieved", metavar="DAY", help="With --url: the day the page was read (YYYY-MM-DD). Default: today."),
    ] = None,
    archive_url: Annotated[
        str | None, typer.Option("--archive-url", metavar="URL", help="With --url: an archived copy of the page.")
    ] = None,
    corpus: Annotated[
        str | None,
        typer.Option(
            "--corpus", metavar="NAME", help="The corpus it belongs to (a slug); required with --url; a file's default: seeds."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and print the YAML; write nothing.")] = False,
    data: DataOpt = None,
) -> None:
    """Register a source: copy an article into the corpus folder, or cite a web page with --url."""
    from ..curate import SourceInput, add_source

    if (article is None) == (url is None):
        raise UsageError("give the article's PATH or a page's --url (one of them)")
    if url is None and (retrieved or archive_url):
        raise UsageError("--retrieved and --archive-url describe a web page; give them with --url")
    prompts: dict[str, tuple[str, str, object]] = {
        "title": ("--title", "Title", "text"),
        "publisher": ("--publisher", "Publisher", "text"),
    }
    if url is not None:
        prompts["language"] = ("--language", "Language (BCP 47: en, ru, kk, tk)", "text")
        prompts["corpus"] = ("--corpus", "Corpus", "text")
        retrieved = retrieved or today().isoformat()
    values = fill_missing({"title": title, "publisher": publisher, "language": language, "corpus": corpus}, prompts)
    path = _writable_data(data, dry_run=dry_run)
    given = SourceInput(
        article,
        str(values["title"]),
        str(values["publisher"]),
        published,
        id_,
        url=url,
        language=values["language"],
        retrieved=retrieved,
        archive_url=archive_url,
        corpus=values["corpus"],
    )
    added, copy = add_source(
        path, given, dry_run=dry_run, cache=cache_folder(), notice=notice, memos=verdict_tally, committing=hold_signals
    )
    if dry_run:
        write_stdout(added.yaml)
        say(f"dry run: {added.id} is valid; nothing was written")
    elif url is not None:
        say(f"added source {added.id} (a web page; its text is not stored) to {display_path(path)}")
    else:
        say(f"added source {added.id} to {display_path(path)}; the article is at {display_path(copy)}")
