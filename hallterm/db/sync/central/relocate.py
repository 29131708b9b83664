"""Moving a case to another station at central without updating a distribution column.

At a PostgreSQL central ``station_code`` leads the keys of the case and its children
(``layout.CASE_CHILDREN``) and Citus never updates a distribution column, so a transfer
copies the case and its children under the new station's code and then deletes the old
rows (same ids), in one transaction; the case's version goes up by one.  Rows that keep the
station that made them stay where they are: the applicant (shared, its code is its
origin), stored materials, papers (numbered by their station), certificates, tickets,
ratings.  A SQLite central (keys by id alone) updates the rows in place.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, text, update
from sqlmodel import Session

from hallterm.db.sync.central.layout import CASE_CHILDREN
from hallterm.db.sync.roles import quote_ident as _q
from hallterm.db.sync.rows import table_for


def _table(name: str) -> Table:
    table = table_for(name)
    assert table is not None, name
    return table


def relocate_case(session: Session, case_id: str, old: str, new: str, now: datetime) -> None:
    """Give the case ``case_id`` (and its children) the station code ``new``."""
    ex = session.execute
    args = {"id": case_id, "old": old, "new": new}
    moving = [("service_case", "id"), *((child, "case_id") for child in CASE_CHILDREN)]
    if session.get_bind().dialect.name != "postgresql":
        for name, key in moving:
            ex(text(f"UPDATE {_q(name)} SET station_code = :new WHERE {key} = :id"), args)
    else:
        for name, key in moving:  # parents first: the children's keys point at the new case
            cols = [c.name for c in _table(name).columns]
            listed = ", ".join(_q(c) for c in cols)
            chosen = ", ".join(":new" if c == "station_code" else _q(c) for c in cols)
            ex(
                text(
                    f"INSERT INTO {_q(name)} ({listed}) SELECT {chosen} FROM {_q(name)} "
                    f"WHERE station_code = :old AND {key} = :id"
                ),
                args,
            )
        for name, key in reversed(moving):
            ex(text(f"DELETE FROM {_q(name)} WHERE station_code = :old AND {key} = :id"), args)
    case = _table("service_case")
    ex(
        update(case)
        .where(case.c.station_code == new, case.c.id == case_id)
        .values(version=case.c.version + 1, updated_at=now)
    )
