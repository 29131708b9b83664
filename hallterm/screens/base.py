"""The base of signed-in screens: the status header, the translated footer, error display."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen

from hallterm.widgets.chrome import StatusHeader, TranslatedFooter


class BaseScreen(Screen[Any]):
    """Subclasses yield their body from ``compose_body``."""

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield from self.compose_body()
        yield TranslatedFooter()

    def compose_body(self) -> ComposeResult:
        return iter(())

    @property
    def hall(self):  # type: ignore[no-untyped-def]
        """The HalltermApp (typed loosely to keep screens importable alone)."""
        return self.app
