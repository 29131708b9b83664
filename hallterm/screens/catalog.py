"""The catalog browser: departments → matters → the matter's full service guide; searchable.

The matter table draws at most ``ROW_CAP`` (50) rows (a line under it says how many there are), so
a keystroke or clearing the search repaints in milliseconds over 20,000 matters; the rows
come from one code → row map made when the catalog is loaded.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from hallterm.db.services.catalog.query import (
    BundleRow,
    DepartmentRow,
    MatterGuide,
    MatterRow,
    RequirementRow,
)
from hallterm.domain.catalog import display
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.workers import background
from hallterm.widgets.plain import plain, row
from hallterm.widgets.punctuation import colon

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
            table: DataTable[Text] = DataTable(
                id="cat-matters", cursor_type="row", zebra_stripes=True
            )
            yield table
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
        table = self.query_one("#cat-matters", DataTable)
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
        table = self.query_one("#cat-matters", DataTable)
        items, total, some = self._visible()
        shown = tuple(item.code for item in items)
        more = ""
        if total > len(items):
            more = _("showing {shown} of {total}{plus} matters: type to narrow").format(
                shown=len(items), total=total - (1 if some else 0), plus="+" if some else ""
            )
        if more != self._more:  # an update re-lays the screen out: only when it changes
            self._more = more
            self.query_one("#cat-more", Static).update(more)
        if shown == self._shown:
            return  # the same rows: nothing to redraw
        self._shown = shown
        table.clear()
        for item in items:
            if isinstance(item, BundleRow):
                table.add_row(
                    plain(item.name),
                    plain(_("bundle (一件事)")),
                    plain(""),
                    plain(""),
                    plain(item.code),
                    key=item.code,
                )
            else:
                promised = (
                    _("{n} working days").format(n=item.promised_limit_days)
                    if item.promised_limit_days
                    else _("on the spot")
                )
                table.add_row(
                    *row(
                        item.name, item.department, display(item.handling_type), promised, item.code
                    ),
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
        self.query_one("#cat-matters", DataTable).focus()

    def action_back(self) -> None:
        self.app.pop_screen()


class GuideScreen(BaseScreen):
    """The service guide (办事指南) of one matter, or of a bundle with its merged checklist."""

    BINDINGS = [
        Binding("p", "print_guide", N_("Print guide")),
        Binding("escape", "back", N_("Back")),
    ]
    DEFAULT_CSS = """
    GuideScreen #guide-scroll { height: 1fr; padding: 0 1; }
    GuideScreen .section { text-style: bold; color: $accent; margin-top: 1; }
    GuideScreen DataTable { height: auto; max-height: 24; }
    """
    AUTO_FOCUS = "#guide-scroll"

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.guide: MatterGuide | None = None
        self.bundle: tuple[BundleRow, list[MatterGuide]] | None = None

    def compose_body(self) -> ComposeResult:
        yield VerticalScroll(id="guide-scroll")

    def on_mount(self) -> None:
        self._load()

    def retranslate(self) -> None:
        self._show()

    @background(exclusive=True)
    def _load(self) -> None:
        from hallterm.db.services.catalog import query as cq

        with self.hall.store.read() as session:
            guide = cq.guide(session, self.code)
            bundle = None
            if guide is None:
                found = [b for b in cq.bundles(session) if b.code == self.code]
                if found:
                    members = [
                        g for g in (cq.guide(session, c) for c in found[0].matter_codes) if g
                    ]
                    bundle = (found[0], members)
        self.app.call_from_thread(self._loaded, guide, bundle)

    def _loaded(
        self, guide: MatterGuide | None, bundle: tuple[BundleRow, list[MatterGuide]] | None
    ) -> None:
        self.guide, self.bundle = guide, bundle
        self._show()

    def _show(self) -> None:
        scroll = self.query_one("#guide-scroll", VerticalScroll)
        scroll.remove_children()
        if self.guide is not None:
            scroll.mount_all(list(self._matter_widgets(self.guide)))
        elif self.bundle is not None:
            scroll.mount_all(list(self._bundle_widgets(*self.bundle)))
        else:
            scroll.mount(
                Static(
                    Text(_("No matter or bundle with code {code}").format(code=self.code)),
                    classes="error",
                )
            )

    def _section(self, title: str, body: str | Text) -> list[Static]:
        return [
            Static(title, classes="section"),
            Static(body if isinstance(body, Text) else plain(body or "—")),
        ]

    def _matter_widgets(self, g: MatterGuide) -> list[Static | DataTable[Text]]:
        r = g.row
        facts = Text()
        for label, value in (
            (_("Department"), r.department),
            (_("Kind"), r.kind),
            (_("Handling"), display(r.handling_type)),
            (_("Basic code"), r.basic_code),
            (_("Implementation code"), r.code),
            (_("Legal time limit"), _("{n} working days").format(n=r.legal_limit_days)),
            (
                _("Promised time limit"),
                _("{n} working days").format(n=r.promised_limit_days)
                if r.promised_limit_days
                else _("on the spot"),
            ),
            (_("Visits to the hall"), str(g.visits)),
            (_("Online depth"), str(g.online_depth)),
            (_("Fee"), g.fee),
            (_("Result certificate"), g.certificate_type or "—"),
            (_("Place"), g.place),
            (_("Hours"), g.hours),
            (_("Consultation phone"), g.phone),
            (_("Catalog version"), g.catalog_version),
        ):
            facts.append(colon(label), style="bold")
            facts.append(f"{value or '—'}\n")
        widgets: list[Static | DataTable[Text]] = [
            Static(plain(r.name), classes="screen-title"),
            Static(facts),
        ]
        widgets += self._section(_("Conditions"), g.conditions)
        widgets.append(Static(_("Materials"), classes="section"))
        widgets.append(self._materials_table(g.materials))
        widgets += self._section(_("Process"), " → ".join(g.process))
        widgets += self._section(_("Legal basis"), g.legal_basis)
        return widgets

    def _bundle_widgets(
        self, b: BundleRow, members: list[MatterGuide]
    ) -> list[Static | DataTable[Text]]:
        from hallterm.domain.checklist import Requirement, merge_requirements

        merged = merge_requirements(
            [
                (
                    g.row.code,
                    [
                        Requirement(
                            **{k: getattr(m, k) for k in RequirementRow.__dataclass_fields__}
                        )
                        for m in g.materials
                    ],
                )
                for g in members
            ]
        )
        rows = tuple(
            RequirementRow(**{k: getattr(m, k) for k in RequirementRow.__dataclass_fields__})
            for m in merged
        )
        widgets: list[Static | DataTable[Text]] = [Static(plain(b.name), classes="screen-title")]
        widgets += self._section(_("Description"), b.description)
        widgets += self._section(
            _("Matters handled together"),
            "\n".join(f"· {g.row.name}（{g.row.department}）" for g in members),
        )
        widgets.append(Static(_("Materials (shared documents listed once)"), classes="section"))
        widgets.append(self._materials_table(rows))
        return widgets

    def _materials_table(self, materials: tuple[RequirementRow, ...]) -> DataTable[Text]:
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
        for label in (
            _("Material"),
            _("Necessity"),
            _("Form"),
            _("Source"),
            _("Originals"),
            _("Copies"),
            _("Standard"),
        ):
            table.add_column(label)
        for m in materials:
            table.add_row(
                *row(
                    m.name,
                    display(m.necessity),
                    display(m.form),
                    display(m.source),
                    m.originals,
                    m.copies,
                    m.standard,
                )
            )
        return table

    def action_print_guide(self) -> None:
        """Print this guide for the applicant (PDF kept; sent to the printer if one is set)."""
        from hallterm.screens.desk_common import in_thread, printer_for

        app, code = self.hall, self.code
        ctx = app.ctx()
        printer = printer_for(app)
        font = app.settings.font_path or None

        def job() -> tuple[object, str | None]:
            from hallterm.db.services.catalog.guides import print_guide

            return print_guide(app.store, ctx, code, printer, font_path=font)

        def done(result: tuple[object, str | None]) -> None:
            path, message = result
            app.notify(
                message or _("Printed: {path}").format(path=path), title=_("Printed"), markup=False
            )

        in_thread(self, job, done, group="guide-print")

    def action_back(self) -> None:
        self.app.pop_screen()
