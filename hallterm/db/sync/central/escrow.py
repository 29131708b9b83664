"""Central's side of key escrow: the escrow copies of person keys stations hand over.

A copy is a person key wrapped under the province escrow key (``central.blind``), which the
sync service never opens: central only stores and serves ciphertext.  Rows of
``person_key`` at central hold the copy in ``escrow`` (``wrapped`` stays empty) under the
code of each station that may have it, so row-level security lets a station read and write
only its own copies:

- ``store_copies``: the copies a push carries, stored under the pushing station; a copy of
  a person erased at central is refused for good ("erased").  A person whose cases central
  transferred to other stations before the copy arrived gets it shared with them now.
- ``own_copies``: the station's copies, for its recovery (``/v1/own``).
- ``share_with``: a transfer gives the receiving station a copy under its own code and a
  ``person_key`` feed item; ``fill_copies`` puts the copy into that item when the station
  pulls it, so a person erased meanwhile (every copy deleted, ``persons.link_persons``)
  comes with no key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, case, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from hallterm.db.models import Applicant, ServiceCase
from hallterm.db.models_privacy import PersonKey
from hallterm.db.sync.central.common import FeedItem
from hallterm.db.sync.roles import as_central

TOPIC = "person_key"
MAX_COPIES = 2_000  # per request
_KEY = PersonKey.__table__  # type: ignore[attr-defined]
_APPLICANT = Applicant.__table__  # type: ignore[attr-defined]
_CASE = ServiceCase.__table__  # type: ignore[attr-defined]


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insert(session: Session, rows: list[dict[str, object]], *, replace: bool) -> None:
    """Insert key rows; on PostgreSQL keyed by (station, applicant), on SQLite by applicant."""
    if not rows:
        return
    if _postgres(session):
        stmt = pg_insert(_KEY).values(rows)
        key = ["station_code", "applicant_id"]
        if replace:
            stmt = stmt.on_conflict_do_update(
                index_elements=key, set_={"escrow": stmt.excluded.escrow}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=key)
        session.execute(stmt)
        return
    session.execute(
        sqlite_insert(_KEY).values(rows).on_conflict_do_nothing(index_elements=["applicant_id"])
    )


def _valid(applicant_id: object, copy: object) -> bool:
    return (
        isinstance(applicant_id, str)
        and isinstance(copy, str)
        and 0 < len(applicant_id) <= 36
        and copy.startswith("enc1:")
        and len(copy) <= 128
    )


def store_copies(
    session: Session, station_code: str, copies: Sequence[object], now: datetime
) -> list[list[str]]:
    """Store a push's escrow copies under ``station_code``; ``[applicant_id, status]`` each,
    in order: "ok" (stored, now or before), "erased" (never stored: the person is erased),
    "refused" (not a copy)."""
    pairs: list[tuple[str, str] | None] = []
    for item in copies:
        if isinstance(item, list | tuple) and len(item) == 2 and _valid(item[0], item[1]):
            pairs.append((str(item[0]), str(item[1])))
        else:
            pairs.append(None)
    ids = sorted({p[0] for p in pairs if p is not None})
    erased: set[str] = set()
    if ids:
        with as_central(session):  # the person may be another station's applicant
            found: Iterable[object] = session.execute(
                select(_APPLICANT.c.id).where(
                    _APPLICANT.c.id.in_(ids), _APPLICANT.c.erased_at.is_not(None)
                )
            ).scalars()
            erased = {str(r) for r in found}
    rows = {
        p[0]: {
            "applicant_id": p[0],
            "station_code": station_code,
            "wrapped": "",
            "escrow": p[1],
            "created_at": now,
            "delivered": True,
        }
        for p in pairs
        if p is not None and p[0] not in erased
    }
    _insert(session, list(rows.values()), replace=True)
    if rows:
        _share_late(session, station_code, list(rows.values()), now)
    out: list[list[str]] = []
    for item, pair in zip(copies, pairs, strict=True):
        if pair is None:
            first = item[0] if isinstance(item, list | tuple) and item else ""
            out.append([str(first)[:36], "refused"])
        else:
            out.append([pair[0], "erased" if pair[0] in erased else "ok"])
    return out


def _share_late(
    session: Session, station_code: str, rows: list[dict[str, object]], now: datetime
) -> None:
    """Copies that arrive after central transferred a case of the person elsewhere."""
    by_id = {str(r["applicant_id"]): r for r in rows}
    with as_central(session):
        held = session.execute(
            select(_CASE.c.station_code, _CASE.c.applicant_id)
            .where(_CASE.c.applicant_id.in_(sorted(by_id)), _CASE.c.station_code != station_code)
            .distinct()
        ).all()
        for other, applicant_id in held:
            copy = {**by_id[str(applicant_id)], "station_code": other}
            _insert(session, [copy], replace=False)
            _announce(session, str(applicant_id), str(other), now)


def _announce(session: Session, applicant_id: str, station_code: str, now: datetime) -> None:
    from hallterm.db.sync.central.feed import publish

    publish(
        session,
        TOPIC,
        f"person:{applicant_id}",
        {"applicant_id": applicant_id},
        station_code=station_code,
        now=now,
    )


def share_with(session: Session, applicant_id: str, station_code: str, now: datetime) -> bool:
    """Give ``station_code`` the person's escrow copy (a transfer, run as central); returns
    whether central holds one (the station gets it when it pulls, unless erased by then)."""
    origin = session.execute(
        select(_APPLICANT.c.station_code).where(_APPLICANT.c.id == applicant_id)
    ).scalar()
    copy = session.execute(
        select(_KEY.c.escrow)
        .where(_KEY.c.applicant_id == applicant_id, _KEY.c.escrow != "")
        .order_by(case((_KEY.c.station_code == (origin or ""), 0), else_=1))
        .limit(1)
    ).scalar()
    if copy:
        row = {
            "applicant_id": applicant_id,
            "station_code": station_code,
            "wrapped": "",
            "escrow": copy,
            "created_at": now,
            "delivered": True,
        }
        _insert(session, [row], replace=False)
    _announce(session, applicant_id, station_code, now)
    return bool(copy)


def _visible(session: Session, station_code: str) -> ColumnElement[bool]:
    """The key rows a station may have: its own (on PostgreSQL row security enforces it);
    a SQLite central keys rows by applicant alone, so there also those of its cases."""
    own: ColumnElement[bool] = _KEY.c.station_code == station_code
    if _postgres(session):
        return own
    cases = select(_CASE.c.applicant_id).where(_CASE.c.station_code == station_code)
    return or_(own, _KEY.c.applicant_id.in_(cases))


def own_copies(
    session: Session, station_code: str, after: str, limit: int
) -> list[tuple[str, str]]:
    """The station's escrow copies after applicant id ``after``, in id order."""
    rows = session.execute(
        select(_KEY.c.applicant_id, _KEY.c.escrow)
        .where(_visible(session, station_code), _KEY.c.escrow != "", _KEY.c.applicant_id > after)
        .order_by(_KEY.c.applicant_id)
        .limit(limit)
    ).all()
    return [(str(a), str(c)) for a, c in rows]


def fill_copies(
    session: Session, station_code: str, items: Sequence[FeedItem]
) -> tuple[FeedItem, ...]:
    """The page's ``person_key`` items with the station's copy as central holds it now."""
    asked = {
        i.id: str(json.loads(i.payload).get("applicant_id") or "")
        for i in items
        if i.topic == TOPIC
    }
    wanted = {a: "" for a in asked.values() if a}
    if not wanted:
        return tuple(items)
    for applicant_id, copy in session.execute(
        select(_KEY.c.applicant_id, _KEY.c.escrow).where(
            _visible(session, station_code),
            _KEY.c.applicant_id.in_(sorted(wanted)),
            _KEY.c.escrow != literal(""),
        )
    ):
        wanted[str(applicant_id)] = str(copy)
    out = []
    for item in items:
        if item.id in asked:
            applicant_id = asked[item.id]
            payload = {"applicant_id": applicant_id, "escrow": wanted.get(applicant_id, "")}
            item = FeedItem(item.id, item.topic, item.key, json.dumps(payload))
        out.append(item)
    return tuple(out)
