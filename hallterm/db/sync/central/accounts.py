"""Central's own people: the station row they belong to, and central's first admin.

Central's ``staff`` table holds two kinds of accounts: those ``add_staff`` made for a station
(published to it; they never act at central) and central's own, whose ``station_code`` is
``CENTRAL_CODE``: the first admin (``central init --admin``) and whoever an admin adds with
``central add-staff --station central``.  Only central's own accounts sign in for the
``hallterm central …`` commands (``staff.login(…, station=CENTRAL_CODE)``).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from hallterm.db.models import Staff, Station
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.sync.central.common import CENTRAL_CODE
from hallterm.i18n import _

# Central's own row in ``station`` (its accounts' station); never published to stations.
CENTRAL_STATION_NAME = "central"
CENTRAL_STATION_LEVEL = "city"


def ensure_central_station(session: Session) -> None:
    """Central's own station row, which its accounts belong to (made once)."""
    if session.get(Station, CENTRAL_CODE) is None:
        session.add(
            Station(code=CENTRAL_CODE, name=CENTRAL_STATION_NAME, level=CENTRAL_STATION_LEVEL)
        )
        session.flush()


def central_has_admin(session: Session) -> bool:
    """Whether central has an admin account of its own."""
    query = select(col(Staff.id)).where(
        col(Staff.station_code) == CENTRAL_CODE, col(Staff.role) == "admin"
    )
    return session.exec(query).first() is not None


def first_admin(session: Session, ctx: Ctx, username: str, name: str, password: str) -> Staff:
    """Central's first admin: the one account made without another admin's sign-in.

    ``ctx`` is the system's (``central_ctx()``): nobody can sign in yet.  Refused once central
    has an admin; later accounts are made by an admin with ``central add-staff``.
    """
    from hallterm.db.services.staff import create_staff

    if central_has_admin(session):
        raise ServiceError(
            _(
                "central has an admin already: add accounts with "
                "hallterm central add-staff --station central --user ADMIN"
            )
        )
    ensure_central_station(session)
    return create_staff(
        session,
        ctx,
        username=username,
        name=name,
        role="admin",
        password=password,
        station_code=CENTRAL_CODE,
    )
