"""Table column widths sized to their content, the way a browser lays out an automatic table.

Each column has a minimum width (its widest unbreakable piece: a Latin word or number, one
CJK character) and a preferred width (its longest cell on one line).  When every column fits
at its preferred width, each gets it and the spare width goes to the widest ones; otherwise
each gets its minimum and the rest is shared in proportion to how much more each would
like.  So short columns (counts, 必要/非必要) stay narrow and long text gets the room.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth

# A run of Latin letters/digits/punctuation is unbreakable; any other character stands alone.
_TOKEN = re.compile(r"[A-Za-z0-9.,:;%/()\-+]+|\S")


def _widths(text: str, font: str, size: float) -> tuple[float, float]:
    """(widest unbreakable piece, longest line) of ``text``."""
    lines = text.splitlines() or [""]
    longest = max(stringWidth(line, font, size) for line in lines)
    pieces = [stringWidth(t, font, size) for t in _TOKEN.findall(text)]
    return max(pieces, default=0.0), longest


def content_widths(
    columns: Sequence[Sequence[str]],
    total: float,
    font: str,
    size: float,
    *,
    padding: float = 12.0,
    floor: Sequence[float] = (),
    short: float = 4.0,
    grow: Sequence[float] = (),
) -> list[float]:
    """Widths summing to ``total`` for ``columns`` (each: its cells' plain texts, header first,
    which may wrap onto three lines).

    ``padding`` is a cell's left + right padding; ``floor`` optional minimum widths; a column
    whose longest cell is at most ``short`` characters (ems) wide keeps it on one line;
    ``grow`` weighs how much of the spare width each column claims (default 1; the column a
    reader most needs whole, such as an acceptance standard, can claim more).
    """
    mins: list[float] = []
    prefs: list[float] = []
    for i, cells in enumerate(columns):
        lo = hi = 0.0
        for row, cell in enumerate(cells):
            piece, line = _widths(cell, font, size)
            if row == 0:
                line = line / 3 + size  # a header may take up to three lines
                piece = max(piece, line)
            lo, hi = max(lo, piece), max(hi, line)
        if hi <= short * size:
            lo = hi  # a short column (a count, 必要) never wraps
        least = floor[i] if i < len(floor) else 0.0
        mins.append(max(lo + padding, least))
        prefs.append(max(hi + padding, lo + padding, least))
    if sum(prefs) <= total:
        spare = total - sum(prefs)
        weight = sum(prefs) or 1.0
        return [p + spare * p / weight for p in prefs]
    room = total - sum(mins)
    if room <= 0:
        scale = total / sum(mins)
        return [m * scale for m in mins]
    weights = [grow[i] if i < len(grow) else 1.0 for i in range(len(prefs))]
    want = [(p - m) * w for p, m, w in zip(prefs, mins, weights, strict=True)]
    wanted = sum(want) or 1.0
    out = [m + room * w / wanted for m, w in zip(mins, want, strict=True)]
    # A column never gets more than it would like; what it leaves goes to the others.
    extra = sum(max(0.0, o - p) for o, p in zip(out, prefs, strict=True))
    out = [min(o, p) for o, p in zip(out, prefs, strict=True)]
    hungry = [i for i, (o, p) in enumerate(zip(out, prefs, strict=True)) if o < p]
    for i in hungry:
        out[i] += extra / len(hungry)
    return out
