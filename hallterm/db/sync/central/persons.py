"""One person across stations: central links each station's applicant row to a person.

A person registered offline at two stations arrives as two applicant rows (each station's
own, with its own id and its station code in the key); both are kept and both cases are
accepted.  After a batch writes applicant rows, ``link_persons`` finds or makes the person
of each (ID type and blind index of the number: central never sees the number) and links
the row to it; an erased applicant's link is removed.  This runs as central, not as the
station: stations have no rights on ``sync_person`` / ``sync_person_link``, so no station
can learn from central that another station knows a person.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from hallterm.clock import Clock
from hallterm.db.ids import new_id
from hallterm.db.models_privacy import PersonKey
from hallterm.db.models_sync import SyncPerson, SyncPersonLink
from hallterm.db.one_of import pairs_of
from hallterm.db.sync.central.apply import register_row_hook
from hallterm.db.sync.roles import as_central

_PERSON = SyncPerson.__table__  # type: ignore[attr-defined]
_LINK = SyncPersonLink.__table__  # type: ignore[attr-defined]
_KEY = PersonKey.__table__  # type: ignore[attr-defined]


def link_persons(session: Session, station_code: str, rows: list[dict[str, Any]]) -> None:
    """Link each applicant row to its person (made when new); a re-indexed row moves."""
    erased = [r["id"] for r in rows if r.get("erased_at")]
    if erased:  # erasure: the person link and central's copy of the wrapped key go
        with as_central(session):
            session.execute(delete(_LINK).where(_LINK.c.applicant_id.in_(erased)))
            session.execute(delete(_KEY).where(_KEY.c.applicant_id.in_(erased)))
    wanted = [
        {
            "applicant_id": r["id"],
            "station_code": r.get("station_code") or station_code,
            "id_type": r["id_type"],
            "id_index": r["id_index"],
        }
        for r in rows
        if r.get("id_index")
        and r.get("id_type")
        and not r.get("erased_at")
        and not str(r["id_index"]).startswith(("erased:", "legacy:"))
    ]
    if not wanted:
        return
    now = Clock().now()  # when central first saw the person (the hook has no request clock)
    with as_central(session):
        if session.get_bind().dialect.name == "postgresql":
            # Two statements for the whole batch, the rows as one JSON parameter.
            data = json.dumps(wanted, ensure_ascii=False)
            session.execute(
                text(
                    "INSERT INTO sync_person (id, id_type, id_index, created_at) "
                    "SELECT gen_random_uuid()::text, w.id_type, w.id_index, :now "
                    "FROM (SELECT DISTINCT id_type, id_index FROM json_to_recordset("
                    "CAST(:rows AS json)) AS x(id_type text, id_index text)) w "
                    "ON CONFLICT (id_type, id_index) DO NOTHING"
                ),
                {"rows": data, "now": now},
            )
            session.execute(
                text(
                    "INSERT INTO sync_person_link (applicant_id, station_code, person_id) "
                    "SELECT w.applicant_id, w.station_code, p.id FROM json_to_recordset("
                    "CAST(:rows AS json)) AS w(applicant_id text, station_code text, "
                    "id_type text, id_index text) JOIN sync_person p "
                    "ON p.id_type = w.id_type AND p.id_index = w.id_index "
                    "ON CONFLICT (applicant_id) DO UPDATE SET person_id = EXCLUDED.person_id"
                ),
                {"rows": data},
            )
            return
        keys = sorted({(w["id_type"], w["id_index"]) for w in wanted})
        session.execute(
            sqlite_insert(_PERSON)
            .values(
                [{"id": new_id(), "id_type": t, "id_index": n, "created_at": now} for t, n in keys]
            )
            .on_conflict_do_nothing(index_elements=["id_type", "id_index"])
        )
        persons = {
            (t, n): pid
            for pid, t, n in session.execute(
                select(_PERSON.c.id, _PERSON.c.id_type, _PERSON.c.id_index).where(
                    pairs_of(session, (_PERSON.c.id_type, _PERSON.c.id_index), keys)
                )
            )
        }
        links = sqlite_insert(_LINK).values(
            [
                {
                    "applicant_id": w["applicant_id"],
                    "station_code": w["station_code"],
                    "person_id": persons[(w["id_type"], w["id_index"])],
                }
                for w in wanted
            ]
        )
        session.execute(
            links.on_conflict_do_update(
                index_elements=["applicant_id"], set_={"person_id": links.excluded.person_id}
            )
        )


def person_of(session: Session, applicant_id: str) -> str | None:
    """The person an applicant row is linked to (central only)."""
    return session.execute(
        select(_LINK.c.person_id).where(_LINK.c.applicant_id == applicant_id)
    ).scalar()


register_row_hook("applicant", link_persons)
