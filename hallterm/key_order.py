"""Keys in the order they were typed, in the fields they were meant for.

Textual hands each key to the widget focused *when the app dequeues it*.  A burst (an ID
card reader, a barcode scanner, a paste, fast typing over a slow SSH link) puts many keys in
the app's queue at once, so ``user⇥pass⏎`` reached the user-name field whole: the Tab had
not moved the focus yet when the app handed on the keys behind it.  The same race hits
every focus change made by a handler (Enter moving to the next field) and every screen push.

``KeyOrder`` (mixed into the App) keeps a backlog and hands on one key at a time: the next
key only once every widget of the screen (and the app) has processed what the previous key
caused, so focus moves and screen pushes land first.  A screen can also hold the keys
while it waits for a worker whose answer moves the focus (``holds_keys``, e.g. the sign-in
check), for at most ``HOLD_LIMIT`` seconds so the keyboard never freezes.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from textual import events
from textual.app import App

HOLD_LIMIT = 5.0  # seconds a screen may hold the keys while it waits for a worker
_CLEAN_ROUNDS = 2  # settle rounds in a row that found every queue empty


class KeyOrder(App[Any]):
    """App mix-in: keys are delivered one at a time, each after the previous one settled."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key_backlog: deque[events.Key] = deque()
        self._key_in_flight = False
        self._clean_rounds = 0
        self._held_since: float | None = None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._key_backlog.append(event)
            if not self._key_in_flight:
                await self._deliver_key()
            return
        await super().on_event(event)

    @property
    def keys_pending(self) -> int:
        """Keys received and not yet handed on (tests and the status line may show it)."""
        return len(self._key_backlog) + (1 if self._key_in_flight else 0)

    async def _deliver_key(self) -> None:
        if not self._key_backlog:
            self._key_in_flight = False
            return
        if self._screen_holds_keys():
            self._key_in_flight = True
            self.set_timer(0.02, self._retry_held)
            return
        self._key_in_flight = True
        key = self._key_backlog.popleft()
        try:
            await super().on_event(key)
        finally:  # a failing key must not stop the keys behind it
            self._clean_rounds = 0
            self._settle_round()

    def _screen_holds_keys(self) -> bool:
        try:
            holds = bool(getattr(self.screen, "holds_keys", False))
        except Exception:  # no screen yet
            holds = False
        if not holds:
            self._held_since = None
            return False
        now = time.monotonic()
        if self._held_since is None:
            self._held_since = now
        return now - self._held_since < HOLD_LIMIT

    def _retry_held(self) -> None:
        """Still held: wait on; released: let the screen settle (a new one mount) first."""
        if self._screen_holds_keys():
            self.set_timer(0.02, self._retry_held)
            return
        self._clean_rounds = 0
        self._settle_round()

    def _settle_round(self) -> None:
        """Queue a marker behind everything each node has; when all ran, check the queues."""
        try:
            nodes = [*self.screen.walk_children(with_self=True)]
        except Exception:
            nodes = []
        remaining = 0

        def marker() -> None:
            nonlocal remaining
            remaining -= 1
            if remaining == 0:
                self.call_later(self._round_done, nodes)

        for node in nodes:
            if node.call_later(marker):
                remaining += 1
        if remaining == 0:
            self.call_later(self._round_done, nodes)

    async def _round_done(self, nodes: list[Any]) -> None:
        try:
            current = [*self.screen.walk_children(with_self=True)]
        except Exception:
            current = []
        busy = any(not node._message_queue.empty() for node in (*nodes, *current))
        self._clean_rounds = 0 if busy else self._clean_rounds + 1
        if self._clean_rounds < _CLEAN_ROUNDS:
            self._settle_round()
            return
        self._key_in_flight = False
        if self._key_backlog:
            await self._deliver_key()
