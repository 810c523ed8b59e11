"""The Typer app, its global options, the error-to-exit-code map and the console-script entry point."""

# Just over the 500-line aim: the signal handling (hold_signals to _settled) stays beside run(), whose whole
# course it governs; it is the next room to give its own module.

import functools
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from .. import CONTRACT_VERSION, __version__
from ..datafile.fs import display_path
from ..errors import CacheDamaged, DataError, LookupFailed, TimelineError, UsageError
from ..text import shown, undecoded
from .homes import HOMES, _invoked, command_name
from .options import ColorOpt, DataOpt, DebugOpt, NoCacheOpt, NoPagerOpt, QuietOpt, VerboseOpt
from .output import MAX_PROBLEMS_SHOWN, _said, say, shown_problem, state, write_stdout

if TYPE_CHECKING:
    pass

P = ParamSpec("P")


R = TypeVar("R")


EXIT_DATA = 1


EXIT_USAGE = 2


EXIT_INTERNAL = 70


EXIT_INTERRUPTED = 130


EXIT_TERMINATED = 143


REPORT_URL = "the project's issue tracker"


# --help first: Click's hints ("Try 'timeline list --help' for help.") name the first of them.
CONTEXT: dict[str, Any] = {"help_option_names": ["--help", "-h"]}


class Group(TyperGroup):
    """The tool itself: its commands and groups of commands listed in the order of ``homes.HOMES``."""

    order: tuple[str, ...] = tuple(HOMES)

    def list_commands(self, ctx: Any) -> list[str]:
        names: list[str] = super().list_commands(ctx)
        return sorted(names, key=lambda name: (*self.order, name).index(name))


app = typer.Typer(
    cls=Group,
    name="timeline",
    help="Query the evidence-backed timeline of Kazakhstan–Turkmenistan relations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,  # ours below take the shell as a value: --show-completion zsh
    context_settings=CONTEXT,
)


if os.environ.get("_TIMELINE_COMPLETE"):  # a shell asks for completions: Typer's completion classes answer it
    from typer._completion_classes import completion_init

    completion_init()


def exit_code(error: BaseException, command: str) -> int:
    """Say what went wrong on stderr and choose the exit code: the one place that maps errors to exits."""
    if isinstance(error, DataError):
        files: dict[str, str] = {}
        for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
            say(shown_problem(problem, files))
        count = len(error.problems)
        if count > MAX_PROBLEMS_SHOWN:
            hidden = count - MAX_PROBLEMS_SHOWN
            say(f"timeline: … and {hidden} more problems, not shown (at most {MAX_PROBLEMS_SHOWN} are); fix these first")
        say(f"timeline: {count} problem{'s' if count != 1 else ''} in the data; nothing was changed")
        return EXIT_DATA
    if isinstance(error, LookupFailed):
        say(f"timeline: {error}")
        if error.suggestions:
            say("did you mean:")
            for suggestion in error.suggestions:
                say(f"  {suggestion}")
        return EXIT_DATA
    if isinstance(error, UsageError):
        say(_usage(command))
        say(f"Try 'timeline {command} --help' for help.\n")
        say(f"Error: {error}")
        return EXIT_USAGE
    if isinstance(error, TimelineError):
        say(f"timeline: {error}")
        return EXIT_DATA
    if isinstance(error, BrokenPipeError):
        # The reader went away (`| head`): point stdout at /dev/null so that the
        # interpreter's final flush cannot complain, and end quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    if isinstance(error, KeyboardInterrupt):
        state["answered"] = True  # (said once: run() says it if Typer swallowed it, see _on_sigint)
        terminated = isinstance(error, Terminated)
        say("timeline: terminated" if terminated else "timeline: interrupted")
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    if isinstance(error, OSError):  # the machine said no (a full disk, a closed stream): no bug of ours
        where = f" ({error.filename})" if error.filename else ""
        say(f"timeline: cannot go on: {error.strerror or error}{where}")
        return EXIT_DATA
    say(
        f"timeline: internal error ({type(error).__name__}: {error}). This is a bug; please report it to "
        f"{REPORT_URL} with the output of the same command run with --debug."
    )
    return EXIT_INTERNAL


def _usage(command: str) -> str:
    """The usage line of the command running (with its arguments), as its --help writes it."""
    from typer._click.globals import get_current_context

    context = get_current_context(silent=True)
    if context is None:
        return f"Usage: timeline {command} [OPTIONS]"
    return context.get_usage().rstrip("\n")


class Command(TyperCommand):
    """A command whose usage line writes a required argument as man pages do (``EVENT``, ``WORDS...``),
    not in braces, which read as a set of choices."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces: list[str] = super().collect_usage_pieces(ctx)
        return [piece[1:-1] if piece.startswith("{") and piece.endswith("}") else piece for piece in pieces]


def plain_usage(typer_app: typer.Typer) -> None:
    """Make every command of ``typer_app`` and of its groups a :class:`Command`."""
    for info in typer_app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = Command
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            plain_usage(group.typer_instance)


def guarded(function: Callable[P, R]) -> Callable[P, R]:
    """Turn the core's errors into messages and exit codes; never show a traceback."""
    command = function.__name__.rstrip("_").replace("_", " ")

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            _check_text_arguments(command, kwargs)
            try:
                return function(*args, **kwargs)
            except CacheDamaged as damage:
                if state.get("written"):
                    raise _damaged_midway(damage, kwargs) from None
                _set_cache_aside(kwargs)  # nothing was written yet: the answer comes from the data file itself
                state["cache"] = False
                return function(*args, **kwargs)
        except typer.Exit:
            raise
        except (Exception, KeyboardInterrupt) as error:
            if state["debug"] and not isinstance(error, (TimelineError, BrokenPipeError, KeyboardInterrupt)):
                raise
            raise typer.Exit(exit_code(error, command)) from None
        finally:
            if state.get("committed") and not state.get("process"):
                _release_signals()  # (called in a test's process: the rest of it gets its signals back)

    return wrapper


def _set_cache_aside(values: dict[str, Any]) -> str | None:
    """Set the cache of the command's data file aside (see :func:`kztm_timeline.seal.set_aside`): where it went."""
    from ..store import set_aside_cache
    from .reading import cache_folder, data_file

    folder = cache_folder()
    data = values.get("data")
    return None if folder is None else set_aside_cache(folder, data_file(data if isinstance(data, str) else None))


def _damaged_midway(damage: CacheDamaged, values: dict[str, Any]) -> TimelineError:
    """Damage found once part of the answer was written: it cannot be taken back, so the run stops (exit 1) and
    says so; the cache is set aside, so that the next run reads the data file afresh."""
    aside = _set_cache_aside(values)
    kept = f"it is kept as {display_path(aside)} for inspection" if aside else "it was removed"
    return TimelineError(
        f"the parse cache turned out damaged while the answer was being written ({damage}), so the output above is "
        f"incomplete; {kept}. Run the command again: it reads the data file afresh"
    )


def hold_signals() -> None:
    """Called just before a change to the data is committed (the rename that puts the new file in place):
    from here to the end of the run, Ctrl-C and SIGTERM are held, so that the command finishes its work (the
    cache brought in step, its message) and exits 0, as the change it made is done. One that came before this
    moment stops the command now, while nothing is changed: as Ctrl-C or SIGTERM would have."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    pending = signal.sigpending() & held
    if pending:
        for number in pending:
            signal.sigtimedwait({number}, 0)  # taken here, so that no handler runs it again later
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        raise Terminated if signal.SIGTERM in pending else KeyboardInterrupt
    state.update(committed=True, mask=previous)


def _release_signals() -> None:
    """End :func:`hold_signals`: a signal that came meanwhile is dropped (the change it would have stopped is made)."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM}
    for number in signal.sigpending() & held:
        signal.sigtimedwait({number}, 0)
    mask = state.get("mask")
    signal.pthread_sigmask(signal.SIG_SETMASK, mask if isinstance(mask, set) else set())
    state.update(committed=False, mask=None)


# The parameters that name files: any bytes a file name may hold are welcome there ("extract SOURCE" may be a path).
PATH_PARAMETERS = frozenset({"data", "output", "folder", "article"})


def _check_text_arguments(command: str, values: dict[str, Any]) -> None:
    """A text argument (a title, an id, a search) that holds bytes that are not UTF-8 is a usage error naming it:
    the data file is UTF-8, and so is every index that looks such text up. File names may hold any bytes."""
    for name, value in values.items():
        if name in PATH_PARAMETERS or (command == "extract" and name == "source"):
            continue
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, str) and undecoded(item):
                raise UsageError(f"{_parameter_name(name)}: {shown(item)} holds bytes that are not UTF-8; give it as UTF-8 text")


def _parameter_name(name: str) -> str:
    """How the user wrote the parameter ``name``: its longest option (``--title``) or its metavar (``EVENT``)."""
    from typer._click.globals import get_current_context

    context = get_current_context(silent=True)
    for parameter in [] if context is None else context.command.params:
        if parameter.name == name:
            options = [option for option in parameter.opts if option.startswith("-")]
            return max(options, key=len) if options else parameter.human_readable_name
    return name


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _completion_script(shell: str) -> str:
    from typer._completion_classes import completion_init
    from typer._completion_shared import get_completion_script

    if shell not in SHELLS:
        raise typer.BadParameter(f"{shown(shell)} is not a shell I know; choose one of {', '.join(SHELLS)}")
    completion_init()
    return get_completion_script(prog_name="timeline", complete_var="_TIMELINE_COMPLETE", shell=shell)


def _show_completion(value: str | None) -> None:
    if value is not None:
        write_stdout(_completion_script(value) + "\n")
        raise typer.Exit(0)


def _install_completion(value: str | None) -> None:
    if value is not None:
        from typer._completion_shared import install

        _completion_script(value)  # checks the name
        shell, path = install(shell=value, prog_name="timeline", complete_var="_TIMELINE_COMPLETE")
        say(f"{shell} completion installed in {display_path(str(path))}; it takes effect in a new shell")
        raise typer.Exit(0)


def _version(value: bool) -> None:
    if value:
        write_stdout(f"timeline {__version__} (output contract {CONTRACT_VERSION})\n")
        raise typer.Exit(0)


@app.callback()
def _main(
    context: typer.Context,
    data: DataOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
    no_pager: NoPagerOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
    version: Annotated[  # noqa: ARG001 - Typer calls its callback; the value itself is unused
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the tool's and the output contract's version."),
    ] = False,
    show_completion: Annotated[  # noqa: ARG001 - handled by its callback
        str | None,
        typer.Option(
            "--show-completion",
            metavar="SHELL",
            callback=_show_completion,
            is_eager=True,
            help="Print the completion script for SHELL (bash, zsh, fish or powershell).",
        ),
    ] = None,
    install_completion: Annotated[  # noqa: ARG001 - handled by its callback
        str | None,
        typer.Option(
            "--install-completion",
            metavar="SHELL",
            callback=_install_completion,
            is_eager=True,
            help="Install completion for SHELL (bash, zsh, fish or powershell) in its start-up file.",
        ),
    ] = None,
) -> None:
    """Query the evidence-backed timeline of Kazakhstan–Turkmenistan relations."""
    state.update(
        committed=False,
        written=False,
        debug=debug or bool(os.environ.get("KZTM_TIMELINE_DEBUG")),
        cache=not no_cache,
        verbose=verbose,
        quiet=quiet,
        color=color.value if color is not None else "auto",
        pager=not no_pager,
        data=data,
    )
    _said.clear()
    context.call_on_close(_let_go_of_caches)


def _let_go_of_caches() -> None:
    """At the end of a run, let go of the cache databases it held (see :func:`kztm_timeline.seal.hold`): imported
    only if the run read one."""
    held = sys.modules.get("kztm_timeline.seal")
    if held is not None:
        held.release()


def registered(modules: tuple[str, ...]) -> typer.Typer:
    """``app`` once the modules ``modules`` of this package have registered their commands on it."""
    import importlib

    for module in modules:
        importlib.import_module(f"{__package__}.{module}")
    order = Group.order
    app.registered_commands.sort(key=lambda info: (*order, command_name(info)).index(command_name(info)))
    plain_usage(app)
    return app


def whole_app() -> typer.Typer:
    """``app`` with every command and group of commands."""
    return registered(tuple(sorted({module for modules in HOMES.values() for module in modules})))


def _app_for(arguments: list[str]) -> typer.Typer:
    """``app`` with only the command about to run, and only its module imported: Typer builds every command's
    options before it parses a word, and that is most of the start-up cost; the others are left out unless
    the whole app is needed (help, completion, or a name that is no command, for Click's suggestions)."""
    name = _invoked(arguments)
    if name is None or name not in HOMES or name == "help" or os.environ.get("_TIMELINE_COMPLETE"):
        return whole_app()  # help shows any command: it needs them all
    registered(HOMES[name])
    commands = [info for info in app.registered_commands if command_name(info) == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if len(commands) + len(groups) != 1:
        return whole_app()
    slim = typer.Typer(
        cls=Group,
        name="timeline",
        help=app.info.help,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        add_completion=False,
        context_settings=CONTEXT,
    )
    slim.registered_callback = app.registered_callback
    slim.registered_commands = commands
    slim.registered_groups = groups
    return slim


@app.command("help")
@guarded
def help_(
    command: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[COMMAND]...", help="A command, or a group and one of its commands (sources add).", show_default=False
        ),
    ] = None,
) -> None:
    """Show the help of the tool, or of a command: the same as COMMAND --help."""
    from typer._click import Context
    from typer._click.globals import get_current_context

    from ..query import refused

    context = get_current_context().find_root()
    current = context.command
    words = command or []
    for number, name in enumerate(words):
        if not isinstance(current, TyperGroup):
            before = " ".join(words[:number])
            raise UsageError(f"timeline {before} has no commands of its own; see timeline help {before}")
        if name not in current.commands:
            raise refused("command", name, current.list_commands(context), every="")
        current = current.commands[name]
        context = Context(current, info_name=name, parent=context)
    write_stdout(current.get_help(context) + "\n")


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: temporary files are removed on the way out."""


def _on_sigterm(_signum: int, _frame: object) -> None:
    state["signalled"] = Terminated
    raise Terminated


def _on_sigint(_signum: int, _frame: object) -> None:
    state["signalled"] = KeyboardInterrupt
    raise KeyboardInterrupt


def run() -> None:
    """Console-script entry point: everything that escapes a command ends here as a message and an exit code."""
    import signal

    # Typer ships its own copy of Click (typer._click); its types are the ones raised and set here.
    from typer import Abort
    from typer._click.exceptions import ClickException
    from typer._click.utils import PacifyFlushWrapper

    if signal.getsignal(signal.SIGTERM) != signal.SIG_IGN:  # (one ignored, under nohup, stays ignored)
        signal.signal(signal.SIGTERM, _on_sigterm)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_sigint)  # Python's own, which also notes that the signal came
    state.update(signalled=None, answered=False)
    state["process"] = True  # a run of its own: signals held for a commit stay held to its end (see _settled)
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            # Text the terminal's encoding cannot carry is shown as \\u escapes rather than ending the run.
            stream.reconfigure(errors="backslashreplace")
    try:
        _let_signals_in()
        code = _app_for(sys.argv[1:])(prog_name="timeline", standalone_mode=False)
        signalled = state.get("signalled")
        if isinstance(signalled, type) and not state.get("answered"):  # Typer met it while parsing: a bare 130
            code = exit_code(Terminated() if signalled is Terminated else KeyboardInterrupt(), "")
    except ClickException as error:
        import io

        buffer = io.StringIO()
        error.show(file=buffer)
        say(buffer.getvalue().rstrip("\n"))
        code = error.exit_code
    except SystemExit as error:
        if isinstance(sys.stdout, PacifyFlushWrapper):  # Click met a closed pipe (`--help | head`)
            code = exit_code(BrokenPipeError(), "")
        else:
            code = error.code if isinstance(error.code, int) else 1
    except Abort:
        code = exit_code(KeyboardInterrupt(), "")
    except (Exception, KeyboardInterrupt) as error:  # raised outside any command (while Typer parses or prints help)
        if state["debug"] and not isinstance(error, (BrokenPipeError, KeyboardInterrupt)):
            raise
        code = exit_code(error, "")
    sys.exit(_settled(code if isinstance(code, int) else 0))


def _let_signals_in() -> None:
    """Unblock Ctrl-C and SIGTERM (blocked while the CLI loaded, see ``kztm_timeline.__main__``), answering first
    one that came meanwhile as if it came now: KeyboardInterrupt or Terminated, raised here, where the caller
    turns it into its message and exit code."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM}
    pending = signal.sigpending() & held
    for number in pending:
        signal.sigtimedwait({number}, 0)  # taken: it is answered by the exception below, not by a handler
    signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
    if signal.SIGTERM in pending:
        raise Terminated
    if signal.SIGINT in pending:
        raise KeyboardInterrupt


def _settled(code: int) -> int:
    """The exit code, once nothing can interrupt the exit: SIGINT and SIGTERM are blocked from here to the end
    (so the interpreter's own exit can never be cut short: a signal now is not "killed by SIGTERM" but the
    exit code below), what is buffered is written, and a signal that came meanwhile is reported as any other
    (130, 143), unless a change to the data was committed: then the command succeeded and says so."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:
            code = exit_code(BrokenPipeError(), "") if stream is sys.stdout else code
        except (OSError, ValueError):
            pass  # (nowhere left to say it)
    pending = signal.sigpending() & held
    for number in pending:
        signal.sigtimedwait({number}, 0)  # taken, so that nothing is delivered during the exit
    if pending and not state.get("committed"):
        terminated = signal.SIGTERM in pending
        say("timeline: terminated" if terminated else "timeline: interrupted")
        code = EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    return code
