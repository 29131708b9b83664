"""The working-day calendar: chinese_calendar, admin overrides, fallback and suspensions."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hallterm.domain.workdays import (
    DEFAULT_OVERRIDE_FILE,
    WorkCalendar,
    deadline_light,
    library_knows_year,
    load_override_file,
)
from hallterm.i18n import set_language


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    set_language("zh_CN")
    yield
    set_language("zh_CN")


CAL = WorkCalendar()

# Test data only: NOT the real 2027 arrangement (the State Council has not published it).
FAKE_2027 = {
    "years": {
        "2027": {
            "holidays": ["2027-01-01"],
            "workdays": ["2027-01-09"],  # a made-up make-up Saturday
        }
    }
}


def write_json(tmp_path: Path, doc: object, name: str = "holidays.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# --- chinese_calendar as the source for known years ----------------------------------------


def test_national_day_2025() -> None:
    # Checked against chinese_calendar: Oct 1–8 2025 are holidays (国庆 + 中秋), Sep 28 (Sun)
    # and Oct 11 (Sat) are make-up working days.
    for day in range(1, 9):
        assert not CAL.is_workday(date(2025, 10, day))
        assert chinese_calendar.is_workday(date(2025, 10, day)) is False
    assert CAL.is_workday(date(2025, 9, 28))
    assert CAL.is_workday(date(2025, 10, 11))
    assert not CAL.is_workday(date(2025, 10, 12))


def test_due_date_over_national_day_2025() -> None:
    # Accepted Tue 2025-09-30, 5 working days: Oct 9 (1), 10 (2), 11 Sat make-up (3),
    # 13 (4), 14 (5).
    accepted = date(2025, 9, 30)
    due = CAL.add_working_days(accepted, 5)
    assert due == date(2025, 10, 14)
    assert CAL.due_date(accepted, 5, today=accepted) == date(2025, 10, 14)
    assert CAL.working_days_between(accepted, due) == 5
    assert not CAL.needs_update(accepted, due)


def test_new_year_2026_matches_chinese_calendar() -> None:
    # 2026 元旦: Jan 1–3 off, Sun Jan 4 is a make-up working day.
    assert library_knows_year(2026)
    for d, expected in [
        (date(2025, 12, 31), True),
        (date(2026, 1, 1), False),
        (date(2026, 1, 2), False),
        (date(2026, 1, 3), False),
        (date(2026, 1, 4), True),
        (date(2026, 1, 5), True),
    ]:
        assert CAL.is_workday(d) is expected
        assert chinese_calendar.is_workday(d) is expected
    # Accepted Wed 2025-12-31, 2 working days → Sun Jan 4 (make-up), Mon Jan 5.
    assert CAL.add_working_days(date(2025, 12, 31), 2) == date(2026, 1, 5)


def test_national_day_2026_matches_chinese_calendar() -> None:
    # 2026: Sep 25–27 中秋, Oct 1–7 国庆; Sun Sep 20 and Sat Oct 10 are make-up working days.
    assert CAL.is_workday(date(2026, 9, 20))
    for day in (25, 26, 27):
        assert not CAL.is_workday(date(2026, 9, day))
    for day in range(1, 8):
        assert not CAL.is_workday(date(2026, 10, day))
    assert CAL.is_workday(date(2026, 10, 10))
    d = date(2026, 9, 1)
    while d <= date(2026, 10, 31):
        assert CAL.is_workday(d) is chinese_calendar.is_workday(d)
        d += timedelta(days=1)
    # Accepted Wed 2026-09-30, 3 working days → Oct 8, 9, Sat Oct 10.
    assert CAL.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)


# --- beyond chinese_calendar ---------------------------------------------------------------


def test_2027_without_override_falls_back_to_weekdays() -> None:
    assert not library_knows_year(2027)
    assert not CAL.is_known(date(2027, 1, 1))
    assert CAL.is_known(date(2026, 12, 31))
    # Fri 2027-01-01 counts as a working day in the fallback (no crash).
    assert CAL.is_workday(date(2027, 1, 1))
    assert not CAL.is_workday(date(2027, 1, 2))
    accepted = date(2026, 12, 28)  # Monday
    due = CAL.add_working_days(accepted, 5)  # Dec 29, 30, 31, Jan 1, Jan 4
    assert due == date(2027, 1, 4)
    assert CAL.needs_update(accepted, due)
    assert not CAL.needs_update(accepted)


def test_override_file_read_again_when_it_changes(tmp_path: Path) -> None:
    path = write_json(tmp_path, FAKE_2027)
    overrides, years = load_override_file(path)
    overrides[date(2027, 3, 1)] = False  # the caller's own copy: the next read is unchanged
    years.add(2099)
    assert load_override_file(path) == ({date(2027, 1, 1): False, date(2027, 1, 9): True}, {2027})
    doc = {"years": {"2027": {"holidays": ["2027-01-01", "2027-01-02"], "workdays": []}}}
    write_json(tmp_path, doc)
    os.utime(path, ns=(1, 1))  # a new modification time even within the clock's resolution
    assert load_override_file(path) == ({date(2027, 1, 1): False, date(2027, 1, 2): False}, {2027})


def test_2027_with_override_table(tmp_path: Path) -> None:
    overrides, years = load_override_file(write_json(tmp_path, FAKE_2027))
    assert years == {2027}
    assert overrides == {date(2027, 1, 1): False, date(2027, 1, 9): True}
    cal = WorkCalendar(overrides, years)
    assert cal.is_known(date(2027, 6, 1))
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 9))  # the made-up Saturday
    assert not cal.is_workday(date(2027, 1, 10))
    accepted = date(2026, 12, 28)
    due = cal.add_working_days(accepted, 5)  # Dec 29, 30, 31, Jan 4, Jan 5
    assert due == date(2027, 1, 5)
    assert not cal.needs_update(accepted, due)
    # 10 working days: … Jan 5 (5), 6, 7, 8, Sat Jan 9 (9), Mon Jan 11 (10)
    assert cal.add_working_days(accepted, 10) == date(2027, 1, 11)
    assert WorkCalendar.from_file(write_json(tmp_path, FAKE_2027, "b.json")).is_known(
        date(2027, 3, 3)
    )


def test_override_beats_chinese_calendar() -> None:
    cal = WorkCalendar({date(2026, 1, 2): True, date(2026, 1, 5): False})
    assert cal.is_workday(date(2026, 1, 2))
    assert not cal.is_workday(date(2026, 1, 5))
    assert cal.is_workday(date(2026, 1, 4))  # untouched dates still follow chinese_calendar


def test_years_before_library_fall_back() -> None:
    assert not CAL.is_known(date(1999, 10, 1))
    assert CAL.is_workday(date(1999, 10, 1))  # a Friday, no data → Mon–Fri
    assert CAL.needs_update(date(1999, 10, 1))


# --- counting ------------------------------------------------------------------------------


def test_add_zero_and_negative() -> None:
    assert CAL.add_working_days(date(2025, 10, 4), 0) == date(2025, 10, 4)
    with pytest.raises(ValueError) as exc:
        CAL.add_working_days(date(2025, 10, 4), -1)
    assert str(exc.value) == "工作日数不能为负数，实际为-1"


def test_working_days_between() -> None:
    assert CAL.working_days_between(date(2025, 9, 30), date(2025, 9, 30)) == 0
    assert CAL.working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0
    assert CAL.working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
    assert CAL.working_days_between(date(2025, 10, 14), date(2025, 9, 30)) == -5


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31)),
    st.integers(0, 40),
)
def test_property_add_then_count(start: date, n: int) -> None:
    due = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, due) == n
    assert CAL.working_days_between(due, start) == -n
    if n:
        assert CAL.is_workday(due)


def test_working_days_left() -> None:
    due = date(2025, 10, 14)
    assert CAL.working_days_left(date(2025, 10, 14), due) == 0
    assert CAL.working_days_left(date(2025, 10, 13), due) == 1
    assert CAL.working_days_left(date(2025, 9, 30), due) == 5
    assert CAL.working_days_left(date(2025, 10, 15), due) == -1
    assert CAL.working_days_left(date(2025, 10, 16), due) == -2
    # Due Fri 2025-10-17; on Saturday it is already overdue, not "due today".
    assert CAL.working_days_left(date(2025, 10, 18), date(2025, 10, 17)) == -1
    assert CAL.working_days_left(date(2025, 10, 20), date(2025, 10, 17)) == -1
    assert CAL.working_days_left(date(2025, 10, 21), date(2025, 10, 17)) == -2


def test_deadline_light() -> None:
    assert deadline_light(-1) == "red"
    assert deadline_light(0) == "yellow"
    assert deadline_light(2) == "yellow"
    assert deadline_light(3) == "green"
    assert deadline_light(3, yellow_at=3) == "yellow"
    assert deadline_light(1, yellow_at=0) == "green"


# --- suspensions ---------------------------------------------------------------------------


def test_suspension_in_the_middle() -> None:
    # 2025-11: no holidays. Accepted Mon Nov 3, 10 working days → Mon Nov 17.
    accepted = date(2025, 11, 3)
    assert CAL.due_date(accepted, 10, today=accepted) == date(2025, 11, 17)
    # Suspended Wed Nov 5 (the clock ran that day), resumed Mon Nov 10: Nov 6, 7, 10 do not
    # count → three working days later: Thu Nov 20.
    due = CAL.due_date(accepted, 10, [(date(2025, 11, 5), date(2025, 11, 10))])
    assert due == date(2025, 11, 20)
    # Same-day suspend and resume changes nothing.
    assert CAL.due_date(accepted, 10, [(date(2025, 11, 5), date(2025, 11, 5))]) == date(
        2025, 11, 17
    )


def test_open_suspension_runs_until_today() -> None:
    accepted = date(2025, 11, 3)
    still = [(date(2025, 11, 5), None)]
    # Still suspended on Mon Nov 10: same as resumed that day.
    assert CAL.due_date(accepted, 10, still, today=date(2025, 11, 10)) == date(2025, 11, 20)
    # One more day of suspension moves the due date one working day later.
    assert CAL.due_date(accepted, 10, still, today=date(2025, 11, 11)) == date(2025, 11, 21)


def test_suspension_over_holidays_only_counts_working_days() -> None:
    # Accepted Mon 2025-09-29, 5 days → Oct 13 (Sep 30, Oct 9, 10, 11, 13).
    accepted = date(2025, 9, 29)
    assert CAL.due_date(accepted, 5, today=accepted) == date(2025, 10, 13)
    # Suspended over the holiday (Sep 30 → Oct 8): only Oct 1–8 excluded, all holidays,
    # so nothing moves.
    susp = [(date(2025, 9, 30), date(2025, 10, 8))]
    assert CAL.due_date(accepted, 5, susp) == date(2025, 10, 13)
    # Overlapping suspensions count each excluded working day once.
    both = [(date(2025, 9, 29), date(2025, 10, 9)), (date(2025, 9, 30), date(2025, 10, 10))]
    # Excluded working days: Sep 30, Oct 9, Oct 10 → counting restarts Oct 11 (Sat make-up):
    # Oct 11, 13, 14, 15, 16.
    assert CAL.due_date(accepted, 5, both) == date(2025, 10, 16)


def test_suspension_errors() -> None:
    with pytest.raises(ValueError) as exc:
        CAL.due_date(date(2025, 11, 3), 5, [(date(2025, 11, 10), date(2025, 11, 5))])
    assert str(exc.value) == "中止结束日期（2025-11-05）早于开始日期（2025-11-10）"
    with pytest.raises(ValueError):
        CAL.due_date(date(2025, 11, 3), -1)


# --- override file -------------------------------------------------------------------------


def test_shipped_holiday_file_is_empty_and_valid() -> None:
    doc = json.loads(DEFAULT_OVERRIDE_FILE.read_text(encoding="utf-8"))
    assert doc["years"] == {}  # no invented arrangements
    assert "_comment" in doc
    assert load_override_file(DEFAULT_OVERRIDE_FILE) == ({}, set())
    assert WorkCalendar.from_file().overrides == {}


def test_comment_keys_are_ignored(tmp_path: Path) -> None:
    doc = {"_comment": "x", "years": {"_note": "y", "2027": {"_source": "z", "holidays": []}}}
    assert load_override_file(write_json(tmp_path, doc)) == ({}, {2027})


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "顶层必须是对象"),
        ({}, "“years”必须是以年份为键的对象"),
        ({"years": []}, "“years”必须是以年份为键的对象"),
        ({"years": {}, "yaers": {}}, "未知字段“yaers”"),
        ({"years": {"27": {}}}, "“27”不是四位数年份"),
        ({"years": {"2027": []}}, "2027年：该年条目必须是对象"),
        ({"years": {"2027": {"holiday": []}}}, "2027年：未知字段“holiday”"),
        ({"years": {"2027": {"holidays": "2027-01-01"}}}, "2027年：“holidays”必须是日期列表"),
        (
            {"years": {"2027": {"holidays": ["2027-02-30"]}}},
            "2027年，“holidays”：“2027-02-30”不是 YYYY-MM-DD 格式的日期",
        ),
        (
            {"years": {"2027": {"workdays": ["20270109"]}}},
            "2027年，“workdays”：“20270109”不是 YYYY-MM-DD 格式的日期",
        ),
        (
            {"years": {"2027": {"workdays": [20270109]}}},
            "“20270109”不是 YYYY-MM-DD 格式的日期",
        ),
        (
            {"years": {"2027": {"holidays": ["2028-01-01"]}}},
            "2027年，“holidays”：2028-01-01 不在2027年内",
        ),
        (
            {"years": {"2027": {"holidays": ["2027-01-09"], "workdays": ["2027-01-09"]}}},
            "2027年：2027-01-09 同时被列为节假日和工作日",
        ),
    ],
)
def test_bad_override_files(tmp_path: Path, doc: object, message: str) -> None:
    path = write_json(tmp_path, doc)
    with pytest.raises(ValueError) as exc:
        load_override_file(path)
    assert message in str(exc.value)
    assert str(path) in str(exc.value)


def test_unreadable_and_invalid_json(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(ValueError, match="无法读取节假日文件"):
        load_override_file(missing)
    bad = tmp_path / "bad.json"
    bad.write_text('{"years": {', encoding="utf-8")
    with pytest.raises(ValueError) as exc:
        load_override_file(bad)
    assert "不是有效的 JSON（第1行" in str(exc.value)


def test_override_file_message_in_english(tmp_path: Path) -> None:
    path = write_json(tmp_path, {"years": {"2027": {"holidays": ["2028-01-01"]}}})
    set_language("en")
    try:
        with pytest.raises(ValueError) as exc:
            load_override_file(path)
        assert str(exc.value) == (
            f"Holiday file {path}, year 2027, “holidays”: 2028-01-01 is not in 2027"
        )
        with pytest.raises(ValueError) as exc2:
            CAL.add_working_days(date(2025, 1, 1), -2)
        assert str(exc2.value) == "Number of working days must not be negative, got -2"
    finally:
        set_language("zh_CN")
