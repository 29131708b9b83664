"""QR codes drawn as vector rectangles on a reportlab canvas (segno or zxing-cpp builds the matrix).

segno is about three times faster than reportlab's own QR widget; zxing-cpp (C++, the same
ISO/IEC 18004 mask evaluation) is fifteen times faster again (~1 ms against segno's ~17 ms for
a certificate payload), so the certificate, drawn once per issue, uses it, and puts the symbol
on the page as one 1-bit image (``draw_qr_fast``).  Elsewhere, drawing each row's
runs of dark modules as one rectangle keeps the PDF small.  The drawn square includes the
quiet zone (4 modules on every side, as ISO/IEC 18004 requires), painted white so the code
still scans on a tinted background.
"""

from __future__ import annotations

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


_BITS = bytes(ord("0") if p < 128 else ord("1") for p in range(256))  # dark → 0 (black)


def qr_image_rows(text: str, error: str) -> tuple[int, bytes]:
    """(modules per side, the symbol as 1-bit rows, 0 = dark, each row padded to a byte)."""
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=error.upper())
    image = memoryview(cast(Any, code.to_image(scale=1, add_quiet_zones=False)))
    n = image.shape[0] if image.shape else 0
    pixels = image.tobytes().translate(_BITS)
    width = (n + 7) // 8
    pad = width * 8 - n
    rows = b"".join(
        (int(pixels[r * n : (r + 1) * n], 2) << pad).to_bytes(width, "big") for r in range(n)
    )
    return n, rows


def draw_qr_fast(canvas: Any, text: str, x: float, y: float, size: float, error: str) -> None:
    """As ``draw_qr`` with zxing-cpp: the symbol as one 1-bit inline image (a module is an
    image pixel, scaled without interpolation), on a white square with the quiet zone.

    An image of n×n bits costs a fraction of n² rectangles to write, compress and read, and
    prints as sharp: PDF viewers and printers do not interpolate unless asked (/I false).
    """
    n, rows = qr_image_rows(text, error)
    module = size / (n + 2 * QUIET_ZONE)
    side = module * n
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.transform(side, 0, 0, side, x + QUIET_ZONE * module, y + QUIET_ZONE * module)
    canvas.addLiteral(
        f"BI /W {n} /H {n} /CS /G /BPC 1 /I false /F /AHx ID {rows.hex().upper()}> EI"
    )
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


class QRFlowable(Flowable):
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
