"""SQL time helpers shared by the efficiency queries: local dates, epochs, UTC bounds of days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, case, cast, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from hallterm.clock import HALL_TZ


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def _offset_minutes() -> int:
    # The hall's zone has no daylight saving (China Standard Time), so one offset serves.
    offset = datetime(2000, 1, 1, tzinfo=HALL_TZ).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


def local_date(column: Any, dialect: str) -> ColumnElement[Any]:
    """SQL: the hall's local date of a stored UTC timestamp."""
    if dialect == "postgresql":
        return cast(func.timezone(HALL_TZ.key, column), Date)
    return func.date(column, f"{_offset_minutes():+d} minutes")


def epoch(column: Any, dialect: str) -> ColumnElement[Any]:
    """SQL: seconds since 1970 of a stored UTC timestamp."""
    if dialect == "postgresql":
        return func.extract("epoch", column)
    return (func.julianday(column) - 2440587.5) * 86400.0


def seconds_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    # julianday carries ~10 µs of float noise: round to milliseconds.
    return func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0, 3)


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[local midnight of ``start``, local midnight after ``end``) in UTC."""
    lo = datetime.combine(start, time(0), HALL_TZ).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(0), HALL_TZ).astimezone(UTC)
    return lo, hi


def sum_if(condition: Any, value: Any = 1) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)
