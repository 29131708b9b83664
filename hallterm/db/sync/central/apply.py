"""Applying the row snapshots of newly received events at central.

An event's payload carries ``rows`` (``events.snapshot``): a row is inserted when absent;
an update needs the central row's ``version`` to equal the row's ``base_version``; a case
and its children are written only by the station that owns the case; rows of tables central
governs are station-local and skipped.  Anything else is a ``Problem`` for the quarantine.

The batch is planned in memory, then written in bulk under one savepoint; if the database
refuses it (a key, a foreign key, a row-level security policy), it is redone event by event
under savepoints so only the offending events are refused.

``Applier._write_table`` is the one place where a table's rows are written; hooks that must
see the rows a table received (``register_row_hook``) run right after it, in the same
transaction — e.g. linking a station's applicant to its person (``persons``); hooks that
must see the batch's accepted events (``register_event_hook``) run once all rows are written —
e.g. the efficiency rollups (``rollups``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError
from sqlmodel import Session

from hallterm.db.bulk_insert import insert_rows
from hallterm.db.one_of import one_of, pairs_of
from hallterm.db.sync.central.common import CENTRAL_TABLES, SHARED_TABLES, EventIn, Problem
from hallterm.db.sync.central.layout import CASE_CHILDREN, DISTRIBUTED, STATION_CODE_ADDED
from hallterm.db.sync.roles import as_central
from hallterm.db.sync.rows import (
    known_columns,
    pk_names,
    pk_of,
    row_key,
    same,
    table_for,
    table_order,
    to_python,
    typed_pk,
)

RowHook = Callable[[Session, str, list[dict[str, Any]]], None]
EventHook = Callable[[Session, str, Sequence[EventIn]], None]
_ROW_HOOKS: dict[str, list[RowHook]] = {}
_EVENT_HOOKS: list[EventHook] = []


def register_row_hook(table: str, hook: RowHook) -> None:
    """Run ``hook(session, station_code, rows)`` after ``table``'s rows of a batch are written."""
    _ROW_HOOKS.setdefault(table, []).append(hook)


def register_event_hook(hook: EventHook) -> None:
    """Run ``hook(session, station_code, events)`` with a batch's accepted events, after all
    their rows are written (e.g. the efficiency rollups, ``rollups``)."""
    _EVENT_HOOKS.append(hook)


def run_event_hooks(session: Session, station_code: str, events: Sequence[EventIn]) -> None:
    if events:
        for hook in _EVENT_HOOKS:
            hook(session, station_code, events)


@dataclass
class _Change:
    table: Table
    pk: tuple[Any, ...]  # in column types
    values: dict[str, Any]  # as the snapshot carries them (JSON types: ISO text for times)
    base_version: int | None

    @property
    def key(self) -> tuple[str, tuple[Any, ...]]:
        return (self.table.name, self.pk)


Key = tuple[str, tuple[Any, ...]]
Prepared = dict[str, "list[_Change] | Problem"]


def prepare(events: Sequence[EventIn]) -> Prepared:
    """Each event's row changes, read before the station's lock is taken: a pipelined batch
    parses its payloads while the batch before it is still being written."""
    return {e.id: changes_of(e) for e in events}


def changes_of(e: EventIn) -> list[_Change] | Problem:
    """The row changes an event's payload carries (no database needed)."""
    if '"rows"' not in e.payload:  # most audit events change no table
        return []
    try:
        payload = _loads(e.payload)
    except ValueError:
        return []
    rows = payload.get("rows") if isinstance(payload, dict) else None
    out: list[_Change] = []
    for snap in rows or []:
        name = str(snap.get("table", ""))
        if name in CENTRAL_TABLES:
            continue
        table = table_for(name)
        if table is None:
            return Problem("table", f"central does not know table {name!r}", name)
        # Kept in JSON types: a new row goes back to PostgreSQL as JSON, so only the rows
        # compared with central's or updated are turned into column types (``to_python``).
        values = known_columns(table, snap.get("values") or {})
        if name in STATION_CODE_ADDED and not values.get("station_code"):
            values["station_code"] = e.station_code  # a station from before migration 0007
        pk = typed_pk(table, values)
        if any(v is None for v in pk):
            return Problem("integrity", "row without its primary key", name)
        out.append(_Change(table, pk, values, snap.get("base_version")))
    return out


def _loads(payload: str) -> Any:
    """A payload's JSON: orjson's reading (~3× json's speed), or json's where orjson refuses
    what json reads (NaN, Infinity) or may be wrong: it reads an integer beyond 64 bits as a
    float, silently (``tests/test_sync_wire.py``), so rows with a float are read again."""
    try:
        value = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return json.loads(payload)
    rows = value.get("rows") if isinstance(value, dict) else None
    for snap in rows if isinstance(rows, list) else ():
        values = snap.get("values") if isinstance(snap, dict) else None
        if isinstance(values, dict) and (
            type(snap.get("base_version")) is float or float in map(type, values.values())
        ):
            return json.loads(payload)
    return value


@dataclass
class Applier:
    """Applies the row snapshots of new events: plan in memory, then write in bulk."""

    session: Session
    sender: str
    start: dict[Key, dict[str, Any] | None] = field(default_factory=dict)
    state: dict[Key, dict[str, Any] | None] = field(default_factory=dict)

    def apply(
        self, events: Sequence[EventIn], prepared: Prepared | None = None
    ) -> dict[str, Problem]:
        """Plan and write the events' rows; the refused events' problems by event id.
        ``prepared``: the events' changes read beforehand (``prepare``)."""
        ready = prepared or {}
        changes = {e.id: ready[e.id] if e.id in ready else changes_of(e) for e in events}
        self._prefetch(c for c in changes.values() if isinstance(c, list))
        problems: dict[str, Problem] = {}
        pending: dict[Key, dict[str, Any]] = {}
        for e in events:
            planned = self._plan(changes[e.id])
            if isinstance(planned, Problem):
                problems[e.id] = planned
                continue
            self.state.update(planned)
            pending.update(planned)
        if not pending:
            return problems
        try:
            with self.session.begin_nested():
                self._write(pending, self.start)
            return problems
        except (IntegrityError, ProgrammingError, DataError):
            pass
        # Slow path: one savepoint per event, so only the refused events are quarantined.
        self.state = dict(self.start)
        problems = {}
        for e in events:
            planned = self._plan(changes[e.id])
            if isinstance(planned, Problem):
                problems[e.id] = planned
                continue
            try:
                with self.session.begin_nested():
                    self._write(planned, self.state)
            except (IntegrityError, ProgrammingError, DataError) as exc:
                problems[e.id] = Problem("integrity", str(getattr(exc, "orig", exc))[:1000])
                continue
            self.state.update(planned)
        return problems

    def _prefetch(self, change_lists: Iterable[list[_Change]]) -> None:
        wanted: dict[str, set[tuple[Any, ...]]] = {}
        for changes in change_lists:
            for ch in changes:
                wanted.setdefault(ch.table.name, set()).add(ch.pk)
                case_id = ch.values.get("case_id") if "case_id" in ch.table.c else None
                if case_id:
                    wanted.setdefault("service_case", set()).add((case_id,))
        # Decide on what central really holds (as central: another station's row is
        # invisible to this station's role); the writes later run as the station.
        with as_central(self.session):
            pg = self.session.get_bind().dialect.name == "postgresql"
            chunk = 10_000 if pg else 500  # SQLite: one parameter per value
            for name, pks in wanted.items():
                table = table_for(name)
                assert table is not None
                cols = [table.c[n] for n in pk_names(table)]
                keys = sorted(pks, key=repr)
                for k in keys:
                    self.start[(name, k)] = None
                for i in range(0, len(keys), chunk):
                    part = keys[i : i + chunk]
                    cond = (
                        one_of(self.session, cols[0], [k[0] for k in part])
                        if len(cols) == 1
                        else pairs_of(self.session, cols, part)
                    )
                    query = select(table).where(cond)
                    if pg:  # lock the rows we decide on (another station may update an applicant)
                        query = query.with_for_update()
                    result = self.session.execute(query)
                    names = list(result.keys())
                    for row in result:
                        found = dict(zip(names, row, strict=True))
                        self.start[(name, pk_of(table, found))] = found
        self.state = dict(self.start)

    def _current(self, local: dict[Key, dict[str, Any]], key: Key) -> dict[str, Any] | None:
        return local[key] if key in local else self.state.get(key)

    def _plan(self, changes: list[_Change] | Problem) -> dict[Key, dict[str, Any]] | Problem:
        if isinstance(changes, Problem):
            return changes
        local: dict[Key, dict[str, Any]] = {}
        for ch in changes:
            existing = self._current(local, ch.key)
            problem = self._owner_problem(ch, existing, local)
            if problem:
                return problem
            if existing is None:
                local[ch.key] = ch.values
                continue
            if "version" in ch.table.c:
                if ch.base_version is None:
                    if same(to_python(ch.table, existing), to_python(ch.table, ch.values)):
                        continue
                    return self._problem(ch, "exists", "central already holds another version")
                if existing.get("version") != ch.base_version:
                    return self._problem(
                        ch,
                        "stale",
                        f"central is at version {existing.get('version')}, "
                        f"the update was based on version {ch.base_version}",
                    )
            local[ch.key] = {**existing, **ch.values}
        return local

    def _problem(self, ch: _Change, problem: str, detail: str) -> Problem:
        return Problem(problem, detail, ch.table.name, row_key(ch.table, ch.pk))

    def _owner_problem(
        self, ch: _Change, existing: dict[str, Any] | None, local: dict[Key, dict[str, Any]]
    ) -> Problem | None:
        name, values = ch.table.name, ch.values
        if name == "service_case" or (name not in SHARED_TABLES and "station_code" in ch.table.c):
            owner = existing.get("station_code") if existing else values.get("station_code")
            if owner != self.sender or values.get("station_code", owner) != self.sender:
                return self._problem(
                    ch, "owner", f"owned by station {owner}; only the owner may write it"
                )
        if (
            "case_id" in ch.table.c
            and values.get("case_id")
            and ("station_code" not in ch.table.c or name in CASE_CHILDREN)
        ):
            case = self._current(local, ("service_case", (values["case_id"],)))
            if case is None:
                return self._problem(ch, "owner", "its case is not at central")
            if case.get("station_code") != self.sender:
                return self._problem(
                    ch,
                    "owner",
                    f"its case is owned by station {case.get('station_code')}",
                )
        return None

    def _write(
        self, rows: dict[Key, dict[str, Any]], before: dict[Key, dict[str, Any] | None]
    ) -> None:
        order = table_order()
        inserts: dict[str, list[dict[str, Any]]] = {}
        updates: dict[str, list[dict[str, Any]]] = {}
        for (name, pk), values in rows.items():
            old = before.get((name, pk))
            if old is None:
                inserts.setdefault(name, []).append(values)
                continue
            table = table_for(name)
            assert table is not None
            values = to_python(table, values)
            if not same(old, values):
                if name in DISTRIBUTED and old.get("station_code"):
                    # The distribution column never changes (an applicant's is its origin).
                    values = {**values, "station_code": old["station_code"]}
                updates.setdefault(name, []).append(values)
        for name in sorted(set(inserts) | set(updates), key=lambda n: order.get(n, 0)):
            table = table_for(name)
            assert table is not None
            self._write_table(table, inserts.get(name, []), updates.get(name, []))

    def _write_table(
        self, table: Table, inserts: list[dict[str, Any]], updates: list[dict[str, Any]]
    ) -> None:
        """Write one table's rows of the batch: the one place rows reach a central table."""
        pg = self.session.get_bind().dialect.name == "postgresql"
        for group in _by_columns(inserts):  # PostgreSQL reads the JSON values of the snapshot
            insert_rows(self.session, table, group if pg else [to_python(table, r) for r in group])
        pks = pk_names(table)
        if pg and table.name in DISTRIBUTED and "station_code" in table.c:
            pks = ("station_code", *pks)  # central's key; Citus routes the update by it
        for group in _by_columns(updates):
            cols = [c for c in group[0] if c not in pks]
            stmt = (
                update(table)
                .where(*(table.c[n] == bindparam(f"k_{n}") for n in pks))
                .values({c: bindparam(f"v_{c}") for c in cols})
            )
            self.session.execute(
                stmt,
                [
                    {**{f"k_{n}": r[n] for n in pks}, **{f"v_{c}": r[c] for c in cols}}
                    for r in group
                ],
            )
        for hook in _ROW_HOOKS.get(table.name, []):
            hook(self.session, self.sender, inserts + updates)


def _by_columns(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(sorted(r)), []).append(r)
    return list(groups.values())
