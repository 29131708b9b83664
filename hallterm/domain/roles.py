"""Roles and what each may do.  Screens and services ask ``allowed(role, permission)``."""

from __future__ import annotations

from enum import StrEnum

from hallterm.i18n import N_, _


class Role(StrEnum):
    clerk = "clerk"
    supervisor = "supervisor"
    admin = "admin"


class Permission(StrEnum):
    browse_catalog = "browse_catalog"
    front_desk = "front_desk"  # register applicants, check materials, decide
    process_cases = "process_cases"  # review, suspend, approve, deliver
    reveal_id = "reveal_id"
    issue_certificate = "issue_certificate"
    revoke_certificate = "revoke_certificate"
    supervise = "supervise"  # dashboards, efficiency, audit search
    manage_catalog = "manage_catalog"
    manage_staff = "manage_staff"
    manage_keys = "manage_keys"
    manage_calendar = "manage_calendar"


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.clerk: frozenset(
        {
            Permission.browse_catalog,
            Permission.front_desk,
            Permission.process_cases,
            Permission.reveal_id,
            Permission.issue_certificate,
        }
    ),
    Role.supervisor: frozenset(
        {
            Permission.browse_catalog,
            Permission.process_cases,
            Permission.reveal_id,
            Permission.supervise,
            Permission.revoke_certificate,
        }
    ),
    Role.admin: frozenset(Permission),
}

ROLE_LABELS = {Role.clerk: N_("clerk"), Role.supervisor: N_("supervisor"), Role.admin: N_("admin")}


def allowed(role: Role | str, permission: Permission) -> bool:
    return permission in _GRANTS.get(Role(role), frozenset())


def role_label(role: Role | str) -> str:
    return _(ROLE_LABELS[Role(role)])
