"""Staff accounts: creation, role changes and login with lockout.

Five wrong passwords in a row lock the account for five minutes.  Every login, failed
login, lockout and role change is an event (the audit trail).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from hallterm.db.events import append_event
from hallterm.db.models import Staff, Station
from hallterm.db.services import Actor, Ctx, ServiceError
from hallterm.db.services.passwords import hash_password, verify_password
from hallterm.domain.roles import Role
from hallterm.i18n import _

MAX_FAILED = 5
LOCK_MINUTES = 5
MIN_PASSWORD = 8


def actor_of(staff: Staff) -> Actor:
    return Actor(
        staff_id=staff.id,
        username=staff.username,
        name=staff.name,
        role=staff.role,
        station_code=staff.station_code,
        window=staff.window,
    )


def _event(
    session: Session,
    ctx: Ctx,
    staff: Staff,
    kind: str,
    payload: dict[str, Any],
    actor: str | None = None,
) -> None:
    append_event(
        session,
        station_code=ctx.station_code,
        entity="staff",
        entity_id=staff.id,
        kind=kind,
        payload={"username": staff.username, **payload},
        actor=actor or ctx.actor.username,
        at=ctx.clock.now(),
    )


def create_staff(
    session: Session,
    ctx: Ctx,
    *,
    username: str,
    name: str,
    role: str,
    password: str,
    station_code: str,
    window: str = "",
) -> Staff:
    role = Role(role).value
    if len(password) < MIN_PASSWORD:
        raise ServiceError(_("the password needs at least {n} characters").format(n=MIN_PASSWORD))
    if session.exec(select(Staff).where(Staff.username == username)).first():
        raise ServiceError(_("user name {username} is taken").format(username=username))
    if session.get(Station, station_code) is None:
        raise ServiceError(_("unknown station {code}").format(code=station_code))
    staff = Staff(
        id=str(uuid.uuid4()),
        username=username,
        name=name,
        role=role,
        station_code=station_code,
        window=window,
        password_hash=hash_password(password),
        created_at=ctx.clock.now(),
    )
    session.add(staff)
    session.flush()
    _event(
        session,
        ctx,
        staff,
        "staff.created",
        {"name": name, "role": role, "station_code": station_code, "window": window},
    )
    return staff


def change_role(session: Session, ctx: Ctx, username: str, role: str) -> Staff:
    staff = session.exec(select(Staff).where(Staff.username == username)).first()
    if staff is None:
        raise ServiceError(_("no such user {username}").format(username=username))
    old = staff.role
    staff.role = Role(role).value
    session.add(staff)
    _event(session, ctx, staff, "staff.role_changed", {"from": old, "to": staff.role})
    return staff


@dataclass(frozen=True)
class LoginResult:
    actor: Actor | None
    message: str = ""  # translated reason when actor is None


def login(session: Session, ctx: Ctx, username: str, password: str) -> LoginResult:
    """Check a password; count failures and lock after ``MAX_FAILED`` in a row.

    Runs in a write transaction: the attempt is recorded whatever the outcome.
    """
    now = ctx.clock.now()
    staff = session.exec(select(Staff).where(Staff.username == username.strip())).first()
    if staff is None or not staff.active:
        append_event(
            session,
            station_code=ctx.station_code,
            entity="staff",
            entity_id=username.strip()[:64],
            kind="staff.login_failed",
            payload={"username": username.strip()[:64], "reason": "unknown user"},
            actor=username.strip()[:64],
            at=now,
        )
        return LoginResult(None, _("wrong user name or password"))
    if staff.locked_until and staff.locked_until > now:
        minutes = max(1, int((staff.locked_until - now).total_seconds() // 60) + 1)
        _event(
            session, ctx, staff, "staff.login_refused", {"reason": "locked"}, actor=staff.username
        )
        return LoginResult(
            None,
            _("account locked after too many wrong passwords; try again in {m} minutes").format(
                m=minutes
            ),
        )
    if not verify_password(password, staff.password_hash):
        staff.failed_logins += 1
        payload: dict[str, Any] = {"reason": "wrong password", "failed": staff.failed_logins}
        message = _("wrong user name or password")
        if staff.failed_logins >= MAX_FAILED:
            staff.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            staff.failed_logins = 0
            payload["locked_until"] = staff.locked_until
            message = _("too many wrong passwords: the account is locked for {m} minutes").format(
                m=LOCK_MINUTES
            )
        session.add(staff)
        _event(session, ctx, staff, "staff.login_failed", payload, actor=staff.username)
        return LoginResult(None, message)
    staff.failed_logins = 0
    staff.locked_until = None
    session.add(staff)
    actor = actor_of(staff)
    append_event(
        session,
        station_code=ctx.station_code,
        entity="staff",
        entity_id=staff.id,
        kind="staff.login",
        payload={"username": staff.username},
        actor=staff.username,
        at=now,
    )
    return LoginResult(actor)


def verify_unlock(session: Session, username: str, password: str) -> bool:
    """Re-check the password of the signed-in clerk to unlock an idle-locked screen."""
    staff = session.exec(select(Staff).where(Staff.username == username)).first()
    return bool(staff and staff.active and verify_password(password, staff.password_hash))


def list_staff(session: Session) -> list[Staff]:
    return list(session.exec(select(Staff).order_by(Staff.username)))
