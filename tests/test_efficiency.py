"""The efficiency figures against plain, independent SQL over a generated history; the
deadline lights against ``load_case``; the exports and ``hallterm report``."""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from security_support import add_admin
from sqlalchemy import text

from hallterm.clock import Clock, FrozenClock
from hallterm.db.engine import Store
from hallterm.db.services import SYSTEM, Ctx
from hallterm.db.services import efficiency as ef
from hallterm.db.services.calendar import calendar_for
from hallterm.demo.history import generate_history

FROZEN = datetime(2026, 11, 27, 2, 0, 0)  # 10:00 in the hall
TODAY = date(2026, 11, 27)
START = date(2026, 11, 10)
DONE = "('approved','denied','delivered')"

# Tests read cases as an admin (reads of personal data are checked too).
ADMIN_READ = Ctx(actor=SYSTEM, station_code="3299", clock=Clock())


@pytest.fixture(scope="module")
def history_store(history_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """This module's copy of the session's history (built once, in conftest)."""
    path = tmp_path_factory.mktemp("history") / "station.db"
    shutil.copy(history_template, path)
    store = Store(str(path))
    yield store
    store.dispose()


def _ld(column: str, dialect: str) -> str:
    """The hall's local date of a stored UTC timestamp, written plainly per dialect."""
    if dialect == "postgresql":
        return f"(({column}) AT TIME ZONE 'Asia/Shanghai')::date"
    return f"date({column}, '+8 hours')"


def _secs(later: str, earlier: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def _as_date(v: Any) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v)[:10])


SUBTREE = """
WITH RECURSIVE sub(code, root) AS (
    SELECT code, code FROM station
    UNION ALL
    SELECT s.code, sub.root FROM station s JOIN sub ON s.parent_code = sub.code
)
"""


def _key_sql(by: str, table: str) -> tuple[str, str, str]:
    """(WITH prefix, join clause, key expression) of a grouping for rows of ``table``."""
    case_col = "c.id" if table == "c" else f"{table}.case_id"
    station_col = f"{table}.station_code"
    clerk_col = f"{table}.clerk_id"
    if by == "department":
        return (
            "",
            "JOIN (SELECT DISTINCT cm.case_id, m.department_code AS key FROM case_matter cm "
            f"JOIN matter m ON m.code = cm.matter_code) k ON k.case_id = {case_col}",
            "k.key",
        )
    if by == "matter":
        return "", f"JOIN case_matter k ON k.case_id = {case_col}", "k.matter_code"
    if by == "station":
        return SUBTREE, f"JOIN sub ON sub.code = {station_col}", "sub.root"
    return "", "", f"COALESCE({clerk_col}, '')"


def plain_figures(session, by: str, start: date, end: date, today: date) -> dict[str, dict]:
    """Every figure of the table, recomputed with plain SQL (and the calendar for days)."""
    d = session.get_bind().dialect.name
    out: dict[str, dict] = defaultdict(lambda: defaultdict(float))
    params = {"s": start.isoformat(), "e": end.isoformat(), "t": today.isoformat()}
    if d == "postgresql":
        params = {"s": start, "e": end, "t": today}
    with_, join, key = _key_sql(by, "c")
    period = f"{_ld('c.registered_at', d)} BETWEEN :s AND :e"
    completed_day = _ld("c.completed_at", d)
    sql = f"""{with_}
        SELECT {key},
          COUNT(*),
          SUM(CASE WHEN c.accepted_at IS NOT NULL THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.status = 'refused' THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.status IN {DONE} THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.status IN {DONE} AND c.due_date IS NOT NULL
                   AND {completed_day} <= c.due_date THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.status IN {DONE} AND c.due_date IS NOT NULL THEN 1 ELSE 0 END),
          SUM(CASE WHEN (c.status IN {DONE} AND c.due_date IS NOT NULL
                         AND {completed_day} > c.due_date)
                     OR (c.status IN ('accepted','in_review') AND c.due_date < :t)
                   THEN 1 ELSE 0 END)
        FROM service_case c {join}
        WHERE {period}
        GROUP BY {key}"""
    names = (
        "received",
        "accepted",
        "refused",
        "completed",
        "on_time",
        "completed_with_due",
        "overdue",
    )
    for k, *values in session.execute(text(sql), params).all():
        for name, v in zip(names, values, strict=True):
            out[k or ""][name] = float(v or 0)
    # Notices issued in the period, by the day of the notice event, whatever the case became.
    sql = f"""{with_}
        SELECT {key}, COUNT(*)
        FROM event ev JOIN service_case c ON c.id = ev.entity_id {join}
        WHERE ev.entity = 'case' AND ev.kind = 'case.notified'
          AND {_ld("ev.at", d)} BETWEEN :s AND :e
        GROUP BY {key}"""
    for k, n in session.execute(text(sql), params).all():
        out[k or ""]["notices"] = float(n)
    # Working days from acceptance to completion, without the suspended ones (§45).
    cal = calendar_for(session)
    stops: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
    for cid, s, e in session.execute(
        text("SELECT case_id, started_on, ended_on FROM case_suspension")
    ).all():
        stops[cid].append((_as_date(s), None if e is None else _as_date(e)))
    sql = f"""{with_}
        SELECT {key}, c.id, {_ld("c.accepted_at", d)}, {completed_day}
        FROM service_case c {join}
        WHERE {period} AND c.status IN {DONE}
          AND c.accepted_at IS NOT NULL AND c.completed_at IS NOT NULL"""
    for k, cid, acc_day, done_day in session.execute(text(sql), params).all():
        a, c = _as_date(acc_day), _as_date(done_day)
        spent = cal.working_days_between(a, c)
        for s, e in stops[cid]:
            lo, hi = max(s, a), min(e or c, c)
            if hi > lo:
                spent -= cal.working_days_between(lo, hi)
        out[k or ""]["work_days_total"] += spent
        out[k or ""]["work_days_cases"] += 1
    # Distinct matters handled: a department's own, the matter itself, all of a station's or
    # clerk's cases.
    mkey = {"department": "m2.department_code", "matter": "cm2.matter_code"}.get(by, key)
    mjoin = "" if by in ("department", "matter") else join
    sql = f"""{with_ if by == "station" else ""}
        SELECT {mkey}, COUNT(DISTINCT cm2.matter_code),
               COUNT(DISTINCT CASE WHEN m2.online_depth >= 3 THEN cm2.matter_code END)
        FROM service_case c {mjoin}
        JOIN case_matter cm2 ON cm2.case_id = c.id
        JOIN matter m2 ON m2.code = cm2.matter_code
        WHERE {period}
        GROUP BY {mkey}"""
    for k, n, online in session.execute(text(sql), params).all():
        out[k or ""]["matters"] = float(n)
        out[k or ""]["matters_online"] = float(online)
    with_, join, key = _key_sql(by, "e")
    sql = f"""{with_}
        SELECT {key}, COUNT(*), SUM(CASE WHEN e.level >= 4 THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.level <= 2 THEN 1 ELSE 0 END), SUM(e.level)
        FROM evaluation e {join}
        WHERE {_ld("e.at", d)} BETWEEN :s AND :e
        GROUP BY {key}"""
    for k, n, good, bad, stars in session.execute(text(sql), params).all():
        out[k or ""]["ratings"] = float(n)
        out[k or ""]["good"] = float(good)
        out[k or ""]["bad"] = float(bad)
        out[k or ""]["stars_total"] = float(stars)
    with_, join, key = _key_sql(by, "t")
    sql = f"""{with_}
        SELECT {key},
          SUM(CASE WHEN t.called_at IS NOT NULL THEN {_secs("t.called_at", "t.issued_at", d)}
              ELSE 0 END),
          SUM(CASE WHEN t.called_at IS NOT NULL THEN 1 ELSE 0 END),
          SUM(CASE WHEN t.started_at IS NOT NULL AND t.finished_at IS NOT NULL
              THEN {_secs("t.finished_at", "t.started_at", d)} ELSE 0 END),
          SUM(CASE WHEN t.started_at IS NOT NULL AND t.finished_at IS NOT NULL THEN 1 ELSE 0 END)
        FROM ticket t {join}
        WHERE t.day BETWEEN :s AND :e
        GROUP BY {key}"""
    for k, wait_s, waits, service_s, services in session.execute(text(sql), params).all():
        out[k or ""]["wait_total_s"] = float(wait_s or 0)
        out[k or ""]["waits"] = float(waits or 0)
        out[k or ""]["service_total_s"] = float(service_s or 0)
        out[k or ""]["services"] = float(services or 0)
    return out


FIGURES = (
    "received",
    "accepted",
    "notices",
    "refused",
    "completed",
    "on_time",
    "completed_with_due",
    "overdue",
    "work_days_total",
    "work_days_cases",
    "matters",
    "matters_online",
    "ratings",
    "good",
    "bad",
    "stars_total",
    "waits",
    "services",
)


def check_table(session, by: str, start: date, end: date) -> ef.EfficiencyTable:
    table = ef.efficiency_table(session, by=by, start=start, end=end, today=TODAY)
    expected = plain_figures(session, by, start, end, TODAY)
    got = {r.key: r for r in table.rows}
    if by == "station":
        assert set(got) == {
            row[0] for row in session.execute(text("SELECT code FROM station")).all()
        }
    for key in set(got) | {k for k, v in expected.items() if any(v.values())}:
        row = got.get(key)
        assert row is not None, f"{by}: no row for {key}"
        want = expected.get(key, {})
        for name in FIGURES:
            assert getattr(row, name) == want.get(name, 0), f"{by} {key} {name}"
        assert row.wait_total_s == pytest.approx(want.get("wait_total_s", 0), rel=1e-6, abs=0.05)
        assert row.service_total_s == pytest.approx(
            want.get("service_total_s", 0), rel=1e-6, abs=0.05
        )
        # The derived figures are the plain ratios of those.
        if row.completed_with_due:
            assert row.on_time_rate == row.on_time / row.completed_with_due
        if row.ratings:
            assert row.stars == row.stars_total / row.ratings
    return table


@pytest.mark.parametrize("by", ef.GROUPINGS)
def test_each_figure_equals_a_plain_query(history_store, by):
    with history_store.read() as session:
        table = check_table(session, by, START, TODAY)
        assert table.rows, by
        # The total is the ungrouped cohort (a case with two matters counted once).
        total = plain_figures(session, "clerk", START, TODAY, TODAY)
        assert table.total.received == sum(v["received"] for v in total.values())
        assert table.total.ratings == sum(v["ratings"] for v in total.values())


def test_the_history_is_rich_enough_to_mean_something(history_store):
    with history_store.read() as session:
        statuses = {
            s for (s,) in session.execute(text("SELECT DISTINCT status FROM service_case")).all()
        }
        levels = session.execute(text("SELECT DISTINCT level FROM evaluation")).all()
        table = ef.efficiency_table(session, by="station", start=START, end=TODAY, today=TODAY)
    assert {"accepted", "notified", "refused", "in_review", "approved", "delivered"} <= statuses
    assert len(levels) >= 4
    root = table.rows[0]
    assert root.depth == 0 and root.received == table.total.received  # the root sums the tree
    assert max(r.depth for r in table.rows) == 3  # city → county → township → village
    assert root.waits > 0 and root.services > 0 and root.overdue >= 0


def test_lights_agree_with_load_case(history_store):
    from hallterm.db.services.cases import load_case

    with history_store.read() as session:
        counts = ef.light_counts(session, station_code=None, today=TODAY)
        ids = [
            r[0]
            for r in session.execute(
                text(
                    "SELECT id FROM service_case WHERE status IN "
                    "('accepted','in_review','suspended') AND due_date IS NOT NULL"
                )
            ).all()
        ]
        per_case: dict[str, int] = defaultdict(int)
        for case_id in ids:
            per_case[load_case(session, ADMIN_READ, case_id, TODAY).light] += 1
        for light in ("green", "yellow", "red"):
            listed = ef.cases_by_light(session, light, station_code=None, today=TODAY, limit=10_000)
            assert len(listed) == counts[light]
            for c in listed[:5]:
                view = load_case(session, ADMIN_READ, c.id, TODAY)
                assert (view.light, view.days_left) == (light, c.days_left)
    assert counts == {k: per_case.get(k, 0) for k in ("green", "yellow", "red")}
    assert sum(counts.values()) == len(ids) > 0


def test_daily_series_and_dashboard(history_store):
    with history_store.read() as session:
        series = ef.daily_series(session, START, TODAY)
        plain = dict(
            session.execute(
                text(
                    "SELECT date(registered_at, '+8 hours'), COUNT(*) FROM service_case GROUP BY 1"
                )
            ).all()
        )
        dash = ef.dashboard(
            session, station_code="3299", now=FrozenClock(FROZEN).now(), today=TODAY
        )
    assert [p.day for p in series][0] == START and series[-1].day == TODAY
    for p in series:
        assert p.received == plain.get(p.day.isoformat(), 0)
    assert {w.window for w in dash.windows} >= {"5"}
    assert [ls.category for ls in dash.lines]
    assert dash.open_rectifications == len(dash.rectifications) or len(dash.rectifications) == 50


def test_dashboard_extension_point(history_store):
    calls = []

    def overdue_consultations(session, station_code, today):
        calls.append((station_code, today))
        return ef.DashboardSection("逾期咨询", ("编号", "天数"), (("Z1", "3"),))

    ef.register_dashboard_section(overdue_consultations)
    try:
        with history_store.read() as session:
            dash = ef.dashboard(
                session, station_code=None, now=FrozenClock(FROZEN).now(), today=TODAY
            )
    finally:
        ef.DASHBOARD_SECTIONS.remove(overdue_consultations)
    assert calls == [(None, TODAY)]
    assert dash.extra[0].rows == (("Z1", "3"),)


def test_exports_carry_the_same_figures(history_store, tmp_path):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from hallterm.printing.report import write_report

    with history_store.read() as session:
        table = ef.efficiency_table(session, by="department", start=START, end=TODAY, today=TODAY)
        series = ef.daily_series(session, START, TODAY)
    out_csv = write_report(table, tmp_path / "t.csv", "csv")
    with out_csv.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][1] == "部门" and len(rows) == len(table.rows) + 2
    for row, r in zip(rows[1:], table.rows, strict=False):
        assert row[0] == r.key and row[1] == r.name and int(row[2]) == r.received
    out_xlsx = write_report(table, tmp_path / "t.xlsx", "xlsx", series=series)
    ws = load_workbook(out_xlsx).worksheets[0]
    values = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(values) == len(table.rows) + 1
    for got, r in zip(values, table.rows, strict=False):
        at = {c.key: i + 1 for i, c in enumerate(ef.COLUMNS)}
        assert got[0] == r.key and got[at["received"]] == r.received
        assert got[at["ratings"]] == r.ratings and got[at["notices"]] == r.notices
        if r.on_time_rate is not None:
            assert got[at["on_time_rate"]] == pytest.approx(r.on_time_rate, abs=1e-4)
    with pytest.raises(ValueError):
        write_report(table, tmp_path / "t.pdf", "pdf", issuer="江川市政务服务中心")
    out_pdf = write_report(
        table,
        tmp_path / "t.pdf",
        "pdf",
        issuer="江川市政务服务中心",
        series=series,
        generated_at=FrozenClock(FROZEN).now(),
    )
    reader = PdfReader(out_pdf)
    text_all = "".join(page.extract_text() for page in reader.pages)
    assert "江川市政务服务中心" in text_all and table.rows[0].name in text_all
    # The national names with their definitions, the levels that count said plainly.
    for name in ("按时办结率", "好评率", "差评率", "一次告知数", "基本满意"):
        assert name in text_all, name
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            else:
                descriptor = font["/FontDescriptor"]  # no standard (unembedded) font at all
            stream = descriptor.get_object()["/FontFile2"].get_object()
            assert len(stream.get_data()) > 1000


def test_report_command(history_store, tmp_path):
    from click.testing import CliRunner

    from hallterm.cli import main

    out = tmp_path / "station.csv"
    result = CliRunner(env=add_admin(history_store.url)).invoke(
        main,
        [
            "report",
            "--store",
            str(Path(history_store.url.split("///", 1)[1])),
            "--from",
            START.isoformat(),
            "--to",
            TODAY.isoformat(),
            "--by",
            "station",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][0] == "3299" and rows[-1][1] == "合计"
    bad = CliRunner().invoke(
        main, ["report", "--from", "2026-11-10", "--to", "2026-11-01", "--out", str(out)]
    )
    assert bad.exit_code == 2


def test_figures_on_postgresql(pg_url, demo_template):
    """The same figures on PostgreSQL (the central store's kind of database)."""
    from hallterm.db.services import SYSTEM, Ctx
    from hallterm.db.services.catalog.io import import_catalog
    from hallterm.db.services.setup import init_store
    from hallterm.db.services.staff import create_staff
    from hallterm.demo import demo_catalog

    clock = FrozenClock(FROZEN)
    store = Store(pg_url)
    ctx = Ctx(actor=SYSTEM, station_code="3299", clock=clock)
    try:
        init_store(store, ctx, "3299", "江川市政务服务中心", "city")
        with store.write() as session:
            import_catalog(session, ctx, demo_catalog())
            create_staff(
                session,
                ctx,
                username="supervisor",
                name="王建国",
                role="supervisor",
                password="super1234",
                station_code="3299",
            )
        generate_history(store, days=6, seed=5, clock=clock, extra_stations=3, tickets_per_day=10)
        with store.read() as session:
            for by in ef.GROUPINGS:
                check_table(session, by, date(2026, 11, 16), TODAY)
            counts = ef.light_counts(session, station_code=None, today=TODAY)
            assert sum(counts.values()) > 0
    finally:
        store.dispose()


def test_workday_index_counts_as_the_calendar():
    import random
    from datetime import timedelta

    from hallterm.domain.workdays import WorkCalendar

    cal = WorkCalendar({date(2027, 1, 4): False, date(2027, 2, 6): True}, {2027})
    index = ef.WorkdayIndex(cal)
    rng = random.Random(4)
    base = date(2025, 12, 1)
    for _ in range(400):
        a = base + timedelta(days=rng.randint(0, 800))
        b = a + timedelta(days=rng.randint(-60, 60))
        assert index.working_days_between(a, b) == cal.working_days_between(a, b), (a, b)
        assert index.working_days_left(a, b) == cal.working_days_left(a, b), (a, b)


def _rollup_rows(session) -> dict[str, tuple]:
    rows = session.execute(
        text(
            "SELECT bucket, cases, accepted, with_due, on_time, late, work_days, work_cases, "
            "notices FROM case_daily"
        )
    ).all()
    ratings = session.execute(
        text("SELECT 'r:' || bucket, ratings, good, bad, stars FROM rating_daily")
    ).all()
    return {r[0]: tuple(r[1:]) for r in [*rows, *ratings]}


def test_rollups_kept_event_by_event_equal_a_rebuild(history_store):
    """What every case event kept in its own transaction is exactly what a recomputation from
    the cases and the notice events gives, and no bucket is left empty."""
    with history_store.read() as session:
        kept = _rollup_rows(session)
        suspended_done = session.execute(
            text(
                "SELECT COUNT(*) FROM case_suspension s JOIN service_case c ON c.id = s.case_id "
                f"WHERE c.status IN {DONE} AND s.ended_on > s.started_on"
            )
        ).scalar()
    assert kept and all(v[0] or v[-1] for v in kept.values())
    assert any(k.startswith("r:") for k in kept)  # ratings too
    assert suspended_done, "the history must have completed cases with a suspension"
    with history_store.write() as session:
        ef.rebuild(session)
        rebuilt = _rollup_rows(session)
        session.rollback()
    assert rebuilt == kept


def test_rollups_backfilled_by_the_migration(history_store, tmp_path):
    """A store from before the rollups gets them when it is upgraded."""
    from hallterm.db.migrate import current_revision, downgrade, upgrade

    path = tmp_path / "old.db"
    shutil.copy(Path(history_store.url.split("///", 1)[1]), path)
    store = Store(str(path))
    try:
        with store.read() as session:
            kept = _rollup_rows(session)
        # Back to the heads of 0006 (the later migrations descend from the rollups')
        downgrade(store, "0006_supervisor_rollups")
        with store.write() as session:  # the store as it was before the rollups' migration
            for statement in (
                "DROP TABLE case_daily",
                "DROP TABLE case_fact",
                "DROP TABLE rating_daily",
                "DROP INDEX ix_rectification_open_only",
                "DROP INDEX ix_case_open_only",
                # its parent 0004 is already an ancestor of another head (0006_queue_priority)
                "DELETE FROM alembic_version WHERE version_num = '0006_supervisor_rollups'",
            ):
                session.execute(text(statement))
        with store.read() as session:
            tables = {r[0] for r in session.execute(text("SELECT name FROM sqlite_master")).all()}
        assert "case_daily" not in tables
        assert "0006_supervisor_rollups" not in (current_revision(store) or "")
        upgrade(store)
        with store.read() as session:
            assert _rollup_rows(session) == kept
    finally:
        store.dispose()


def test_rectification_deadline_is_a_setting(demo_store, clock, tmp_path):
    from click.testing import CliRunner

    from hallterm.cli import main
    from hallterm.db.models import Staff
    from hallterm.db.models_queue import Rectification
    from hallterm.db.services import Ctx, ServiceError
    from hallterm.db.services import queue as q
    from hallterm.db.services.efficiency_settings import rectify_working_days
    from hallterm.db.services.ratings import applicant_ctx, rate
    from hallterm.db.services.staff import actor_of

    where = str(Path(demo_store.url.split("///", 1)[1]))
    runner = CliRunner(env=add_admin(demo_store.url))
    shown = runner.invoke(main, ["rectify-days", "--store", where])
    assert shown.exit_code == 0 and "15" in shown.output
    bad = runner.invoke(main, ["rectify-days", "--store", where, "0"])
    assert bad.exit_code == 1 and "1" in bad.output
    with demo_store.read() as session:
        assert rectify_working_days(session) == 15  # nothing written
    done = runner.invoke(main, ["rectify-days", "--store", where, "5"])
    assert done.exit_code == 0, done.output
    with demo_store.read() as session:
        staff = session.execute(text("SELECT id FROM staff WHERE username = 'clerk'")).scalar()
        ctx = Ctx(actor=actor_of(session.get(Staff, staff)), station_code="3299", clock=clock)
    with demo_store.write() as session:
        t = q.issue_ticket(session, ctx, q.categories(session)[0].code)
        q.call_next(session, ctx, "5")
        q.start_service(session, ctx, t.id)
        q.finish(session, ctx, t.id)
        rated = rate(session, applicant_ctx(ctx), level=1, comment="慢", ticket_id=t.id)
    with demo_store.read() as session:
        rect = session.get(Rectification, rated.rectification_id)
        assert rect is not None
        assert rect.due_date == calendar_for(session).add_working_days(clock.today(), 5)
        kinds = [
            r[0]
            for r in session.execute(
                text("SELECT kind FROM event WHERE entity = 'setting' ORDER BY seq")
            ).all()
        ]
    assert kinds == ["setting.changed"]
    with pytest.raises(ServiceError), demo_store.write() as session:
        from hallterm.db.services.efficiency_settings import set_rectify_working_days

        set_rectify_working_days(session, ctx, 61)
