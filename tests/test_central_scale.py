"""Central's schema is ready to scale out: every table classified; on PostgreSQL the keys
meet Citus' rules for tables distributed by station_code, ``event`` is partitioned by month
(``hallterm central partitions`` adds months), central has no outbox index, and sync and
transfers still work on that schema."""

from __future__ import annotations

from datetime import UTC, date, datetime

import psycopg
from click.testing import CliRunner
from security_support import add_admin
from sqlalchemy import text
from sqlmodel import SQLModel, select
from test_sync_support import (
    PARENT,
    ServiceThread,
    clerk_ctx,
    enrol,
    make_cases,
    make_central,
    station_copy,
)

from hallterm.cli import main
from hallterm.clock import Clock
from hallterm.db.events import verify_chain
from hallterm.db.models import (
    CaseMaterialLine,
    CaseMatter,
    ServiceCase,
    import_all_tables,
)
from hallterm.db.services.cases import advance
from hallterm.db.sync.central import add_staff, central_ctx, list_conflicts
from hallterm.db.sync.central.layout import (
    CASE_CHILDREN,
    CENTRAL_LOCAL,
    DISTRIBUTED,
    REFERENCE,
    kind_of,
)
from hallterm.db.sync.central.partitions import month_start, partition_name
from hallterm.db.sync.runner import sync_once


def test_every_table_is_classified_once() -> None:
    import_all_tables()
    names = set(SQLModel.metadata.tables) | {"alembic_version"}
    unclassified = sorted(n for n in names if kind_of(n) is None)
    assert not unclassified, f"classify these in central/layout.py: {unclassified}"
    assert not (DISTRIBUTED & REFERENCE or DISTRIBUTED & CENTRAL_LOCAL or REFERENCE & CENTRAL_LOCAL)
    stale = sorted((DISTRIBUTED | REFERENCE | CENTRAL_LOCAL) - names)
    assert not stale, f"classified but not in the schema: {stale}"
    for name in DISTRIBUTED:
        assert "station_code" in SQLModel.metadata.tables[name].c, name


# -- PostgreSQL: the catalog says so --------------------------------------------------------


def _raw(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def _constraints(conn: psycopg.Connection) -> list[tuple[str, str, str, list[str], str, list[str]]]:
    """(table, name, type, columns, referenced table, referenced columns) in schema public."""
    return [
        (t, n, k, list(cols), ft or "", list(fcols or []))
        for t, n, k, cols, ft, fcols in conn.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, c.contype::text,
              array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
                    ORDER BY k.i),
              CASE WHEN c.contype = 'f' THEN c.confrelid::regclass::text END,
              array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n
                    ORDER BY k.i)
            FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
            WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('p', 'u', 'f')
              AND NOT r.relispartition
            """
        )
    ]


def _tables(conn: psycopg.Connection) -> set[str]:
    return {
        r[0]
        for r in conn.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "AND relkind IN ('r', 'p') AND NOT relispartition"
        )
    }


def _partitions(conn: psycopg.Connection) -> set[str]:
    return {
        r[0]
        for r in conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'public.event'::regclass"
        )
    }


def assert_ready_for_citus(conn: psycopg.Connection, today: date) -> None:
    """What Citus asks of tables distributed on station_code, and partitions present."""
    tables = _tables(conn)
    assert tables == {t for t in tables if kind_of(t)}, "an unclassified table at central"
    assert tables >= DISTRIBUTED
    found = _constraints(conn)
    for table, name, kind, cols, target, target_cols in found:
        if table in DISTRIBUTED and kind == "p":
            assert cols[0] == "station_code", (table, name, cols)
        if table in DISTRIBUTED and kind == "u":
            assert "station_code" in cols, (table, name, cols)
        if kind == "f" and target in DISTRIBUTED:
            # Only distributed tables may point at distributed ones, through station_code.
            assert table in DISTRIBUTED, f"{kind_of(table)} {table} → {target} ({name})"
            pairs = set(zip(cols, target_cols, strict=True))
            assert ("station_code", "station_code") in pairs, (table, name, cols, target_cols)
    assert {t for t, _n, k, *_ in found if k == "p"} >= DISTRIBUTED  # each has a key
    # Unique indexes outside constraints hold the distribution column too.
    for table, definition in conn.execute(
        "SELECT r.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "JOIN pg_class r ON r.oid = x.indrelid WHERE x.indisunique "
        "AND r.relnamespace = 'public'::regnamespace AND NOT r.relispartition"
    ):
        if table in DISTRIBUTED:
            assert "station_code" in definition, definition
    # Case children and their case: station_code → station_code.
    fks = {(t, tuple(c), tg, tuple(tc)) for t, _n, k, c, tg, tc in found if k == "f"}
    for child in CASE_CHILDREN:
        assert (child, ("station_code", "case_id"), "service_case", ("station_code", "id")) in fks
    # event: partitioned by month on ``at``, this and next month there, and a default.
    strategy, key = conn.execute(
        "SELECT p.partstrat::text, a.attname::text FROM pg_partitioned_table p "
        "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
        "WHERE p.partrelid = 'public.event'::regclass"
    ).fetchone() or (None, None)
    assert (strategy, key) == ("r", "at")
    parts = _partitions(conn)
    assert {partition_name(month_start(today)), partition_name(month_start(today, 1))} <= parts
    assert "event_default" in parts
    # No outbox index at central: nothing indexes sent_at.
    event_indexes = [
        str(r[0])
        for r in conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'event'"
        )
    ]
    assert event_indexes and not [d for d in event_indexes if "sent_at" in d], event_indexes
    assert not conn.execute("SELECT 1 FROM pg_class WHERE relname = 'ix_event_unsent'").fetchone()


def test_central_schema_meets_the_distribution_rules(pg_url, clock) -> None:
    central = make_central(pg_url, clock, ("A1", "B1"))
    with _raw(pg_url) as conn:
        assert_ready_for_citus(conn, Clock().today())
    central.dispose()


def test_partitions_command_adds_months_as_an_admin(pg_url, clock) -> None:
    central = make_central(pg_url, clock, ("A1",))
    with central.write() as s:
        for username, role in (("centraladmin", "admin"), ("centralclerk", "clerk")):
            add_staff(
                s,
                central_ctx(clock),
                username=username,
                name="赵敏",
                role=role,
                password="admin1234",
                station_code=PARENT[0],
            )
    today = Clock().today()
    far = month_start(today, 5)
    with _raw(pg_url) as conn:  # an event of a month without its partition yet
        conn.execute(
            "INSERT INTO event (id, station_code, seq, entity, entity_id, kind, payload, actor, "
            "at, prev_hash, hash) VALUES ('e-far', 'ZZ', 1, 'x', 'x', 'x.y', '{}', '', %s, '', 'h')",
            (datetime(far.year, far.month, 15, tzinfo=UTC),),
        )
        stray = "SELECT count(*) FROM event_default WHERE id = 'e-far'"
        assert conn.execute(stray).fetchone() == (1,)
    runner = CliRunner()
    env = {"HALLTERM_PASSWORD": "admin1234"}
    args = ["central", "partitions", "--months", "6", "--central", pg_url]
    out = runner.invoke(main, [*args, "--user", "centralclerk"], env=env)
    assert out.exit_code != 0  # a clerk may not
    out = runner.invoke(main, ["--lang", "en", *args], env=env)
    assert out.exit_code != 0 and "--user" in out.output  # nobody named
    out = runner.invoke(main, ["--lang", "en", *args, "--user", "centraladmin"], env=env)
    assert out.exit_code == 0, out.output
    assert partition_name(far) in out.output
    with _raw(pg_url) as conn:
        parts = _partitions(conn)
        for ahead in range(7):
            assert partition_name(month_start(today, ahead)) in parts
        assert conn.execute(stray).fetchone() == (0,)
        moved = f"SELECT count(*) FROM {partition_name(far)} WHERE id = 'e-far'"
        assert conn.execute(moved).fetchone() == (1,)
        assert_ready_for_citus(conn, today)
        # Large values are compressed with lz4 (0010) in every partition, old, new or moved.
        assert _compressions(conn) == {"l" if _has_lz4(conn) else ""}
    out = runner.invoke(main, ["--lang", "en", *args, "--user", "centraladmin"], env=env)
    assert out.exit_code == 0 and "is there" in out.output, out.output  # idempotent
    central.dispose()


def _has_lz4(conn: psycopg.Connection) -> bool:
    lz4 = "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    row = conn.execute(lz4).fetchone()
    return bool(row and row[0])


def _compressions(conn: psycopg.Connection) -> set[str]:
    """How the event partitions' payloads and the certificate copies' PDFs are compressed."""
    rows = conn.execute(
        "SELECT attcompression FROM pg_attribute WHERE (attname = 'payload' AND attrelid IN "
        "(SELECT relid FROM pg_partition_tree('event'))) "
        "OR (attname = 'pdf' AND attrelid = 'certificate_copy'::regclass)"
    ).fetchall()
    assert len(rows) > 3
    return {str(r[0]) for r in rows}


# -- PostgreSQL: sync and transfers on the scaled-out schema ---------------------------------


def test_two_stations_sync_and_a_transfer_moves_the_case(
    pg_url, tmp_path, tmp_path_factory, clock
) -> None:
    central = make_central(pg_url, clock, ("A1", "B1"))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    b = station_copy(tmp_path_factory, tmp_path / "b.db", "B1", clock)
    with ServiceThread(pg_url, clock) as svc:
        ca = enrol(a, central, "A1", svc.url, clock)
        cb = enrol(b, central, "B1", svc.url, clock)
        a_cases = make_cases(a, "A1", clock, 3)
        make_cases(b, "B1", clock, 2)
        for station, client in ((a, ca), (b, cb)):
            for _ in range(4):
                done = sync_once(station, client, batch=50, clock=clock)
                assert not done.refused
        with a.read() as s:  # the station's rows carry their case's station code
            lines = s.exec(select(CaseMaterialLine)).all()
            assert lines and {line.station_code for line in lines} == {"A1"}
        case_id = a_cases[0]
        with _raw(pg_url) as conn:
            owners = conn.execute(
                "SELECT DISTINCT station_code FROM case_material_line WHERE case_id = %s",
                (case_id,),
            ).fetchall()
            assert owners == [("A1",)]

        out = CliRunner(env=add_admin(pg_url)).invoke(
            main, ["central", "transfer", case_id, "--to", "B1", "--central", pg_url]
        )
        assert out.exit_code == 0, out.output
        with _raw(pg_url) as conn:  # the rows moved under B1's key, none left under A1
            for table in ("service_case", *CASE_CHILDREN):
                key = "id" if table == "service_case" else "case_id"
                rows = conn.execute(
                    f"SELECT station_code, count(*) FROM {table} WHERE {key} = %s "
                    "GROUP BY station_code",
                    (case_id,),
                ).fetchall()
                if table != "case_suspension":
                    assert rows and {r[0] for r in rows} == {"B1"}, (table, rows)
        # A1, offline, still works on the case: refused as not its owner.
        with a.write() as s:
            advance(s, clerk_ctx("A1", clock), case_id, "start_review")
        for _ in range(3):
            sync_once(b, cb, batch=50, clock=clock)
        with b.read() as s:  # B1 pulled the case and its children under its own code
            assert s.get(ServiceCase, case_id).station_code == "B1"
            matters = s.exec(select(CaseMatter).where(CaseMatter.case_id == case_id)).all()
            assert matters and {m.station_code for m in matters} == {"B1"}
        with b.write() as s:  # and works on it
            advance(s, clerk_ctx("B1", clock), case_id, "start_review")
        assert not sync_once(b, cb, batch=50, clock=clock).refused
        refused = sync_once(a, ca, batch=50, clock=clock).refused
        assert [r.problem for r in refused] == ["owner"]
        with central.read() as s:
            case = s.get(ServiceCase, case_id)
            assert (case.station_code, case.status) == ("B1", "in_review")
            assert [c.problem for c in list_conflicts(s, central_ctx(clock))] == ["owner"]
            assert verify_chain(s) == []
        with _raw(pg_url) as conn:  # the events sit in the month partitions, not the default
            month = partition_name(month_start(clock.now().date()))
            if month in _partitions(conn):
                assert conn.execute(f"SELECT count(*) FROM {month}").fetchone()[0] > 0
            assert_ready_for_citus(conn, Clock().today())
        ca.close()
        cb.close()
    central.dispose()


def test_a_seq_taken_in_another_month_is_refused(pg_url, clock) -> None:
    """(station_code, seq) stays unique across partitions: receive refuses a taken seq."""
    from hallterm.db.sync.central import EventIn, receive

    central = make_central(pg_url, clock, ("A1",))
    first = EventIn("e1", "A1", 1, "x", "x", "x.y", "{}", "", clock.now(), "", "h1")
    later = datetime(2031, 3, 1, tzinfo=UTC)  # another month: another partition
    other = EventIn("e2", "A1", 1, "x", "x", "x.y", "{}", "", later, "", "h2")
    with central.write() as s:
        assert [r.status for r in receive(s, "A1", [first], clock.now())] == ["ok"]
    for fast in (False, True):
        with central.write() as s:
            [reply] = receive(s, "A1", [other], clock.now(), fast=fast)
            assert (reply.status, reply.problem) == ("conflict", "seq")
    with _raw(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM event WHERE station_code = 'A1'").fetchone() == (
            1,
        )
    central.dispose()


def test_an_existing_central_is_scaled_out_by_the_migration(pg_url) -> None:
    """A central made before migration 0007 gets the new keys, the partitions and its rows."""
    from hallterm.db.engine import Store
    from hallterm.db.migrate import upgrade
    from hallterm.db.schema_version import SCHEMA_HEADS

    store = Store(pg_url)
    for head in ("0005", "0006_certificates_lifetime", "0006_desk", "0006_papers"):
        upgrade(store, head)
    for head in ("0006_queue_priority", "0006_security", "0006_supervisor_rollups"):
        upgrade(store, head)
    upgrade(store, "0006_sync_service")
    now = datetime(2026, 10, 5, 8, tzinfo=UTC)
    with store.engine.begin() as c:
        ex = c.execute
        ex(text("INSERT INTO store_info (key, value) VALUES ('role', 'central')"))
        ex(
            text(
                "INSERT INTO station (code, name, level, address, phone) "
                "VALUES ('A1', 'a', 'township', '', '')"
            )
        )
        ex(
            text(
                "INSERT INTO applicant (id, kind, name, id_type, id_number, phone, address, "
                "legal_rep, station_code, created_at, version) VALUES "
                "('p1', 'person', '甲', 'resident_id', 'x', '', '', '', 'A1', :t, 1)"
            ),
            {"t": now},
        )
        ex(
            text(
                "INSERT INTO service_case (id, number, station_code, applicant_id, clerk_id, "
                '"window", status, catalog_version, registered_at, decision_reason, version, '
                "updated_at, agent_name, agent_id_type, agent_id_number, agent_phone, "
                "delivery_method, delivery_reference) VALUES ('c1', 'N1', 'A1', 'p1', 'k', '', "
                "'accepted', 'v', :t, '', 1, :t, '', '', '', '', '', '')"
            ),
            {"t": now},
        )
        ex(text("INSERT INTO case_matter (case_id, matter_code, position) VALUES ('c1', 'm', 0)"))
        ex(
            text(
                "INSERT INTO event (id, station_code, seq, entity, entity_id, kind, payload, "
                "actor, at, prev_hash, hash) VALUES ('e1', 'A1', 1, 'case', 'c1', 'case.x', "
                "'{}', '', :t, '', 'h')"
            ),
            {"t": now},
        )
    upgrade(store)
    with store.engine.connect() as c:
        assert set(c.execute(text("SELECT version_num FROM alembic_version")).scalars()) == set(
            SCHEMA_HEADS
        )
        assert c.execute(text("SELECT station_code FROM case_matter")).scalar() == "A1"
        assert c.execute(text("SELECT count(*) FROM event_y2026m10")).scalar() == 1
    with _raw(pg_url) as conn:
        assert_ready_for_citus(conn, Clock().today())
    store.dispose()
