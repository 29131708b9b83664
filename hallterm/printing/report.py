"""Queue and efficiency print-outs: the efficiency table as CSV, XLSX and a PDF for
publication, and the kiosk's ticket slip.

Plain data in (``EfficiencyTable`` and ``DayPoint`` of ``domain.figures``, ``TicketView``), files
out.  CSV is UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese names);
CSV and XLSX carry the raw figures (rates as fractions, XLSX formats them as percentages);
the PDF prints the table as shown on screen, with a bar chart of cases per day, in the
embedded CJK TrueType font.  Every file is written to a temporary name and renamed, so a
half-written report never replaces a good one.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from hallterm.clock import to_local
from hallterm.db.services.queue import TicketView
from hallterm.domain.figures import (
    BY_LABELS,
    COLUMNS,
    DEFINITIONS,
    DayPoint,
    EfficiencyRow,
    EfficiencyTable,
    TableColumn,
    column_title,
    formatted,
    shared_note,
    value,
)
from hallterm.i18n import N_, _
from hallterm.private_files import create_private

CODE_HEADER = "code"


def _tmp(path: Path) -> Path:
    """A 0600 temporary file beside ``path`` (exports hold personal data)."""
    return create_private(path.with_name(f".{path.name}.{os.getpid()}.tmp"))


def _raw(row: EfficiencyRow, column: TableColumn) -> Any:
    v = value(row, column)
    if isinstance(v, float):
        return round(v, 4)
    return v


def table_rows(table: EfficiencyTable, *, with_total: bool = True) -> list[EfficiencyRow]:
    return [*table.rows, table.total] if with_total else list(table.rows)


def headers(by: str) -> list[str]:
    return [_("Username") if by == "clerk" else _("Code"), *(column_title(c, by) for c in COLUMNS)]


def write_csv(table: EfficiencyTable, path: Path) -> Path:
    """The table as CSV (raw figures; the last line is the total)."""
    path = Path(path)
    tmp = _tmp(path)
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers(table.by))
        for row in table_rows(table):
            writer.writerow(
                [row.shown_code, *("" if _raw(row, c) is None else _raw(row, c) for c in COLUMNS)]
            )
    tmp.replace(path)
    return path


def write_xlsx(
    table: EfficiencyTable, path: Path, series: Sequence[DayPoint] = (), title: str = ""
) -> Path:
    """The table on the first sheet (percent formats, frozen header), days on the second."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Efficiency")
    heading = title or _("Efficiency by {by}, {start} to {end}").format(
        by=_(BY_LABELS[table.by]), start=table.start.isoformat(), end=table.end.isoformat()
    )
    ws.append([heading])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(headers(table.by))
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in table_rows(table):
        ws.append([row.shown_code, *(_raw(row, c) for c in COLUMNS)])
        r = ws.max_row
        ws.cell(r, 2).alignment = Alignment(indent=row.depth)
        for i, c in enumerate(COLUMNS, start=2):
            if c.kind == "pct":
                ws.cell(r, i).number_format = "0.0%"
            elif c.kind == "num":
                ws.cell(r, i).number_format = "0.00" if c.key == "stars" else "0.0"
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "C3"
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 30
    if series:
        ds = wb.create_sheet(_("Per day"))
        ds.append(
            [
                _("Date"),
                _("Cases received"),
                _("Cases completed"),
                _("Tickets called"),
                _("Average wait (min)"),
            ]
        )
        for p in series:
            ds.append(
                [
                    p.day,
                    p.received,
                    p.completed,
                    p.tickets,
                    None if p.avg_wait_min is None else round(p.avg_wait_min, 2),
                ]
            )
            ds.cell(ds.max_row, 1).number_format = "yyyy-mm-dd"
    tmp = _tmp(path)
    wb.save(tmp)
    tmp.replace(path)
    return path


def _required(generated_at: datetime | None) -> datetime:
    if generated_at is None:
        raise ValueError("the PDF report prints when it was generated: pass generated_at")
    return generated_at


def date_labels(days: Sequence[date], most: int = 16) -> list[str]:
    """Labels of a date axis: every day when there are few, else every n-th (and the last),
    with the month and day; the rest blank so the labels never overlap."""
    if not days:
        return []
    step = max(1, -(-len(days) // most))
    return [
        d.strftime("%m-%d") if i % step == 0 or i == len(days) - 1 else ""
        for i, d in enumerate(days)
    ]


def _esc(text: object) -> str:
    return escape(str(text))


def write_pdf(
    table: EfficiencyTable,
    path: Path,
    *,
    issuer: str,
    generated_at: datetime,
    series: Sequence[DayPoint] = (),
    font_path: str | None = None,
) -> Path:
    """A landscape A4 report for publication: heading, the table, cases per day."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from hallterm.printing.fonts import register_cjk_font

    font = register_cjk_font(font_path)
    path = Path(path)
    page = landscape(A4)
    title_style = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    cell = ParagraphStyle("c", fontName=font, fontSize=7.5, leading=9.5, wordWrap="CJK")
    head = ParagraphStyle("h", parent=cell, alignment=1)
    story: list[Any] = [
        Paragraph(_esc(_("Efficiency report")), title_style),
        Paragraph(
            _esc(
                _("{issuer} · by {by} · {start} to {end} · generated {at}").format(
                    issuer=issuer,
                    by=_(BY_LABELS[table.by]),
                    start=table.start.isoformat(),
                    end=table.end.isoformat(),
                    at=to_local(generated_at).strftime("%Y-%m-%d %H:%M"),
                )
            ),
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    data: list[list[Any]] = [[Paragraph(_esc(column_title(c, table.by)), head) for c in COLUMNS]]
    for row in table_rows(table):
        data.append(
            [
                Paragraph(
                    "&nbsp;&nbsp;" * row.depth + _esc(formatted(row, c, indent=False)),
                    cell,
                )
                if c.kind == "text"
                else formatted(row, c)
                for c in COLUMNS
            ]
        )
    usable = page[0] - 24 * mm
    name_w = 52 * mm
    widths = [name_w] + [(usable - name_w) / (len(COLUMNS) - 1)] * (len(COLUMNS) - 1)
    grid = Table(data, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 7.5),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
                ("BACKGROUND", (0, -1), (-1, -1), colors.Color(0.95, 0.95, 0.95)),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.append(grid)
    story.append(Spacer(1, 4 * mm))
    note = shared_note(table)
    if note:
        story.append(Paragraph(_esc(note), body))
    for name, meaning in (
        *DEFINITIONS,
        (N_("Online share"), N_("matters handled whose online depth is at least 3")),
        (N_("Average wait (min)"), N_("from taking the ticket to the first call, in minutes")),
    ):
        story.append(Paragraph(_esc(f"{_(name)}: {_(meaning)}"), body))
    if series:
        chart_h = 55 * mm
        drawing = Drawing(usable, chart_h + 10 * mm)
        # else its default state refers to Helvetica (types-reportlab lacks the attribute)
        drawing.initialFontName = font  # type: ignore[attr-defined]
        bars = VerticalBarChart()
        # types-reportlab annotates these as int; reportlab takes any number of points
        bars.x, bars.y = 12 * mm, 8 * mm  # type: ignore[assignment]
        bars.width, bars.height = usable - 20 * mm, chart_h - 8 * mm  # type: ignore[assignment]
        bars.data = [[p.received for p in series], [p.completed for p in series]]
        bars.categoryAxis.categoryNames = date_labels([p.day for p in series])
        bars.categoryAxis.labels.fontName = font
        bars.categoryAxis.labels.fontSize = 6
        bars.valueAxis.labels.fontName = font
        bars.valueAxis.labels.fontSize = 7
        bars.valueAxis.valueMin = 0
        bars.bars[0].fillColor = colors.Color(0.3, 0.45, 0.7)
        bars.bars[1].fillColor = colors.Color(0.55, 0.75, 0.45)
        drawing.add(bars)
        drawing.add(
            String(
                12 * mm,
                chart_h + 3 * mm,
                _("Cases per day: received (blue) and completed (green)"),
                fontName=font,
                fontSize=9,
            )
        )
        story.append(Spacer(1, 3 * mm))
        story.append(drawing)
    tmp = _tmp(path)
    doc = SimpleDocTemplate(
        str(tmp),
        pagesize=page,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("Efficiency report"),
        author=issuer,
        creator="hallterm",
        initialFontName=font,  # every page starts in the embedded font, never Helvetica
    )
    doc.build(story)
    tmp.replace(path)
    return path


def write_report(
    table: EfficiencyTable,
    path: Path,
    fmt: str,
    *,
    issuer: str = "",
    generated_at: datetime | None = None,
    series: Sequence[DayPoint] = (),
    font_path: str | None = None,
) -> Path:
    """One entry for the CLI and the screens: ``fmt`` is csv, xlsx or pdf (which needs the
    ``generated_at`` time it prints)."""
    if fmt == "csv":
        return write_csv(table, path)
    if fmt == "xlsx":
        return write_xlsx(table, path, series)
    if fmt == "pdf":
        return write_pdf(
            table,
            path,
            issuer=issuer,
            generated_at=_required(generated_at),
            series=series,
            font_path=font_path,
        )
    raise ValueError(fmt)


def render_ticket(
    ticket: TicketView,
    path: Path,
    *,
    station_name: str,
    font_path: str | None = None,
) -> Path:
    """The kiosk's slip (80 mm roll): number, line, people ahead, time."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from hallterm.printing.fonts import register_cjk_font

    font = register_cjk_font(font_path)
    path = Path(path)
    width, height = 80 * mm, 90 * mm
    tmp = _tmp(path)
    # types-reportlab annotates initialFontName as a number; reportlab takes the font name
    c = Canvas(str(tmp), pagesize=(width, height), initialFontName=font)  # type: ignore[arg-type]
    c.setTitle(ticket.number)
    y = height - 12 * mm
    c.setFont(font, 11)
    c.drawCentredString(width / 2, y, station_name)
    y -= 8 * mm
    c.setFont(font, 10)
    c.drawCentredString(width / 2, y, ticket.category_name)
    y -= 20 * mm
    c.setFont(font, 40)
    c.drawCentredString(width / 2, y, ticket.number)
    y -= 10 * mm
    c.setFont(font, 10)
    if ticket.priority:
        c.drawCentredString(width / 2, y, _("Priority (绿色通道)"))
        y -= 6 * mm
    c.drawCentredString(width / 2, y, _("{n} people ahead of you").format(n=ticket.ahead or 0))
    y -= 6 * mm
    c.setFont(font, 8)
    c.drawCentredString(width / 2, y, to_local(ticket.issued_at).strftime("%Y-%m-%d %H:%M"))
    y -= 5 * mm
    c.drawCentredString(width / 2, y, _("Please wait for your number to be called"))
    c.showPage()
    c.save()
    tmp.replace(path)
    return path


def default_report_name(table: EfficiencyTable, fmt: str, today: date | None = None) -> str:
    return f"efficiency-{table.by}-{table.start:%Y%m%d}-{table.end:%Y%m%d}.{fmt}"
