"""The catalog browser: departments → matters → the matter's service guide (``guide``).

The matter table draws at most ``ROW_CAP`` (50) rows (a line under it says how many there are), so
a keystroke or clearing the search repaints in milliseconds over 20,000 matters; the rows
come from one code → row map made when the catalog is loaded, and are drawn as plain text
(``PlainTable``, not Rich's rendering).  The loaded rows are frozen out of the garbage
collector's passes (``hallterm.gc_policy``).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from hallterm.db.services.catalog.query import (
    BundleRow,
    DepartmentRow,
    MatterRow,
)
from hallterm.domain.catalog import display
from hallterm.gc_policy import POLICY
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.guide import GuideScreen
from hallterm.screens.workers import background
from hallterm.widgets.plain_table import PlainTable

ALL = "__all__"
ROW_CAP = 50  # rows drawn at once; the rest are reached by typing or choosing a department


class CatalogScreen(BaseScreen):
    BINDINGS = [
        Binding("slash", "focus_search", N_("Search")),
        Binding("ctrl+g", "focus_departments", N_("Departments")),
        Binding("ctrl+t", "focus_matters", N_("Matters")),
        Binding("escape", "back", N_("Back")),
    ]
    DEFAULT_CSS = """
    CatalogScreen #cat-body { height: 1fr; }
    CatalogScreen #cat-departments { width: 32; height: 1fr; border: round $panel-lighten-2; }
    CatalogScreen #cat-matters { width: 1fr; border: round $panel-lighten-2; }
    CatalogScreen #cat-more { height: 1; color: $text-muted; }
    """
    AUTO_FOCUS = "#cat-search"

    def __init__(self) -> None:
        super().__init__()
        self._departments: list[DepartmentRow] = []
        self._matters: list[MatterRow] = []
        self._bundles: list[BundleRow] = []
        self._department: str = ALL
        self._by_code: dict[str, MatterRow | BundleRow] = {}
        self._shown: tuple[str, ...] | None = None
        self._more = ""

    def compose_body(self) -> ComposeResult:
        yield Static(_("Matter catalog"), classes="screen-title", id="cat-title")
        yield Input(
            id="cat-search",
            placeholder=_("search by name, code, department or pinyin initials (e.g. gtgsh)"),
        )
        with Horizontal(id="cat-body"):
            yield OptionList(id="cat-departments")
            yield PlainTable(id="cat-matters", cursor_type="row", zebra_stripes=True)
        yield Static("", id="cat-more")

    def on_mount(self) -> None:
        self._setup_columns()
        self._load()

    def retranslate(self) -> None:
        self.query_one("#cat-title", Static).update(_("Matter catalog"))
        self.query_one("#cat-search", Input).placeholder = _(
            "search by name, code, department or pinyin initials (e.g. gtgsh)"
        )
        self._setup_columns()
        self._fill_departments()
        self._fill_matters()

    def _setup_columns(self) -> None:
        self._shown = None
        table = self.query_one("#cat-matters", PlainTable)
        table.clear(columns=True)
        for label, key in (
            (_("Matter"), "name"),
            (_("Department"), "dept"),
            (_("Type"), "type"),
            (_("Promised"), "promised"),
            (_("Code"), "code"),
        ):
            table.add_column(label, key=key)

    @background(exclusive=True)
    def _load(self) -> None:
        from hallterm.db.services.catalog import query as cq

        with self.hall.store.read() as session:
            data = (cq.departments(session), cq.matters(session), cq.bundles(session))
        self.app.call_from_thread(self._loaded, *data)

    def _loaded(
        self, departments: list[DepartmentRow], matters: list[MatterRow], bundles: list[BundleRow]
    ) -> None:
        self._departments, self._matters, self._bundles = departments, matters, bundles
        self._by_code = {m.code: m for m in matters}
        self._by_code.update({b.code: b for b in bundles})
        POLICY.settle()  # 20,000 rows, walked by every full pass otherwise
        self._shown = None
        self._fill_departments()
        self._fill_matters()

    def _fill_departments(self) -> None:
        menu = self.query_one("#cat-departments", OptionList)
        highlighted = menu.highlighted
        menu.clear_options()
        menu.add_option(
            Option(Text(_("All departments ({n})").format(n=len(self._matters))), id=ALL)
        )
        for d in self._departments:
            menu.add_option(Option(Text(f"{d.name} ({d.matter_count})"), id=d.code))
        if highlighted is not None:
            menu.highlighted = highlighted

    def _visible(self) -> tuple[list[MatterRow | BundleRow], int, bool]:
        """(the rows to draw, how many match, whether the count is only a lower bound)."""
        query = self.query_one("#cat-search", Input).value.strip()
        some = False
        found: list[MatterRow | BundleRow]
        if query:
            # Enough hits to fill the cap, or to find the cap within one department.
            limit = ROW_CAP + 1 if self._department == ALL else 20 * ROW_CAP
            hits = self.hall.matter_index.search(query, limit=limit)
            found = [self._by_code[h.key] for h in hits if h.key in self._by_code]
            some = len(hits) >= limit
        else:
            found = list(self._matters)
        if self._department != ALL:
            found = [
                m
                for m in found
                if isinstance(m, MatterRow) and m.department_code == self._department
            ]
        return found[:ROW_CAP], len(found), some

    def _fill_matters(self) -> None:
        table = self.query_one("#cat-matters", PlainTable)
        items, total, some = self._visible()
        shown = tuple(item.code for item in items)
        more = ""
        if total > len(items):
            more = _("showing {shown} of {total}{plus} matters: type to narrow").format(
                shown=len(items), total=total - (1 if some else 0), plus="+" if some else ""
            )
        if more != self._more:
            self._more = more
            # One line high whatever it says: no layout of the screen (~20 ms) for it.
            self.query_one("#cat-more", Static).update(more, layout=False)
        if shown == self._shown:
            return  # the same rows: nothing to redraw
        self._shown = shown
        table.clear()
        for item in items:
            if isinstance(item, BundleRow):
                table.add_plain_row(
                    item.name, _("bundle (一件事)"), "", "", item.code, key=item.code
                )
            else:
                promised = (
                    _("{n} working days").format(n=item.promised_limit_days)
                    if item.promised_limit_days
                    else _("on the spot")
                )
                table.add_plain_row(
                    item.name,
                    item.department,
                    display(item.handling_type),
                    promised,
                    item.code,
                    key=item.code,
                )

    @on(Input.Changed, "#cat-search")
    def _search(self) -> None:
        self._fill_matters()

    @on(Input.Submitted, "#cat-search")
    def _search_done(self) -> None:
        self.action_focus_matters()

    @on(OptionList.OptionHighlighted, "#cat-departments")
    def _department_changed(self, event: OptionList.OptionHighlighted) -> None:
        self._department = event.option.id or ALL
        self._fill_matters()

    @on(DataTable.RowSelected, "#cat-matters")
    def _open(self, event: DataTable.RowSelected) -> None:
        code = event.row_key.value
        if code:
            self.app.push_screen(GuideScreen(code))

    def action_focus_search(self) -> None:
        self.query_one("#cat-search", Input).focus()

    def action_focus_departments(self) -> None:
        self.query_one("#cat-departments", OptionList).focus()

    def action_focus_matters(self) -> None:
        self.query_one("#cat-matters", PlainTable).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
