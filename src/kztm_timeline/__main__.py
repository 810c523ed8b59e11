"""The entry point of ``timeline`` and ``python -m kztm_timeline``.

Ctrl-C and SIGTERM are blocked while the CLI (Typer and Click with it) loads: a signal that comes meanwhile
waits, and the CLI answers it as soon as it can (:func:`kztm_timeline.cli.app.run`: "interrupted" or
"terminated", exit 130 or 143), so that no traceback is ever printed and no handler's exception lands inside
the import machinery. (The ``timeline`` script, ``bin/timeline``, blocks them before it imports even this.)
"""

import gc
import signal

HELD = {signal.SIGINT, signal.SIGTERM}

if __name__ == "__main__":  # python -m kztm_timeline: from here, before the CLI loads
    signal.pthread_sigmask(signal.SIG_BLOCK, HELD)


def main() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, HELD)  # (run() lets them in again, answering any that came)
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
    run()


if __name__ == "__main__":
    main()
