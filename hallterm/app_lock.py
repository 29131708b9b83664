"""The terminal's idle lock: the lock screen after idle minutes, nothing past it until unlocked.

``LockingApp`` is the base of the terminal app.  Any key or click counts as input; after
``idle_lock_minutes`` without one the lock screen covers the signed-in session and the
screens' own timers pause.  While locked nothing but the unlock form runs: the app's
``check_action`` offers only ``LOCKED_ACTIONS`` and the screen-stack guards below refuse
what a worker or timer of a screen under the lock asks.
"""

from __future__ import annotations

import time
from typing import Any

from textual.await_complete import AwaitComplete
from textual.screen import Screen

from hallterm.app_base import HallApp
from hallterm.db.services import Actor

LOCKED_ACTIONS = frozenset({"logout"})  # the only app action the lock screen offers


class LockingApp(HallApp):
    """A ``HallApp`` that locks itself when idle (the signed-in ``actor`` is the subclass's)."""

    actor: Actor | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """``HallApp``'s arguments; the app starts unlocked, its idle time counted from now."""
        super().__init__(*args, **kwargs)
        # While locked nothing but the unlock form runs: see ``check_action`` and the
        # screen-stack guards below.
        self.locked = False
        self._unlocking = False

    def _check_idle(self) -> None:
        limit = self.settings.idle_lock_minutes * 60
        if self.actor is not None and limit and time.monotonic() - self._last_input >= limit:
            self.action_lock()

    def action_lock(self) -> None:
        from hallterm.screens.lock import LockScreen

        if self.actor is not None and not self.locked:
            self.locked = True
            self._pause_timers_below()
            self.push_screen(LockScreen())

    def _pause_timers_below(self) -> None:
        """Stop the screens' own timers (refreshes, countdowns) until the lock is lifted."""
        self._paused_timers = []
        for screen in self.screen_stack:
            for node in (screen, *screen.walk_children()):
                for timer in list(getattr(node, "_timers", ())):
                    timer.pause()
                    self._paused_timers.append(timer)

    def _resume_timers(self) -> None:
        for timer in getattr(self, "_paused_timers", ()):
            timer.resume()
        self._paused_timers = []

    def unlocked(self) -> None:
        """The lock screen accepted the password: remove it and let keys through again."""
        from hallterm.screens.lock import LockScreen

        if self.locked and isinstance(self.screen, LockScreen):
            self._unlocking = True
            try:
                self.pop_screen()
            finally:
                self._unlocking = False
        self.locked = False
        self._resume_timers()
        self._last_input = time.monotonic()

    # Screen-stack guards: while locked, a worker or timer of a screen below the lock can
    # neither put a screen above it nor take the lock screen away.

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        from textual.widget import AwaitMount

        from hallterm.screens.lock import LockScreen

        if self.locked and not isinstance(screen, LockScreen):
            self.log.system(f"locked: refused to push {screen!r}")
            return AwaitMount(self.screen, [])
        return super().push_screen(screen, *args, **kwargs)

    def pop_screen(self) -> AwaitComplete:
        if self.locked and not self._unlocking:
            self.log.system("locked: refused to pop the lock screen")
            return AwaitComplete.nothing()
        return super().pop_screen()

    def switch_screen(self, screen: Screen[Any] | str) -> AwaitComplete:
        if self.locked:
            self.log.system(f"locked: refused to switch to {screen!r}")
            return AwaitComplete.nothing()
        return super().switch_screen(screen)
