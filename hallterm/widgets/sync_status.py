"""The terminal's background sync and its status in the header (``StatusHeader.extra``).

Every ``sync_interval_seconds`` a thread worker syncs through the same client as
``hallterm sync`` (``enrol.client_for`` + ``runner.sync_once``) when the store is enrolled;
the clerk never waits for it, and a broken link only changes the header to "offline" and
backs off.  The header shows online/offline, the events waiting to be sent, the events
central refused, the last successful sync, open conflicts, and a warning once the station
has not synced for ``sync_warn_days`` days.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from hallterm.clock import fmt_local
from hallterm.i18n import _

if TYPE_CHECKING:
    from hallterm.db.sync.client import SyncClient
    from hallterm.db.sync.runner import LocalStatus


def status_text(
    status: LocalStatus | None,
    online: bool | None,
    now: datetime,
    warn_days: int,
    configured: bool = True,
) -> str:
    """The header text; ``online`` None means no attempt yet."""
    if not configured:
        parts = [_("sync: off")]
    elif online is None:
        parts = [_("sync: starting")]
    else:
        parts = [_("sync: online") if online else _("sync: offline")]
    if status is None:
        return " · ".join(parts)
    parts.append(_("{n} events to send").format(n=status.waiting))
    if status.refused:
        parts.append(_("{n} refused").format(n=status.refused))
    if status.last_ok is None:
        parts.append(_("never synced"))
    else:
        parts.append(_("synced {when}").format(when=fmt_local(status.last_ok)))
        days = (now - status.last_ok) // timedelta(days=1)
        if days >= warn_days:
            parts.append(_("⚠ not synced for {d} days").format(d=days))
    if status.conflicts:
        parts.append(_("{n} sync conflicts").format(n=status.conflicts))
    return " · ".join(parts)


class SyncMonitor:
    """Runs sync in a thread worker on a timer and keeps every header's status text current."""

    def __init__(self, app) -> None:
        self.app = app
        self._status: LocalStatus | None = None
        self.has_status = False  # the local status has been read at least once
        self.online: bool | None = None
        self._busy = False
        self._failures = 0
        self._next_at = 0.0
        self._client: SyncClient | None = None
        self.enrolled = False

    def start(self) -> None:
        self.app.set_interval(1, self.show)  # new screens get the text too
        self.app.set_interval(self.app.settings.sync_interval_seconds, self.tick)
        self.tick()

    def tick(self) -> None:
        if self._busy or time.monotonic() < self._next_at:
            return
        self._busy = True
        self.app.run_worker(self._work, thread=True, exit_on_error=False, group="sync", name="sync")

    def _work(self) -> None:
        """Thread: sync (if a central is configured), then read the local status."""
        try:
            from hallterm.db.sync.enrol import enrolled

            with self.app.store.read() as session:
                self.enrolled = enrolled(session)
            if self.enrolled:
                self._sync()
            status = self._read_status()
            self.app.call_from_thread(self._set_status, status)
        except Exception:  # noqa: BLE001 - the status line must never end the app
            pass
        finally:
            self._busy = False

    def _sync(self) -> None:
        from hallterm.db.sync.enrol import client_for
        from hallterm.db.sync.runner import backoff_delays, sync_once

        try:
            self._client = self._client or client_for(self.app.store)
            sync_once(
                self.app.store,
                self._client,
                batch=self.app.settings.sync_batch,
                clock=self.app.clock,
            )
        except Exception:  # noqa: BLE001 - offline: try again later, with back-off
            self.online = False
            self._failures += 1
            if self._client is not None:
                self._client.close()
                self._client = None
            self._next_at = time.monotonic() + backoff_delays(
                base=self.app.settings.sync_interval_seconds, cap=600
            )(self._failures)
        else:
            self.online = True
            self._failures = 0
            self._next_at = 0.0

    def _read_status(self) -> LocalStatus:
        from hallterm.db.sync.runner import local_status

        with self.app.store.read() as session:
            return local_status(session)

    def _set_status(self, status: LocalStatus) -> None:
        self._status = status
        self.has_status = True
        self.show()

    @property
    def text(self) -> str:
        """The status in the current language (worded when shown, so a language switch
        reaches the header without waiting for the next sync)."""
        if not self.has_status:
            return ""
        return status_text(
            self._status,
            self.online,
            self.app.clock.now(),
            self.app.settings.sync_warn_days,
            configured=self.enrolled,
        )

    def show(self) -> None:
        from hallterm.widgets.chrome import StatusHeader

        text = self.text
        for screen in self.app.screen_stack:
            for header in screen.query(StatusHeader):
                # A header being (re)composed has no text field yet: its turn comes next tick.
                if header.extra != text and header.query("#hdr-extra"):
                    header.extra = text

    def stop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
