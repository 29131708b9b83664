"""QR codes drawn as vector rectangles on a reportlab canvas (segno or zxing-cpp builds the matrix).

segno is about three times faster than reportlab's own QR widget; zxing-cpp (C++, the same
ISO/IEC 18004 mask evaluation) is fifteen times faster again (~1 ms against segno's ~17 ms for
a certificate payload), so the certificate, drawn once per issue, uses it.  Drawing each row's
runs of dark modules as one rectangle keeps the PDF small.  The drawn square includes the
quiet zone (4 modules on every side, as ISO/IEC 18004 requires), painted white so the code
still scans on a tinted background.
"""

from __future__ import annotations

import re
from typing import Any, cast

import segno
import zxingcpp
from reportlab.platypus import Flowable

QUIET_ZONE = 4
ENGINES = ("segno", "zxing")


def qr_matrix(text: str, error: str = "m", border: int = QUIET_ZONE) -> list[list[bool]]:
    """The module matrix of ``text`` (True = dark), rows top to bottom, quiet zone included."""
    code = segno.make(text, error=error, micro=False)
    return [[bool(m) for m in row] for row in code.matrix_iter(scale=1, border=border)]


def qr_matrix_zxing(text: str, error: str = "m", border: int = QUIET_ZONE) -> list[list[bool]]:
    """As ``qr_matrix``, built by zxing-cpp (byte/alphanumeric mode chosen by zxing, real mask)."""
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=error.upper())
    image = memoryview(cast(Any, code.to_image(scale=1, add_quiet_zones=False)))
    n = image.shape[0] if image.shape else 0
    pixels = image.tobytes()
    blank = [False] * (n + 2 * border)
    rows = [list(blank) for _ in range(border)]
    for r in range(n):
        line = pixels[r * n : (r + 1) * n]
        rows.append([False] * border + [p < 128 for p in line] + [False] * border)
    rows.extend(list(blank) for _ in range(border))
    return rows


_DARK_RUN = re.compile(rb"[\x00-\x7f]+")  # pixels below mid-grey: dark modules


def _zxing_runs(text: str, error: str) -> tuple[int, list[tuple[int, int, int]]]:
    """(modules per side, [(row, start, length)] of dark runs) from zxing-cpp, no quiet zone."""
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=error.upper())
    image = memoryview(cast(Any, code.to_image(scale=1, add_quiet_zones=False)))
    n = image.shape[0] if image.shape else 0
    pixels = image.tobytes()
    runs = [
        (r, m.start(), m.end() - m.start())
        for r in range(n)
        for m in _DARK_RUN.finditer(pixels, r * n, (r + 1) * n)
    ]
    return n, [(r, start - r * n, length) for r, start, length in runs]


def draw_qr_fast(canvas: Any, text: str, x: float, y: float, size: float, error: str) -> None:
    """As ``draw_qr`` with zxing-cpp, the runs written as one literal path in module units
    (reportlab formats each coordinate of a ``rect`` call; here one string join does)."""
    n, runs = _zxing_runs(text, error)
    total = n + 2 * QUIET_ZONE
    module = size / total
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    # Module units, origin at the symbol's top-left corner, y growing downwards.
    canvas.transform(module, 0, 0, -module, x + QUIET_ZONE * module, y + size - QUIET_ZONE * module)
    canvas.addLiteral(" ".join(f"{c} {r} {w} 1 re" for r, c, w in runs) + " f")
    canvas.restoreState()


def qr_version(matrix: list[list[bool]], border: int = QUIET_ZONE) -> int:
    """The QR version of a module matrix (quiet zone included): 21 modules is version 1."""
    return (len(matrix) - 2 * border - 17) // 4


def _dark_runs(row: list[bool]) -> list[tuple[int, int]]:
    """(start, length) of every run of dark modules in ``row``."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, dark in enumerate(row):
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            runs.append((start, i - start))
            start = None
    if start is not None:
        runs.append((start, len(row) - start))
    return runs


def draw_qr(
    canvas: Any,
    text: str,
    x: float,
    y: float,
    size: float,
    error: str = "m",
    engine: str = "segno",
) -> None:
    """Draw the QR code of ``text`` as a ``size`` square (quiet zone included) at (x, y).

    (x, y) is the lower-left corner, in the canvas's units, as usual in reportlab.
    """
    matrix = qr_matrix_zxing(text, error) if engine == "zxing" else qr_matrix(text, error)
    n = len(matrix)
    module = size / n
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    # One path for all rectangles: a single fill avoids hairline seams between rows.
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - r * module
        for start, length in _dark_runs(row):
            path.rect(x + start * module, top - module, length * module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


class QRFlowable(Flowable):  # type: ignore[misc]
    """A platypus flowable showing a QR code of ``text`` as a ``size`` square."""

    def __init__(self, text: str, size: float, error: str = "m") -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.error = error
        self.width = self.height = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.text, 0, 0, self.size, self.error)
