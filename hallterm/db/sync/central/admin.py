"""Central administration: making a central store, stations and their credentials, staff,
catalog versions, holidays and case transfers (each published to the stations that need it).

A station's credential is a random token made here once (``issue_credential``) and handed
to the station in its enrolment file; central keeps only its SHA-256 (the token carries 256
random bits, so a slow password hash would add nothing) and compares in constant time.
Revoking clears the hash: every later request of that station gets 401.

Each use case checks the acting person's permission first (``require``): the commands pass
the person signed in at central, the sync service and the demo central's own ``SYSTEM``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Connection, or_, text
from sqlmodel import Session, SQLModel, col, select

from hallterm.clock import Clock
from hallterm.db.engine import Store
from hallterm.db.events import append_event, snapshot
from hallterm.db.ids import new_id
from hallterm.db.migrate import upgrade
from hallterm.db.models import (
    Applicant,
    CaseMaterialLine,
    CaseMatter,
    CaseSuspension,
    ServiceCase,
    Staff,
    Station,
    StoredMaterial,
)
from hallterm.db.models_sync import SyncFeed, SyncPeer
from hallterm.db.services import SYSTEM, Actor, Ctx, ServiceError, record_event
from hallterm.db.services.efficiency_rollups import apply_case_change
from hallterm.db.services.permissions import require
from hallterm.db.services.setup import get_info, set_info, upsert_station
from hallterm.db.sync.central.accounts import ensure_central_station
from hallterm.db.sync.central.common import CENTRAL_CODE, ChainState
from hallterm.db.sync.central.escrow import share_with
from hallterm.db.sync.central.feed import TOP_AND_HEAD, publish, publish_rows, top_and_head_of
from hallterm.db.sync.central.relocate import relocate_case
from hallterm.domain.catalog import CatalogIn
from hallterm.domain.roles import Permission
from hallterm.i18n import _


def open_central(url: str) -> Store:
    """Central's store for the ``hallterm central …`` commands run at central (and the service)."""
    return Store(url)


def central_ctx(clock: Clock | None = None, actor: Actor = SYSTEM) -> Ctx:
    return Ctx(actor=actor, station_code=CENTRAL_CODE, clock=clock or Clock())


def init_central(store: Store) -> str:
    """Create or upgrade a central store (safe to run again); returns its central id."""
    upgrade(store)
    with store.write() as session:
        role = get_info(session, "role")
        if role and role != "central":
            raise ServiceError(
                _("this store is a {role} store, not a central store").format(role=role)
            )
        set_info(session, "role", "central")
        central_id = get_info(session, "central_id")
        if not central_id:
            central_id = new_id()
            set_info(session, "central_id", central_id)
        ensure_central_station(session)
    if store.dialect == "postgresql":
        from hallterm.db.sync.central.scale import scale_out
        from hallterm.db.sync.security import ensure_station_role, install_policies

        with store.write() as session:
            scale_out(session.connection(), Clock().today())  # keys by station, event by month
            install_policies(session)
            for code in session.exec(select(SyncPeer.station_code)):
                ensure_station_role(session, code)  # stations registered before (safe again)
    return central_id


def register_station(
    session: Session,
    ctx: Ctx,
    code: str,
    name: str,
    level: str,
    parent_code: str | None = None,
) -> None:
    """Register (or rename) a station at central and publish it to every station."""
    require(ctx, Permission.manage_stations)
    if code.strip() == CENTRAL_CODE:
        raise ServiceError(_("the station code {code} is central's own").format(code=CENTRAL_CODE))
    if parent_code and session.get(Station, parent_code) is None:
        raise ServiceError(_("unknown parent station {code}").format(code=parent_code))
    before = session.get(Station, code)
    old = (before.name, before.level, before.parent_code) if before else None
    station = upsert_station(session, ctx, code, name, level, parent_code)
    if session.get(SyncPeer, code) is None:
        session.add(SyncPeer(station_code=code))
        session.flush()
    if session.get_bind().dialect.name == "postgresql":
        from hallterm.db.sync.security import ensure_station_role

        ensure_station_role(session, code)
    if old != (station.name, station.level, station.parent_code):
        publish_rows(session, [station], key=f"station:{code}", now=ctx.clock.now())
    session.flush()


def add_staff(session: Session, ctx: Ctx, **fields: Any) -> Staff:
    """Create a staff account at central (``staff.create_staff``) and publish it to its station;
    an account of central itself (station ``central``) is central's own and not published."""
    from hallterm.db.services.staff import create_staff

    require(ctx, Permission.manage_staff)
    staff = create_staff(session, ctx, **fields)
    if staff.station_code == CENTRAL_CODE:
        return staff
    publish_rows(
        session,
        [staff],
        station_code=staff.station_code,
        key=f"staff:{staff.username}",
        now=ctx.clock.now(),
    )
    return staff


def publish_catalog(session: Session, ctx: Ctx, catalog: CatalogIn) -> str:
    """Import a catalog version at central and publish it; returns the import outcome."""
    from hallterm.db.services.catalog.io import import_catalog

    require(ctx, Permission.manage_catalog)
    outcome = import_catalog(session, ctx, catalog)
    already = session.exec(
        select(col(SyncFeed.id)).where(
            col(SyncFeed.topic) == "catalog", col(SyncFeed.key) == catalog.version
        )
    ).first()
    if outcome == "imported" or already is None:
        publish(
            session,
            "catalog",
            catalog.version,
            {"document": catalog.model_dump(mode="json")},
            now=ctx.clock.now(),
        )
    return outcome


def set_holiday(session: Session, ctx: Ctx, day: date, is_workday: bool, note: str = "") -> None:
    """An admin-kept calendar override at central, published to every station."""
    from hallterm.db.models import HolidayOverride
    from hallterm.db.services.calendar import set_override

    require(ctx, Permission.manage_calendar)
    set_override(session, ctx, day, is_workday, note)
    row = session.get(HolidayOverride, day)
    assert row is not None
    publish_rows(session, [row], key=f"holiday:{day.isoformat()}", now=ctx.clock.now())


@dataclass(frozen=True)
class Transfer:
    case_id: str
    number: str
    from_station: str
    to_station: str


def transfer_case(session: Session, ctx: Ctx, case_ref: str, to_station: str) -> Transfer:
    """通办: make ``to_station`` the owner of a case; both stations pull the change.

    The new owner pulls the whole case (applicant, matters, checklist, suspensions) and the
    escrow copy of the applicant's key (``escrow.share_with``); the old owner pulls the case
    row, so its own services stop changing it.  Changes the old owner
    made offline arrive later as ownership conflicts.  A supervisor's or an admin's decision.
    """
    require(ctx, Permission.supervise)
    query = select(ServiceCase).where(
        or_(col(ServiceCase.id) == case_ref.strip(), col(ServiceCase.number) == case_ref.strip())
    )
    case = session.exec(query.with_for_update()).first()
    if case is None:
        raise ServiceError(_("no such case"))
    if to_station == CENTRAL_CODE or session.get(Station, to_station) is None:
        raise ServiceError(_("unknown station {code}").format(code=to_station))
    old = case.station_code
    if old == to_station:
        raise ServiceError(
            _("case {number} already belongs to station {station}").format(
                number=case.number, station=to_station
            )
        )
    base = case.version
    relocate_case(session, case.id, old, to_station, ctx.clock.now())
    session.refresh(case)
    # The case's figures move to its new station with it.
    apply_case_change(session, case.id, kind="case.transferred", at=ctx.clock.now())
    append_event(
        session,
        station_code=ctx.station_code,
        entity="case",
        entity_id=case.id,
        kind="case.transferred",
        payload={
            "number": case.number,
            "from": old,
            "to": to_station,
            "rows": [snapshot(case, base)],
        },
        actor=ctx.actor.username,
        at=ctx.clock.now(),
    )
    applicant = session.get(Applicant, case.applicant_id)
    bundle: list[SQLModel] = [applicant] if applicant else []
    bundle.append(case)
    for model in (CaseMatter, CaseMaterialLine, CaseSuspension, StoredMaterial):
        bundle += list(session.exec(select(model).where(col(model.case_id) == case.id)))
    now = ctx.clock.now()
    publish_rows(session, bundle, station_code=to_station, key=f"case:{case.number}", now=now)
    publish_rows(session, [case], station_code=old, key=f"case:{case.number}", now=now)
    share_with(session, case.applicant_id, to_station, now)  # the applicant's escrowed key
    return Transfer(case.id, case.number, old, to_station)


# -- station credentials -----------------------------------------------------------------


_CREDENTIAL = text("SELECT credential_hash, role_name FROM sync_peer WHERE station_code = :c")
_PULL_START = text(
    "SELECT p.credential_hash, p.role_name, t.top, t.seq, t.hash FROM "
    f"({TOP_AND_HEAD}) t LEFT JOIN sync_peer p ON p.station_code = :c"
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_credential(session: Session, ctx: Ctx, code: str) -> str:
    """A new credential for a registered station (the old one stops working); the token.

    The event names who issued it, never the token.
    """
    require(ctx, Permission.manage_stations)
    peer = session.get(SyncPeer, code)
    if peer is None or session.get(Station, code) is None:
        raise ServiceError(_("unknown station {code}").format(code=code))
    token = secrets.token_urlsafe(32)
    peer.credential_hash = _digest(token)
    peer.enrolled_at = ctx.clock.now()
    peer.revoked_at = None
    session.add(peer)
    session.flush()
    record_event(
        session,
        ctx,
        entity="station",
        entity_id=code,
        kind="station.credential_issued",
        payload={"code": code},
    )
    return token


def revoke_station(session: Session, ctx: Ctx, code: str) -> None:
    """Revoke a station's credential: its next request gets 401 (enrol it again to undo)."""
    require(ctx, Permission.manage_stations)
    peer = session.get(SyncPeer, code)
    if peer is None:
        raise ServiceError(_("unknown station {code}").format(code=code))
    peer.credential_hash = None
    peer.revoked_at = ctx.clock.now()
    session.add(peer)
    session.flush()
    record_event(
        session,
        ctx,
        entity="station",
        entity_id=code,
        kind="station.credential_revoked",
        payload={"code": code},
    )


def authenticate(session: Session | Connection, code: str, token: str) -> str | None:
    """The station's database role ("" where it has none) when ``token`` is its current
    credential (never a revoked one), else None; one query for both.  On a ``Connection``
    the statement skips the ORM's bookkeeping (the service's reads, ``service_reads.peek``)."""
    row = session.execute(_CREDENTIAL, {"c": code}).first()  # every request: no ORM
    return _role_if_current(row, token)


def authenticate_pull(
    session: Session | Connection, code: str, token: str
) -> tuple[str | None, tuple[int, ChainState]]:
    """``authenticate`` and ``feed.top_and_head`` in one statement: an idle poll needs
    nothing else.  Both halves are read for an unknown station too (it learns nothing)."""
    row = session.execute(_PULL_START, {"c": code}).one()
    return _role_if_current(row[:2], token), top_and_head_of(row[2:])


def _role_if_current(row: Any, token: str) -> str | None:
    stored, role = cast("tuple[str | None, str | None]", tuple(row) if row else (None, None))
    # Compare even when nothing is stored, so timing does not tell a known station code.
    ok = hmac.compare_digest(stored or "0" * 64, _digest(token))
    return (role or "") if stored and ok else None
