"""PostgreSQL security of a central store: one login role per station and row-level security.

A station connects to central as ``station_<code>`` and runs the same sync code as an admin
would, but the database itself limits what it can touch:

- ``sync_peer.role_name`` maps the role to its station.  Policies compare rows with
  ``(SELECT station_code FROM sync_peer WHERE role_name = current_user)``.  A custom setting
  bound with ``ALTER ROLE … SET`` was not used: a session may change its own settings, so
  it would be a hint, not a boundary.
- ``event``, ``service_case`` and every table with a ``station_code`` column: a station
  reads and writes only rows with its own code.  Case children (tables with ``case_id``)
  follow their case; ``applicant`` rows may be added with the station's own code and are
  visible (and updatable, version-checked by sync) where the station owns one of their
  cases; ``stored_material`` follows its applicant.
- ``sync_feed``: a station reads rows for every station or for itself; ``sync_quarantine``:
  it adds and reads its own; ``sync_peer``: it reads and stamps its own row.
- Catalog, staff, stations and holidays are written by central only (no grants).

The table owner (the admin URL) is not subject to these policies.  Passwords are sent as
SCRAM verifiers computed on the client, so the clear text never reaches the server's logs.
"""

from __future__ import annotations

import re

from sqlalchemy import Table, text
from sqlmodel import Session, SQLModel

from hallterm.db.models import import_all_tables
from hallterm.db.sync.central import CENTRAL_TABLES

OWN = "(SELECT p.station_code FROM sync_peer p WHERE p.role_name = current_user)"
POLICY = "hallterm_station"
# Readable by stations without row rules (facts needed to talk to central).
READ_ONLY = ("store_info", "station")
# Written by central only (what a station's events may not change there).
CENTRAL_ONLY = (
    CENTRAL_TABLES - set(READ_ONLY) - {"event", "sync_peer", "sync_feed", "sync_quarantine"}
)


def role_name(station_code: str) -> str:
    """The login role of a station: ``station_`` + the code in lower case (a-z, 0-9, _)."""
    cleaned = re.sub(r"[^a-z0-9_]", "_", station_code.strip().lower())
    if not cleaned:
        raise ValueError("empty station code")
    return f"station_{cleaned}"[:63]


def _q(name: str) -> str:
    """Quote an identifier (names here come from our own metadata and ``role_name``)."""
    return '"' + name.replace('"', '""') + '"'


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
    if "station_code" in cols:
        own = f"station_code = {OWN}"
        return [("ALL", f"USING ({own}) WITH CHECK ({own})")]
    if "case_id" in cols:
        rule = f"EXISTS (SELECT 1 FROM service_case c WHERE c.id = {_q(name)}.case_id)"
        return [("ALL", f"USING ({rule}) WITH CHECK ({rule})")]
    if "applicant_id" in cols:
        rule = f"EXISTS (SELECT 1 FROM applicant a WHERE a.id = {_q(name)}.applicant_id)"
        return [("ALL", f"USING ({rule}) WITH CHECK ({rule})")]
    return []


def _station_tables() -> list[Table]:
    """Tables a station writes through sync (everything central does not govern)."""
    import_all_tables()
    skip = CENTRAL_ONLY | set(READ_ONLY) | {"sync_peer", "sync_feed", "sync_quarantine"}
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in skip]


def install_policies(session: Session) -> None:
    """Enable row-level security and (re)create the policies; safe to run again."""
    ex = session.execute
    for table in _station_tables():
        policies = _policies(table)
        if not policies:
            continue
        ex(text(f"ALTER TABLE {_q(table.name)} ENABLE ROW LEVEL SECURITY"))
        for i, (command, clauses) in enumerate(policies):
            policy = f"{POLICY}_{i}"
            ex(text(f"DROP POLICY IF EXISTS {policy} ON {_q(table.name)}"))
            ex(text(f"CREATE POLICY {policy} ON {_q(table.name)} FOR {command} {clauses}"))
    fixed = {
        "sync_peer": [("ALL", "USING (role_name = current_user)")],
        "sync_feed": [("SELECT", f"USING (station_code IS NULL OR station_code = {OWN})")],
        "sync_quarantine": [
            ("SELECT", f"USING (station_code = {OWN})"),
            ("INSERT", f"WITH CHECK (station_code = {OWN})"),
        ],
    }
    for name, policies in fixed.items():
        ex(text(f"ALTER TABLE {_q(name)} ENABLE ROW LEVEL SECURITY"))
        for i, (command, clauses) in enumerate(policies):
            policy = f"{POLICY}_{i}"
            ex(text(f"DROP POLICY IF EXISTS {policy} ON {_q(name)}"))
            ex(text(f"CREATE POLICY {policy} ON {_q(name)} FOR {command} {clauses}"))


def _scram(session: Session, role: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of ``password``, made by libpq on the client."""
    raw = session.connection().connection.dbapi_connection
    verifier = raw.pgconn.encrypt_password(  # type: ignore[union-attr]
        password.encode("utf-8"), role.encode("utf-8"), b"scram-sha-256"
    )
    return str(verifier.decode("ascii"))


def ensure_station_role(session: Session, station_code: str, password: str | None) -> str:
    """Create or update the station's login role and its grants; returns the role name.

    ``password`` None keeps an existing role's password (a new role then cannot log in
    until one is set).  The station must already be registered (``sync_peer`` row).
    """
    role = role_name(station_code)
    ex = session.execute
    exists = ex(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if not exists:
        ex(text(f"CREATE ROLE {_q(role)} LOGIN"))
    if password:
        from psycopg import sql

        statement = sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(_scram(session, role, password))
        )
        raw = session.connection().connection.dbapi_connection
        with raw.cursor() as cur:  # type: ignore[union-attr]
            cur.execute(statement)
    dbname: str = ex(text("SELECT current_database()")).scalar_one()
    ex(text(f"GRANT CONNECT ON DATABASE {_q(dbname)} TO {_q(role)}"))
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
    role = role_name(station_code)
    if session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
        session.execute(text(f"DROP OWNED BY {_q(role)}"))
        session.execute(text(f"DROP ROLE {_q(role)}"))
    session.execute(
        text("UPDATE sync_peer SET role_name = NULL WHERE station_code = :c"), {"c": station_code}
    )
