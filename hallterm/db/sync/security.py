"""PostgreSQL security of a central store: a role per station, row-level security as defence
in depth behind the sync service.

Stations never connect to central's database: the sync service does, as the store's owner,
and runs each request's transaction as the authenticated station (``SET LOCAL ROLE
st_<database digest>_<code>``, see ``role_name`` and ``station_role``).  The station roles cannot log in (no password
exists); the service's own login is made a member of each.  So a bug in the service still
cannot write or read another station's rows:

- ``sync_peer.role_name`` maps the role to its station.  Policies compare rows with
  ``(SELECT station_code FROM sync_peer WHERE role_name = current_user)``.
- ``event``, ``service_case`` and every table with a ``station_code`` column: a station
  reads and writes only rows with its own code.  A new case must point at an applicant of
  the station's own (a restrictive policy: otherwise inserting a case that points at another
  station's applicant would make that applicant readable).  Case children carry their
  case's ``station_code`` (``central.layout``; the keys make it so); other tables with only
  a ``case_id`` follow their case; ``applicant`` rows are the station's own or those of its
  cases (transferred to it by central); ``stored_material`` follows its applicant;
  ``certificate_copy`` follows its certificate.  A station table without a rule gets row
  security with no policy at all: nothing is visible.
- ``sync_feed``: a station reads rows for every station or for itself; ``sync_quarantine``:
  it adds and reads its own; ``sync_peer``: it reads and stamps its own row.  Persons
  (``sync_person*``), catalog, staff, stations and holidays: no grants.
- Feed writers lock ``sync_feed`` (``feed.publish``), which needs rights a station lacks.

Central's own work inside a station's transaction (publishing to the feed, linking persons)
runs under ``as_central``.  The table owner is not subject to the policies.
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import Table, text
from sqlmodel import Session, SQLModel

from hallterm.db.models import import_all_tables
from hallterm.db.sync.central.common import CENTRAL_TABLES
from hallterm.db.sync.roles import as_central, station_role
from hallterm.db.sync.roles import quote_ident as _q

OWN = "(SELECT p.station_code FROM sync_peer p WHERE p.role_name = current_user)"
POLICY = "hallterm_station"
APPLICANT_STATION = "hallterm_applicant_station"
# Readable by stations without row rules (facts needed to talk to central).
READ_ONLY = ("store_info", "station")
# Central's own tables that stations never see.
PRIVATE = ("sync_person", "sync_person_link")
# Written by central only (what a station's events may not change there).
CENTRAL_ONLY = (
    CENTRAL_TABLES - set(READ_ONLY) - {"event", "sync_peer", "sync_feed", "sync_quarantine"}
)


def role_name(station_code: str, database: str) -> str:
    """The role of a station at the central in ``database``: ``st_`` + a short digest of the
    database name + ``_`` + the code in lower case (a-z, 0-9, _).

    Roles belong to the whole PostgreSQL server, databases do not: two centrals on one
    server (production and a rehearsal, or tests running side by side) must not share, grant
    or drop each other's station roles.
    """
    cleaned = re.sub(r"[^a-z0-9_]", "_", station_code.strip().lower())
    if not cleaned:
        raise ValueError("empty station code")
    digest = hashlib.sha256(database.encode("utf-8")).hexdigest()[:8]
    return f"st_{digest}_{cleaned}"[:63]


def _role_of(session: Session, station_code: str) -> str:
    database: str = session.execute(text("SELECT current_database()")).scalar_one()
    return role_name(station_code, database)


def _policies(table: Table) -> list[tuple[str, str]]:
    """(command, clauses) of the policies of one station-writable table."""
    cols = table.c
    name = table.name
    if name == "applicant":
        visible = (
            f"station_code = {OWN} OR EXISTS (SELECT 1 FROM service_case c "
            "WHERE c.applicant_id = applicant.id)"
        )
        return [
            ("SELECT", f"USING ({visible})"),
            ("INSERT", f"WITH CHECK (station_code = {OWN})"),
            ("UPDATE", f"USING ({visible}) WITH CHECK ({visible})"),
        ]
    if name == "service_case":
        own = f"station_code = {OWN}"
        # Through a function: a policy reading ``applicant`` directly would recurse into
        # applicant's own policy, which reads ``service_case``.
        own_applicant = f"{APPLICANT_STATION}(service_case.applicant_id) = {OWN}"
        return [
            ("ALL", f"USING ({own}) WITH CHECK ({own})"),
            ("RESTRICTIVE INSERT", f"WITH CHECK ({own_applicant})"),
        ]
    if name == "certificate_copy":
        rule = "EXISTS (SELECT 1 FROM certificate c WHERE c.number = certificate_copy.number)"
        return [("ALL", f"USING ({rule}) WITH CHECK ({rule})")]
    if "station_code" in cols:
        own = f"station_code = {OWN}"
        return [("ALL", f"USING ({own}) WITH CHECK ({own})")]
    if "case_id" in cols:
        rule = "case_id IN (SELECT c.id FROM service_case c)"
        return [("ALL", f"USING ({rule}) WITH CHECK ({rule})")]
    if "applicant_id" in cols:
        rule = "applicant_id IN (SELECT a.id FROM applicant a)"
        return [("ALL", f"USING ({rule}) WITH CHECK ({rule})")]
    return []


def _station_tables() -> list[Table]:
    """Tables a station writes through sync (everything central does not govern)."""
    import_all_tables()
    skip = (
        CENTRAL_ONLY | set(READ_ONLY) | set(PRIVATE) | {"sync_peer", "sync_feed", "sync_quarantine"}
    )
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in skip]


def _install(session: Session, name: str, policies: list[tuple[str, str]]) -> None:
    ex = session.execute
    ex(text(f"ALTER TABLE {_q(name)} ENABLE ROW LEVEL SECURITY"))
    found = ex(
        text("SELECT policyname FROM pg_policies WHERE tablename = :t AND policyname LIKE :p"),
        {"t": name, "p": f"{POLICY}_%"},
    )
    for policy in [str(row[0]) for row in found.all()]:
        ex(text(f"DROP POLICY IF EXISTS {_q(policy)} ON {_q(name)}"))
    for i, (command, clauses) in enumerate(policies):
        kind, _sep, cmd = command.rpartition(" ")
        as_kind = f"AS {kind} " if kind else ""
        ex(text(f"CREATE POLICY {POLICY}_{i} ON {_q(name)} {as_kind}FOR {cmd} {clauses}"))


def install_policies(session: Session) -> None:
    """Enable row-level security and (re)create the policies; safe to run again."""
    session.execute(
        text(
            f"CREATE OR REPLACE FUNCTION {APPLICANT_STATION}(applicant_id text) RETURNS text "
            "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS "
            "$$ SELECT station_code FROM applicant WHERE id = applicant_id $$"
        )
    )
    for table in _station_tables():
        _install(session, table.name, _policies(table))  # no rule: nothing visible
    fixed = {
        "sync_peer": [("ALL", "USING (role_name = current_user)")],
        "sync_feed": [("SELECT", f"USING (station_code IS NULL OR station_code = {OWN})")],
        "sync_quarantine": [
            ("SELECT", f"USING (station_code = {OWN})"),
            ("INSERT", f"WITH CHECK (station_code = {OWN})"),
        ],
    }
    for name, policies in fixed.items():
        _install(session, name, policies)
    for name in PRIVATE:
        _install(session, name, [])


def ensure_station_role(session: Session, station_code: str) -> str:
    """Create or update the station's role and its grants; returns the role name.

    The role cannot log in; the current login (the sync service's) becomes a member so it
    can take the role for that station's transactions.  The station must be registered
    (``sync_peer`` row).
    """
    role = _role_of(session, station_code)
    ex = session.execute
    exists = ex(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if not exists:
        ex(text(f"CREATE ROLE {_q(role)} NOLOGIN"))
    else:
        ex(text(f"ALTER ROLE {_q(role)} NOLOGIN PASSWORD NULL"))
    me: str = ex(text("SELECT session_user")).scalar_one()
    member: bool = ex(
        text("SELECT pg_has_role(:me, :r, 'MEMBER')"), {"me": me, "r": role}
    ).scalar_one()
    if not member:
        ex(text(f"GRANT {_q(role)} TO {_q(me)}"))
    ex(text(f"GRANT USAGE ON SCHEMA public TO {_q(role)}"))
    for name in READ_ONLY:
        ex(text(f"GRANT SELECT ON {_q(name)} TO {_q(role)}"))
    for table in _station_tables():
        rights = "SELECT, INSERT" if table.name == "event" else "SELECT, INSERT, UPDATE"
        ex(text(f"GRANT {rights} ON {_q(table.name)} TO {_q(role)}"))
    ex(text(f"GRANT SELECT ON sync_feed TO {_q(role)}"))
    ex(text(f"GRANT SELECT, INSERT ON sync_quarantine TO {_q(role)}"))
    ex(text(f"GRANT SELECT, UPDATE (last_push_at, last_pull_at) ON sync_peer TO {_q(role)}"))
    ex(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {_q(role)}"))
    ex(
        text("UPDATE sync_peer SET role_name = :r WHERE station_code = :c"),
        {"r": role, "c": station_code},
    )
    return role


def drop_station_role(session: Session, station_code: str) -> None:
    """Remove a station's role and its grants in this database (e.g. a closed station)."""
    role = _role_of(session, station_code)
    if session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
        session.execute(text(f"DROP OWNED BY {_q(role)}"))
        session.execute(text(f"DROP ROLE {_q(role)}"))
    session.execute(
        text("UPDATE sync_peer SET role_name = NULL WHERE station_code = :c"), {"c": station_code}
    )


__all__ = [
    "as_central",
    "drop_station_role",
    "ensure_station_role",
    "install_policies",
    "role_name",
    "station_role",
]
