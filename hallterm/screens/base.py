"""The base of signed-in screens: the status header, the translated footer, the typed app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.dom import DOMNode
from textual.screen import Screen

from hallterm.widgets.chrome import StatusHeader, TranslatedFooter

if TYPE_CHECKING:
    from hallterm.app import HalltermApp


def hall_of(node: DOMNode) -> HalltermApp:
    """The running terminal app of any widget or dialog, typed."""
    return cast("HalltermApp", node.app)


class BaseScreen(Screen[Any]):
    """Subclasses yield their body from ``compose_body``."""

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield from self.compose_body()
        yield TranslatedFooter()

    def compose_body(self) -> ComposeResult:
        return iter(())

    @property
    def hall(self) -> HalltermApp:
        """The running terminal app, typed (store, settings, clock, the signed-in actor …)."""
        return hall_of(self)
