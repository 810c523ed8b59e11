"""The command line: the only package that touches argv, stdout, stderr and exit codes.

``app`` owns the Typer app, the global options and the error-to-exit-code map; ``output`` what reaches the user;
``options`` the options several commands share; ``reading`` which data file is read. Every other module is one
group of commands, registered on the app as it is imported, in the order ``timeline --help`` lists them.
"""

from . import browse, cache, checks, corpus, curation, plans, reports  # noqa: F401 - importing a group registers its commands
from .app import Group, _app_for, _invoked, app, command_name, plain_usage, run
from .output import color_wanted, pager_command

# The order of `timeline --help` and the man page: from reading the data to changing it.
ORDER = (
    "validate", "list", "search", "show", "actors", "stats", "plans", "chart", "schema",
    "init", "add", "edit", "remove", "coverage", "extract", "sources", "cache", "help",
)  # fmt: skip
app.registered_commands.sort(key=lambda info: (*ORDER, command_name(info)).index(command_name(info)))
Group.order = ORDER  # the groups (sources, cache) take their place among the commands
plain_usage(app)

__all__ = ["_app_for", "_invoked", "app", "color_wanted", "pager_command", "run"]
