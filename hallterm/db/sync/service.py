"""The central sync service: an ASGI app (Starlette, served by uvicorn) in front of central.

It is the only thing that connects to central's database.  Stateless: every request is
one database transaction and nothing is kept between requests, so several ``serve``
processes, or hosts behind a load balancer, can serve one central PostgreSQL at once; they
coordinate only through the database (the station's ``sync_peer`` row lock orders pushes of
one station, the ``sync_feed`` lock orders feed writers).

Each process holds a small bounded pool with server-side timeouts (``service_process``): a
request never waits long for a lock and no transaction outlives its request.  A station's
request is read completely before its transaction starts, so a client that freezes or
vanishes mid-request holds nothing at central.  Each transaction authenticates the station
(``admin.authenticate``), then runs as its role (``roles.station_role``) so row-level
security applies.  See ``wire`` for the protocol.

With a timestamp authority configured (``serve --tsa`` or ``--tsa-url``, loaded once when
each process starts), every push transaction carries it so central's apply step extends the
certificates that arrive to B-LTA (``certificate_ltv.timestamp_received``); without one they
wait for ``hallterm central timestamp``.
"""

from __future__ import annotations

import gc
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import configure_mappers
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hallterm.clock import Clock
from hallterm.db.engine import Store
from hallterm.db.services.certificate_ltv import LTV_STEP, LtvSource, LtvStep
from hallterm.db.sync.central import (
    BulkInsertRefused,
    SyncRefused,
    authenticate,
    authenticate_pull,
    chain_state,
    check_central,
    own_events,
    problem_label,
    pull_page,
    receive,
)
from hallterm.db.sync.central.apply import Prepared, prepare
from hallterm.db.sync.central.common import ChainState, EventIn
from hallterm.db.sync.central.escrow import MAX_COPIES, own_copies, store_copies
from hallterm.db.sync.font_dictionary import DICTIONARY_HEADER
from hallterm.db.sync.roles import station_role
from hallterm.db.sync.rows import table_order
from hallterm.db.sync.service_reads import direct, peek
from hallterm.db.sync.wire import (
    ACCEPTS,
    BRIEF_STATUSES,
    CONTENT_TYPE,
    ENCODING,
    STATION_HEADER,
    BadBody,
    HashMismatch,
    UnknownDictionary,
    decode,
    encode,
    event_out,
    events_in,
    shared_dictionary,
)
from hallterm.i18n import _

MAX_PAGE = 1_000
MAX_BATCH = 20_000
BEHIND_WAIT_S = 3.0  # how long a pipelined batch waits for the batch it follows


class _Behind(Exception):
    """A pipelined batch arrived before the batch it follows was stored: try again shortly."""


@dataclass(frozen=True)
class _Push:
    """A push body as read before its transaction: the events with their row changes."""

    events: list[EventIn]
    prepared: Prepared
    copies: list[Any] | None
    after: int
    brief: bool  # results without the events' ids (``wire``)
    base: tuple[int, str] | None  # central's chain head the station thinks this batch follows


def _push_body(data: dict[str, Any]) -> _Push:
    """Read before the transaction, so before the station's lock: a pipelined batch is read
    while the one before it is written."""
    raw = data.get("events")
    if not isinstance(raw, list) or len(raw) > MAX_BATCH:
        raise BadBody("events missing or too many")
    copies = data.get("keys")
    if copies is not None and (not isinstance(copies, list) or len(copies) > MAX_COPIES):
        raise BadBody("keys must be a list of [applicant_id, copy]")
    events = events_in(raw)
    after = int(data.get("after") or 0)
    base = data.get("base")
    if base is not None:
        if not isinstance(base, list) or len(base) != 2:
            raise BadBody("base must be [seq, hash]")
        base = (int(base[0]), str(base[1]))
    return _Push(events, prepare(events), copies, after, data.get("brief") is True, base)


class _Diverged(Exception):
    """A batch sent with its ``base`` found the station's chain at central elsewhere."""


class _Reject(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _reply(value: dict[str, Any], status: int = 200) -> Response:
    return Response(
        encode(value),
        status_code=status,
        media_type=CONTENT_TYPE,
        headers={"Content-Encoding": ENCODING},
    )


def _refusal(status: int, message: str) -> Response:
    return _reply({"error": message}, status)


class _Caller(NamedTuple):
    code: str  # the station this request speaks for
    role: str  # its database role (``roles.station_role``)
    # A pull's newest readable feed id and the station's chain head, read with the credential.
    start: tuple[int, ChainState] | None = None


def _authenticated(session: Session, request: Request, pull: bool = False) -> _Caller:
    """The station this request speaks for; 401 unless its credential is current.
    ``pull``: read the feed's top and the chain's head in the same statement."""
    code = request.headers.get(STATION_HEADER, "").strip()
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    if not code or not token:
        raise _Reject(401, _("no station credential was sent; enrol the station first"))
    start = None
    if pull:
        role, start = authenticate_pull(direct(session), code, token)
    else:
        role = authenticate(direct(session), code, token)
    if role is None:
        raise _Reject(
            401,
            _("central does not accept this station's credential (wrong or revoked); enrol again"),
        )
    return _Caller(code, role, start)


def make_app(store: Store, clock: Clock | None = None, ltv: LtvSource | None = None) -> Starlette:
    """The service for one central store (tests build it directly; ``serve`` through uvicorn).

    ``ltv``: central's TSA, to extend certificates to B-LTA as their records arrive.
    """
    clock = clock or Clock()
    ltv_step = LtvStep(ltv, clock) if ltv is not None else None

    def handler(
        work: Callable[[Session, _Caller, Any], dict[str, Any]],
        *,
        write: bool,
        parse: Callable[[dict[str, Any]], Any] | None = None,
        pull: bool = False,
    ) -> Callable[[Request], Any]:
        """``parse``: reads the body once the credential is checked, before the transaction
        and only once (a pipelined push that waits for the batch before it is not read again
        at each try).  ``pull``: the credential comes with the feed's top (``_Caller.start``)."""

        async def endpoint(request: Request) -> Response:
            body = await request.body()  # read completely before any transaction starts
            from starlette.concurrency import run_in_threadpool

            return await run_in_threadpool(_run, request, body, work, write, parse, pull)

        return endpoint

    def _run(
        request: Request,
        body: bytes,
        work: Callable[[Session, _Caller, Any], dict[str, Any]],
        write: bool,
        parse: Callable[[dict[str, Any]], Any] | None,
        pull: bool,
    ) -> Response:
        try:
            dictionary = request.headers.get(DICTIONARY_HEADER, "")
            if parse is None:
                data: Any = decode(body, dictionary)
            else:
                # The credential first (a stranger's body is not even decompressed), then the
                # body is read holding no connection: the pool's few serve other stations meanwhile.
                with peek(store) as session:
                    _authenticated(session, request)
                data = parse(decode(body, dictionary))
            if write:
                waited = 0.0
                while True:
                    try:
                        with store.write() as session:
                            out = work(session, _authenticated(session, request), data)
                        break
                    except _Behind:  # nothing was written; the batch before it is on its way
                        if waited >= BEHIND_WAIT_S:
                            return _reply({"error": "behind", "behind": True}, 409)
                        time.sleep(0.02)
                        waited += 0.02
            else:
                with peek(store) as session:
                    out = work(session, _authenticated(session, request, pull), data)
            return _reply(out)
        except _Diverged:  # nothing written; the station pulls, then recovers what it must
            message = _("central's chain of this station is not where the station thought")
            return _reply({"error": message, "diverged": True}, 409)
        except _Reject as exc:
            return _refusal(exc.status, exc.message)
        except UnknownDictionary as exc:
            return _reply({"error": str(exc), "no_dictionary": True}, 415)
        except HashMismatch as exc:
            return _reply({"error": str(exc), "full_hashes": True}, 409)
        except BadBody as exc:
            return _refusal(400, _("the request could not be read: {why}").format(why=str(exc)))
        except SyncRefused as exc:
            return _refusal(409, str(exc))
        except (OperationalError, DBAPIError):
            return _refusal(503, _("central is busy; try again shortly"))

    known: dict[str, str] = {}  # central's id, read once: a store never stops being central

    def central_id(session: Session) -> str:
        if "id" not in known:
            known["id"] = check_central(session)
        return known["id"]

    def pull(session: Session, caller: _Caller, data: dict[str, Any]) -> dict[str, Any]:
        code = caller.code
        mine = central_id(session)
        cursor = int(data.get("cursor") or 0)
        limit = max(1, min(MAX_PAGE, int(data.get("limit") or 100)))
        # Read with the credential, before the station's role is taken: the statement itself
        # keeps to the feed rows and the chain the station may read.  An idle poll needs
        # nothing else.
        assert caller.start is not None  # the pull route asks for it (``handler(pull=True)``)
        top, head = caller.start
        if top > cursor:  # rows to read: as the station
            station_role(session, code, caller.role)
        page = pull_page(session, code, cursor, data.get("central_id") or None, limit, mine, top)
        return {
            "central_id": page.central_id,
            "items": [[i.id, i.topic, i.key, i.payload] for i in page.items],
            "cursor": page.cursor,
            "reset": page.reset,
            "more": page.more,
            "chain": [head.seq, head.hash],
            "accepts": list(ACCEPTS),
        }

    def push(session: Session, caller: _Caller, batch: _Push) -> dict[str, Any]:
        code = caller.code
        events, prepared, copies = batch.events, batch.prepared, batch.copies
        if any(e.station_code != code for e in events):
            raise _Reject(403, _("the batch holds events of another station; nothing was stored"))
        central_id(session)
        station_role(session, code, caller.role)
        if ltv_step is not None:
            session.info[LTV_STEP] = ltv_step
        after, base = batch.after, batch.base
        if (after or base is not None) and events:
            # Pipelined: the station sent this batch before the previous one was answered,
            # or before its pull told it where central's chain is.  Take the station's lock
            # and go on only once the batch before is stored, or if the chain is where the
            # station thinks it is.
            if session.get_bind().dialect.name == "postgresql":  # SQLite: the write lock is held
                session.execute(
                    text("SELECT 1 FROM sync_peer WHERE station_code = :c FOR UPDATE"),
                    {"c": code},
                )
            head = chain_state(session, code)
            if head.seq < after:
                raise _Behind()
            if base is not None and (head.seq, head.hash) != base:
                raise _Diverged()
        try:
            with session.begin_nested():
                replies = receive(session, code, events, clock.now(), fast=True, prepared=prepared)
        except BulkInsertRefused:
            replies = receive(session, code, events, clock.now(), fast=False, prepared=prepared)
        head = chain_state(session, code)
        out: dict[str, Any] = {}
        if copies is not None:  # escrow copies of person keys, beside the events
            out["keys"] = store_copies(session, code, copies, clock.now())
        results: list[Any] = [
            [
                r.event_id,
                "refused" if r.status == "conflict" else r.status,
                r.problem,
                problem_label(r.problem) if r.problem else "",
            ]
            for r in replies
        ]
        if batch.brief:  # without the ids: a few bytes instead of ~16 per event on the link
            out["last"] = events[-1].id if events else ""
            results = [r[1] if r[1] in BRIEF_STATUSES else r[1:] for r in results]
        return out | {"results": results, "chain": [head.seq, head.hash]}

    def own(session: Session, caller: _Caller, data: dict[str, Any]) -> dict[str, Any]:
        code = caller.code
        station_role(session, code, caller.role)
        after = int(data.get("after") or 0)
        limit = max(1, min(MAX_PAGE, int(data.get("limit") or 500)))
        if "keys_after" in data:  # the station's escrow copies (its recovery), a page of them
            keys_after = str(data.get("keys_after") or "")
            copies = own_copies(session, code, keys_after, limit + 1)
            return {"keys": [list(c) for c in copies[:limit]], "more": len(copies) > limit}
        events = own_events(session, code, after, limit + 1)
        return {"events": [event_out(e) for e in events[:limit]], "more": len(events) > limit}

    routes = [
        Route("/v1/pull", handler(pull, write=False, pull=True), methods=["POST"]),
        Route("/v1/push", handler(push, write=True, parse=_push_body), methods=["POST"]),
        Route("/v1/own", handler(own, write=False), methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=_warm_up)
    app.state.store = store
    app.state.ltv = ltv
    return app


@asynccontextmanager
async def _warm_up(app: Starlette) -> AsyncIterator[None]:
    """Load before the first request, not during it: the compression dictionary, the
    calendar modules central's rollups import on first use, every table a pushed row may
    name (their model modules), the ORM's mappers and the first database connection with its
    driver (together ~0.8 s a worker).

    All of that lives as long as the worker, so it is then moved out of the cyclic garbage
    collector's way (``gc.freeze``): a batch's parse makes enough objects to start full
    passes, and each walked the whole heap (~0.1 s in the middle of a 1,000-event batch)."""
    from starlette.concurrency import run_in_threadpool

    def load() -> None:
        import hallterm.db.services.calendar  # noqa: F401
        import hallterm.db.services.efficiency.workdays  # noqa: F401

        shared_dictionary()
        table_order()
        configure_mappers()
        with app.state.store.engine.connect():
            pass

    await run_in_threadpool(load)
    gc.collect()
    gc.freeze()
    yield
