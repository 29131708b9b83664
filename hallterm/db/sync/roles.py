"""Taking a station's role for a transaction at central, and leaving it for central's own work.

Kept apart from ``security`` (which sets the roles up) so central's receiving code can use it
without importing the policy machinery.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlmodel import Session


def quote_ident(name: str) -> str:
    """Quote an identifier (names here come from our own metadata and role names)."""
    return '"' + name.replace('"', '""') + '"'


_q = quote_ident


def station_role(session: Session, station_code: str, role: str | None = None) -> None:
    """Run the rest of this transaction as the station (PostgreSQL; nothing on SQLite);
    ``role``: its name, when the caller has read it already."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if role is None:
        role = session.execute(
            text("SELECT role_name FROM sync_peer WHERE station_code = :c"), {"c": station_code}
        ).scalar()
    if not role:
        raise PermissionError(f"station {station_code} has no role at central")
    session.execute(text(f"SET LOCAL ROLE {_q(role)}"))
    session.info[_TAKEN] = (session.get_transaction(), role)


# ``session.info`` entry: (root transaction, the station role it runs as; "" inside
# ``as_central``).  Known roles spare ``as_central`` a query each time (three a push).
_TAKEN = "hallterm.station_role"


def taken_role(session: Session) -> str | None:
    """The station role ``station_role`` took for this transaction ("" while in
    ``as_central``); None when this transaction took none through it."""
    entry = session.info.get(_TAKEN)
    if entry is not None and entry[0] is session.get_transaction():
        return str(entry[1])
    return None


@contextmanager
def as_central(session: Session) -> Iterator[None]:
    """Central's own work inside a station's transaction; the station's role comes back after."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    known = taken_role(session)
    if known is None:  # taken some other way, or none: ask
        row = session.execute(text("SELECT current_user, session_user")).one()
        user, login = str(row[0]), str(row[1])
        if user == login:
            yield
            return
    elif not known:  # already central's
        yield
        return
    else:
        user = known
    session.execute(text("SET LOCAL ROLE NONE"))
    transaction = session.get_transaction()
    if known:
        session.info[_TAKEN] = (transaction, "")
    try:
        yield  # on an error the transaction (or its savepoint) is rolled back, role and all
    finally:
        if known:
            session.info[_TAKEN] = (transaction, user)
    session.execute(text(f"SET LOCAL ROLE {_q(user)}"))
