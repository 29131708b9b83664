"""Table columns sized by their content to the screen's width, the least important dropped.

A screen lists its ``Column``s by importance (``rank``) and hands them with its rows to
``fit_columns``, which returns the columns to show and their widths; the desk's checklist and
case list and the catalog lint use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text


@dataclass(frozen=True)
class Column:
    """A table column: ``rank`` 0 is the most important (dropped last); ``shrink`` columns
    (names, titles) are cut before any column is dropped."""

    key: str
    label: str
    rank: int
    shrink: bool = False


SHRINK_FLOOR = 12  # a name column is cut to this before any column is dropped
_CELL_PADDING = 2  # DataTable pads each cell by one column on either side


def fit_columns(
    columns: Sequence[Column], rows: Sequence[Sequence[Text | str]], available: int
) -> list[tuple[Column, int]]:
    """Columns sized by their content to fit ``available`` cells; the least important go.

    Each column is as wide as its widest cell or label.  When the sum is too wide, the
    shrinkable columns are cut to ``SHRINK_FLOOR``, then the columns of the highest rank are
    dropped one by one, and finally the shrinkable ones are cut to what is left.
    """
    widths = {c.key: cell_len(c.label) for c in columns}
    for row in rows:
        for c, cell in zip(columns, row, strict=False):
            text = cell.plain if isinstance(cell, Text) else str(cell)
            widths[c.key] = max(
                widths[c.key], max((cell_len(x) for x in text.split("\n")), default=0)
            )
    chosen = list(columns)

    def total() -> int:
        return sum(widths[c.key] + _CELL_PADDING for c in chosen)

    for c in chosen:
        if total() <= available:
            break
        if c.shrink and widths[c.key] > SHRINK_FLOOR:
            widths[c.key] = max(SHRINK_FLOOR, widths[c.key] - (total() - available))
    while total() > available and len(chosen) > 1:
        droppable = [c for c in chosen if not c.shrink] or chosen
        worst = max(droppable, key=lambda c: c.rank)
        if worst.rank == min(c.rank for c in chosen):
            break
        chosen.remove(worst)
    for c in chosen:
        excess = total() - available
        if excess <= 0:
            break
        if c.shrink:
            widths[c.key] = max(4, widths[c.key] - excess)
    return [(c, widths[c.key]) for c in chosen]
