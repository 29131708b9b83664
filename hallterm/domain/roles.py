"""Roles and what each may do, and the rule that keeps acceptance and decision apart.

The service layer asks ``allowed(role, permission)`` through ``db/services/permissions.py``
(the one check that refuses); screens and the palette ask it only to hide what a role can't
do.  受理 (``accept_case``) and 审批 (``decide_case``) are separate permissions: a window
clerk accepts, an approver decides, and ``may_decide`` keeps the person who accepted a case
from deciding it unless every matter of the case is one a single person may handle (即办件).
"""

from __future__ import annotations

from enum import StrEnum

from hallterm.i18n import N_, _


class Role(StrEnum):
    clerk = "clerk"
    approver = "approver"
    supervisor = "supervisor"
    admin = "admin"


class Permission(StrEnum):
    browse_catalog = "browse_catalog"
    front_desk = "front_desk"  # register applicants, check materials, serve the queue
    accept_case = "accept_case"  # 受理: accept, one-time notice, refuse, withdraw
    process_cases = "process_cases"  # review, suspend, resume, deliver
    decide_case = "decide_case"  # 审批: approve, deny
    read_personal = "read_personal"  # applicants' records, cases, tickets
    reveal_id = "reveal_id"
    issue_certificate = "issue_certificate"
    revoke_certificate = "revoke_certificate"
    supervise = "supervise"  # dashboards, efficiency
    read_audit = "read_audit"  # the audit trail and its chain check
    manage_catalog = "manage_catalog"
    manage_staff = "manage_staff"
    manage_keys = "manage_keys"
    manage_calendar = "manage_calendar"
    manage_store = "manage_store"  # back up the store
    manage_stations = "manage_stations"  # at central: register stations, their credentials
    erase_personal = "erase_personal"  # erase a person's data after retention (PIPL art. 47)


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.clerk: frozenset(
        {
            Permission.browse_catalog,
            Permission.front_desk,
            Permission.accept_case,
            Permission.process_cases,
            Permission.read_personal,
            Permission.reveal_id,
            Permission.issue_certificate,
        }
    ),
    Role.approver: frozenset(
        {
            Permission.browse_catalog,
            Permission.process_cases,
            Permission.decide_case,
            Permission.read_personal,
            Permission.reveal_id,
            Permission.issue_certificate,
        }
    ),
    Role.supervisor: frozenset(
        {
            Permission.browse_catalog,
            Permission.process_cases,
            Permission.read_personal,
            Permission.reveal_id,
            Permission.supervise,
            Permission.read_audit,
            Permission.revoke_certificate,
        }
    ),
    Role.admin: frozenset(Permission),
}

ROLE_LABELS = {
    Role.clerk: N_("clerk"),
    Role.approver: N_("approver"),
    Role.supervisor: N_("supervisor"),
    Role.admin: N_("admin"),
}

PERMISSION_LABELS: dict[Permission, str] = {
    Permission.browse_catalog: N_("browse the catalog"),
    Permission.front_desk: N_("serve at the front desk"),
    Permission.accept_case: N_("accept cases (受理)"),
    Permission.process_cases: N_("process cases"),
    Permission.decide_case: N_("decide cases (审批)"),
    Permission.read_personal: N_("read applicants' personal data"),
    Permission.reveal_id: N_("reveal full ID numbers"),
    Permission.issue_certificate: N_("issue certificates"),
    Permission.revoke_certificate: N_("revoke certificates"),
    Permission.supervise: N_("supervise"),
    Permission.read_audit: N_("read the audit trail"),
    Permission.manage_catalog: N_("manage the catalog"),
    Permission.manage_staff: N_("manage staff"),
    Permission.manage_keys: N_("manage keys"),
    Permission.manage_calendar: N_("manage the calendar"),
    Permission.manage_store: N_("back up the store"),
    Permission.manage_stations: N_("manage stations"),
    Permission.erase_personal: N_("erase personal data after the retention period"),
}


def is_role(value: str) -> bool:
    return value in Role.__members__


def allowed(role: Role | str, permission: Permission) -> bool:
    if not is_role(str(role)):
        return False
    return permission in _GRANTS.get(Role(role), frozenset())


def grants(role: Role | str) -> frozenset[Permission]:
    return _GRANTS.get(Role(role), frozenset()) if is_role(str(role)) else frozenset()


def role_label(role: Role | str) -> str:
    return _(ROLE_LABELS[Role(role)]) if is_role(str(role)) else str(role)


def permission_label(permission: Permission) -> str:
    return _(PERMISSION_LABELS[permission])


def may_decide(role: Role | str, *, accepted_it: bool, one_person: bool) -> bool:
    """Whether someone of ``role`` may approve or deny a case.

    A decider needs ``decide_case`` and must not be the person who accepted the case; where
    every matter of the case may be handled by one person (即办件), the clerk who accepted it
    may also decide it.
    """
    if one_person and accepted_it:
        return allowed(role, Permission.accept_case) or allowed(role, Permission.decide_case)
    return allowed(role, Permission.decide_case) and not accepted_it
