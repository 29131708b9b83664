"""Importing a year's official arrangement: the warning goes, running cases move, with events.

At a station (``import_arrangements``, what ``hallterm calendar import`` runs) and from
central (``central_import`` publishes; the station's pull applies it), on SQLite and
PostgreSQL.  Test data only: the 2027 arrangement below is made up.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from hallterm.clock import FrozenClock
from hallterm.config import Settings
from hallterm.db.engine import Store
from hallterm.db.models import Event, HolidayYear, Matter, ServiceCase
from hallterm.db.services import SYSTEM, Actor, Ctx
from hallterm.db.services import cases as svc
from hallterm.db.services.applicants import register_applicant
from hallterm.db.services.calendar import calendar_for, import_arrangements
from hallterm.db.services.catalog.io import import_catalog
from hallterm.db.services.setup import init_store
from hallterm.demo import demo_catalog
from hallterm.domain import workdays
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.workdays import read_arrangements

STATION = "3299"
ID_CARD_RENEWAL = "居民身份证换领"  # 20 working days
ARRANGEMENT_2027 = {
    "years": {
        "2027": {
            "holidays": ["2027-01-01/2027-01-03", "2027-02-06/2027-02-12"],
            "workdays": ["2027-02-13"],
        }
    }
}


def hall_clock(day: date, hour: int = 10) -> FrozenClock:
    return FrozenClock(datetime(day.year, day.month, day.day, hour) - timedelta(hours=8))


def clerk_ctx(clock: FrozenClock, station: str = STATION) -> Ctx:
    actor = Actor(staff_id="", username="clerk", name="李晓梅", role="clerk", station_code=station)
    return Ctx(actor=actor, station_code=station, clock=clock)


def admin_ctx(clock: FrozenClock, station: str = STATION) -> Ctx:
    """Loading a year's arrangement is an administrator's work (manage_calendar)."""
    actor = Actor(staff_id="", username="admin", name="陈静", role="admin", station_code=station)
    return Ctx(actor=actor, station_code=station, clock=clock)


def make_station(url: str, clock: FrozenClock) -> Store:
    store = Store(url)
    ctx = Ctx(actor=SYSTEM, station_code=STATION, clock=clock)
    init_store(store, ctx, STATION, "江川市政务服务中心", "city")
    with store.write() as session:
        import_catalog(session, ctx, demo_catalog())
    return store


@pytest.fixture
def clock() -> FrozenClock:
    return hall_clock(date(2026, 12, 21))  # a Monday


@pytest.fixture
def station(any_url: str, clock: FrozenClock) -> Iterator[Store]:
    store = make_station(any_url, clock)
    yield store
    store.dispose()


def accepted_case(store: Store, ctx: Ctx, matter_name: str, n: int = 1) -> str:
    first17 = f"32010219800101{n:03d}"
    with store.write() as session:
        code = session.exec(select(Matter.code).where(Matter.name == matter_name)).one()
        applicant = register_applicant(
            session,
            ctx,
            id_type="resident_id",
            id_number=first17 + resident_id_check_char(first17),
            name="张三",
        )
        case_id = svc.start_case(session, ctx, applicant_id=applicant.id, matter_codes=[code])
    with store.write() as session:
        view = svc.load_case(session, ctx, case_id, ctx.clock.today())
        svc.record_lines(
            session,
            ctx,
            case_id,
            [
                svc.LineInput.in_full(lv.requirement)
                for lv in view.lines
                if lv.requirement.necessity != "optional"
            ],
        )
        svc.accept(session, ctx, case_id)
    return case_id


def arrangement_file(tmp_path: Path, doc: object = ARRANGEMENT_2027) -> Path:
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def recomputed_events(store: Store, case_id: str) -> list[dict[str, object]]:
    with store.read() as session:
        rows = session.exec(
            select(Event).where(Event.entity_id == case_id, Event.kind == "case.due_recomputed")
        ).all()
        return [json.loads(e.payload) for e in rows]


def test_ranges_expand_to_days(tmp_path: Path) -> None:
    (arr,) = read_arrangements(arrangement_file(tmp_path))
    assert arr.year == 2027
    assert len(arr.holidays) == 3 + 7
    assert date(2027, 2, 9) in arr.holidays and arr.workdays == {date(2027, 2, 13)}


def test_bad_range_is_refused_with_a_message(tmp_path: Path) -> None:
    bad = {"years": {"2027": {"holidays": ["2027-02-12/2027-02-06"]}}}
    with pytest.raises(ValueError) as exc:
        read_arrangements(arrangement_file(tmp_path, bad))
    assert "2027-02-12/2027-02-06" in str(exc.value) and "范围" in str(exc.value)


def test_import_declares_the_year_and_moves_running_cases(
    station: Store, clock: FrozenClock, tmp_path: Path
) -> None:
    ctx = clerk_ctx(clock)
    case_id = accepted_case(station, ctx, ID_CARD_RENEWAL)
    with station.read() as session:
        view = svc.load_case(session, ctx, case_id, clock.today())
    # 2027 unknown: Monday to Friday counts 1 January as a working day
    assert view.due_date == date(2027, 1, 18)
    assert view.calendar_needs_update

    with station.write() as session:
        result = import_arrangements(
            session, admin_ctx(clock), read_arrangements(arrangement_file(tmp_path)), "2027.json"
        )
    assert result.imported == [2027]
    assert [(m.number, m.old, m.new) for m in result.moved] == [
        (view.number, date(2027, 1, 18), date(2027, 1, 19))
    ]
    with station.read() as session:
        after = svc.load_case(session, ctx, case_id, clock.today())
        assert session.get(HolidayYear, 2027) is not None
        assert not calendar_for(session).is_workday(date(2027, 1, 1))
        assert calendar_for(session).is_workday(date(2027, 2, 13))
        rows = svc.list_cases(session, ctx, today=clock.today())
    assert after.due_date == date(2027, 1, 19)
    assert not after.calendar_needs_update  # the warning is gone
    assert after.version == view.version + 1
    assert [r.due_date for r in rows if r.id == case_id] == [date(2027, 1, 19)]
    (event,) = recomputed_events(station, case_id)
    assert (event["previous_due_date"], event["due_date"]) == ("2027-01-18", "2027-01-19")

    # The same file again changes nothing and writes nothing.
    with station.write() as session:
        again = import_arrangements(
            session, admin_ctx(clock), read_arrangements(arrangement_file(tmp_path)), "2027.json"
        )
    assert again.unchanged == [2027] and not again.imported and not again.moved
    assert len(recomputed_events(station, case_id)) == 1


def test_a_changed_arrangement_replaces_the_year(
    station: Store, clock: FrozenClock, tmp_path: Path
) -> None:
    ctx = clerk_ctx(clock)
    case_id = accepted_case(station, ctx, ID_CARD_RENEWAL)
    with station.write() as session:
        import_arrangements(
            session, admin_ctx(clock), read_arrangements(arrangement_file(tmp_path))
        )
    corrected = {"years": {"2027": {"holidays": ["2027-01-01"], "workdays": []}}}
    with station.write() as session:
        result = import_arrangements(
            session, admin_ctx(clock), read_arrangements(arrangement_file(tmp_path, corrected))
        )
        cal = calendar_for(session)
    assert result.imported == [2027] and not result.moved  # still one day off in January
    assert cal.is_workday(date(2027, 2, 8)) and cal.is_workday(date(2027, 1, 4))
    assert not cal.is_workday(date(2027, 2, 13))  # a Saturday again, no longer a make-up day
    with station.read() as session:
        assert svc.load_case(session, ctx, case_id, clock.today()).due_date == date(2027, 1, 19)


def test_cases_of_other_years_and_closed_cases_stay(
    station: Store, clock: FrozenClock, tmp_path: Path
) -> None:
    ctx = clerk_ctx(clock)
    short = accepted_case(station, ctx, "职工基本医疗保险退休人员待遇核定", n=2)  # 5 days
    with station.read() as session:
        due = svc.load_case(session, ctx, short, clock.today()).due_date
    assert due == date(2026, 12, 28)
    with station.write() as session:
        import_arrangements(
            session, admin_ctx(clock), read_arrangements(arrangement_file(tmp_path))
        )
    assert recomputed_events(station, short) == []
    with station.read() as session:
        assert session.get(ServiceCase, short).due_date == due  # type: ignore[union-attr]


def test_override_file_is_a_setting(tmp_path: Path, clock: FrozenClock) -> None:
    path = arrangement_file(tmp_path)
    try:
        Settings(holiday_file=str(path))
        assert workdays.override_file() == path
        cal = workdays.WorkCalendar.from_file()
        assert cal.is_known(date(2027, 5, 1)) and not cal.is_workday(date(2027, 1, 1))
    finally:
        Settings()
    assert workdays.override_file() == workdays.DEFAULT_OVERRIDE_FILE


def test_central_import_reaches_the_station(
    tmp_path: Path, clock: FrozenClock, station: Store
) -> None:
    from test_sync_support import ServiceThread, enrol

    from hallterm.db.services.calendar_sync import central_import
    from hallterm.db.sync.central import central_ctx, init_central, register_station
    from hallterm.db.sync.pull import pull
    from hallterm.db.sync.runner import sync_ctx

    central = Store(str(tmp_path / "central.db"))
    try:
        init_central(central)
        with central.write() as session:
            register_station(session, central_ctx(clock), STATION, "江川市政务服务中心", "city")
        ctx = clerk_ctx(clock)
        case_id = accepted_case(station, ctx, ID_CARD_RENEWAL)
        arrangements = read_arrangements(arrangement_file(tmp_path))
        with central.write() as session:
            assert central_import(session, central_ctx(clock), arrangements).imported == [2027]
        with central.write() as session:  # importing again publishes nothing new
            assert central_import(session, central_ctx(clock), arrangements).unchanged == [2027]
        with (  # through the sync service, as a station syncs
            ServiceThread(str(tmp_path / "central.db"), clock) as service,
            enrol(station, central, STATION, service.url, clock) as client,
        ):
            result = pull(station, client, sync_ctx(STATION, clock))  # what a sync applies as
        assert result.conflicts == 0
        with station.read() as session:
            view = svc.load_case(session, ctx, case_id, clock.today())
        assert view.due_date == date(2027, 1, 19) and not view.calendar_needs_update
        (event,) = recomputed_events(station, case_id)
        assert event["due_date"] == "2027-01-19"
    finally:
        central.dispose()


def test_cli_calendar_import_at_station_and_central(demo_store: Store, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from hallterm.cli import main

    runner = CliRunner(env={"HALLTERM_USER": "admin", "HALLTERM_PASSWORD": "admin1234"})
    path = arrangement_file(tmp_path)
    url = demo_store.url.removeprefix("sqlite:///")
    result = runner.invoke(main, ["calendar", "import", str(path), "--store", url])
    assert result.exit_code == 0, result.output
    assert "2027" in result.output and "已知" in result.output
    with demo_store.read() as session:
        assert session.get(HolidayYear, 2027) is not None
    again = runner.invoke(main, ["calendar", "import", str(path), "--store", url])
    assert again.exit_code == 0 and "未变" in again.output

    bad = tmp_path / "bad.json"
    bad.write_text('{"years": {"2027": {"holiday": []}}}', encoding="utf-8")
    refused = runner.invoke(main, ["calendar", "import", str(bad), "--store", url])
    assert refused.exit_code == 1 and "holiday" in refused.output

    central = tmp_path / "central.db"  # its first admin: the same name and password here
    made = runner.invoke(
        main,
        ["central", "init", "--central", str(central), "--admin", "admin"],
        env={"HALLTERM_NEW_PASSWORD": "admin1234"},
    )
    assert made.exit_code == 0, made.output
    published = runner.invoke(
        main, ["central", "calendar", "import", str(path), "--central", str(central)]
    )
    assert published.exit_code == 0, published.output
    assert "下次同步" in published.output


def test_cli_papers_settings(demo_store: Store) -> None:
    from click.testing import CliRunner

    from hallterm.cli import main

    url = demo_store.url.removeprefix("sqlite:///")
    runner = CliRunner(env={"HALLTERM_USER": "admin", "HALLTERM_PASSWORD": "admin1234"})
    shown = runner.invoke(main, ["papers", "settings", "--store", url])
    assert shown.exit_code == 0 and "江川政务" in shown.output  # made from the station name
    changed = runner.invoke(
        main,
        [
            "papers",
            "settings",
            "--review-body",
            "江川市人民政府",
            "--court",
            "江川市人民法院",
            "--store",
            url,
        ],
    )
    assert changed.exit_code == 0 and "江川市人民法院" in changed.output
    refused = runner.invoke(main, ["papers", "settings", "--supply-days", "0", "--store", url])
    assert refused.exit_code == 1 and "1至60" in refused.output
