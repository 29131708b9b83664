"""The official parts of a case's papers: their 文号, decision dates, and the station's settings.

``issue_papers`` gives each paper the case's state calls for its 文号 — from a counter per
kind, station and year — in the caller's transaction, with one event that carries the new
rows, so they sync like other station rows.  The desk's decision (accept, notify, refuse,
complete on the spot) calls it in its own transaction; a paper printed without a number yet
(a 中止告知书 or 送达回证, or a case decided before numbering existed) gets one at its first
print, dated by the step it records.  A reprint reads the stored row and shows the same 文号
and the original decision date.

``PaperSettings`` are the station's: its 机关代字 (default: made from the station's name), the
review body (复议机关) and court named in a 不予受理决定书, the hall's complaint phone printed
in service guides beside 12345, and the working days given to supply what a one-time notice
lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from hallterm.clock import to_local
from hallterm.db.events import snapshot
from hallterm.db.ids import new_id
from hallterm.db.models import (
    CaseMaterialLine,
    CaseMatter,
    CaseSuspension,
    Event,
    Matter,
    ServiceCase,
    Station,
)
from hallterm.db.models_papers import CasePaper
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.counters import next_value
from hallterm.db.services.permissions import require
from hallterm.db.services.setup import get_info, set_info
from hallterm.domain.case_states import CaseStatus
from hallterm.domain.checklist import LineState
from hallterm.domain.numbering import PAPER_MARKS, agency_prefix, paper_number
from hallterm.domain.roles import Permission
from hallterm.i18n import _

# -- which papers a case calls for ------------------------------------------------------------


def paper_kinds(status: str, immediate: bool, deferred: bool) -> tuple[str, ...]:
    """The papers a case in ``status`` calls for (what its decision prints, and a reprint).

    ``immediate``: every matter is handled on the spot (即办件), so a completed case gets a
    completion notice instead of an acceptance notice; ``deferred``: some material is
    accepted as deferred (容缺), so the applicant's pledge goes with the acceptance notice.
    """
    s = CaseStatus(status)
    if s is CaseStatus.notified:
        return ("notice",)
    if s is CaseStatus.refused:
        return ("refusal",)
    if s in (CaseStatus.registered, CaseStatus.withdrawn):
        return ()
    if s is CaseStatus.suspended:
        return ("suspension",)
    if immediate and s in (CaseStatus.approved, CaseStatus.delivered):
        return ("completion", "delivery") if s is CaseStatus.delivered else ("completion",)
    if s is CaseStatus.delivered:
        return ("delivery",)
    return ("receipt", "pledge") if deferred else ("receipt",)


def case_paper_kinds(session: Session, case: ServiceCase) -> tuple[str, ...]:
    """``paper_kinds`` for a stored case."""
    codes = session.exec(select(CaseMatter.matter_code).where(CaseMatter.case_id == case.id))
    matters = [session.get(Matter, c) for c in codes]
    immediate = bool(matters) and all(
        m is not None and m.handling_type == "immediate" for m in matters
    )
    deferred = any(
        line.state == LineState.deferred
        for line in session.exec(
            select(CaseMaterialLine).where(CaseMaterialLine.case_id == case.id)
        )
    )
    return paper_kinds(case.status, immediate, deferred)


# -- settings ---------------------------------------------------------------------------------

_SETTINGS_PREFIX = "papers."
DEFAULT_SUPPLY_DAYS = 20


@dataclass(frozen=True)
class PaperSettings:
    doc_prefix: str = ""
    review_body: str = ""
    court: str = ""
    complaint_phone: str = ""
    supply_days: int = DEFAULT_SUPPLY_DAYS


def paper_settings(session: Session) -> PaperSettings:
    """The station's settings for its papers (unset ones empty, or their default)."""
    values = {
        key: get_info(session, _SETTINGS_PREFIX + key) or ""
        for key in ("doc_prefix", "review_body", "court", "complaint_phone")
    }
    days = get_info(session, _SETTINGS_PREFIX + "supply_days")
    return PaperSettings(
        **values, supply_days=int(days) if days and days.isdigit() else DEFAULT_SUPPLY_DAYS
    )


def set_paper_settings(
    session: Session,
    ctx: Ctx,
    *,
    doc_prefix: str | None = None,
    review_body: str | None = None,
    court: str | None = None,
    complaint_phone: str | None = None,
    supply_days: int | None = None,
) -> PaperSettings:
    """Change the given settings (``None``: keep), with one event naming what changed."""
    require(ctx, Permission.manage_catalog)
    changes: dict[str, str] = {}
    for key, value in (
        ("doc_prefix", doc_prefix),
        ("review_body", review_body),
        ("court", court),
        ("complaint_phone", complaint_phone),
    ):
        if value is not None:
            changes[key] = value.strip()
    if doc_prefix is not None and doc_prefix.strip():
        # Checked by making a 文号 with it: no spaces, not empty.
        try:
            paper_number(doc_prefix.strip(), "receipt", 2000, 1)
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
    if supply_days is not None:
        if not 1 <= supply_days <= 60:
            raise ServiceError(
                _("The days to supply missing materials must be 1 to 60, got {n}").format(
                    n=supply_days
                )
            )
        changes["supply_days"] = str(supply_days)
    before = asdict(paper_settings(session))
    changes = {k: v for k, v in changes.items() if str(before[k]) != v}
    for key, value in changes.items():
        set_info(session, _SETTINGS_PREFIX + key, value)
    if changes:
        session.flush()
        record_event(
            session,
            ctx,
            entity="papers",
            entity_id=ctx.station_code,
            kind="papers.settings",
            payload={"changed": changes},
        )
    return paper_settings(session)


def station_prefix(session: Session, station_code: str) -> str:
    """The station's 机关代字: the setting, else made from the station's name."""
    prefix = paper_settings(session).doc_prefix
    if prefix:
        return prefix
    station = session.get(Station, station_code)
    return agency_prefix(station.name if station else station_code).replace(" ", "")


# -- numbers ----------------------------------------------------------------------------------


def _event_time(session: Session, case: ServiceCase, kind: str, contains: str = "") -> datetime:
    q = (
        select(Event)
        .where(Event.entity == "case", Event.entity_id == case.id, Event.kind == kind)
        .order_by(Event.at.desc())  # type: ignore[attr-defined]
    )
    for event in session.exec(q):
        if not contains or contains in event.payload:
            return event.at
    return case.updated_at


def _open_or_last_suspension(session: Session, case_id: str) -> CaseSuspension | None:
    rows = session.exec(
        select(CaseSuspension)
        .where(CaseSuspension.case_id == case_id)
        .order_by(CaseSuspension.started_on.desc())  # type: ignore[attr-defined]
    ).all()
    return next((r for r in rows if r.ended_on is None), rows[0] if rows else None)


def decision_time(session: Session, case: ServiceCase, kind: str, ref: str = "") -> datetime:
    """When the decision a paper of ``kind`` records was taken (stored, never the print time)."""
    if kind in ("receipt", "pledge") and case.accepted_at is not None:
        return case.accepted_at
    if kind in ("refusal", "completion") and case.completed_at is not None:
        return case.completed_at
    if kind == "delivery" and case.delivered_at is not None:
        return case.delivered_at
    if kind == "notice":
        event = session.get(Event, ref) if ref else None
        return event.at if event else _event_time(session, case, "case.notified")
    if kind == "suspension":
        return _event_time(session, case, "case.suspended", ref)
    return case.updated_at


def _next_seq(session: Session, station_code: str, kind: str, year: int) -> int:
    """The counter's next value, never below a number already issued (e.g. before a restore)."""
    seq = next_value(session, f"paper:{station_code}:{kind}:{year}")
    top = session.exec(
        select(func.max(CasePaper.seq)).where(
            CasePaper.station_code == station_code, CasePaper.kind == kind, CasePaper.year == year
        )
    ).one()
    while top is not None and seq <= top:
        seq = next_value(session, f"paper:{station_code}:{kind}:{year}")
    return seq


def _last_event(session: Session, case_id: str, kind: str) -> Event | None:
    return session.exec(
        select(Event)
        .where(Event.entity == "case", Event.entity_id == case_id, Event.kind == kind)
        .order_by(Event.at.desc(), Event.seq.desc())  # type: ignore[attr-defined]
    ).first()


def _ref(session: Session, case: ServiceCase, kind: str) -> str:
    """What tells two papers of one kind apart: each suspension, each further notice."""
    if kind == "suspension":
        susp = _open_or_last_suspension(session, case.id)
        return susp.id if susp else ""
    if kind == "notice":
        event = _last_event(session, case.id, "case.notified")
        return event.id if event else ""
    return ""


def issue_papers(
    session: Session, ctx: Ctx, case_id: str, kinds: Sequence[str] | None = None
) -> dict[str, CasePaper]:
    """Give ``kinds`` (default: what the case's state calls for) their 文号, if they have none.

    Runs in the caller's transaction; the new rows go out in one ``case.papers_numbered``
    event.  Returns every requested paper, new or already numbered.
    """
    case = session.get(ServiceCase, case_id)
    if case is None:
        raise ServiceError(_("no such case"))
    wanted = tuple(kinds) if kinds is not None else case_paper_kinds(session, case)
    out: dict[str, CasePaper] = {}
    new: list[CasePaper] = []
    for kind in wanted:
        if kind not in PAPER_MARKS:
            raise ServiceError(_("unknown document {kind}").format(kind=kind))
        ref = _ref(session, case, kind)
        row = session.exec(
            select(CasePaper).where(
                CasePaper.case_id == case.id, CasePaper.kind == kind, CasePaper.ref == ref
            )
        ).first()
        if row is None:
            if case.station_code != ctx.station_code:
                continue  # only the owning station numbers its papers
            decided = decision_time(session, case, kind, ref)
            year = to_local(decided).year
            seq = _next_seq(session, case.station_code, kind, year)
            row = CasePaper(
                id=new_id(),
                case_id=case.id,
                station_code=case.station_code,
                kind=kind,
                ref=ref,
                year=year,
                seq=seq,
                number=paper_number(station_prefix(session, case.station_code), kind, year, seq),
                decided_at=decided,
            )
            session.add(row)
            new.append(row)
        out[kind] = row
    if new:
        session.flush()
        record_event(
            session,
            ctx,
            entity="case",
            entity_id=case.id,
            kind="case.papers_numbered",
            payload={
                "number": case.number,
                "papers": {r.kind: r.number for r in new},
                "rows": [snapshot(r) for r in new],
            },
        )
    return out


def stored_papers(session: Session, case_id: str) -> dict[str, CasePaper]:
    """The numbered papers of a case by kind (the current suspension's notice for 中止)."""
    rows = session.exec(select(CasePaper).where(CasePaper.case_id == case_id)).all()
    out: dict[str, CasePaper] = {}
    susp = _open_or_last_suspension(session, case_id)
    for row in sorted(rows, key=lambda r: (r.decided_at, r.seq)):
        if row.kind == "suspension" and susp is not None and row.ref != susp.id:
            continue
        out[row.kind] = row  # the latest of a kind (a further notice) wins
    return out
