"""The supervisor dashboard's section of interaction items awaiting a reply.

Registered with the dashboard when this module is imported (the package imports it).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from hallterm.db.services.interaction.kinds import kind_label
from hallterm.db.services.interaction.views import query_items
from hallterm.i18n import _


def dashboard_section(session: Session, station_code: str | None, today: date) -> Any:
    """The supervisor dashboard's table of open items: overdue in red, due today in yellow."""
    from hallterm.db.services.efficiency import DashboardSection

    items = [
        i
        for i in query_items(session, today, status="open", limit=200)
        if i.overdue or i.days_left == 0
    ]
    if station_code:
        items = [i for i in items if i.station_code == station_code]
    if not items:
        return None
    items.sort(key=lambda i: (not i.overdue, i.reply_due))
    return DashboardSection(
        title=_("Consultations, complaints and corrections awaiting a reply"),
        columns=(_("Number"), _("Kind"), _("Subject"), _("Reply due"), _("Taken by")),
        rows=tuple(
            (
                i.number,
                kind_label(i.kind),
                i.subject,
                i.reply_due.isoformat(),
                i.taken_by_name or i.taken_by,
            )
            for i in items
        ),
        row_lights=tuple("red" if i.overdue else "yellow" for i in items),
    )


def _register() -> None:
    from hallterm.db.services.efficiency import register_dashboard_section

    register_dashboard_section(dashboard_section)


_register()
