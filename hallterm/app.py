"""The Textual application: sign-in, the frame, global keys, language, idle lock, palette.

``create_app`` is the one factory used by the CLI and by tests; store, settings, clock and
printer are injected so tests are deterministic.  The app never touches the database on the
event loop: screens run their queries in thread workers and hand plain data back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from textual import events, work
from textual.binding import Binding

from hallterm.actions import ACTIONS, actions_for
from hallterm.app_base import HallApp
from hallterm.clock import Clock
from hallterm.config import Settings
from hallterm.db.engine import Store
from hallterm.db.services import Actor, Ctx
from hallterm.domain.search import MatterIndex, SearchItem
from hallterm.i18n import current_language, set_language


@dataclass(frozen=True)
class StationInfo:
    code: str
    name: str
    level: str


class HalltermApp(HallApp):
    CSS_PATH = "app.tcss"
    TITLE = "hallterm"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding(
            a.key,
            a.action,
            a.title,
            show=a.id not in ("lock", "logout", "quit"),
            priority=True,
        )
        for a in ACTIONS
    ]

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Clock | None = None,
        language: str | None = None,
        printer: Any = None,
    ) -> None:
        from hallterm.commands import ActionCommands, MatterCommands

        type(self).COMMANDS = {ActionCommands, MatterCommands}
        super().__init__(store, settings, clock=clock, language=language)
        self.printer = printer
        self.actor: Actor | None = None
        self.station: StationInfo | None = None
        self.window = settings.window
        self.matter_index: MatterIndex = MatterIndex([])
        self._last_input = time.monotonic()

    # -- context -------------------------------------------------------------------------

    @property
    def station_name(self) -> str:
        return self.station.name if self.station else ""

    def ctx(self) -> Ctx:
        """The acting clerk for services (the store's own station receives the events)."""
        from hallterm.db.services import SYSTEM

        actor = self.actor or SYSTEM
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

        self.push_screen(LoginScreen())
        self._load_station()
        if self.settings.idle_lock_minutes:
            self.set_interval(5, self._check_idle)
        from hallterm.widgets.sync_status import SyncMonitor

        # Background sync; its status goes into every header's ``extra`` text.
        self.sync_monitor = SyncMonitor(self)
        self.sync_monitor.start()

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
        from hallterm.db.services.catalog import query as cq

        with self.store.read() as session:
            items = [
                SearchItem(
                    key=m.code,
                    name=m.name,
                    kind="matter",
                    department=m.department,
                    codes=(m.code, m.basic_code),
                )
                for m in cq.matters(session)
            ] + [
                SearchItem(key=b.code, name=b.name, kind="bundle", department="", codes=(b.code,))
                for b in cq.bundles(session)
            ]
        index = MatterIndex(items)
        self.call_from_thread(setattr, self, "matter_index", index)

    # -- signing in and out --------------------------------------------------------------

    def signed_in(self, actor: Actor) -> None:
        from hallterm.screens.home import HomeScreen

        self.actor = actor
        self.window = self.settings.window or actor.window
        self._last_input = time.monotonic()
        self.load_matter_index()
        self.switch_screen(HomeScreen())
        self.refresh_header()

    def action_logout(self) -> None:
        from hallterm.screens.login import LoginScreen

        self.actor = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(LoginScreen())
        self.refresh_header()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
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

    # -- idle lock -----------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def _check_idle(self) -> None:
        limit = self.settings.idle_lock_minutes * 60
        if self.actor is not None and limit and time.monotonic() - self._last_input >= limit:
            self.action_lock()

    def action_lock(self) -> None:
        from hallterm.screens.lock import LockScreen

        if self.actor is not None and not isinstance(self.screen, LockScreen):
            self.push_screen(LockScreen())

    # -- frame ---------------------------------------------------------------------------

    def refresh_header(self) -> None:
        from hallterm.widgets.chrome import StatusHeader

        for screen in self.screen_stack:
            for header in screen.query(StatusHeader):
                header.refresh_status()


def create_app(
    store: Store,
    settings: Settings,
    clock: Clock | None = None,
    language: str | None = None,
    printer: Any = None,
) -> HalltermApp:
    return HalltermApp(store, settings, clock=clock, language=language, printer=printer)
