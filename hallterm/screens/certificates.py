"""The certificate registry: list and search, issue from an approved case, reprint, revoke.

Every database and signing step runs in a thread worker (pyHanko runs its own asyncio loop
and must never run on Textual's).  The station key is opened once per screen with the
passphrase from ``HALLTERM_KEY_PASSPHRASE`` or asked for in a masked field.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from hallterm.domain.roles import Permission, allowed
from hallterm.errors import shown
from hallterm.i18n import N_, _
from hallterm.private_files import write_private
from hallterm.screens.base import BaseScreen
from hallterm.screens.confirm import confirm_then
from hallterm.screens.desk_dialogs import DIALOG_CSS, PromptScreen
from hallterm.screens.workers import background
from hallterm.widgets.plain import plain


class PassphraseScreen(ModalScreen[str | None]):
    """Ask for the key passphrase without echoing it."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PassphraseScreen")
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    AUTO_FOCUS = "#pass-input"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Signing key"), classes="screen-title")
            yield Static(_("Passphrase: "), classes="hint")
            yield Input(password=True, id="pass-input")
            yield Static(_("Enter: confirm · Esc: cancel"), classes="hint")

    @on(Input.Submitted, "#pass-input")
    def _submit(self, event: Input.Submitted) -> None:
        if event.value:
            self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CertificatesScreen(BaseScreen):
    BINDINGS = [
        Binding("slash", "search", N_("Search")),
        Binding("i", "issue", N_("Issue")),
        Binding("p", "reprint", N_("Reprint")),
        Binding("x", "revoke", N_("Revoke")),
        Binding("k", "cancel_certificate", N_("Cancel certificate")),
        Binding("r", "reload", N_("Refresh")),
        Binding("escape", "back", N_("Back")),
    ]
    AUTO_FOCUS = "#cert-table"

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Any] = []
        self.query_text = ""
        self._signer: Any = None
        self.message = ""

    def compose_body(self) -> ComposeResult:
        yield Static(_("Certificates"), classes="screen-title", id="cert-title")
        yield Input(placeholder=_("number, holder, type or case number"), id="cert-search")
        yield Static("", classes="hint", id="cert-status")
        table: DataTable[Text] = DataTable(id="cert-table", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        self._columns()
        self._load()

    def retranslate(self) -> None:
        self.query_one("#cert-title", Static).update(_("Certificates"))
        self._columns()
        self._fill()

    def _columns(self) -> None:
        table = self.query_one("#cert-table", DataTable)
        table.clear(columns=True)
        for label in (
            _("Number"),
            _("Certificate"),
            _("Holder"),
            _("Case"),
            _("Copies"),
            _("State"),
        ):
            table.add_column(label)

    def _status(self, message: str, style: str = "") -> None:
        self.message = message
        self.query_one("#cert-status", Static).update(plain(message, style))

    # -- workers --------------------------------------------------------------------------

    @background(exclusive=True, group="cert-load")
    def _load(self) -> None:
        from hallterm.db.services.certificates import list_certificates

        try:
            with self.hall.store.read() as session:
                rows = list_certificates(session, self.hall.ctx(), self.query_text)
        except Exception as exc:  # noqa: BLE001 - shown, the app keeps running
            self.app.call_from_thread(self._status, shown(exc, "certificate list"), "red")
            return
        self.app.call_from_thread(self._loaded, rows)

    def _loaded(self, rows: list[Any]) -> None:
        self.rows = rows
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#cert-table", DataTable)
        table.clear()
        for r in self.rows:
            state = plain(_("revoked"), "bold red") if r.revoked else plain(_("valid"), "green")
            table.add_row(
                plain(r.number),
                plain(r.certificate_type),
                plain(r.holder),
                plain(r.case_number),
                plain(r.copies),
                state,
            )

    @background(group="cert-write")
    def _run(self, job: Callable[[Any], str]) -> None:
        """Run ``job(session)`` in one write transaction; show its message, then reload."""
        from hallterm.db.services import ServiceError
        from hallterm.printing.keys import KeyFileError

        try:
            with self.hall.store.write() as session:
                message = job(session)
        except (ServiceError, KeyFileError) as exc:
            self.app.call_from_thread(self._status, str(exc), "red")
            return
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self._status, shown(exc, "certificate action"), "red")
            return
        self.app.call_from_thread(self._status, message, "green")
        self.app.call_from_thread(self._load)

    def _signer_for(self, session: Any, passphrase: str | None) -> Any:
        from hallterm.db.services.certificates import load_signer

        if self._signer is None:
            self._signer = load_signer(session, (passphrase or "").encode("utf-8"))
        return self._signer

    def _write_pdf(self, number: str, pdf: bytes) -> Path:
        folder = self.hall.settings.pdf_dir()
        return write_private(folder / f"certificate-{number}.pdf", pdf)

    def _with_passphrase(self, then: Callable[[str | None], None]) -> None:
        env = os.environ.get("HALLTERM_KEY_PASSPHRASE")
        if self._signer is not None or env:
            then(env)
            return
        self.app.push_screen(PassphraseScreen(), lambda p: then(p) if p else None)

    # -- actions --------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#cert-search", Input).focus()

    @on(Input.Submitted, "#cert-search")
    def _searched(self, event: Input.Submitted) -> None:
        self.query_text = event.value.strip()
        self._load()
        self.query_one("#cert-table", DataTable).focus()

    def action_reload(self) -> None:
        self._load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def _selected(self) -> Any:
        table = self.query_one("#cert-table", DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def action_issue(self) -> None:
        self.app.push_screen(
            PromptScreen(_("Issue a certificate"), _("Case number"), required=True),
            self._issue_case,
        )

    def _issue_case(self, case_no: str | None) -> None:
        if case_no:
            self._draft(case_no)

    @background(group="cert-draft")
    def _draft(self, case_no: str) -> None:
        from hallterm.db.services.certificates import issue_draft

        try:
            with self.hall.store.read() as session:
                draft = issue_draft(session, case_no, today=self.hall.ctx().clock.today())
        except Exception as exc:  # noqa: BLE001 - ServiceError and the like, shown
            self.app.call_from_thread(self._status, shown(exc, "certificate draft"), "red")
            return
        self.app.call_from_thread(self._ask_fields, draft, 0, dict(draft.values))

    def _ask_fields(self, draft: Any, index: int, values: dict[str, str]) -> None:
        if index >= len(draft.fields):
            self._with_passphrase(
                lambda p: self._issue(draft.case_id, draft.matter_code, values, p)
            )
            return
        f = draft.fields[index]
        if f.auto:  # the authority and the registration date are the system's, not the clerk's
            self._ask_fields(draft, index + 1, values)
            return

        def answered(value: str | None) -> None:
            if value is None:
                return
            values[f.key] = value
            self._ask_fields(draft, index + 1, values)

        title = _("Certificate of case {case}: {type}").format(
            case=draft.case_number, type=draft.certificate_type
        )
        label = _(f.label)
        if f.choices:
            label = _("{label} ({choices})").format(label=label, choices="、".join(f.choices))
        self.app.push_screen(
            PromptScreen(title, label, values.get(f.key, ""), required=f.required), answered
        )

    def _issue(
        self, case_id: str, matter_code: str, values: dict[str, str], passphrase: str | None
    ) -> None:
        from hallterm.db.services.certificates import issue_certificate, pending_matters

        ctx = self.hall.ctx()

        def job(session: Any) -> str:
            number, pdf = issue_certificate(
                session,
                ctx,
                case_id,
                values,
                self._signer_for(session, passphrase),
                matter_code=matter_code or None,
            )
            path = self._write_pdf(number, pdf)
            done = _("certificate issued: {number}").format(number=number) + f" — {path}"
            left = pending_matters(session, case_id)
            if left:  # a bundle: the next certificate of the same case is one key away
                done += " " + _("{n} more certificate(s) of this case to issue: press I").format(
                    n=len(left)
                )
            return done

        self._run(job)

    def action_reprint(self) -> None:
        row = self._selected()
        if row is None:
            return
        self.app.push_screen(
            PromptScreen(
                _("Reprint {number}").format(number=row.number), _("reason"), required=True
            ),
            lambda reason: (
                self._with_passphrase(lambda p: self._reprint(row.number, reason, p))
                if reason
                else None
            ),
        )

    def _reprint(self, number: str, reason: str, passphrase: str | None) -> None:
        from hallterm.db.services.certificates import reprint

        ctx = self.hall.ctx()

        def job(session: Any) -> str:
            pdf = reprint(session, ctx, number, reason, self._signer_for(session, passphrase))
            path = self._write_pdf(number, pdf)
            return _("reprinted: {path}").format(path=path)

        self._run(job)

    def action_revoke(self) -> None:
        row = self._selected()
        if row is None:
            return
        actor = self.hall.actor
        if actor is None or not allowed(actor.role, Permission.revoke_certificate):
            self._status(_("only a supervisor or an administrator may revoke a certificate"), "red")
            return
        self.app.push_screen(
            PromptScreen(
                _("Revoke {number}").format(number=row.number), _("reason"), required=True
            ),
            lambda reason: (
                confirm_then(self, "revoke", row.number, lambda: self._revoke(row.number, reason))
                if reason
                else None
            ),
        )

    def _revoke(self, number: str, reason: str, kind: str = "revoked") -> None:
        from hallterm.db.services.certificates import revoke

        ctx = self.hall.ctx()

        def job(session: Any) -> str:
            revoke(session, ctx, number, reason, kind)
            if kind == "cancelled":
                return _("certificate {number} cancelled").format(number=number)
            return _("certificate {number} revoked").format(number=number)

        self._run(job)

    def action_cancel_certificate(self) -> None:
        """注销: the licensed activity ended or the holder gave the certificate up."""
        row = self._selected()
        if row is None:
            return
        actor = self.hall.actor
        if actor is None or actor.role not in ("supervisor", "admin"):
            self._status(_("only a supervisor or an administrator may revoke a certificate"), "red")
            return
        self.app.push_screen(
            PromptScreen(
                _("Cancel {number}").format(number=row.number), _("reason"), required=True
            ),
            lambda reason: self._revoke(row.number, reason, "cancelled") if reason else None,
        )
