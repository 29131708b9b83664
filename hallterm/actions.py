"""Every action a signed-in user can take: one list for the home menu, the command palette,
the help screen and the app's key bindings, so the four never disagree.

``action`` is a Textual action string run on the app.  ``permission`` decides who sees it.
Later features register their actions by adding to ``ACTIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hallterm.domain.roles import Permission, allowed
from hallterm.i18n import N_


@dataclass(frozen=True)
class AppAction:
    id: str
    key: str  # Textual key name, shown in the footer and help
    title: str  # msgid
    help: str  # msgid
    action: str  # Textual action on the app
    permission: Permission | None = None  # None: everybody signed in


ACTIONS: list[AppAction] = [
    AppAction(
        "help",
        "f1",
        N_("Help"),
        N_("Every key of this screen and the guide for new clerks"),
        "help",
    ),
    AppAction(
        "catalog",
        "f2",
        N_("Catalog"),
        N_("Browse departments, matters and their service guides"),
        "open('catalog')",
        Permission.browse_catalog,
    ),
    AppAction(
        "desk",
        "f3",
        N_("Front desk"),
        N_("Register the applicant, check the materials, accept or notify, print"),
        "open('desk')",
        Permission.front_desk,
    ),
    AppAction(
        "cases",
        "f4",
        N_("Cases"),
        N_("Open cases with deadline lights; a case's timeline and its next steps"),
        "open('cases')",
        Permission.process_cases,
    ),
    # Queue and supervision (issue 6).
    AppAction(
        "queue",
        "f5",
        N_("Queue"),
        N_("This window's queue: call the next ticket, recall, no-show, transfer, serve"),
        "open('queue')",
        Permission.front_desk,
    ),
    AppAction(
        "supervisor",
        "f6",
        N_("Dashboard"),
        N_("Live queue, windows, deadline lights and open rectifications"),
        "open('supervisor')",
        Permission.supervise,
    ),
    AppAction(
        "efficiency",
        "f7",
        N_("Efficiency"),
        N_("Efficiency figures by department, matter, station or clerk; charts and exports"),
        "open('efficiency')",
        Permission.supervise,
    ),
    # Governance (issue 7): interaction, audit trail, catalog lint.
    AppAction(
        "interaction",
        "f8",
        N_("Interaction"),
        N_("Consultations, complaints and corrections: record, reply by the deadline, print"),
        "open('interaction')",
        Permission.process_cases,
    ),
    AppAction(
        "audit",
        "f12",
        N_("Audit trail"),
        N_("Search who did what and when; check the event hash chains"),
        "open('audit')",
        Permission.supervise,
    ),
    AppAction(
        "lint",
        "ctrl+b",
        N_("Catalog lint"),
        N_("Duplicated, empty or contradictory entries of the matter catalog"),
        "open('lint')",
        Permission.manage_catalog,
    ),
    # Electronic certificates (issue 4): role checks for revoking are in the service.
    AppAction(
        "certificates",
        "f11",
        N_("Certificates"),
        N_("Issue, search, reprint and revoke electronic certificates"),
        "open('certificates')",
    ),
    AppAction("home", "f9", N_("Home"), N_("Back to the menu of your role"), "go_home"),
    AppAction(
        "language",
        "f10",
        N_("中文/English"),
        N_("Switch the interface language"),
        "toggle_language",
    ),
    AppAction(
        "lock", "ctrl+l", N_("Lock"), N_("Lock the screen now; your password unlocks it"), "lock"
    ),
    AppAction(
        "logout", "ctrl+o", N_("Log out"), N_("Sign out and return to the login screen"), "logout"
    ),
    AppAction("quit", "ctrl+q", N_("Quit"), N_("Close hallterm"), "quit"),
]


def actions_for(role: str | None) -> list[AppAction]:
    if role is None:
        return [a for a in ACTIONS if a.id in ("help", "language", "quit")]
    return [a for a in ACTIONS if a.permission is None or allowed(role, a.permission)]
