"""Staff accounts: creation, role changes, sign-in and unlock with lockout and throttle.

Five wrong passwords in a row lock the account for five minutes; a terminal with five
failed sign-ins in a row waits before it may try any account again.  Every login, failed
login, lockout and role change is an event (the audit trail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from hallterm.db.events import append_event
from hallterm.db.ids import new_id
from hallterm.db.models import Staff, Station
from hallterm.db.models_security import LoginThrottle
from hallterm.db.services import Actor, Ctx, ServiceError
from hallterm.db.services.passwords import burn, hash_password, needs_rehash, verify_password
from hallterm.db.services.permissions import require
from hallterm.domain.roles import Permission, Role
from hallterm.i18n import _

MAX_FAILED = 5
LOCK_MINUTES = 5
MIN_PASSWORD = 8
TERMINAL_FREE = MAX_FAILED  # failed sign-ins in a row at one terminal before it waits
TERMINAL_WAIT_S = 30  # the first wait, doubled at each further failure
TERMINAL_MAX_WAIT_S = 15 * 60


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
    require(ctx, Permission.manage_staff)
    if role not in Role.__members__:
        raise ServiceError(_("unknown role {role}").format(role=role))
    role = Role(role).value
    if len(password) < MIN_PASSWORD:
        raise ServiceError(_("the password needs at least {n} characters").format(n=MIN_PASSWORD))
    if session.exec(select(Staff).where(Staff.username == username)).first():
        raise ServiceError(_("user name {username} is taken").format(username=username))
    if session.get(Station, station_code) is None:
        raise ServiceError(_("unknown station {code}").format(code=station_code))
    staff = Staff(
        id=new_id(),
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
    require(ctx, Permission.manage_staff)
    if role not in Role.__members__:
        raise ServiceError(_("unknown role {role}").format(role=role))
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
    signed_out: bool = False  # an unlock attempt locked the account: the session ends


def _throttle(session: Session, terminal: str) -> LoginThrottle:
    row = session.get(LoginThrottle, terminal)
    if row is None:
        row = LoginThrottle(terminal=terminal, failures=0)
        session.add(row)
    return row


def _terminal_failed(row: LoginThrottle, now: datetime) -> None:
    """One more failure at this terminal; past ``TERMINAL_FREE`` it waits, doubling each time."""
    row.failures += 1
    if row.failures > TERMINAL_FREE:
        wait = min(TERMINAL_WAIT_S * 2 ** (row.failures - TERMINAL_FREE - 1), TERMINAL_MAX_WAIT_S)
        row.blocked_until = now + timedelta(seconds=wait)


def _attempt(
    session: Session,
    ctx: Ctx,
    username: str,
    password: str,
    terminal: str,
    unlock: bool,
    station: str | None = None,
) -> LoginResult:
    now = ctx.clock.now()
    prefix = "staff.unlock" if unlock else "staff.login"
    name = username.strip()
    throttle = _throttle(session, terminal or "unknown")
    if throttle.blocked_until and throttle.blocked_until > now:
        # Refused before any password is checked: the accounts' counters stay untouched.
        seconds = max(1, int((throttle.blocked_until - now).total_seconds()) + 1)
        append_event(
            session,
            station_code=ctx.station_code,
            entity="terminal",
            entity_id=throttle.terminal[:64],
            kind=f"{prefix}_refused",
            payload={"reason": "terminal throttled", "terminal": throttle.terminal},
            actor="unknown",
            at=now,
        )
        return LoginResult(
            None,
            _("too many failed sign-ins at this terminal; wait {s} seconds").format(s=seconds),
        )
    staff = session.exec(select(Staff).where(Staff.username == name)).first()
    if staff is not None and station is not None and staff.station_code != station:
        staff = None  # another station's account is unknown here
    if staff is None or not staff.active:
        burn(password)  # the same time as a wrong password: user names stay secret
        _terminal_failed(throttle, now)
        # The typed name is not recorded: people type their password there by mistake.
        append_event(
            session,
            station_code=ctx.station_code,
            entity="staff",
            entity_id="unknown",
            kind=f"{prefix}_failed",
            payload={"reason": "unknown user", "terminal": throttle.terminal},
            actor="unknown",
            at=now,
        )
        return LoginResult(None, _("wrong user name or password"))
    if staff.locked_until and staff.locked_until > now:
        burn(password)
        _terminal_failed(throttle, now)
        minutes = max(1, int((staff.locked_until - now).total_seconds() // 60) + 1)
        _event(
            session,
            ctx,
            staff,
            f"{prefix}_refused",
            {"reason": "locked", "terminal": throttle.terminal},
            actor=staff.username,
        )
        return LoginResult(
            None,
            _("account locked after too many wrong passwords; try again in {m} minutes").format(
                m=minutes
            ),
            signed_out=unlock,
        )
    if not verify_password(password, staff.password_hash):
        staff.failed_logins += 1
        _terminal_failed(throttle, now)
        payload: dict[str, Any] = {
            "reason": "wrong password",
            "failed": staff.failed_logins,
            "terminal": throttle.terminal,
        }
        message = _("wrong user name or password") if not unlock else _("wrong password")
        locked = staff.failed_logins >= MAX_FAILED
        if locked:
            staff.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            staff.failed_logins = 0
            payload["locked_until"] = staff.locked_until
            message = _("too many wrong passwords: the account is locked for {m} minutes").format(
                m=LOCK_MINUTES
            )
        session.add(staff)
        _event(session, ctx, staff, f"{prefix}_failed", payload, actor=staff.username)
        return LoginResult(None, message, signed_out=unlock and locked)
    staff.failed_logins = 0
    staff.locked_until = None
    throttle.failures = 0
    throttle.blocked_until = None
    rehashed = needs_rehash(staff.password_hash)
    if rehashed:
        staff.password_hash = hash_password(password)
    session.add(staff)
    extra: dict[str, Any] = {"terminal": throttle.terminal}
    if rehashed:
        extra["rehashed"] = True
    _event(session, ctx, staff, prefix, extra, actor=staff.username)
    return LoginResult(actor_of(staff))


def login(
    session: Session,
    ctx: Ctx,
    username: str,
    password: str,
    terminal: str = "",
    *,
    station: str | None = None,
) -> LoginResult:
    """Check a password; count failures and lock after ``MAX_FAILED`` in a row.

    Runs in a write transaction: the attempt is recorded whatever the outcome (never the
    typed password, nor a typed user name that matches no account).  ``terminal`` is
    throttled on its own: after ``TERMINAL_FREE`` failures in a row it must wait, longer
    each time, before any account is tried again.  A hash made with older parameters is
    replaced at a successful sign-in.  With ``station``, only that station's accounts may
    sign in (central, whose staff table also holds the accounts it made for stations); any
    other is refused like an unknown user name.
    """
    return _attempt(session, ctx, username, password, terminal, unlock=False, station=station)


def unlock(
    session: Session, ctx: Ctx, username: str, password: str, terminal: str = ""
) -> LoginResult:
    """Re-check the signed-in person's password at the lock screen.

    Attempts count toward the account's lockout and are audited like sign-ins; when they
    lock the account, ``signed_out`` tells the terminal to end the session.
    """
    return _attempt(session, ctx, username, password, terminal, unlock=True)


def list_staff(session: Session, ctx: Ctx) -> list[Staff]:
    require(ctx, Permission.manage_staff)
    return list(session.exec(select(Staff).order_by(Staff.username)))
