"""Case and ticket numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hallterm.domain.numbering import case_number, parse_case_number, ticket_number
from hallterm.i18n import set_language


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    set_language("zh_CN")
    yield
    set_language("zh_CN")


def test_case_number() -> None:
    assert case_number("ZX01", date(2025, 9, 30), 7) == "ZX01-20250930-0007"
    assert case_number("ZX01", date(2025, 9, 30), 12345) == "ZX01-20250930-12345"


def test_parse_case_number() -> None:
    assert parse_case_number("ZX01-20250930-0007") == ("ZX01", date(2025, 9, 30), 7)
    # Station codes may contain dashes themselves.
    assert parse_case_number(" 3301-A-20251231-0100 ") == ("3301-A", date(2025, 12, 31), 100)


@given(
    st.text(alphabet="ABCXYZ0123456789-", min_size=1, max_size=12),
    st.dates(min_value=date(1000, 1, 1)),
    st.integers(1, 10**6),
)
def test_property_round_trip(station: str, day: date, seq: int) -> None:
    assert parse_case_number(case_number(station, day, seq)) == (station, day, seq)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "不是“站点代码-YYYYMMDD-序号”格式的办件编号"),
        ("ZX01-2025093-0007", "不是“站点代码-YYYYMMDD-序号”格式的办件编号"),
        ("ZX01-20250930-007", "不是“站点代码-YYYYMMDD-序号”格式的办件编号"),
        ("-20250930-0007", "不是“站点代码-YYYYMMDD-序号”格式的办件编号"),
        ("ZX 01-20250930-0007", "不是“站点代码-YYYYMMDD-序号”格式的办件编号"),
        ("ZX01-20250230-0007", "办件编号“ZX01-20250230-0007”中的日期 20250230 不存在"),
        ("ZX01-20250930-0000", "序号为0"),
    ],
)
def test_parse_errors(number: str, message: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_case_number(number)
    assert message in str(exc.value)


def test_case_number_errors() -> None:
    with pytest.raises(ValueError) as exc:
        case_number("ZX01", date(2025, 9, 30), 0)
    assert str(exc.value) == "序号至少为1，实际为0"
    with pytest.raises(ValueError) as exc:
        case_number("", date(2025, 9, 30), 1)
    assert str(exc.value) == "站点代码“”不能为空且不能包含空格"
    with pytest.raises(ValueError):
        case_number("ZX 01", date(2025, 9, 30), 1)


def test_ticket_number() -> None:
    assert ticket_number("A", 1) == "A001"
    assert ticket_number("VIP", 42) == "VIP042"
    assert ticket_number("B", 1000) == "B1000"
    with pytest.raises(ValueError) as exc:
        ticket_number("A", 0)
    assert str(exc.value) == "序号至少为1，实际为0"
    with pytest.raises(ValueError) as exc:
        ticket_number("", 1)
    assert str(exc.value) == "取号前缀“”不能为空且不能包含空格"


def test_english_message() -> None:
    set_language("en")
    try:
        with pytest.raises(ValueError) as exc:
            parse_case_number("nope")
        assert str(exc.value) == "“nope” is not a case number of the form STATION-YYYYMMDD-NNNN"
    finally:
        set_language("zh_CN")
