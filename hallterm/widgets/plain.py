"""Rendering data as plain text: user and catalog data is never parsed as Rich markup."""

from __future__ import annotations

from typing import Any

from rich.text import Text


def plain(value: Any, style: str = "") -> Text:
    """A ``Text`` of ``value`` (``None`` → empty) that no ``[`` inside can turn into markup."""
    return Text("" if value is None else str(value), style=style)


def row(*values: Any) -> list[Text]:
    return [plain(v) for v in values]
