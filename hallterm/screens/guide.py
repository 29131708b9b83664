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

from hallterm.domain.catalog import display
from hallterm.domain.guide import GuideDoc, GuideMaterial
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
        self.guide: GuideDoc | None = None

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
        self.app.call_from_thread(self._loaded, guide)

    def _loaded(self, guide: GuideDoc | None) -> None:
        self.guide = guide
        self._show()

    def _show(self) -> None:
        scroll = self.query_one("#guide-scroll", VerticalScroll)
        scroll.remove_children()
        if self.guide is not None and not self.guide.is_bundle:
            scroll.mount_all(list(self._matter_widgets(self.guide)))
        elif self.guide is not None:
            scroll.mount_all(list(self._bundle_widgets(self.guide)))
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

    def _matter_widgets(self, doc: GuideDoc) -> list[Static | DataTable[Text]]:
        g = doc.matters[0]
        facts = Text()
        for label, value in (
            (_("Department"), g.department),
            (_("Kind"), g.kind),
            (_("Handling"), display(g.handling_type)),
            (_("Basic code"), g.basic_code),
            (_("Implementation code"), g.code),
            (_("Legal time limit"), _("{n} working days").format(n=g.legal_limit_days)),
            (
                _("Promised time limit"),
                _("{n} working days").format(n=g.promised_limit_days)
                if g.promised_limit_days
                else _("on the spot"),
            ),
            (_("Visits to the hall"), str(g.visits)),
            (_("Online depth"), str(g.online_depth)),
            (_("Fee"), g.fee),
            (_("Result certificate"), g.certificate_type or "—"),
            (_("Place"), g.place),
            (_("Hours"), g.hours),
            (_("Consultation phone"), g.phone),
            (_("Catalog version"), doc.catalog_version),
        ):
            facts.append(colon(label), style="bold")
            facts.append(f"{value or '—'}\n")
        widgets: list[Static | DataTable[Text]] = [
            Static(plain(g.name), classes="screen-title"),
            Static(facts),
        ]
        widgets += self._section(_("Conditions"), g.conditions)
        widgets.append(Static(_("Materials"), classes="section"))
        widgets.append(self._materials_table(g.materials))
        widgets += self._section(_("Process"), " → ".join(g.process))
        widgets += self._section(_("Legal basis"), g.legal_basis)
        return widgets

    def _bundle_widgets(self, doc: GuideDoc) -> list[Static | DataTable[Text]]:
        widgets: list[Static | DataTable[Text]] = [Static(plain(doc.name), classes="screen-title")]
        widgets += self._section(_("Description"), doc.description)
        widgets += self._section(
            _("Matters handled together"),
            "\n".join(f"· {g.name}（{g.department}）" for g in doc.matters),
        )
        widgets.append(Static(_("Materials (shared documents listed once)"), classes="section"))
        widgets.append(self._materials_table(doc.materials))
        return widgets

    def _materials_table(self, materials: tuple[GuideMaterial, ...]) -> DataTable[Text]:
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
        from hallterm.screens.desk_common import printer_for
        from hallterm.screens.workers import in_thread

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
