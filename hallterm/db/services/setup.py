"""Creating or upgrading a store and registering its own station (safe to run twice)."""

from __future__ import annotations

from sqlmodel import Session, select

from hallterm.db.engine import Store
from hallterm.db.models import Station, StoreInfo
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.i18n import _

LEVELS = ("city", "county", "township", "village")
LEVEL_ALIASES = {
    "市": "city",
    "县": "county",
    "区": "county",
    "乡": "township",
    "镇": "township",
    "村": "village",
}


def normalize_level(level: str) -> str:
    value = LEVEL_ALIASES.get(level.strip(), level.strip().lower())
    if value not in LEVELS:
        raise ServiceError(
            _("unknown station level {level}; use one of {levels}").format(
                level=level, levels=", ".join(LEVELS)
            )
        )
    return value


def get_info(session: Session, key: str) -> str | None:
    row = session.get(StoreInfo, key)
    return row.value if row else None


def set_info(session: Session, key: str, value: str) -> None:
    row = session.get(StoreInfo, key) or StoreInfo(key=key)
    row.value = value
    session.add(row)


def upsert_station(
    session: Session, ctx: Ctx, code: str, name: str, level: str, parent_code: str | None = None
) -> Station:
    level = normalize_level(level)
    station = session.get(Station, code)
    payload = {"code": code, "name": name, "level": level, "parent_code": parent_code}
    if station is None:
        station = Station(code=code, name=name, level=level, parent_code=parent_code)
        session.add(station)
        session.flush()
        kind = "station.created"
    elif (station.name, station.level, station.parent_code) != (name, level, parent_code):
        station.name, station.level, station.parent_code = name, level, parent_code
        session.add(station)
        kind = "station.updated"
    else:
        return station
    record_event(
        session,
        ctx,
        entity="station",
        entity_id=code,
        kind=kind,
        payload=payload,
    )
    return station


def init_store(
    store: Store,
    ctx: Ctx,
    code: str,
    name: str,
    level: str,
    parent_code: str | None = None,
    role: str = "station",
) -> None:
    """Migrate the schema to head, record this store's own station and, on a station, make
    its personal-data keys (the passphrase from ``store.keys``)."""
    from hallterm.db.migrate import upgrade  # Alembic only where a schema is made

    upgrade(store)
    with store.write() as session:
        existing = get_info(session, "station_code")
        if existing and existing != code:
            raise ServiceError(
                _("this store belongs to station {existing}, not {code}").format(
                    existing=existing, code=code
                )
            )
        if parent_code and session.get(Station, parent_code) is None:
            raise ServiceError(_("unknown parent station {code}").format(code=parent_code))
        upsert_station(session, ctx, code, name, level, parent_code)
        set_info(session, "station_code", code)
        set_info(session, "role", role)
        if role == "station":  # the personal-data keys: made now, under the passphrase
            store.keys.blind_key(session)


def local_secret_exists(store: Store, name: str) -> bool:
    """Whether the store has the local secret ``name`` (False before its schema exists)."""
    from sqlalchemy import inspect, text

    with store.engine.connect() as conn:
        if not inspect(conn).has_table("local_secret"):
            return False
        found = conn.execute(text("SELECT 1 FROM local_secret WHERE name = :n"), {"n": name})
        return found.first() is not None


def own_station(session: Session) -> Station:
    code = get_info(session, "station_code")
    station = session.get(Station, code) if code else None
    if station is None:
        raise ServiceError(_("the store has no station yet; run: hallterm init"))
    return station


def stations(session: Session) -> list[Station]:
    return list(session.exec(select(Station).order_by(Station.code)))
