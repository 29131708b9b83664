"""The one permission check of the service layer.

Every writing service, and every read of personal data or of the audit trail, starts with
``require(ctx, Permission.…)``: the acting person of ``ctx`` must hold the permission or the
use case is refused with a message in the clerk's language, before anything is read or
written.  Screens and the palette only hide; this is what refuses.  ``require_move``
adds the separation of duties for the moves of a case: the person who accepted a case
does not approve or deny it, except where every matter is a 即办件.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hallterm.db.services import Ctx, ServiceError
from hallterm.domain.roles import (
    Permission,
    allowed,
    is_role,
    may_decide,
    permission_label,
    role_label,
)
from hallterm.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session


class PermissionDenied(ServiceError):
    """The acting person's role does not grant what the use case needs."""


def require(ctx: Ctx, permission: Permission, *others: Permission) -> None:
    """Refuse unless the actor holds ``permission`` (or any of ``others``)."""
    role = ctx.actor.role
    if any(allowed(role, p) for p in (permission, *others)):
        return
    raise PermissionDenied(
        _("{name} ({role}) may not {what}").format(
            name=ctx.actor.name or ctx.actor.username,
            role=role_label(role) if is_role(role) else _("no role"),
            what=permission_label(permission),
        )
    )


def can(ctx: Ctx, permission: Permission) -> bool:
    return allowed(ctx.actor.role, permission)


def acceptor_of(session: Session, case_id: str) -> str | None:
    """The user name of whoever accepted the case (from its ``case.accepted`` event)."""
    from sqlmodel import select

    from hallterm.db.models import Event

    return session.exec(
        select(Event.actor)
        .where(Event.entity == "case", Event.entity_id == case_id, Event.kind == "case.accepted")
        .order_by(Event.at.desc())  # type: ignore[attr-defined]
    ).first()


def one_person_case(session: Session, case_id: str) -> bool:
    """Whether every matter of the case may be handled by one person (即办件)."""
    from sqlmodel import select

    from hallterm.db.models import CaseMatter, Matter

    types = session.exec(
        select(Matter.handling_type)
        .join(CaseMatter, CaseMatter.matter_code == Matter.code)  # type: ignore[arg-type]
        .where(CaseMatter.case_id == case_id)
    ).all()
    return bool(types) and all(t == "immediate" for t in types)


def require_move(session: Session, ctx: Ctx, case_id: str, action: str) -> None:
    """The permission a move of a case needs; approve and deny also keep 受理 and 审批 apart."""
    if action in ("approve", "deny"):
        accepted_it = acceptor_of(session, case_id) == ctx.actor.username
        one_person = one_person_case(session, case_id)
        if may_decide(ctx.actor.role, accepted_it=accepted_it, one_person=one_person):
            return
        if accepted_it and allowed(ctx.actor.role, Permission.decide_case):
            raise PermissionDenied(
                _(
                    "{name} accepted this case and may not also decide it: "
                    "another person with the approver role decides"
                ).format(name=ctx.actor.name or ctx.actor.username)
            )
        require(ctx, Permission.decide_case)
        raise PermissionDenied(_("only an approver may decide this case"))
    if action in ("refuse", "accept", "notify"):
        require(ctx, Permission.accept_case)
    elif action == "withdraw":
        require(ctx, Permission.accept_case, Permission.process_cases)
    else:
        require(ctx, Permission.process_cases)
