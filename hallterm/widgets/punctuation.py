"""Punctuation that differs between the interface languages: a label's colon and the
separator of a list (Chinese ``：`` and ``、``; English ``: `` and ``, ``)."""

from __future__ import annotations

from collections.abc import Iterable

from hallterm.i18n import current_language


def colon(label: str) -> str:
    """``label`` followed by the colon of the current language."""
    return f"{label}: " if current_language() == "en" else f"{label}："


def series(items: Iterable[str]) -> str:
    """Items joined as a list in the current language (``甲、乙`` / ``a, b``)."""
    return (", " if current_language() == "en" else "、").join(items)
