"""The entry point of ``timeline`` and ``python -m kztm_timeline``.

It imports the CLI (and with it Typer and Click) only inside :func:`main`, so that
Ctrl-C or SIGTERM while those load ends quietly, not with a traceback.
"""

import signal
import sys


def _stop(signum: int, _frame: object) -> None:
    sys.stderr.write("timeline: terminated\n" if signum == signal.SIGTERM else "timeline: interrupted\n")
    sys.exit(128 + signum)


def main() -> None:
    previous = signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    from .cli import run

    signal.signal(signal.SIGINT, previous)  # from here on, Ctrl-C is KeyboardInterrupt, handled by the CLI
    run()


if __name__ == "__main__":
    main()
