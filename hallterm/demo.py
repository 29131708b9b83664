"""The demo: a station store with the demo catalog and one account per role, made once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlmodel import select

from hallterm.clock import Clock
from hallterm.db.engine import Store
from hallterm.db.models import CatalogVersion, Staff
from hallterm.db.services import SYSTEM, Ctx
from hallterm.db.services.catalog_io import import_catalog
from hallterm.db.services.setup import init_store
from hallterm.db.services.staff import create_staff
from hallterm.domain.catalog import CatalogIn, parse_catalog

DEMO_STATION = ("3299", "江川市政务服务中心", "city")
DEMO_ACCOUNTS = (
    # username, name, role, window, password
    ("clerk", "李晓梅", "clerk", "5", "clerk1234"),
    ("supervisor", "王建国", "supervisor", "", "super1234"),
    ("admin", "陈静", "admin", "", "admin1234"),
)


def demo_catalog() -> CatalogIn:
    text = (
        resources.files("hallterm.data").joinpath("demo_catalog.json").read_text(encoding="utf-8")
    )
    return parse_catalog(json.loads(text))


@dataclass(frozen=True)
class DemoInfo:
    folder: Path
    store_path: Path
    accounts: tuple[tuple[str, str, str, str, str], ...]
    created: bool
    central_path: Path | None = None  # a SQLite central store, so ``hallterm sync`` works

    @property
    def sync_command(self) -> str:
        return f"hallterm sync --store {self.store_path} --central {self.central_path}"


def prepare_demo(folder: Path, clock: Clock | None = None) -> DemoInfo:
    """Create (once) the demo station store in ``folder``; later calls only check it."""
    folder.mkdir(parents=True, exist_ok=True)
    store_path = folder / "station.db"
    store = Store(str(store_path))
    code, name, level = DEMO_STATION
    ctx = Ctx(actor=SYSTEM, station_code=code, clock=clock or Clock())
    created = False
    try:
        init_store(store, ctx, code, name, level)
        with store.write() as session:
            if session.exec(select(CatalogVersion)).first() is None:
                import_catalog(session, ctx, demo_catalog())
                created = True
            existing = set(session.exec(select(Staff.username)))
            for username, person, role, window, password in DEMO_ACCOUNTS:
                if username not in existing:
                    create_staff(
                        session,
                        ctx,
                        username=username,
                        name=person,
                        role=role,
                        password=password,
                        station_code=code,
                        window=window,
                    )
        central_path = folder / "central.db"
        _prepare_central(central_path, store, ctx)
    finally:
        store.dispose()
    return DemoInfo(folder, store_path, DEMO_ACCOUNTS, created, central_path)


def _prepare_central(path: Path, station: Store, station_ctx: Ctx) -> None:
    """A central store knowing the demo station, its catalog and its accounts (made once)."""
    from hallterm.db.models import Station
    from hallterm.db.sync.central import (
        central_ctx,
        init_central,
        publish_catalog,
        publish_rows,
        register_station,
    )

    central = Store(str(path))
    try:
        init_central(central)
        ctx = central_ctx(station_ctx.clock)
        with central.write() as session:
            if session.get(Station, DEMO_STATION[0]) is not None:
                return
            register_station(session, ctx, *DEMO_STATION)
            publish_catalog(session, ctx, demo_catalog())
            with station.read() as local:
                accounts = [Staff(**s.model_dump()) for s in local.exec(select(Staff))]
            session.add_all(accounts)
            publish_rows(session, accounts, station_code=DEMO_STATION[0], key="staff:demo")
    finally:
        central.dispose()
