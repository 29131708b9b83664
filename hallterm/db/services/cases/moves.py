"""The moves after the window's decision: review, suspend/resume, approve/deny, deliver,
withdraw; each through the domain state machine, with its event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.events import snapshot
from hallterm.db.ids import new_id
from hallterm.db.models import CaseSuspension, ServiceCase
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.cases.common import (
    changed,
    ensure_owned,
    get_case,
    move,
    suspensions,
    today_of,
)
from hallterm.db.services.cases.deferrals import check_approvable
from hallterm.db.services.permissions import require_move
from hallterm.domain.case_states import CaseAction, CaseStateError, parse_action
from hallterm.i18n import N_, _


class DeliveryMethod(StrEnum):
    """送达方式."""

    window = "window"  # 窗口领取
    post = "post"  # 邮寄 (with a tracking number)
    electronic = "electronic"  # 电子送达


DELIVERY_LABELS = {
    DeliveryMethod.window: N_("collected at the window"),
    DeliveryMethod.post: N_("by post"),
    DeliveryMethod.electronic: N_("electronic delivery"),
}


def delivery_label(method: str) -> str:
    """窗口领取 / 邮寄 / 电子送达 (translated); "" for none."""
    try:
        return _(DELIVERY_LABELS[DeliveryMethod(method)])
    except ValueError:
        return ""


@dataclass(frozen=True)
class Delivery:
    method: str = DeliveryMethod.window.value
    reference: str = ""  # the tracking number of a posted result


def _checked_delivery(delivery: Delivery) -> tuple[str, str]:
    try:
        method = DeliveryMethod(delivery.method)
    except ValueError:
        raise ServiceError(
            _("unknown delivery method “{method}”").format(method=delivery.method)
        ) from None
    reference = delivery.reference.strip()
    if method is DeliveryMethod.post and not reference:
        raise ServiceError(_("a result sent by post needs its tracking number"))
    if len(reference) > 64:
        raise ServiceError(_("the tracking number is too long (at most 64 characters)"))
    return method.value, reference if method is DeliveryMethod.post else ""


def finish_with_reason(
    session: Session,
    ctx: Ctx,
    case_id: str,
    action: CaseAction,
    reason: str,
    required: bool,
    delivery: Delivery | None = None,
) -> None:
    reason = reason.strip()
    if required and not reason:
        raise ServiceError(_("a reason is required"))
    case = get_case(session, case_id)
    ensure_owned(case, ctx)
    if action is CaseAction.approve:
        check_approvable(session, case)
    old, new = move(case, action)
    if reason:
        case.decision_reason = reason
    if action in (CaseAction.approve, CaseAction.deny, CaseAction.refuse, CaseAction.withdraw):
        case.completed_at = ctx.clock.now()
    extra: dict[str, Any] = {}
    if action is CaseAction.deliver:
        case.delivered_at = ctx.clock.now()
        method, reference = _checked_delivery(delivery or Delivery())
        case.delivery_method, case.delivery_reference = method, reference
        extra = {"delivery": method, "tracking": reference}
    rows = []
    if action is CaseAction.withdraw or action in (CaseAction.approve, CaseAction.deny):
        rows += _close_suspension(session, case, today_of(ctx))
    changed(
        session, ctx, case, f"case.{new}", rows, reason=reason, **extra, **{"from": old, "to": new}
    )


def _close_suspension(session: Session, case: ServiceCase, today: date) -> list[dict[str, Any]]:
    open_rows = session.exec(
        select(CaseSuspension).where(
            CaseSuspension.case_id == case.id, col(CaseSuspension.ended_on).is_(None)
        )
    )
    out = []
    for s in open_rows:
        s.ended_on = today
        session.add(s)
        out.append(snapshot(s))
    return out


def advance(
    session: Session,
    ctx: Ctx,
    case_id: str,
    action: CaseAction | str,
    reason: str = "",
    *,
    delivery: Delivery | None = None,
    resume_on: date | None = None,
) -> None:
    """The moves after acceptance: review, suspend/resume, approve/deny, deliver, withdraw.

    ``delivery``: how the result reached the applicant (default: at the window);
    ``resume_on``: when a suspension is expected to end (printed on the 中止告知书).
    """
    try:
        action = parse_action(action)
    except CaseStateError as exc:
        raise ServiceError(str(exc)) from None
    if action in (CaseAction.accept, CaseAction.notify):
        raise ServiceError(_("use accept or notify for this move"))
    require_move(session, ctx, case_id, action.value)
    if action is CaseAction.suspend:
        _suspend(session, ctx, case_id, reason, resume_on)
    elif action is CaseAction.resume:
        _resume(session, ctx, case_id)
    else:
        finish_with_reason(
            session,
            ctx,
            case_id,
            action,
            reason,
            required=action in (CaseAction.deny, CaseAction.refuse, CaseAction.withdraw),
            delivery=delivery,
        )


def _suspend(session: Session, ctx: Ctx, case_id: str, reason: str, resume_on: date | None) -> None:
    if not reason.strip():
        raise ServiceError(_("a reason is required"))
    case = get_case(session, case_id)
    ensure_owned(case, ctx)
    today = today_of(ctx)
    if resume_on is not None and resume_on <= today:
        raise ServiceError(
            _("the expected resumption date must be later than today ({today})").format(
                today=today.isoformat()
            )
        )
    old, new = move(case, CaseAction.suspend)
    susp = CaseSuspension(
        id=new_id(),
        case_id=case.id,
        started_on=today,
        reason=reason.strip(),
        expected_resume_on=resume_on,
        station_code=case.station_code,
    )
    session.add(susp)
    session.flush()
    changed(
        session,
        ctx,
        case,
        "case.suspended",
        [snapshot(susp)],
        reason=reason.strip(),
        resume_on=resume_on,
        **{"from": old, "to": new},
    )


def _resume(session: Session, ctx: Ctx, case_id: str) -> None:
    case = get_case(session, case_id)
    ensure_owned(case, ctx)
    old, new = move(case, CaseAction.resume)
    today = today_of(ctx)
    rows = _close_suspension(session, case, today)
    session.flush()
    if case.accepted_at is not None and case.limit_days is not None:
        case.due_date = calendar_for(session).due_date(
            to_local(case.accepted_at).date(),
            case.limit_days,
            suspensions(session, case.id),
            today,
        )
    changed(
        session, ctx, case, "case.resumed", rows, due_date=case.due_date, **{"from": old, "to": new}
    )
