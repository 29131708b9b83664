"""Running sync: once (push, then pull) or continuously with back-off; the local status.

``sync_once`` is what ``hallterm sync`` and the terminal's background worker call.  It never
holds a local write lock while waiting for the network (each local transaction is short),
so the clerk never waits for central.  The outcome is stamped into ``store_info``
(``sync.last_ok``, ``sync.last_attempt``, ``sync.last_error``) for the status line.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlmodel import Session, col

from hallterm.clock import Clock
from hallterm.db.engine import Store, normalize_url
from hallterm.db.models_sync import SyncQuarantine
from hallterm.db.services import Actor, Ctx
from hallterm.db.services.setup import get_info, set_info
from hallterm.db.sync.central import SyncRefused, check_central, note_pull
from hallterm.db.sync.pull import pull
from hallterm.db.sync.push import push, reconcile, unsent_count
from hallterm.i18n import _

LAST_OK = "sync.last_ok"
LAST_ATTEMPT = "sync.last_attempt"
LAST_ERROR = "sync.last_error"
# libpq settings for a weak link: give up connecting after 10 s, notice a dead peer in ~20 s.
PG_TIMEOUTS = {
    "connect_timeout": "10",
    "keepalives": "1",
    "keepalives_idle": "10",
    "keepalives_interval": "3",
    "keepalives_count": "3",
    "tcp_user_timeout": "30000",
    # psycopg prepares a statement after 5 runs; a generic plan made while the event table
    # was small (sequential scan) would then stay, and each batch would scan the whole table.
    "options": "-c plan_cache_mode=force_custom_plan",
}


@dataclass
class SyncSummary:
    pushed: int = 0
    duplicates: int = 0
    conflicts: int = 0
    pulled: int = 0
    pull_conflicts: int = 0
    requeued: int = 0
    reset: bool = False
    diverged: str = ""


@dataclass(frozen=True)
class LocalStatus:
    """What the status line shows, read from the station's own store only."""

    station_code: str
    waiting: int
    last_ok: datetime | None
    last_attempt: datetime | None
    last_error: str
    conflicts: int


Progress = Callable[[str, int], None]  # ("push" | "pull", how many just done)


def open_central(url: str) -> Store:
    """A store for the central URL; on PostgreSQL with connect and keep-alive timeouts."""
    full = normalize_url(url)
    if full.startswith("postgresql"):
        parsed = make_url(full)
        query = {**PG_TIMEOUTS, **dict(parsed.query)}
        full = parsed.set(query=query).render_as_string(hide_password=False)
    return Store(full)


def sync_ctx(station_code: str, clock: Clock) -> Ctx:
    actor = Actor(
        staff_id="", username="sync", name="sync", role="admin", station_code=station_code
    )
    return Ctx(actor=actor, station_code=station_code, clock=clock)


def station_code_of(local: Store) -> str:
    with local.read() as ls:
        role = get_info(ls, "role")
        code = get_info(ls, "station_code")
    if role == "central":
        raise SyncRefused(_("the store is a central store; give a station store with --store"))
    if not code:
        raise SyncRefused(_("the store has no station yet; run: hallterm init"))
    return code


def sync_once(
    local: Store,
    central: Store,
    *,
    batch: int = 200,
    clock: Clock | None = None,
    progress: Progress | None = None,
    page_size: int = 100,
) -> SyncSummary:
    """Push every waiting event, then pull every new feed item.  Raises on failure."""
    clock = clock or Clock()
    code = station_code_of(local)
    try:
        with central.read() as cs:
            check_central(cs)
        requeued, diverged = reconcile(local, central, code, clock.now())
        pushed = push(
            local,
            central,
            code,
            batch=batch,
            now=clock.now,
            progress=(lambda n: progress("push", n)) if progress else None,
        )
        pulled = pull(
            local,
            central,
            sync_ctx(code, clock),
            page_size=page_size,
            progress=(lambda n: progress("pull", n)) if progress else None,
        )
        with central.write() as cs:
            note_pull(cs, code, clock.now())
    except Exception as exc:
        _stamp(local, clock, error=describe_error(exc))
        raise
    _stamp(local, clock, error=None)
    return SyncSummary(
        pushed=pushed.pushed,
        duplicates=pushed.duplicates,
        conflicts=pushed.conflicts,
        pulled=pulled.pulled,
        pull_conflicts=pulled.conflicts,
        requeued=requeued,
        reset=pulled.reset,
        diverged=diverged,
    )


def describe_error(exc: Exception) -> str:
    """A one-line reason without credentials (driver messages never contain the password)."""
    if isinstance(exc, SyncRefused):
        return str(exc)
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def _stamp(local: Store, clock: Clock, error: str | None) -> None:
    try:
        with local.write() as ls:
            now = clock.now().isoformat()
            set_info(ls, LAST_ATTEMPT, now)
            if error is None:
                set_info(ls, LAST_OK, now)
                set_info(ls, LAST_ERROR, "")
            else:
                set_info(ls, LAST_ERROR, error)
    except Exception:  # noqa: BLE001 - the status stamp must never hide the real outcome
        pass


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def local_status(session: Session) -> LocalStatus:
    code = get_info(session, "station_code") or ""
    conflicts: int = session.execute(
        select(func.count())
        .select_from(SyncQuarantine)
        .where(col(SyncQuarantine.resolved_at).is_(None))
    ).scalar_one()
    return LocalStatus(
        station_code=code,
        waiting=unsent_count(session, code) if code else 0,
        last_ok=_when(get_info(session, LAST_OK)),
        last_attempt=_when(get_info(session, LAST_ATTEMPT)),
        last_error=get_info(session, LAST_ERROR) or "",
        conflicts=conflicts,
    )


def backoff_delays(
    base: float = 2.0, cap: float = 300.0, rng: random.Random | None = None
) -> Callable[[int], float]:
    """Delay before retry number ``n`` (1, 2, …): exponential with jitter, at most ``cap``."""
    rng = rng or random.Random()

    def delay(n: int) -> float:
        top = min(cap, base * (2 ** max(0, n - 1)))
        return float(top / 2 + rng.random() * top / 2)

    return delay


def watch(
    local: Store,
    central_url: str,
    *,
    interval: float,
    batch: int = 200,
    clock: Clock | None = None,
    stop: threading.Event | None = None,
    on_result: Callable[[SyncSummary | None, Exception | None], None] | None = None,
    progress: Progress | None = None,
) -> None:
    """Sync every ``interval`` seconds until ``stop`` is set; back off after failures."""
    stop = stop or threading.Event()
    delay = backoff_delays(cap=max(interval, 300.0))
    failures = 0
    central: Store | None = None
    while not stop.is_set():
        try:
            central = central or open_central(central_url)
            summary = sync_once(local, central, batch=batch, clock=clock, progress=progress)
        except SyncRefused as exc:
            failures += 1
            if on_result:
                on_result(None, exc)
        except Exception as exc:  # noqa: BLE001 - a broken link is retried with back-off
            failures += 1
            if central is not None:
                central.dispose()  # drop broken connections
                central = None
            if on_result:
                on_result(None, exc)
        else:
            failures = 0
            if on_result:
                on_result(summary, None)
        stop.wait(delay(failures) if failures else interval)
    if central is not None:
        central.dispose()
