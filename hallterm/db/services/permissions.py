"""The one permission check of the service layer.

Every writing service, and every read of personal data or of the audit trail, starts with
``require(ctx, Permission.…)``: the acting person of ``ctx`` must hold the permission or the
use case is refused with a message in the clerk's language, before anything is read or
written.  Screens and the palette only hide; this is what refuses.
"""

from __future__ import annotations

from hallterm.db.services import Ctx, ServiceError
from hallterm.domain.roles import Permission, allowed, permission_label, role_label
from hallterm.i18n import _


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
            role=role_label(role),
            what=permission_label(permission),
        )
    )


def can(ctx: Ctx, permission: Permission) -> bool:
    return allowed(ctx.actor.role, permission)
