"""Helpers shared by the sync tests: stations and a central with the demo catalog, cases."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from hallterm.clock import Clock
from hallterm.db.engine import Store
from hallterm.db.models import Event
from hallterm.db.services import Actor, Ctx
from hallterm.db.services.applicants import register_applicant
from hallterm.db.services.cases import LineInput, accept, load_case, record_lines, start_case
from hallterm.db.services.catalog.io import import_catalog
from hallterm.db.services.setup import init_store
from hallterm.db.services.staff import create_staff
from hallterm.db.sync.central import central_ctx, init_central, publish_catalog, register_station
from hallterm.demo import demo_catalog
from hallterm.domain.ids import resident_id_check_char

PARENT = ("3299", "江川市政务服务中心", "city")
ON_SPOT = "11329900MB0001013W00007010010000"  # an immediate matter of the demo catalog
REGION = {"A": "110101", "B": "320102", "C": "330106"}


def resident_id(region: str, n: int) -> str:
    first = f"{region}1990{(n // 28) % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"
    return first + resident_id_check_char(first)


def clerk_ctx(code: str, clock: Clock) -> Ctx:
    actor = Actor(
        staff_id="", username=f"clerk{code}", name="李晓梅", role="clerk", station_code=code
    )
    return Ctx(actor=actor, station_code=code, clock=clock)


def make_station(url: str, code: str, clock: Clock, name: str = "") -> Store:
    """A township station under the demo city, with the demo catalog and one clerk."""
    store = Store(url)
    ctx = Ctx(actor=clerk_ctx(code, clock).actor, station_code=code, clock=clock)
    init_store(store, ctx, PARENT[0], *PARENT[1:])  # the parent row first (foreign key)
    with store.write() as s:
        from hallterm.db.services.setup import set_info, upsert_station

        upsert_station(s, ctx, code, name or f"{code}镇便民服务中心", "township", PARENT[0])
        set_info(s, "station_code", code)
        import_catalog(s, ctx, demo_catalog())
        create_staff(
            s,
            ctx,
            username=f"clerk{code.lower()}",
            name="李晓梅",
            role="clerk",
            password="clerk1234",
            station_code=code,
            window="1",
        )
    return store


def make_central(url: str, clock: Clock, stations: tuple[str, ...]) -> Store:
    store = Store(url)
    init_central(store)
    ctx = central_ctx(clock)
    with store.write() as s:
        register_station(s, ctx, *PARENT)
        for code in stations:
            register_station(s, ctx, code, f"{code}镇便民服务中心", "township", PARENT[0])
        publish_catalog(s, ctx, demo_catalog())
    return store


def make_cases(store: Store, code: str, clock: Clock, n: int, start: int = 0) -> list[str]:
    """``n`` on-the-spot cases, each registered, checked and accepted: several events each."""
    ctx = clerk_ctx(code, clock)
    ids = []
    today: date = clock.today()
    for i in range(start, start + n):
        with store.write() as s:
            a = register_applicant(
                s,
                ctx,
                id_type="resident_id",
                id_number=resident_id(REGION.get(code[:1], "440101"), i),
                name=f"申请人{i}",
            )
            case_id = start_case(s, ctx, applicant_id=a.id, matter_codes=[ON_SPOT])
        with store.write() as s:
            view = load_case(s, case_id, today)
            record_lines(
                s,
                ctx,
                case_id,
                [
                    LineInput(lv.requirement.type_code, "received", "original", 1)
                    for lv in view.lines
                ],
            )
            accept(s, ctx, case_id)
        ids.append(case_id)
    return ids


def chain(store: Store, code: str) -> list[tuple[str, int, str]]:
    with store.read() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(Event.id, Event.seq, Event.hash)
                .where(Event.station_code == code)
                .order_by(Event.seq)
            )
        ]


def station_copy(factory: pytest.TempPathFactory, dest: Path, code: str, clock: Clock) -> Store:
    """A fresh copy of a station store made once per test session (stations are slow to make)."""
    template = factory.getbasetemp() / "sync-stations" / f"{code}.db"
    if not template.exists():
        template.parent.mkdir(parents=True, exist_ok=True)
        building = template.with_suffix(".building.db")
        store = make_station(str(building), code, clock)
        store.dispose()  # the last connection closing folds the WAL into the file
        building.replace(template)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, dest)
    return Store(str(dest))
