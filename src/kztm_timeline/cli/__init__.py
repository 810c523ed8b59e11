"""The command line: the only package that touches argv, stdout, stderr and exit codes.

``app`` owns the Typer app, the global options and the error-to-exit-code map; ``output`` what reaches the user;
``options`` the options several commands share; ``reading`` which data file is read. Every other module is one
group of commands, registered on the app as it is imported (``homes.HOMES`` says which registers what).

A run of the tool imports only the module of the command it runs (``app._app_for``). Anyone else who asks this
package for ``app`` gets the whole app, every group imported (:func:`__getattr__`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .app import Group, _app_for, plain_usage, run, whole_app
from .homes import HOMES, _invoked, command_name
from .output import color_wanted, pager_command

if TYPE_CHECKING:
    from .app import app
else:
    # Importing the module app bound its name here; the name is kept for the Typer app (see __getattr__).
    del globals()["app"]


def __getattr__(name: str) -> Any:
    """``app``: the Typer app with every command (PEP 562: made whole only when somebody asks for it)."""
    if name == "app":
        return whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "HOMES", "Group", "_app_for", "_invoked", "app", "color_wanted", "command_name", "pager_command", "plain_usage", "run",
    "whole_app",
]  # fmt: skip
