"""The command line: ``hallterm`` starts the terminal; subcommands serve admins and scripts.

One module per area registers its commands on the ``main`` group; ``common`` holds what
they share (settings, opening a store or central, reporting errors).
"""

from hallterm.cli import (  # noqa: F401 - importing a module registers its commands
    audit,
    calendar,
    catalog,
    central,
    central_publish,
    certificates,
    demo,
    interaction,
    keys,
    privacy,
    reports,
    setup,
    staff,
    sync,
    terminal,
    verify,
)
from hallterm.cli.root import main

__all__ = ["main"]
