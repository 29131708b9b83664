"""Where every piece of a certificate goes on the page: rows, QR code, issuer block, seal area.

The layout is computed before anything is drawn, as plain boxes, so a test can prove what the
page promises: every field appears in full, and no text box meets the QR code or another box.
Long values wrap (Chinese breaks between any two characters); a row with many lines shrinks
its type within set limits (12 pt down to 9 pt); what still does not fit continues on a
second page, which says that it is a continuation, and page one says where it goes on.
The QR code, the issuer, the place and the date of issue sit in a reserved block at the
bottom of page one that rows never enter.  The seal area is drawn over the issuer's name and
the date, as a seal is stamped on paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth

from hallterm.i18n import _

WIDTH, HEIGHT = A4
MARGIN = 36.0
LEFT = MARGIN + 50
RIGHT = WIDTH - MARGIN - 50
LABEL_W = 118.0
VALUE_X = LEFT + LABEL_W + 12
VALUE_W = RIGHT - VALUE_X
SIZES = (12.0, 10.5, 9.0)  # a row's type shrinks through these before it moves on
SHRINK_AT = (6, 10)  # more lines than this at a size: try the next smaller size
ROWS_TOP_FIRST = HEIGHT - 172
ROWS_TOP_NEXT = HEIGHT - 160
BLOCK_TOP = MARGIN + 206  # the reserved bottom block of page one ends here
ROWS_BOTTOM_FIRST = BLOCK_TOP + 24  # room for "continued on page 2" above the block
ROWS_BOTTOM_NEXT = MARGIN + 48
QR_SIZE = 146.0
QR_X, QR_Y = LEFT - 6, MARGIN + 40
SEAL_R = 52.0
ISSUER_RIGHT = RIGHT
ISSUER_W = 250.0  # width the issuer lines may take, right-aligned


@dataclass(frozen=True)
class Box:
    """A rectangle on a page, in points, lower-left origin; ``kind`` says what it holds."""

    kind: str  # label, value, title, number, qr, issuer, place, date, note, footer, seal
    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    def meets(self, other: Box) -> bool:
        return (
            self.page == other.page
            and self.x0 < other.x1
            and other.x0 < self.x1
            and self.y0 < other.y1
            and other.y0 < self.y1
        )


@dataclass(frozen=True)
class Text:
    page: int
    x: float
    y: float  # baseline
    text: str
    size: float
    align: str = "left"  # left, right, centre
    tone: str = "black"  # black, grey, red
    row: int = -1  # the index of the row a label or value line belongs to
    kind: str = ""  # as the box's kind (set when placed)


@dataclass
class Layout:
    pages: int = 1
    texts: list[Text] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    qr: Box | None = None
    seal: Box | None = None
    lines: list[tuple[int, float]] = field(default_factory=list)  # (page, y) rules between rows

    def text_boxes(self) -> list[Box]:
        return [b for b in self.boxes if b.kind not in ("seal",)]


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width``, character by character.

    Chinese has no spaces to break at; a Latin word is kept whole where it fits.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for ch in paragraph:
            if stringWidth(line + ch, font, size) <= width:
                line += ch
                continue
            cut = line.rfind(" ") if ch.isascii() and ch.isalnum() else -1
            if cut > 0 and line[-1].isascii() and line[-1].isalnum():
                lines.append(line[:cut])
                line = line[cut + 1 :] + ch
            else:
                lines.append(line)
                line = ch
        lines.append(line)
    return lines


def _fit(text: str, font: str, size: float, width: float, smallest: float = 8.0) -> float:
    """The largest size ≤ ``size`` (down to ``smallest``) at which ``text`` fits ``width``."""
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _text_box(kind: str, t: Text, font: str) -> Box:
    w = stringWidth(t.text, font, t.size)
    x0 = {"left": t.x, "right": t.x - w, "centre": t.x - w / 2}[t.align]
    return Box(kind, t.page, x0, t.y - 0.25 * t.size, x0 + w, t.y + 0.95 * t.size)


class _Builder:
    def __init__(self, font: str) -> None:
        self.font = font
        self.out = Layout()

    def put(self, kind: str, t: Text) -> None:
        t = replace(t, kind=kind)
        self.out.texts.append(t)
        self.out.boxes.append(_text_box(kind, t, self.font))


def _row_size(label: str, value: str, font: str) -> tuple[float, list[str], list[str]]:
    for size, limit in zip(SIZES, (*SHRINK_AT, 10**6), strict=True):
        lines = wrap(value, font, size, VALUE_W)
        if len(lines) <= limit:
            break
    return size, wrap(label, font, size, LABEL_W), lines


def layout_certificate(
    title: str,
    number_line: str,
    rows: list[tuple[str, str]],
    issuer: str,
    place: str,
    date_line: str,
    font: str,
    code_line: str = "",
) -> Layout:
    """Place a certificate: ``rows`` are (label, value) in order; every one is placed in full."""
    b = _Builder(font)
    page = 1
    y = ROWS_TOP_FIRST
    bottom = ROWS_BOTTOM_FIRST

    def header(p: int) -> None:
        size = _fit(title, font, 28, RIGHT - LEFT, 16)
        b.put("title", Text(p, WIDTH / 2, HEIGHT - 108, title, size, "centre", "red"))
        b.put("number", Text(p, WIDTH / 2, HEIGHT - 134, number_line, 11, "centre"))

    header(1)
    b.out.lines.append((1, y))
    for index, (label, value) in enumerate(rows):
        size, label_lines, value_lines = _row_size(label, value, font)
        leading = size * 1.45
        first = True
        while value_lines or first:
            room = int((y - 8 - bottom) // leading)
            if room < 1:
                b.put(
                    "note",
                    Text(
                        page,
                        RIGHT,
                        bottom - 16,
                        _("Continued on page {n}").format(n=page + 1),
                        9,
                        "right",
                        "grey",
                    ),
                )
                page += 1
                header(page)
                b.put(
                    "note",
                    Text(
                        page,
                        WIDTH / 2,
                        HEIGHT - 150,
                        _("Continuation page {n}").format(n=page),
                        10,
                        "centre",
                        "grey",
                    ),
                )
                y, bottom = ROWS_TOP_NEXT, ROWS_BOTTOM_NEXT
                b.out.lines.append((page, y))
                continue
            part, value_lines = value_lines[:room], value_lines[room:]
            labels = (
                label_lines
                if first
                else wrap(_("{label} (continued)").format(label=label), font, size, LABEL_W)
            )
            n = max(len(part), len(labels))
            if n > room:  # a label longer than the room left: start the row on the next page
                value_lines = part + value_lines
                y = bottom  # forces a new page on the next turn
                continue
            top = y - 8 - size
            for i, text in enumerate(labels):
                b.put(
                    "label", Text(page, LEFT, top - i * leading, text, size, tone="grey", row=index)
                )
            for i, text in enumerate(part):
                b.put("value", Text(page, VALUE_X, top - i * leading, text, size, row=index))
            y = top - (n - 1) * leading - 10
            b.out.lines.append((page, y))
            first = False
    b.out.pages = page
    if page > 1:
        for p in range(1, page + 1):
            b.put(
                "footer",
                Text(
                    p,
                    WIDTH / 2,
                    MARGIN + 20,
                    _("Page {page} of {pages}").format(page=p, pages=page),
                    8,
                    "centre",
                    "grey",
                ),
            )

    # The reserved block of page one: QR on the left, issuer, place and date on the right.
    b.out.qr = Box("qr", 1, QR_X, QR_Y, QR_X + QR_SIZE, QR_Y + QR_SIZE)
    b.out.boxes.append(b.out.qr)
    b.put("note", Text(1, QR_X + QR_SIZE / 2, QR_Y - 13, _("Scan to verify"), 9, "centre"))
    # Issuer and place: one line, shrunk down to a limit; still too long, wrapped (upwards for
    # the issuer, downwards for the place), never into the QR code or the date.
    issuer_size = _fit(issuer, font, 14, ISSUER_W, 10)
    issuer_lines = (
        wrap(issuer, font, issuer_size, ISSUER_W)[:3]
        if (stringWidth(issuer, font, issuer_size) > ISSUER_W)
        else [issuer]
    )
    for i, line in enumerate(reversed(issuer_lines)):
        b.put("issuer", Text(1, ISSUER_RIGHT, MARGIN + 150 + i * 13, line, issuer_size, "right"))
    place_size = _fit(place, font, 10, ISSUER_W, 8)
    place_lines = (
        wrap(place, font, place_size, ISSUER_W)[:2]
        if (stringWidth(place, font, place_size) > ISSUER_W)
        else [place]
    )
    for i, line in enumerate(place_lines):
        b.put(
            "place", Text(1, ISSUER_RIGHT, MARGIN + 128 - i * 9, line, place_size, "right", "grey")
        )
    b.put("date", Text(1, ISSUER_RIGHT, MARGIN + 104, date_line, 12, "right"))
    if code_line:
        size = _fit(code_line, font, 8, ISSUER_W, 6)
        b.put("code", Text(1, ISSUER_RIGHT, MARGIN + 88, code_line, size, "right", "grey"))
    note = _("This certificate carries the electronic signature of the issuer.")
    b.put(
        "note",
        Text(1, ISSUER_RIGHT, MARGIN + 68, note, _fit(note, font, 8, ISSUER_W, 6), "right", "grey"),
    )
    cx = ISSUER_RIGHT - SEAL_R - 20
    cy = MARGIN + 130
    b.out.seal = Box("seal", 1, cx - SEAL_R, cy - SEAL_R, cx + SEAL_R, cy + SEAL_R)
    b.out.boxes.append(b.out.seal)
    return b.out
