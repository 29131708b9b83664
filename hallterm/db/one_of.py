"""Matching columns against a list of values: one array parameter on PostgreSQL.

``col IN (:v1, :v2, …)`` sends one parameter per value.  With a batch's thousand ids,
SQLAlchemy renders the list into the statement and psycopg parses that long statement again on
every call (its statement cache skips long queries): ~4 ms a statement, measured as a fifth of
central's ingest CPU.  On PostgreSQL the list goes as one array instead (``col = ANY(:values)``;
for several columns ``(a, b) IN (SELECT unnest(:as), unnest(:bs))``), so the statement text
stays the same whatever the list's length.  SQLite has no arrays: there it stays ``IN``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import any_, bindparam, func, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, Session
from sqlalchemy.sql.elements import ColumnElement

# A table's column or a model's attribute (``sqlmodel.col``): both compare the same way.
Column = ColumnElement[Any] | Mapped[Any]


def one_of(session: Session, column: Column, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column`` equals one of ``values``."""
    items = list(values)
    expr = cast(ColumnElement[Any], column)
    if _postgresql(session):
        return expr == any_(_array(expr, items))
    return expr.in_(items)


def pairs_of(
    session: Session, columns: Sequence[Column], keys: Iterable[Sequence[Any]]
) -> ColumnElement[bool]:
    """The tuple of ``columns`` equals one of ``keys`` (each a value per column)."""
    rows = [tuple(k) for k in keys]
    exprs = [cast(ColumnElement[Any], c) for c in columns]
    if not _postgresql(session):
        return tuple_(*exprs).in_(rows)
    arrays = [_array(c, [r[i] for r in rows]) for i, c in enumerate(exprs)]
    return tuple_(*exprs).in_(select(*(func.unnest(a) for a in arrays)))


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _array(column: ColumnElement[Any], items: list[Any]) -> ColumnElement[Any]:
    return bindparam(None, items, type_=ARRAY(column.type))
