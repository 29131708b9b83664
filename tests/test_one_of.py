"""``one_of`` / ``pairs_of``: the same rows as ``IN`` on both stores, and on PostgreSQL one
statement text whatever the list's length (so psycopg's statement cache keeps it)."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hallterm.db.one_of import one_of, pairs_of

META = MetaData()
ITEMS = Table(
    "one_of_item",
    META,
    Column("code", String(8), primary_key=True),
    Column("n", Integer, primary_key=True),
)
ROWS = [{"code": c, "n": n} for c in ("a", "b", "c", "d") for n in (1, 2, 3)]


def test_same_rows_as_in_on_both_stores(any_engine_url: str) -> None:
    engine = create_engine(any_engine_url)
    META.create_all(engine)
    try:
        with Session(engine) as session:
            session.execute(ITEMS.insert(), ROWS)
            code, n = ITEMS.c.code, ITEMS.c.n

            def found(cond: ColumnElement[bool]) -> set[tuple[str, int]]:
                rows = session.execute(select(code, n).where(cond)).all()
                return {(str(r[0]), int(r[1])) for r in rows}

            assert found(one_of(session, code, ["b", "d", "zz"])) == {
                (c, k) for c in "bd" for k in (1, 2, 3)
            }
            assert found(one_of(session, code, [])) == set()
            assert found(one_of(session, n, iter([2]))) == {(c, 2) for c in "abcd"}
            assert found(pairs_of(session, (code, n), [("a", 1), ("c", 3), ("a", 9)])) == {
                ("a", 1),
                ("c", 3),
            }
            assert found(pairs_of(session, (code, n), [])) == set()
    finally:
        META.drop_all(engine)
        engine.dispose()


def test_one_statement_text_on_postgresql(pg_engine_url: str) -> None:
    from sqlalchemy.dialects import postgresql

    engine = create_engine(pg_engine_url)
    with Session(engine) as session:

        def sql(values: list[str]) -> str:
            query = select(ITEMS.c.n).where(one_of(session, ITEMS.c.code, values))
            return str(query.compile(dialect=postgresql.dialect()))

        assert sql(["a"]) == sql([f"v{i}" for i in range(5000)])
        assert "ANY" in sql(["a"])
    engine.dispose()
