"""Running sync: once (pull, recover, push) or continuously with back-off; the local status.

``sync_once`` is what ``hallterm sync`` and the terminal's background worker call, through
the same ``SyncClient``.  It never holds a local write lock while waiting for the network
(each local transaction is short), so the clerk never waits for central.  A sync with
nothing to send or pull is one request (the first pull page).  The outcome is stamped into
``store_info`` (``sync.last_ok``, ``sync.last_attempt``, ``sync.last_error``) for the status.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from hallterm.clock import Clock
from hallterm.db.engine import Store
from hallterm.db.models_sync import SyncQuarantine
from hallterm.db.services import Actor, Ctx
from hallterm.db.services.setup import get_info, set_info
from hallterm.db.sync.central.common import SyncRefused
from hallterm.db.sync.client import SyncClient
from hallterm.db.sync.enrol import ACCEPTS_KEY, central_accepts
from hallterm.db.sync.pull import pull
from hallterm.db.sync.push import (
    PUSH_TABLE,
    BatchSize,
    Refusal,
    push,
    send_early,
    unsent_count,
)
from hallterm.db.sync.recover import needs_recovery, recover_own, requeue_lost
from hallterm.i18n import _

LAST_OK = "sync.last_ok"
LAST_ATTEMPT = "sync.last_attempt"
LAST_ERROR = "sync.last_error"


@dataclass
class SyncSummary:
    pushed: int = 0
    duplicates: int = 0
    refused: list[Refusal] = field(default_factory=list)
    pulled: int = 0
    pull_conflicts: int = 0
    requeued: int = 0
    recovered: int = 0
    reset: bool = False
    left: int = 0  # events still waiting after this sync (refused ones included)
    requests: int = 0

    @property
    def conflicts(self) -> int:
        return len(self.refused)


@dataclass(frozen=True)
class LocalStatus:
    """What the status line shows, read from the station's own store only."""

    station_code: str
    waiting: int
    refused: int
    last_ok: datetime | None
    last_attempt: datetime | None
    last_error: str
    conflicts: int


Progress = Callable[[str, int], None]  # ("push" | "pull", how many just done)


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
    client: SyncClient,
    *,
    batch: int | BatchSize = 200,
    clock: Clock | None = None,
    progress: Progress | None = None,
    page_size: int = 100,
) -> SyncSummary:
    """Pull, recover what central holds and this station lost, push.  Raises on failure."""
    clock = clock or Clock()
    sizes = batch if isinstance(batch, BatchSize) else BatchSize(batch)
    code = station_code_of(local)
    summary = SyncSummary()
    first = client.requests
    early = None
    try:
        with local.read() as ls:
            known = client.accepts = central_accepts(ls)
        # The first batch goes beside the pull: on a slow link the push starts a round trip
        # sooner.  Central stores it only if the station's chain there is where the station
        # last saw it, otherwise it is dropped and the careful order follows; so it goes only
        # to a central that said it checks (an older one would store it unchecked).
        early = send_early(local, client, code, sizes) if "base" in client.accepts else None
        try:
            pulled = pull(
                local,
                client,
                sync_ctx(code, clock),
                page_size=page_size,
                progress=(lambda n: progress("pull", n)) if progress else None,
            )
            if early is not None and pulled.chain != early.base:
                early.drop()
                early = None
            if client.accepts != known:  # kept for the next sync's first batch
                with local.write() as ls:
                    set_info(ls, ACCEPTS_KEY, " ".join(sorted(client.accepts)))
            summary.pulled, summary.pull_conflicts, summary.reset = (
                pulled.pulled,
                pulled.conflicts,
                pulled.reset,
            )
            if pulled.chain is not None:
                if needs_recovery(local, code, pulled.chain):
                    summary.recovered = recover_own(local, client, code, clock.now())
                else:
                    summary.requeued = requeue_lost(local, code, pulled.chain)
        except BaseException:
            if early is not None:
                early.drop()
            raise
        pushed = push(
            local,
            client,
            code,
            batch=sizes,
            now=clock.now,
            progress=(lambda n: progress("push", n)) if progress else None,
            early=early,
        )
        summary.pushed, summary.duplicates, summary.refused = (
            pushed.pushed,
            pushed.duplicates,
            pushed.refused,
        )
    except Exception as exc:
        summary.requests = client.requests - first
        _stamp(local, clock, error=describe_error(exc))
        raise
    summary.requests = client.requests - first
    with local.read() as ls:
        summary.left = unsent_count(ls, code)
    _stamp(local, clock, error=None)
    return summary


def describe_error(exc: Exception) -> str:
    """A one-line reason without credentials."""
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


def _open(session: Session, push_only: bool) -> int:
    query = (
        select(func.count())
        .select_from(SyncQuarantine)
        .where(col(SyncQuarantine.resolved_at).is_(None))
    )
    if push_only:
        query = query.where(col(SyncQuarantine.table_name) == PUSH_TABLE)
    else:
        query = query.where(col(SyncQuarantine.table_name) != PUSH_TABLE)
    return int(session.execute(query).scalar_one())


def local_status(session: Session) -> LocalStatus:
    code = get_info(session, "station_code") or ""
    return LocalStatus(
        station_code=code,
        waiting=unsent_count(session, code) if code else 0,
        refused=_open(session, push_only=True),
        last_ok=_when(get_info(session, LAST_OK)),
        last_attempt=_when(get_info(session, LAST_ATTEMPT)),
        last_error=get_info(session, LAST_ERROR) or "",
        conflicts=_open(session, push_only=False),
    )


@dataclass(frozen=True)
class RefusedView:
    event_id: str
    seq: int | None
    problem: str
    message: str
    at: datetime


def refused_events(session: Session) -> list[RefusedView]:
    """The station's events central refused and that are still undelivered."""
    rows: list[SyncQuarantine] = list(
        session.execute(
            select(SyncQuarantine)
            .where(
                col(SyncQuarantine.table_name) == PUSH_TABLE,
                col(SyncQuarantine.resolved_at).is_(None),
            )
            .order_by(SyncQuarantine.seq)  # type: ignore[arg-type]
        ).scalars()
    )
    return [RefusedView(r.event_id or "", r.seq, r.problem, r.detail, r.created_at) for r in rows]


def backoff_delays(
    base: float = 2.0, cap: float = 300.0, rng: random.Random | None = None
) -> Callable[[int], float]:
    """Delay before retry number ``n`` (1, 2, …): exponential with jitter, at most ``cap``."""
    rng = rng or random.Random()

    def delay(n: int) -> float:
        top = float(min(cap, base * (2 ** max(0, n - 1))))
        return top / 2 + rng.random() * top / 2

    return delay


def watch(
    local: Store,
    make_client: Callable[[], SyncClient],
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
    sizes = BatchSize(batch)
    client: SyncClient | None = None
    while not stop.is_set():
        try:
            client = client or make_client()
            summary = sync_once(local, client, batch=sizes, clock=clock, progress=progress)
        except Exception as exc:  # noqa: BLE001 - a broken link is retried with back-off
            failures += 1
            if client is not None:
                client.close()
                client = None
            if on_result:
                on_result(None, exc)
        else:
            failures = 0
            if on_result:
                on_result(summary, None)
        stop.wait(delay(failures) if failures else interval)
    if client is not None:
        client.close()
