"""The efficiency table: one row per department, matter, station (with its subtree) or clerk.

Case and rating figures come from the rollups (``collect``), so a month or a year costs what
its buckets cost, not what the cases cost; the station rows add their subtrees here.
Definitions: ``hallterm.domain.figures``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import text
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from hallterm.db.models import Department, Matter, Staff, Station
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.efficiency.collect import Acc, collect
from hallterm.db.services.efficiency.sqltime import dialect_of
from hallterm.db.services.efficiency.stations import StationNode, children, station_tree, subtree
from hallterm.domain.figures import (
    BY_TITLES,
    GROUPINGS,
    EfficiencyRow,
    EfficiencyTable,
)
from hallterm.i18n import _

ONLINE_DEPTH_MIN = 3
WORK_MEM = "64MB"


def _row(
    key: str, name: str, depth: int, a: Acc, online: set[str], code: str = ""
) -> EfficiencyRow:
    return EfficiencyRow(
        key=key,
        code=code,
        name=name,
        depth=depth,
        received=a.received,
        accepted=a.accepted,
        notices=a.notices,
        refused=a.refused,
        completed=a.completed,
        overdue=a.overdue,
        on_time=a.on_time,
        completed_with_due=a.completed_with_due,
        work_days_total=a.work_days_total,
        work_days_cases=a.work_days_cases,
        matters=len(a.matters),
        matters_online=len(a.matters & online),
        ratings=a.ratings,
        good=a.good,
        bad=a.bad,
        stars_total=a.stars_total,
        wait_total_s=a.wait_total_s,
        waits=a.waits,
        service_total_s=a.service_total_s,
        services=a.services,
    )


def _names(session: Session, by: str, keys: Iterable[str]) -> dict[str, str]:
    wanted = [k for k in keys if k]
    if not wanted:
        return {}
    if by == "department":
        q: Select[str, str] = select(Department.code, Department.name).where(
            col(Department.code).in_(wanted)
        )
    elif by == "matter":
        q = select(Matter.code, Matter.name).where(col(Matter.code).in_(wanted))
    elif by == "clerk":
        q = select(Staff.id, Staff.name).where(col(Staff.id).in_(wanted))
    else:
        q = select(Station.code, Station.name).where(col(Station.code).in_(wanted))
    return {k: n for k, n in session.exec(q).all()}


def _unnamed(by: str) -> str:
    """The row of figures without a key (e.g. a matter since removed from the catalog)."""
    return _("(no {what} recorded)").format(what=_(BY_TITLES.get(by, by)))


def efficiency_table(
    session: Session,
    *,
    by: str,
    start: date,
    end: date,
    today: date,
    within: str | None = None,
) -> EfficiencyTable:
    """The table for [start, end] grouped ``by``; ``within`` limits it to a station subtree."""
    if by not in GROUPINGS:
        raise ValueError(by)
    calendar_for(session)  # the calendar must load; the rollups hold the working days
    if dialect_of(session) == "postgresql":
        # A year of buckets is grouped in memory, not in sort files on disk (this read
        # transaction only).
        session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    scope = subtree(session, within) if within else None
    online = set(
        session.exec(select(Matter.code).where(col(Matter.online_depth) >= ONLINE_DEPTH_MIN))
    )
    # Every case, rating and ticket has exactly one station and one clerk: those rows add up
    # to the total; a case with several matters or departments counts once in the total.
    several = by in ("department", "matter")
    raw, total_found = collect(session, by, (start, end), today, scope, with_total=several)
    if total_found is not None:
        total_acc = total_found
    else:
        total_acc = Acc()
        for a in raw.values():
            total_acc.add(a)
    total = _row("", _("Total"), 0, total_acc, online)
    rows: list[EfficiencyRow] = []
    if by == "station":
        nodes = station_tree(session)
        kids = children(nodes)
        roots = kids.get(None, [])
        if within:
            roots = [n for n in nodes if n.code == within]

        def walk(node: StationNode, depth: int) -> Acc:
            summed = Acc()
            summed.add(raw.get(node.code, Acc()))
            position = len(rows)
            rows.append(_row(node.code, node.name, depth, summed, online))
            for child in kids.get(node.code, []):
                summed.add(walk(child, depth + 1))
            rows[position] = _row(node.code, node.name, depth, summed, online)
            return summed

        for root in roots:
            walk(root, 0)
    else:
        names = _names(session, by, raw)
        usernames: dict[str, str] = {}
        if by == "clerk":
            wanted = [k for k in raw if k]
            usernames = {
                i: u
                for i, u in session.exec(
                    select(Staff.id, Staff.username).where(col(Staff.id).in_(wanted))
                ).all()
            }
        order = {}
        if by == "matter":
            order = {
                c: p
                for c, p in session.exec(
                    select(Matter.code, Matter.position).where(col(Matter.code).in_(list(raw)))
                ).all()
            }
        for k, a in raw.items():
            if a.empty():
                continue
            name = names.get(k) or (k if k else _unnamed(by))
            rows.append(_row(k, name, 0, a, online, usernames.get(k, "")))
        if by == "matter":
            rows.sort(key=lambda r: (order.get(r.key, 1 << 30), r.key))
        elif by == "clerk":
            rows.sort(key=lambda r: (r.name, r.key))
        else:
            rows.sort(key=lambda r: r.key)
    shared = 0
    if by in ("department", "matter"):
        shared = max(0, sum(r.received for r in rows) - total.received)
    return EfficiencyTable(by, start, end, tuple(rows), total, shared)
