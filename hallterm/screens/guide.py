"""The service guide screen (办事指南): one matter's facts, conditions, materials and process,
or a bundle's (一件事) matters with their merged checklist; ``p`` prints it for the applicant.

Opened from the catalog browser and from the command palette (a matter or bundle found).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from hallterm.db.services.catalog.query import BundleRow, MatterGuide, RequirementRow
from hallterm.domain.catalog import display
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.workers import background
from hallterm.widgets.plain import plain, row
from hallterm.widgets.punctuation import colon


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
