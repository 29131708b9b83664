"""``python -m hallterm.cli``: the same as the ``hallterm`` command."""

from hallterm.cli import main

main()
