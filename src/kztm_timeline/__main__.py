"""The entry point of ``timeline`` and ``python -m kztm_timeline``.

It imports the CLI (and with it Typer and Click) only inside :func:`main`, so that
Ctrl-C or SIGTERM while those load ends quietly, not with a traceback. (The ``timeline``
script, ``bin/timeline``, makes the signals quiet before it imports even this module.)
"""

import gc
import signal
import sys


def _stop(signum: int, _frame: object) -> None:
    sys.stderr.write("timeline: terminated\n" if signum == signal.SIGTERM else "timeline: interrupted\n")
    sys.exit(128 + signum)


def _quiet(signum: int) -> bool:
    """Make ``signum`` end the run quietly, unless it is ignored (``nohup``, a background job): True if it was."""
    ignored = signal.getsignal(signum) == signal.SIG_IGN
    if not ignored:
        signal.signal(signum, _stop)
    return ignored


if __name__ == "__main__":  # python -m kztm_timeline: quiet from here, before the CLI loads
    _quiet(signal.SIGINT)
    _quiet(signal.SIGTERM)


def main() -> None:
    interrupts_ignored = _quiet(signal.SIGINT)
    _quiet(signal.SIGTERM)
    # Importing Typer and the CLI makes about 20,000 objects the cyclic collector tracks, and no garbage,
    # yet it would walk them again and again meanwhile and once more at exit (7 ms of a 57 ms warm run).
    # They live as long as the process, so they are moved out of its sight once imported (gc.freeze, as
    # pre-forking servers do); the collector runs as usual for whatever the command itself makes.
    gc.disable()
    try:
        from .cli import run
    finally:
        gc.freeze()
        gc.enable()

    if not interrupts_ignored:  # from here on, Ctrl-C is KeyboardInterrupt, handled by the CLI
        signal.signal(signal.SIGINT, signal.default_int_handler)
    run()


if __name__ == "__main__":
    main()
