"""Table column widths sized to their content: the table as short as the page width allows.

Each column has a minimum width (its widest unbreakable piece: a Latin word or number, one
CJK character; a short column such as a count or 必要 keeps its values on one line; a header
may take up to three lines) and a preferred width (its longest cell on one line).  When every
column fits at its preferred width, each gets it and the spare width is shared out.
Otherwise the aim is the shortest rows (a row is as tall as its tallest cell): the fewest
lines L such that every column fits with each cell wrapped into at most L lines; what is
left is shared by how much more each column would like.  No single column — the material's name, or its 受理标准 — ends up a tall narrow strip
while another has room to spare.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth

# A run of Latin letters/digits/punctuation is unbreakable; any other character stands alone.
_TOKEN = re.compile(r"[A-Za-z0-9.,:;%/()\-+]+|\S")


def _line_widths(text: str, font: str, size: float) -> list[float]:
    return [stringWidth(line, font, size) for line in (text.splitlines() or [""])]


def content_widths(
    columns: Sequence[Sequence[str]],
    total: float,
    font: str,
    size: float,
    *,
    padding: float = 12.0,
    short: float = 4.0,
    grow: Sequence[float] = (),
) -> list[float]:
    """Widths summing to ``total`` for ``columns`` (each: its cells' plain texts, header first).

    ``padding`` is a cell's left + right padding; a column whose longest value is at most
    ``short`` characters (ems) wide never wraps a value; ``grow`` weighs each column's claim
    on the width left over (default 1).
    """
    n = len(columns)
    weights = [grow[i] if i < len(grow) else 1.0 for i in range(n)]
    cells = [[_line_widths(t, font, size) for t in col] for col in columns]
    mins: list[float] = []
    prefs: list[float] = []
    for col, texts in zip(cells, columns, strict=True):
        pieces = [stringWidth(t, font, size) for text in texts for t in _TOKEN.findall(text)]
        lo = max(pieces, default=0.0)
        values = max((max(c) for c in col[1:]), default=0.0)
        head = max(col[0]) if col else 0.0
        # A header may take up to three lines; a short one (序号, 原件份数) stays on one.
        header = head if head <= short * size else head / 3 + size
        hi = max(values, header, lo)
        if values <= short * size:
            lo = max(lo, values)  # a short column (a count, 必要) never wraps a value
        mins.append(max(lo, header) + padding)
        prefs.append(hi + padding)
    if sum(prefs) <= total:
        spare = total - sum(prefs)
        weight = sum(prefs) or 1.0
        return [p + spare * p / weight for p in prefs]
    if sum(mins) >= total:
        scale = total / sum(mins)
        return [m * scale for m in mins]
    # The fewest lines any cell needs such that every column fits: each column as narrow as
    # lets its longest cell wrap into that many lines (plus a character for ragged breaks).
    widths = list(mins)
    for most in range(1, 200):
        need = [
            min(prefs[c], max(mins[c], max(max(x) for x in cells[c][1:]) / most + size + padding))
            if len(cells[c]) > 1
            else mins[c]
            for c in range(n)
        ]
        if sum(need) <= total:
            widths = need
            break
    # What is left goes to the columns still wrapping, by how much more each would like.
    for _round in range(n):
        spare = total - sum(widths)
        hungry = [c for c in range(n) if widths[c] < prefs[c] - 1e-6]
        if spare <= 1e-6 or not hungry:
            break
        want = {c: (prefs[c] - widths[c]) * weights[c] for c in hungry}
        wanted = sum(want.values())
        for c in hungry:
            widths[c] = min(prefs[c], widths[c] + spare * want[c] / wanted)
    spare = total - sum(widths)
    if spare > 1e-6:  # every column at its preferred width: share the rest out
        weight = sum(widths) or 1.0
        widths = [w + spare * w / weight for w in widths]
    return widths
