"""The demo history's stations and staff: child stations below the store's own, and clerks.

Extra stations (county → township → village under the store's station) make the station
roll-up of the efficiency table worth looking at; every station gets clerks with windows.
"""

from __future__ import annotations

import random

from sqlmodel import Session, select

from hallterm.db.models import Staff, Station
from hallterm.db.services import Actor, Ctx
from hallterm.db.services.setup import upsert_station
from hallterm.db.services.staff import actor_of, create_staff
from hallterm.demo.history.people import person_name

DEMO_PASSWORD = "clerk1234"


def child_stations(
    session: Session, ctx: Ctx, root: Station, count: int, rng: random.Random
) -> list[Station]:
    """``count`` stations below ``root``: per county two townships with two villages each."""
    out: list[Station] = []
    places = ("东城", "西山", "南湖", "北岭", "青龙", "白沙", "龙泉", "石桥", "柳溪", "桃源")
    c = 0
    while len(out) < count:
        c += 1
        county = upsert_station(
            session,
            ctx,
            f"{root.code}{c:02d}",
            f"{places[c % len(places)]}区政务服务中心",
            "county",
            root.code,
        )
        out.append(county)
        for t in range(1, 3):
            if len(out) >= count:
                break
            town = upsert_station(
                session,
                ctx,
                f"{county.code}{t:02d}",
                f"{places[(c + t) % len(places)]}镇便民服务中心",
                "township",
                county.code,
            )
            out.append(town)
            for v in range(1, 3):
                if len(out) >= count:
                    break
                out.append(
                    upsert_station(
                        session,
                        ctx,
                        f"{town.code}{v:02d}",
                        f"{rng.choice(places)}{v}村便民服务站",
                        "village",
                        town.code,
                    )
                )
    return out[:count]


def station_clerks(session: Session, ctx: Ctx, station: Station, wanted: int) -> list[Actor]:
    """The station's clerks (with windows), made up to ``wanted`` when there are fewer."""
    rows = list(
        session.exec(
            select(Staff)
            .where(Staff.station_code == station.code, Staff.role == "clerk", Staff.active)
            .order_by(Staff.username)
        )
    )
    used = {r.window for r in rows if r.window}
    number = 1
    while len(rows) < wanted:
        while str(number) in used:
            number += 1
        username = (
            f"clerk{len(rows) + 1}"
            if station.code == ctx.station_code
            else (f"clerk_{station.code}_{len(rows) + 1}")
        )
        if session.exec(select(Staff).where(Staff.username == username)).first():
            username = f"{username}_{station.code}"
        rows.append(
            create_staff(
                session,
                ctx,
                username=username,
                name=person_name(random.Random(username)),
                role="clerk",
                password=DEMO_PASSWORD,
                station_code=station.code,
                window=str(number),
            )
        )
        used.add(str(number))
    actors = [actor_of(r) for r in rows]
    return [
        a if a.window else Actor(**{**a.__dict__, "window": str(i + 1)})
        for i, a in enumerate(actors)
    ]
