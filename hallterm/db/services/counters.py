"""Named counters made offline (case numbers per station and day, tickets, certificates)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from hallterm.db.models import Counter


def next_value(session: Session, name: str) -> int:
    """Increment and return counter ``name`` inside the caller's transaction (row-locked)."""
    ins = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(ins(Counter).values(name=name, value=0).on_conflict_do_nothing())
    row: Counter = session.execute(
        select(Counter).where(col(Counter.name) == name).with_for_update()
    ).scalar_one()
    row.value += 1
    session.add(row)
    session.flush()
    return row.value
