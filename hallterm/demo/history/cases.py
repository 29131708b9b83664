"""The demo history's cases: the work at the window and each accepted case's later course.

A service registers the applicant and a case, then decides it at once (accept, notify of
what is missing, refuse, or complete on the spot); an accepted case is planned over later
working days (review, sometimes a suspension, the decision, sometimes late, the delivery).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from hallterm.clock import to_local
from hallterm.db.models import Matter, ServiceCase
from hallterm.db.services import Ctx
from hallterm.db.services import cases as case_svc
from hallterm.demo.history.certificates import approve_with_certificate, approver_ctx
from hallterm.demo.history.feedback import rate_service
from hallterm.demo.history.people import agent_of, draw_applicant, ensure_registered
from hallterm.demo.history.state import Sim, plan
from hallterm.domain.case_states import CaseAction
from hallterm.domain.checklist import LineState

REFUSE_REASONS = ("申请事项不属于本机关职权范围", "申请人不具备申请资格")
DENY_REASONS = ("经审查不符合法定条件",)
SUSPEND_REASONS = ("需要现场核查", "需要专家评审", "需要听证")
WITHDRAW_REASONS = ("申请人主动撤回申请",)


def pick_matter(sim: Sim, category: str | None) -> Matter:
    fitting = [m for m in sim.matters if category is None or m.queue_category == category]
    return sim.rng.choice(fitting or sim.matters)


def receive_all(
    session: Session, ctx: Ctx, view: case_svc.CaseView, missing: str | None = None
) -> None:
    inputs = []
    for line in view.lines:
        req = line.requirement
        if line.state == LineState.reused:
            continue
        if req.type_code == missing:
            inputs.append(case_svc.LineInput(req.type_code, LineState.missing.value, note="未带"))
        elif req.necessity == "optional":
            inputs.append(case_svc.LineInput(req.type_code, LineState.not_applicable.value))
        else:
            inputs.append(case_svc.LineInput.in_full(req))
    if inputs:
        case_svc.record_lines(session, ctx, view.id, inputs)


def serve(session: Session, sim: Sim, ctx: Ctx, category: str | None) -> str | None:
    """The work at the window: the applicant, a case and its first decision."""
    rng = sim.rng
    matter = pick_matter(sim, category)
    a = draw_applicant(session, sim, ctx, entity=matter.audience == "entity")
    applicant_id = ensure_registered(session, ctx, a)
    if sim.bundles and a.id_type != "uscc" and rng.random() < 0.05:
        code = rng.choice(sorted(sim.bundles))
        case_id = case_svc.start_case(session, ctx, applicant_id=applicant_id, bundle_code=code)
    else:
        case_id = case_svc.start_case(
            session, ctx, applicant_id=applicant_id, matter_codes=[matter.code], agent=agent_of(a)
        )
    sim.cases += 1
    roll = rng.random()
    if roll < 0.03:
        return case_id  # the applicant left to fetch a document: registered only
    today = to_local(ctx.clock.now()).date()
    view = case_svc.load_case(session, ctx, case_id, today)
    required = [
        lv.requirement.type_code
        for lv in view.lines
        if lv.requirement.necessity == "required" and lv.state != LineState.reused
    ]
    if roll < 0.13 and required:
        receive_all(session, ctx, view, rng.choice(required))
        case_svc.notify(session, ctx, case_id)
        if rng.random() < 0.6:
            plan(sim, ctx, rng.randint(2, 6), lambda s: come_back(s, sim, ctx, case_id))
        return case_id
    if roll < 0.17:
        case_svc.refuse(session, ctx, case_id, rng.choice(REFUSE_REASONS))
        return case_id
    decide_at_window(session, sim, ctx, view)
    return case_id


def decide_at_window(session: Session, sim: Sim, ctx: Ctx, view: case_svc.CaseView) -> None:
    case_id = view.id
    receive_all(session, ctx, view)
    if view.immediate:
        case_svc.complete_on_spot(session, ctx, case_id)
    else:
        case_svc.accept(session, ctx, case_id)
        plan_case(session, sim, ctx, case_id)


def come_back(session: Session, sim: Sim, ctx: Ctx, case_id: str) -> None:
    """The applicant returns with what was missing: received, decided, planned."""
    today = to_local(ctx.clock.now()).date()
    decide_at_window(session, sim, ctx, case_svc.load_case(session, ctx, case_id, today))


def plan_case(session: Session, sim: Sim, ctx: Ctx, case_id: str) -> None:
    """Review, maybe a suspension, the decision (sometimes late) and the delivery."""
    rng = sim.rng
    case_row = session.get(ServiceCase, case_id)
    limit = max(1, (case_row.limit_days if case_row else 0) or 1)

    def move(action: CaseAction, reason: str = "") -> Callable[[Session], None]:
        return lambda s: case_svc.advance(s, ctx, case_id, action, reason)

    plan(sim, ctx, 1, move(CaseAction.start_review))
    stopped = 0
    earliest = 1
    if limit > 1 and rng.random() < 0.1:
        start = rng.randint(1, limit - 1) + 1  # after the review started
        stopped = rng.randint(2, 5)
        plan(sim, ctx, start, move(CaseAction.suspend, rng.choice(SUSPEND_REASONS)))
        plan(sim, ctx, start + stopped, move(CaseAction.resume))
        earliest = start + stopped
    if rng.random() < 0.08:  # late: decided after the due date
        decide = limit + stopped + rng.randint(1, 3)
    else:
        decide = rng.randint(earliest, max(earliest, limit + stopped))
    decide = max(decide, earliest + (1 if stopped else 0), 1)
    roll = rng.random()
    if roll < 0.03:
        plan(sim, ctx, decide, move(CaseAction.withdraw, rng.choice(WITHDRAW_REASONS)))
        return
    # 受理 and 审批 apart: the station's approver decides what its clerk accepted.
    actx = approver_ctx(ctx)
    if roll < 0.08:
        reason = rng.choice(DENY_REASONS)
        plan(sim, ctx, decide, lambda s: case_svc.advance(s, actx, case_id, "deny", reason))
    else:
        plan(sim, ctx, decide, lambda s: approve_with_certificate(s, sim, actx, case_id))
    plan(sim, ctx, decide + rng.randint(0, 3), move(CaseAction.deliver))
    if rng.random() < 0.25:
        plan(sim, ctx, decide + 4, lambda s: rate_service(s, sim, ctx, case_id=case_id))
