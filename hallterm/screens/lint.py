"""Catalog lint (admin): every finding in the store's catalog, errors first."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from hallterm.domain.catalog_lint import ERROR, Finding
from hallterm.errors import shown
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.workers import background
from hallterm.widgets.columns import Column, fit_columns
from hallterm.widgets.plain import plain

SEVERITY_STYLE = {ERROR: "bold red", "warning": "yellow"}
SEVERITY_LABEL = {ERROR: N_("error"), "warning": N_("warning")}


class LintScreen(BaseScreen):
    BINDINGS = [
        Binding("r", "reload", N_("Check again")),
        Binding("escape", "back", N_("Back")),
    ]
    AUTO_FOCUS = "#lint-table"

    def __init__(self) -> None:
        super().__init__()
        self.findings: list[Finding] | None = None
        self.error: str = ""

    def compose_body(self) -> ComposeResult:
        yield Static(_("Catalog lint"), classes="screen-title", id="lint-title")
        yield Static(_("Checking the catalog…"), classes="hint", id="lint-summary")
        table: DataTable[Text] = DataTable(id="lint-table", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        self._columns()
        self._load()

    def retranslate(self) -> None:
        self.query_one("#lint-title", Static).update(_("Catalog lint"))
        if self.findings is None:
            self._columns()
        self._fill()

    def on_resize(self) -> None:
        self._fill()

    def _columns(self) -> None:
        table = self.query_one("#lint-table", DataTable)
        table.clear(columns=True)
        for label in (_("Severity"), _("Check"), _("Where"), _("Finding")):
            table.add_column(label)

    @background(exclusive=True)
    def _load(self) -> None:
        from hallterm.db.services.catalog.lint import lint_store

        try:
            with self.hall.store.read() as session:
                findings = lint_store(session)
        except Exception as exc:  # noqa: BLE001 - shown to the admin, the app keeps running
            self.app.call_from_thread(self._failed, shown(exc, "catalog lint"))
            return
        self.app.call_from_thread(self._loaded, findings)

    def _failed(self, message: str) -> None:
        self.error = message
        self.query_one("#lint-summary", Static).update(Text(message, style="red"))

    def _loaded(self, findings: list[Finding]) -> None:
        self.error = ""
        self.findings = sorted(findings, key=lambda f: f.severity != ERROR)
        self._fill()

    def _fill(self) -> None:
        if self.findings is None:
            return
        errors = sum(1 for f in self.findings if f.severity == ERROR)
        warnings = len(self.findings) - errors
        if not self.findings:
            summary = Text(_("No findings: the catalog is clean."), style="green")
        else:
            summary = Text(
                _("{errors} errors, {warnings} warnings").format(errors=errors, warnings=warnings),
                style="bold red" if errors else "yellow",
            )
        self.query_one("#lint-summary", Static).update(summary)
        # Columns sized by what they hold in this language (the finding is cut last).
        columns = [
            Column("severity", _("Severity"), 0),
            Column("code", _("Check"), 2),
            Column("where", _("Where"), 1),
            Column("finding", _("Finding"), 0, shrink=True),
        ]
        rows = [
            {
                "severity": plain(
                    _(SEVERITY_LABEL.get(f.severity, f.severity)),
                    SEVERITY_STYLE.get(f.severity, ""),
                ),
                "code": plain(f.code),
                "where": plain(f.where),
                "finding": plain(f.message),
            }
            for f in self.findings
        ]
        fitted = fit_columns(
            columns, [[r[c.key] for c in columns] for r in rows], max(self.size.width - 2, 40)
        )
        table = self.query_one("#lint-table", DataTable)
        table.clear(columns=True)
        for column, width in fitted:
            table.add_column(column.label, key=column.key, width=width)
        for r in rows:
            table.add_row(*(r[column.key] for column, _width in fitted))

    def action_reload(self) -> None:
        self.query_one("#lint-summary", Static).update(_("Checking the catalog…"))
        self._load()

    def action_back(self) -> None:
        self.app.pop_screen()
