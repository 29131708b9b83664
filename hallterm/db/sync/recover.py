"""Recovering a station from central: central's copy is the station's off-site backup.

Each pull tells the station its chain head at central.  Two cases need work here:

- Central is behind what the station delivered (central restored from a backup): the
  station's events after central's head are queued again (``requeue_lost``).
- Central is ahead (the station restored from an older backup): the station fetches its own
  events it no longer has (``/v1/own``), stores them as delivered, restores the rows they
  wrote (``rows.upsert``; a local row that is newer by version stays), and continues its
  chain after them: events written since the restore, never delivered, are renumbered and
  re-hashed to follow central's head (``recover_own``).  Both chains then verify.  Case
  numbers the recovered events made are not handed out again (the day's case counter
  catches up); other numbering (certificates, tickets) is not caught up here.  The person
  keys of people registered after the backup come back too: central's escrow copies of
  this station (``/v1/own`` ``keys_after``) are installed (``privacy.escrow``), and the
  keys the backup still held of persons erased since are destroyed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel import Session

from hallterm.db.engine import Store
from hallterm.db.events import event_hash
from hallterm.db.models import Counter, Event, EventHead
from hallterm.db.privacy.escrow import destroy_erased, install_copies
from hallterm.db.sync.central.common import EVENT_COLUMNS, ChainState, EventIn
from hallterm.db.sync.client import SyncClient
from hallterm.db.sync.rows import pk_of, pk_where, table_for, to_python, upsert
from hallterm.domain.numbering import parse_case_number

_EVENT = Event.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class LocalChain:
    head: int  # newest seq held
    delivered: int  # newest seq marked delivered


def local_chain(session: Session, station_code: str) -> LocalChain:
    head = session.execute(
        select(func.max(_EVENT.c.seq)).where(_EVENT.c.station_code == station_code)
    ).scalar()
    delivered = session.execute(
        select(func.max(_EVENT.c.seq)).where(
            _EVENT.c.station_code == station_code, _EVENT.c.sent_at.is_not(None)
        )
    ).scalar()
    return LocalChain(int(head or 0), int(delivered or 0))


def delivered_head(session: Session, station_code: str) -> ChainState:
    """The newest event marked delivered: where the station last saw its chain at central."""
    seq = local_chain(session, station_code).delivered
    return ChainState(seq, _hash_at(session, station_code, seq) or "") if seq else ChainState(0, "")


def _hash_at(session: Session, station_code: str, seq: int) -> str | None:
    return session.execute(
        select(_EVENT.c.hash).where(_EVENT.c.station_code == station_code, _EVENT.c.seq == seq)
    ).scalar()


def requeue_lost(local: Store, station_code: str, central: ChainState) -> int:
    """Queue again the delivered events central no longer holds; returns how many."""
    with local.write() as ls:
        mine = local_chain(ls, station_code)
        if central.seq >= mine.delivered:
            return 0
        if central.seq and _hash_at(ls, station_code, central.seq) != central.hash:
            return 0  # a different history: not a loss at central (recover_own decides)
        result = ls.execute(
            update(_EVENT)
            .where(
                _EVENT.c.station_code == station_code,
                _EVENT.c.seq > central.seq,
                _EVENT.c.sent_at.is_not(None),
            )
            .values(sent_at=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def needs_recovery(local: Store, station_code: str, central: ChainState) -> bool:
    """Central holds events of this station the station does not have."""
    if central.seq == 0:
        return False
    with local.read() as ls:
        return _hash_at(ls, station_code, central.seq) != central.hash and (
            central.seq > local_chain(ls, station_code).delivered
        )


def recover_own(local: Store, client: SyncClient, station_code: str, now: datetime) -> int:
    """Fetch this station's events back from central and continue the chain after them."""
    with local.read() as ls:
        start = local_chain(ls, station_code).delivered
    fetched: list[EventIn] = []
    after = start
    while True:
        page, more = client.own(after)
        fetched += page
        if not page or not more:
            break
        after = page[-1].seq
    if not fetched:
        return 0
    copies: list[tuple[str, str]] = []
    last = ""
    while True:
        page_keys, more = client.own_keys(last)
        copies += page_keys
        if not page_keys or not more:
            break
        last = page_keys[-1][0]
    with local.write() as ls:
        local_ids = dict(
            ls.execute(
                select(_EVENT.c.id, _EVENT.c.hash).where(
                    _EVENT.c.station_code == station_code, _EVENT.c.seq > start
                )
            ).all()
        )
        missing = [e for e in fetched if e.id not in local_ids]
        # Held here as central holds it: delivered.  Held with other content (edited here):
        # left waiting, so central refuses it visibly.
        held = [e.id for e in fetched if local_ids.get(e.id) == e.hash]
        if held:
            ls.execute(update(_EVENT).where(_EVENT.c.id.in_(held)).values(sent_at=now))
        top = fetched[-1]
        pending = list(
            ls.execute(
                select(_EVENT)
                .where(
                    _EVENT.c.station_code == station_code,
                    _EVENT.c.seq > start,
                    _EVENT.c.id.not_in([e.id for e in fetched]),
                )
                .order_by(_EVENT.c.seq)
            ).mappings()
        )
        # Step aside (negative numbers) so central's events can take their sequence numbers.
        for row in pending:
            ls.execute(update(_EVENT).where(_EVENT.c.id == row["id"]).values(seq=-row["seq"]))
        erased: list[str] = []
        for e in missing:
            ls.execute(_EVENT.insert().values({**e.as_dict(), "sent_at": now}))
            erased += _restore_rows(ls, e)
        _catch_up_case_counters(ls, missing)
        destroy_erased(ls, erased)
        install_copies(ls, copies)
        prev, seq = top.hash, top.seq
        for row in pending:
            seq += 1
            new_hash = event_hash(
                **{c: row[c] for c in EVENT_COLUMNS if c not in ("seq", "prev_hash", "hash")},
                seq=seq,
                prev_hash=prev,
            )
            ls.execute(
                update(_EVENT)
                .where(_EVENT.c.id == row["id"])
                .values(seq=seq, prev_hash=prev, hash=new_hash, sent_at=None)
            )
            prev = new_hash
        head = ls.get(EventHead, station_code)
        if head is None:
            head = EventHead(station_code=station_code, seq=seq, hash=prev)
        head.seq, head.hash = seq, prev
        ls.add(head)
    return len(missing)


def _restore_rows(session: Session, e: EventIn) -> list[str]:
    """The rows an event wrote, unless the local row is newer (a higher version); returns
    the ids of erased applicants among them."""
    erased: list[str] = []
    if '"rows"' not in e.payload:
        return erased
    payload = json.loads(e.payload)
    for snap in payload.get("rows", []) if isinstance(payload, dict) else []:
        table = table_for(str(snap.get("table", "")))
        if table is None:
            continue
        values = to_python(table, snap.get("values") or {})
        if "version" in table.c:
            existing = session.execute(
                select(table.c.version).where(pk_where(table, pk_of(table, values)))
            ).scalar()
            if existing is not None and existing > (values.get("version") or 0):
                continue
        upsert(session, snap)
        if table.name == "applicant" and values.get("erased_at"):
            erased.append(str(values["id"]))
    return erased


def _catch_up_case_counters(session: Session, events: list[EventIn]) -> None:
    """Case numbers made in the recovered events are not handed out again."""
    top: dict[str, int] = {}
    for e in events:
        if '"service_case"' not in e.payload:
            continue
        payload = json.loads(e.payload)
        for snap in payload.get("rows", []) if isinstance(payload, dict) else []:
            if snap.get("table") != "service_case":
                continue
            try:
                station, day, seq = parse_case_number(str(snap["values"]["number"]))
            except (KeyError, ValueError):
                continue
            name = f"case:{station}:{day:%Y%m%d}"
            top[name] = max(top.get(name, 0), seq)
    for name, seq in top.items():
        row = session.get(Counter, name)
        if row is None:
            session.add(Counter(name=name, value=seq))
        elif row.value < seq:
            row.value = seq
            session.add(row)
    session.flush()
