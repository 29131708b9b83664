"""The base of every hallterm application (terminal, kiosk, public display).

It holds what each one is given (store, settings, clock, language), notes when the last key
or click came (the idle lock's clock, and the garbage collector's: ``hallterm.gc_policy``
runs its full passes in pauses), shows errors as plain text, and is the fallback for failed
workers: a thread worker that ends in error posts
``Worker.StateChanged``, which bubbles up to the App, and the clerk reads a translated
message (``hallterm.failures``) instead of a screen that waits forever.

The settings are given loaded, or (the terminal started from the command line) as the
``FirstPaint`` preview: then ``settings`` loads the model on first use, which the terminal
does in a worker right after its first frame.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from textual import events
from textual.worker import Worker, WorkerState

from hallterm.clock import Clock
from hallterm.config_preview import FirstPaint
from hallterm.db.engine import Store
from hallterm.failures import failure_message
from hallterm.gc_policy import POLICY
from hallterm.i18n import _, set_language
from hallterm.key_order import KeyOrder

if TYPE_CHECKING:
    from hallterm.config import Settings


class HallApp(KeyOrder):
    """Store, settings, clock and language, error notices and the worker-failure fallback.

    A ``KeyOrder`` app: keys typed in a burst (a card reader, a scanner, fast typing) reach
    their fields in order, in the terminal, the kiosk and the display alike.
    """

    def __init__(
        self,
        store: Store,
        settings: Settings | FirstPaint,
        clock: Clock | None = None,
        language: str | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self._settings: Settings | None = None
        self._settings_lock = threading.Lock()
        if isinstance(settings, FirstPaint):
            self.first_paint = settings
        else:
            self.first_paint = FirstPaint.of(settings)
            self._settings = settings
        self.clock = clock or Clock()
        set_language(language or self.first_paint.language or None)
        self._last_input = time.monotonic()

    GC_TICK_S = 0.5  # how often the app asks the collector's policy whether a pass is due

    def on_mount(self) -> None:
        POLICY.install()
        self.set_interval(self.GC_TICK_S, self._gc_tick)

    def _gc_tick(self) -> None:
        POLICY.tick(time.monotonic() - self._last_input)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_input = time.monotonic()
        await super().on_event(event)

    @property
    def settings(self) -> Settings:
        """The settings model, loaded here on first use when the app was given the preview
        (a ``SettingsError`` says what is wrong in them)."""
        with self._settings_lock:
            if self._settings is None:
                from hallterm.config import load_settings

                self._settings = load_settings(**self.first_paint.overrides)
            return self._settings

    @property
    def settings_loaded(self) -> bool:
        return self._settings is not None

    def notify_error(self, message: str) -> None:
        """A red notice; ``message`` is plain text, never markup (it may quote user data)."""
        self.notify(message, title=_("Error"), severity="error", markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """No worker fails silently: an unhandled error becomes a translated notice."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.notify_error(failure_message(event.worker.error))
