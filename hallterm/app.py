"""The Textual application: sign-in, the frame, global keys, language, palette.

``create_app`` is the one factory used by the CLI and by tests; store, settings, clock and
printer are injected so tests are deterministic.  The app never touches the database on the
event loop: screens run their queries in thread workers and hand plain data back.  The idle
lock and its screen-stack guards are its base, ``app_lock.LockingApp``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from hallterm.actions import ACTIONS, actions_for
from hallterm.app_lock import LOCKED_ACTIONS, LockingApp
from hallterm.clock import Clock
from hallterm.config_preview import FirstPaint, SettingsError
from hallterm.db.engine import Store
from hallterm.db.services import Actor, Ctx
from hallterm.domain.search import MatterIndex, SearchItem
from hallterm.gc_policy import POLICY
from hallterm.i18n import _, current_language, set_language
from hallterm.terminal import terminal_id

if TYPE_CHECKING:
    from hallterm.config import Settings

NOBODY = Actor(staff_id="", username="unknown", name="", role="", station_code="")


@dataclass(frozen=True)
class StationInfo:
    code: str
    name: str
    level: str


# The footer shows the keys of the screen first and of the app only these: every other
# global key is on the home menu, in F1 help and in the command palette, so the footer fits
# 100 columns.
FOOTER_ACTIONS = ("help", "language")


class HalltermApp(LockingApp):  # keys arrive in order (a hallterm.key_order.KeyOrder)
    CSS_PATH = "app.tcss"
    TITLE = "hallterm"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding(
            a.key,
            a.action,
            a.title,
            show=a.id in FOOTER_ACTIONS,
            priority=True,
        )
        for a in ACTIONS
    ]

    def __init__(
        self,
        store: Store,
        settings: Settings | FirstPaint,
        clock: Clock | None = None,
        language: str | None = None,
        printer: Any = None,
    ) -> None:
        from hallterm.commands import ActionCommands, MatterCommands

        # Textual's own commands (theme, keys, quit, screenshot …) stay beside ours.
        type(self).COMMANDS = {*App.COMMANDS, ActionCommands, MatterCommands}
        super().__init__(store, settings, clock=clock, language=language)
        self.printer = printer
        self.actor: Actor | None = None
        self.station: StationInfo | None = None
        self.window = self.first_paint.window
        self.matter_index: MatterIndex = MatterIndex([])
        self.terminal = terminal_id()

    # -- context -------------------------------------------------------------------------

    @property
    def station_name(self) -> str:
        return self.station.name if self.station else ""

    def ctx(self) -> Ctx:
        """The acting clerk for services (the store's own station receives the events)."""
        # Nobody signed in acts as nobody: no role, so every permission check refuses.
        actor = self.actor or NOBODY
        if self.window and actor.window != self.window:
            actor = replace(actor, window=self.window)  # this terminal's window, not the default
        return Ctx(
            actor=actor,
            station_code=self.station.code if self.station else actor.station_code,
            clock=self.clock,
        )

    # -- start-up ------------------------------------------------------------------------

    def on_mount(self) -> None:
        from hallterm.screens.login import LoginScreen

        self._restore_theme()
        self.push_screen(LoginScreen())
        from hallterm.widgets.sync_status import SyncMonitor

        # Background sync; its status goes into every header's ``extra`` text.
        self.sync_monitor = SyncMonitor(self)
        # The login form is drawn first: the start-up work (imports, scrypt) would hold the
        # interpreter while the first frame waits.
        self.call_after_refresh(self._start_background)

    def _start_background(self) -> None:
        self._load_station()
        self._open_personal_data()
        if self.settings_loaded:
            self._settings_ready()
        else:
            self._load_settings()

    @work(thread=True, exit_on_error=False, group="startup")
    def _load_settings(self) -> None:
        """The settings model (the first frame was drawn from ``config_preview``); settings
        that cannot be used end the program with the reason."""
        try:
            self.settings  # noqa: B018 - loads them
        except SettingsError as exc:
            self.call_from_thread(self.exit, return_code=1, message=str(exc))
            return
        self.call_from_thread(self._settings_ready)

    def _settings_ready(self) -> None:
        """What waits for the settings: the idle lock's timer and background sync."""
        if self.settings.idle_lock_minutes:
            self.set_interval(5, self._check_idle)
        self.sync_monitor.start()

    @work(thread=True, exit_on_error=False, group="startup")
    def _open_personal_data(self) -> None:
        """Unlock personal data with the passphrase from the environment (unless the command
        line has unlocked it already); a wrong one ends the program with the reason (nothing
        was written)."""
        from hallterm.db.privacy.keyring import ENV_PASSPHRASE, KeysLocked
        from hallterm.db.privacy.unlock import open_personal_data

        if self.store.keys.unlocked:  # here, not on the event loop: it imports the keyring
            return

        def missing() -> str:
            raise KeysLocked(_("give the station passphrase in HALLTERM_STORE_PASSPHRASE"))

        try:
            open_personal_data(
                self.store, lambda: os.environ.get(ENV_PASSPHRASE) or missing(), self.clock
            )
        except KeysLocked as exc:
            self.call_from_thread(self.exit, return_code=1, message=str(exc))

    @work(thread=True, exit_on_error=False, group="startup")
    def _load_station(self) -> None:
        from hallterm.db.services.setup import own_station

        with self.store.read() as session:
            st = own_station(session)
            info = StationInfo(st.code, st.name, st.level)
        self.call_from_thread(self._station_loaded, info)

    def _station_loaded(self, info: StationInfo) -> None:
        self.station = info
        self.refresh_header()

    @work(thread=True, exit_on_error=False, group="index")
    def load_matter_index(self) -> None:
        """The search index of the store's catalog version, built once per version."""
        from sqlmodel import func, select

        from hallterm.db.models import CatalogVersion, Matter
        from hallterm.db.services.catalog import query as cq
        from hallterm.domain.search import index_for

        with self.store.read() as session:
            stamp = (
                self.store.url,
                tuple(session.exec(select(CatalogVersion.version, CatalogVersion.sha256)).all()),
                session.exec(select(func.count()).select_from(Matter)).one(),
            )

            def items() -> list[SearchItem]:
                return [
                    SearchItem(
                        key=m.code,
                        name=m.name,
                        kind="matter",
                        department=m.department,
                        codes=(m.code, m.basic_code),
                    )
                    for m in cq.matters(session)
                ] + [
                    SearchItem(
                        key=b.code, name=b.name, kind="bundle", department="", codes=(b.code,)
                    )
                    for b in cq.bundles(session)
                ]

            index = index_for(stamp, items)
        if index is not self.matter_index:
            POLICY.settle()  # the index and pypinyin's dictionaries live as long as the app
            self.call_from_thread(setattr, self, "matter_index", index)

    # -- signing in and out --------------------------------------------------------------

    def signed_in(self, actor: Actor) -> None:
        from hallterm.screens.home import HomeScreen

        self.actor = actor
        self.window = self.settings.window or actor.window  # waits for the settings if need be
        self._last_input = time.monotonic()
        self.load_matter_index()
        self.switch_screen(HomeScreen())
        self.refresh_header()

    def action_logout(self) -> None:
        from hallterm.screens.login import LoginScreen

        self.actor = None
        self.locked = False
        self._resume_timers()  # the screens that own them are closed next
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(LoginScreen())
        self.refresh_header()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.locked:
            return action in LOCKED_ACTIONS
        role = self.actor.role if self.actor else None
        known = {a.action.split("(")[0]: a for a in ACTIONS}
        if action in known or action == "open":
            allowed_actions = {a.action for a in actions_for(role)}
            full = (
                action if not parameters else f"{action}({', '.join(repr(p) for p in parameters)})"
            )
            return full in allowed_actions
        return True

    # -- global actions ------------------------------------------------------------------

    def action_help(self) -> None:
        from hallterm.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_open(self, name: str) -> None:
        from hallterm.screens import open_screen

        if self.locked or not self.check_action("open", (name,)):
            return
        screen = open_screen(name)
        if type(self.screen) is not type(screen):
            self.push_screen(screen)

    def action_go_home(self) -> None:
        from hallterm.screens.home import HomeScreen

        if self.actor is None:
            return
        while len(self.screen_stack) > 2 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()

    def action_toggle_language(self) -> None:
        self.switch_language("en" if current_language() != "en" else "zh_CN")

    def switch_language(self, language: str) -> None:
        set_language(language)
        for screen in self.screen_stack:
            retranslate = getattr(screen, "retranslate", None)
            if retranslate is not None:
                retranslate()
            else:
                screen.refresh(recompose=True)
        self.refresh_bindings()
        self.refresh_header()
        self.sync_monitor.show()

    # -- Textual's own strings and the theme ---------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands in the current language; "Keys" opens hallterm's F1 help."""
        from hallterm.widgets.textual_i18n import translated_system_commands

        for command in translated_system_commands(super().get_system_commands(screen)):
            if command.callback in (self.action_show_help_panel, self.action_hide_help_panel):
                command = command._replace(callback=self.action_help)
            elif command.title == _("Screenshot"):
                command = command._replace(callback=self.save_screen_picture)
            yield command

    def save_screen_picture(self) -> None:
        """Textual's Screenshot command, saved beside the printed PDFs and said in the language."""
        folder = self.settings.pdf_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(path=str(folder))
        except OSError as exc:
            self.notify_error(_("The screenshot could not be saved: {error}").format(error=exc))
            return
        self.notify(_("Screenshot saved: {path}").format(path=path), markup=False)

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit: say which key does, in the language."""
        self.notify(
            _("Press {key} to quit hallterm.").format(
                key=self.get_key_display(Binding("ctrl+q", ""))
            ),
            title=_("Do you want to quit?"),
            markup=False,
        )

    def action_show_help_panel(self) -> None:
        self.action_help()  # one help, translated, with every key of the screen

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        from hallterm.widgets.textual_i18n import TranslatedCommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(TranslatedCommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        from textual.theme import ThemeProvider

        from hallterm.widgets.textual_i18n import TranslatedCommandPalette

        self.push_screen(
            TranslatedCommandPalette(providers=[ThemeProvider], placeholder="Search for themes…")
        )

    def get_key_display(self, binding: Binding) -> str:
        from hallterm.widgets.textual_i18n import key_display

        return key_display(super().get_key_display(binding))

    def _restore_theme(self) -> None:
        """The theme chosen last time (saved in the config file), if Textual knows it."""
        theme = self.first_paint.theme
        if theme and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self.settings.theme:
            self.settings.theme = theme.name
            self._save_theme(theme.name)

    @work(thread=True, exit_on_error=False, group="config")
    def _save_theme(self, name: str) -> None:
        from hallterm.config_write import save_setting

        try:
            save_setting("theme", name)
        except OSError as exc:
            self.call_from_thread(
                self.notify_error,
                _("The theme could not be saved in the config file: {error}").format(error=exc),
            )

    # -- frame ---------------------------------------------------------------------------

    def refresh_header(self) -> None:
        from hallterm.widgets.chrome import StatusHeader

        for screen in self.screen_stack:
            for header in screen.query(StatusHeader):
                header.refresh_status()


def create_app(
    store: Store,
    settings: Settings | FirstPaint,
    clock: Clock | None = None,
    language: str | None = None,
    printer: Any = None,
) -> HalltermApp:
    return HalltermApp(store, settings, clock=clock, language=language, printer=printer)
