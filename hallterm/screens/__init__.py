"""Screens, one module each.  ``open_screen`` maps an action name to a new screen."""

from __future__ import annotations

from textual.screen import Screen


def open_screen(name: str) -> Screen:  # type: ignore[type-arg]
    if name == "catalog":
        from hallterm.screens.catalog import CatalogScreen

        return CatalogScreen()
    raise KeyError(name)
