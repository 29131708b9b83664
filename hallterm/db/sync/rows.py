"""Row snapshots (``events.snapshot``) back to table rows, generically by table name.

A snapshot carries JSON values (ISO dates, decimals as strings); ``to_python`` turns them
into the column types again so they can be compared with, inserted into and updated in any
store.  ``upsert`` is the station-side apply of a pulled row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Table, TypeDecorator, and_, insert, select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, SQLModel

from hallterm.db.models import import_all_tables

Converter = Callable[[Any], Any]


@cache
def _tables() -> dict[str, Table]:
    import_all_tables()
    return dict(SQLModel.metadata.tables)


def table_for(name: str) -> Table | None:
    return _tables().get(name)


@cache
def table_order() -> dict[str, int]:
    """Parents before children (foreign keys), for inserting a mixed set of rows."""
    _tables()
    return {t.name: i for i, t in enumerate(SQLModel.metadata.sorted_tables)}


def _datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(value)


@cache
def _converters(table_name: str) -> tuple[frozenset[str], tuple[tuple[str, Converter], ...]]:
    """A table's column names, and a converter for each column whose JSON value is not
    already its Python value (text columns need none)."""
    table = _tables()[table_name]
    out: list[tuple[str, Converter]] = []
    for col in table.columns:
        col_type = col.type
        if isinstance(col_type, TypeDecorator):  # e.g. UTCDateTime says "object"
            col_type = col_type.impl_instance
        try:
            py = col_type.python_type
        except NotImplementedError:
            py = object
        if py is datetime:
            out.append((col.name, _datetime))
        elif py is date:
            out.append((col.name, _date))
        elif py is bool:
            out.append((col.name, bool))
        elif py is int:
            out.append((col.name, int))
        elif py is Decimal:
            out.append((col.name, lambda v: Decimal(str(v))))
    return frozenset(c.name for c in table.columns), tuple(out)


def to_python(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Snapshot values in column types; keys this schema does not know are dropped."""
    names, converters = _converters(table.name)
    if names.issuperset(values):  # the usual case: a snapshot of this very schema
        out = dict(values)
    else:
        out = {k: v for k, v in values.items() if k in names}
    for name, conv in converters:
        v = out.get(name)
        if v is not None:
            out[name] = conv(v)
    return out


def known_columns(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Snapshot values as they are (JSON types), keys this schema does not know dropped."""
    names = _converters(table.name)[0]
    return values if names.issuperset(values) else {k: v for k, v in values.items() if k in names}


@cache
def _pk_converters(table_name: str) -> tuple[tuple[str, Converter | None], ...]:
    table = _tables()[table_name]
    converters = dict(_converters(table_name)[1])
    return tuple((c.name, converters.get(c.name)) for c in table.primary_key.columns)


def typed_pk(table: Table, values: dict[str, Any]) -> tuple[Any, ...]:
    """A snapshot row's primary key in column types (``pk_of`` of ``to_python``); every
    row of a batch goes through here, so only the key's columns are looked at."""
    out = []
    for name, conv in _pk_converters(table.name):
        v = values.get(name)
        out.append(conv(v) if conv is not None and v is not None else v)
    return tuple(out)


@cache
def pk_names(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.primary_key.columns)


def pk_of(table: Table, values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple([values.get(n) for n in pk_names(table)])


def pk_where(table: Table, pk: tuple[Any, ...]) -> ColumnElement[bool]:
    return and_(*(table.c[n] == v for n, v in zip(pk_names(table), pk, strict=True)))


def row_key(table: Table, pk: tuple[Any, ...]) -> str:
    return ",".join(f"{n}={v}" for n, v in zip(pk_names(table), pk, strict=True))[:200]


def same(existing: dict[str, Any], values: dict[str, Any]) -> bool:
    """True when every given value equals the stored one (datetimes compared as instants)."""
    return all(existing.get(k) == v for k, v in values.items())


def upsert(session: Session, snap: dict[str, Any]) -> str:
    """Insert or update one snapshot row; returns 'inserted', 'updated' or 'unchanged'."""
    table = table_for(str(snap.get("table", "")))
    if table is None:
        raise LookupError(f"unknown table {snap.get('table')!r}")
    values = to_python(table, snap.get("values") or {})
    pk = pk_of(table, values)
    existing = session.execute(select(table).where(pk_where(table, pk))).mappings().first()
    if existing is None:
        session.execute(insert(table).values(values))
        return "inserted"
    if same(dict(existing), values):
        return "unchanged"
    changed = {k: v for k, v in values.items() if k not in pk_names(table)}
    session.execute(update(table).where(pk_where(table, pk)).values(changed))
    return "updated"
