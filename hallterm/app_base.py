"""The base of every hallterm application (terminal, kiosk, public display).

It holds what each one is given (store, settings, clock, language), shows errors as plain
text, and is the fallback for failed workers: a thread worker that ends in error posts
``Worker.StateChanged``, which bubbles up to the App, and the clerk reads a translated
message (``hallterm.failures``) instead of a screen that waits forever.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState

from hallterm.clock import Clock
from hallterm.config import Settings
from hallterm.db.engine import Store
from hallterm.failures import failure_message
from hallterm.i18n import _, set_language
from hallterm.key_order import KeyOrder


class HallApp(KeyOrder):
    """Store, settings, clock and language, error notices and the worker-failure fallback.

    A ``KeyOrder`` app: keys typed in a burst (a card reader, a scanner, fast typing) reach
    their fields in order, in the terminal, the kiosk and the display alike.
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Clock | None = None,
        language: str | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.clock = clock or Clock()
        set_language(language or settings.language or None)

    def notify_error(self, message: str) -> None:
        """A red notice; ``message`` is plain text, never markup (it may quote user data)."""
        self.notify(message, title=_("Error"), severity="error", markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """No worker fails silently: an unhandled error becomes a translated notice."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.notify_error(failure_message(event.worker.error))
