"""The supervisor dashboard's table of 容缺 materials whose promised date is near or past."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from hallterm.db.services.cases.deferrals import deferral_alerts
from hallterm.db.services.efficiency.dashboard import (
    DashboardSection,
    register_dashboard_section,
)
from hallterm.i18n import _

SHOWN = 10  # the most urgent; the case list (F4) has them all


@register_dashboard_section
def deferral_section(
    session: Session, station_code: str | None, today: date
) -> DashboardSection | None:
    """Yellow and red deferrals, most urgent first; None when there are none."""
    alerts = deferral_alerts(session, today, station_code=station_code)[:SHOWN]
    if not alerts:
        return None
    return DashboardSection(
        title=_("Deferred materials (容缺) due soon or overdue"),
        columns=(
            _("Case number"),
            _("Applicant"),
            _("Material"),
            _("Promised by"),
            _("Working days left"),
        ),
        rows=tuple(
            (a.case_number, a.applicant_name, a.material, a.promised.isoformat(), str(a.days_left))
            for a in alerts
        ),
        row_lights=tuple(a.light for a in alerts),
    )
