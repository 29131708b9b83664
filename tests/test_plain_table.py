"""PlainTable: DataTable's rows, cursor and messages, drawn as plain one-line strips."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from hallterm.widgets.plain_table import PlainCell, PlainTable

ROWS = [
    ("K1", "个体工商户设立登记", "市场监督管理局", "1"),
    ("K2", "abc", "税务局", "22"),
    ("K3", "[bold]不是标记[/bold]", "公安局", "333"),
]


class TableApp(App[None]):
    def __init__(self, widths: tuple[int | None, ...] = (None, None, None)) -> None:
        super().__init__()
        self.widths = widths
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield PlainTable(id="t", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(PlainTable)
        for label, width in zip(("名称", "部门", "N"), self.widths, strict=True):
            table.add_column(label, width=width)
        for key, *cells in ROWS:
            table.add_plain_row(*cells, key=key)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.selected.append(str(event.row_key.value))


def texts(table: PlainTable) -> list[str]:
    return [table.render_line(y).text for y in range(1 + table.row_count)]


def cell_starts(line: str, cells: list[str]) -> list[int]:
    """The cell column where each of ``cells`` starts in ``line``."""
    return [cell_len(line[: line.index(c)]) for c in cells]


async def test_wide_characters_stay_aligned_and_text_is_never_markup() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PlainTable)
        lines = texts(table)
        assert all(cell_len(line) == table.size.width for line in lines)
        # The department column starts at the same cell on every line (header included).
        starts = [
            cell_starts(lines[0], ["部门"])[0],
            *(cell_starts(lines[i + 1], [row[2]])[0] for i, row in enumerate(ROWS)),
        ]
        assert len(set(starts)) == 1
        assert cell_len("[bold]不是标记[/bold]") + 2 <= starts[0]  # widest cell sized the column
        assert "[bold]不是标记[/bold]" in lines[3]
        assert str(table.get_row_at(2)[0]) == "[bold]不是标记[/bold]"


async def test_narrow_columns_crop_by_cells() -> None:
    app = TableApp(widths=(5, 4, 1))
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PlainTable)
        lines = texts(table)
        # Each cell padded by one: 5 cells hold two wide characters and a space (no half
        # character), 4 hold two, 1 holds one digit.
        assert lines[1].startswith(" 个体   市场  1 ")
        assert lines[2].startswith(" abc    税务  2 ")
        assert all(cell_len(line) == 60 for line in lines)


def styles_of(table: PlainTable, y: int) -> list[Segment]:
    return [s for s in table.render_line(y) if s.text.strip()]


async def test_cursor_row_header_and_zebra_use_the_component_styles() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PlainTable)
        table.focus()
        await pilot.pause()
        cursor = table.get_component_rich_style("datatable--cursor")
        header = table.get_component_styles("datatable--header").rich_style
        odd = table.get_component_styles("datatable--odd-row").rich_style
        assert cursor.bgcolor is not None
        assert all(
            s.style is not None and s.style.bgcolor == header.bgcolor for s in styles_of(table, 0)
        )
        assert all(
            s.style is not None and s.style.bgcolor == cursor.bgcolor for s in table.render_line(1)
        )
        assert all(
            s.style is not None and s.style.bgcolor == odd.bgcolor for s in styles_of(table, 2)
        )
        await pilot.press("down")
        await pilot.pause()
        assert table.cursor_row == 1
        assert all(
            s.style is not None and s.style.bgcolor == cursor.bgcolor for s in table.render_line(2)
        )
        assert all(
            s.style is not None and s.style.bgcolor != cursor.bgcolor for s in styles_of(table, 1)
        )
        # Each cell carries DataTable's meta, so its own mouse handling finds the cell.
        metas = [s.style.meta for s in table.render_line(3) if s.style is not None]
        assert metas[0] == {"row": 2, "column": 0} and metas[-1]["out_of_bounds"]


async def test_keys_and_clicks_select_rows_as_in_a_data_table() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PlainTable)
        table.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        await pilot.click(PlainTable, offset=(3, 3))  # the third row: highlight, then select
        await pilot.click(PlainTable, offset=(3, 3))
        await pilot.pause()
        assert app.selected == ["K2", "K3"]


async def test_scrolled_table_draws_the_rows_in_view() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PlainTable)
        for i in range(40):
            table.add_plain_row(f"事项{i:02d}", "局", i, key=f"X{i}")
        await pilot.pause()
        table.scroll_to(y=10, animate=False, immediate=True)
        await pilot.pause()
        assert str(table.get_row_at(10)[0]) in table.render_line(1).text
        assert "名称" in table.render_line(0).text  # the header stays


def test_hover_state_read_from_data_table_still_exists() -> None:
    """PlainTable reads DataTable's private ``_show_hover_cursor``: fail if Textual renames it."""
    assert PlainTable()._show_hover_cursor is False


def test_plain_cells_measure_and_print_as_their_text() -> None:
    cell = PlainCell("个体\n工商户")
    assert str(cell) == "个体 工商户" and cell.width == 11
    assert str(PlainCell(None)) == "" and PlainCell(7).width == 1
