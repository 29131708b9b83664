"""Command-line tests act as a person: an admin account and the environment that names it."""

from __future__ import annotations

from sqlmodel import select

from hallterm.clock import Clock
from hallterm.db.engine import Store
from hallterm.db.models import Staff
from hallterm.db.services import SYSTEM, Ctx
from hallterm.db.services.setup import get_info
from hallterm.db.services.staff import create_staff

ADMIN, ADMIN_PASSWORD = "cli-admin", "cli-admin-pass"
# --user comes from HALLTERM_USER, the password from HALLTERM_PASSWORD (as scripts do).
AS_ADMIN = {"HALLTERM_USER": ADMIN, "HALLTERM_PASSWORD": ADMIN_PASSWORD, "HALLTERM_TERMINAL": "t"}


def add_admin(url: str) -> dict[str, str]:
    """Make sure the store at ``url`` has the test admin; returns the environment to use.

    At a central store the admin is one of central's own accounts (station ``central``).
    """
    from hallterm.db.sync.central import CENTRAL_CODE, ensure_central_station

    store = Store(url)
    try:
        with store.write() as s:
            if s.exec(select(Staff).where(Staff.username == ADMIN)).first() is None:
                code = get_info(s, "station_code") or ""
                if get_info(s, "role") == "central":
                    ensure_central_station(s)
                    code = CENTRAL_CODE
                ctx = Ctx(actor=SYSTEM, station_code=code, clock=Clock())
                create_staff(
                    s,
                    ctx,
                    username=ADMIN,
                    name="测试管理员",
                    role="admin",
                    password=ADMIN_PASSWORD,
                    station_code=code,
                )
    finally:
        store.dispose()
    return dict(AS_ADMIN)
