"""A ``DataTable`` of one-line plain-text cells, drawn straight into strips.

``DataTable`` renders every visible cell through Rich (a ``Text`` padded, styled and split
into segments, then cached per cell and per line); for the catalog that was most of a
keystroke's time at 20,000 matters.  ``PlainTable`` keeps all of ``DataTable`` (rows, keys,
cursor, keys and mouse, messages) and replaces only the drawing, through the public Line API
(``render_line``): each cell is its text cropped or padded to the column by terminal cells
(``set_cell_size``, so wide CJK characters stay aligned), styled from the same component
classes (header, zebra rows, cursor, hover).  Cells carry the same ``row``/``column`` meta as
``DataTable``'s, so its own click and hover handling work unchanged.

Rows are one line high, without labels or fixed rows/columns.  Cells are ``PlainCell``s: the
text is never read as markup and its width is measured once, when the cell is made.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CursorType, RowKey


class PlainCell:
    """One line of plain text: never parsed as markup, its width measured once."""

    __slots__ = ("text", "width")

    def __init__(self, value: Any) -> None:
        text = "" if value is None else str(value)
        self.text = " ".join(text.splitlines()) if "\n" in text or "\r" in text else text
        self.width = cell_len(self.text)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"PlainCell({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainCell) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        # DataTable sizes its auto-width columns with this: no Text to build per cell.
        return Measurement(self.width, self.width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Segment(self.text)


def highlighted(cursor: Coordinate, cell: Coordinate, cursor_type: CursorType) -> bool:
    """Whether the cursor (or the hover) at ``cursor`` covers ``cell``, as DataTable says."""
    if cursor_type == "cell":
        return cursor == cell
    if cursor_type == "row":
        return cursor.row == cell.row
    if cursor_type == "column":
        return cursor.column == cell.column
    return False


class PlainTable(DataTable[PlainCell]):
    """A DataTable of ``PlainCell`` rows one line high, drawn without Rich rendering."""

    def add_plain_row(self, *values: Any, key: str | None = None) -> RowKey:
        """A row of plain-text cells (``None`` → empty)."""
        return self.add_row(*(PlainCell(v) for v in values), key=key)

    def add_row(
        self,
        *cells: PlainCell,
        height: int | None = 1,
        key: str | None = None,
        label: Any = None,
    ) -> RowKey:
        if height != 1 or label is not None:
            raise ValueError("PlainTable rows are one line high, without labels")
        return super().add_row(
            *(c if isinstance(c, PlainCell) else PlainCell(c) for c in cells), key=key
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        # The component styles of this frame, looked up once and not per line.
        self._frame_styles = _FrameStyles(self)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        styles = self._styles()
        scroll_x, scroll_y = self.scroll_offset
        header_height = self.header_height if self.show_header else 0
        if y < header_height:
            if y > 0:  # a header taller than its one line of labels
                return Strip.blank(width, styles.header)
            row_index = -1
            texts = [column.label.plain for column in self.ordered_columns]
        else:
            row_index = y - header_height + scroll_y
            if row_index >= self.row_count:
                return Strip.blank(width, base)
            texts = ["" if c is None else str(c) for c in self.get_row_at(row_index)]
        row_style = styles.row(row_index, base)
        cursor_type = self.cursor_type
        show = self.show_cursor and cursor_type != "none"
        hover = show and self._show_hover_cursor  # pinned by tests/test_plain_table.py
        padding = self.cell_padding
        pad = " " * padding
        segments: list[Segment] = []
        used = 0
        for column_index, column in enumerate(self.ordered_columns):
            text = texts[column_index] if column_index < len(texts) else ""
            cell = Coordinate(row_index, column_index)
            style = row_style
            if hover and highlighted(self.hover_coordinate, cell, cursor_type):
                style += styles.hover_of(row_index)
            if show and highlighted(self.cursor_coordinate, cell, cursor_type):
                style += styles.cursor_of(row_index)
            cell_width = column.get_render_width(self)
            used += cell_width
            segments.append(
                Segment(
                    pad + set_cell_size(text, max(0, cell_width - 2 * padding)) + pad,
                    style + Style.from_meta({"row": row_index, "column": column_index}),
                )
            )
        # The rest of the line as DataTable draws it: the row's style, the cursor's too for a
        # row cursor, and meta saying the mouse is past the last column.
        if cursor_type == "row":
            extend = row_style
            if hover and self.hover_row == row_index:
                extend += styles.hover_of(row_index)
            if show and self.cursor_row == row_index:
                extend += styles.cursor
        elif row_style.bgcolor is not None:  # other cursors: the row's colour, faded
            faded = Color.from_rich_color(row_style.bgcolor).blend(
                self.background_colors[1], factor=0.25
            )
            extend = Style.from_color(row_style.color, faded.rich_color)
        else:
            extend = Style.from_color(row_style.color, row_style.bgcolor)
        extend += Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        segments.append(Segment(" " * max(0, width - used + scroll_x), extend))
        strip = Strip(segments)
        if scroll_x:
            strip = strip.crop(scroll_x, scroll_x + width)
        return strip.adjust_cell_length(width, base)

    def _styles(self) -> _FrameStyles:
        styles: _FrameStyles | None = getattr(self, "_frame_styles", None)
        return styles if styles is not None else _FrameStyles(self)


class _FrameStyles:
    """The component styles of one frame of a ``PlainTable``, looked up once per frame."""

    __slots__ = (
        "header",
        "odd",
        "even",
        "zebra",
        "_cursor",
        "_hover",
        "_header_cursor",
        "_header_hover",
    )

    def __init__(self, table: PlainTable) -> None:
        # As DataTable takes them: the row styles from the component styles, the cursor
        # and hover ones with their text opacity applied.
        rows = table.get_component_styles
        self.header: Style = rows("datatable--header").rich_style
        self.odd: Style = rows("datatable--odd-row").rich_style
        self.even: Style = rows("datatable--even-row").rich_style
        self.zebra = table.zebra_stripes
        get = table.get_component_rich_style
        self._cursor: Style = get("datatable--cursor")
        self._hover: Style = get("datatable--hover")
        self._header_cursor: Style = self._cursor + get("datatable--header-cursor")
        self._header_hover: Style = self._hover + get("datatable--header-hover")

    def row(self, row_index: int, base: Style) -> Style:
        if row_index == -1:
            return self.header
        if self.zebra:
            return self.odd if row_index % 2 else self.even
        return base

    @property
    def cursor(self) -> Style:
        return self._cursor

    def cursor_of(self, row_index: int) -> Style:
        return self._header_cursor if row_index == -1 else self._cursor

    def hover_of(self, row_index: int) -> Style:
        return self._header_hover if row_index == -1 else self._hover
