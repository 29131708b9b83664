"""Case and ticket numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hallterm.domain.numbering import (
    agency_prefix,
    case_number,
    paper_number,
    parse_case_number,
    ticket_number,
)
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


# --- 文号 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("station", "prefix"),
    [
        ("江川市政务服务中心", "江川政务"),
        ("玄武区政务服务中心", "玄武政务"),
        ("青山镇便民服务中心", "青山便民"),
        ("柳树村便民服务站", "柳树便民"),
        ("江川市行政服务中心", "江川行政"),
        ("中心", "中心"),
    ],
)
def test_agency_prefix_from_the_station_name(station: str, prefix: str) -> None:
    assert agency_prefix(station) == prefix


def test_paper_number_per_kind() -> None:
    assert paper_number("江川政务", "receipt", 2026, 12) == "江川政务受〔2026〕第12号"
    assert paper_number("江川政务", "refusal", 2026, 1) == "江川政务不受〔2026〕第1号"
    assert paper_number("江川政务", "delivery", 2027, 3) == "江川政务送〔2027〕第3号"


def test_paper_number_errors_are_translated() -> None:
    with pytest.raises(ValueError, match="机关代字"):
        paper_number("江川 政务", "receipt", 2026, 1)
    with pytest.raises(ValueError, match="未知的文书种类"):
        paper_number("江川政务", "memo", 2026, 1)
    with pytest.raises(ValueError, match="至少为 1|at least 1|1"):
        paper_number("江川政务", "receipt", 2026, 0)
