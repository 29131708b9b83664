"""The command line: ``hallterm`` starts the terminal; subcommands serve admins and scripts.

One module per area registers its commands on the ``main`` group (``root``); ``common``
holds what they share (settings, opening a store or central, reporting errors).  The area
modules are imported only when a subcommand (or the help) is asked for, so starting the
terminal itself pays for none of them.
"""

from hallterm.cli.root import main

__all__ = ["main"]
