"""效能监测: the supervisor's dashboard and the efficiency table.

By concern: ``sqltime`` (local dates and epochs in SQL), ``workdays`` (working-day counts by
prefix sums), ``stations`` (the station tree), ``collect`` (raw figures from the rollups that
``efficiency_rollups`` keeps, and from the tickets), ``table`` (the efficiency table),
``series`` (per-day charts) and ``dashboard`` (the live working set).  The figures' names
and definitions are in ``hallterm.domain.figures``; this package re-exports what the
screens and commands use.
"""

from __future__ import annotations

from hallterm.db.services.efficiency.dashboard import (
    DASHBOARD_SECTIONS,
    SECTION_MODULES,
    Dashboard,
    DashboardSection,
    LightCase,
    LineStats,
    SectionProvider,
    cases_by_light,
    dashboard,
    light_counts,
    line_stats,
    register_dashboard_section,
)
from hallterm.db.services.efficiency.series import daily_series
from hallterm.db.services.efficiency.sqltime import (
    as_date,
    epoch,
    local_date,
    seconds_between,
    utc_bounds,
)
from hallterm.db.services.efficiency.stations import StationNode, station_tree, subtree
from hallterm.db.services.efficiency.table import ONLINE_DEPTH_MIN, efficiency_table
from hallterm.db.services.efficiency.workdays import WorkdayIndex
from hallterm.db.services.efficiency_rollups import (
    DONE_STATUSES,
    RUNNING_STATUSES,
    apply_case_change,
    rebuild,
)
from hallterm.domain.figures import (
    BY_LABELS,
    BY_TITLES,
    COLUMNS,
    DEFINITIONS,
    GROUPINGS,
    PERIOD_LABELS,
    PERIODS,
    DayPoint,
    EfficiencyRow,
    EfficiencyTable,
    TableColumn,
    column_title,
    formatted,
    period,
    shared_note,
    value,
)

LIT_STATUSES = ("accepted", "in_review", "suspended")

__all__ = [
    "BY_LABELS",
    "BY_TITLES",
    "COLUMNS",
    "DASHBOARD_SECTIONS",
    "DEFINITIONS",
    "DONE_STATUSES",
    "GROUPINGS",
    "LIT_STATUSES",
    "ONLINE_DEPTH_MIN",
    "PERIODS",
    "PERIOD_LABELS",
    "RUNNING_STATUSES",
    "SECTION_MODULES",
    "Dashboard",
    "DashboardSection",
    "DayPoint",
    "EfficiencyRow",
    "EfficiencyTable",
    "LightCase",
    "LineStats",
    "SectionProvider",
    "StationNode",
    "TableColumn",
    "WorkdayIndex",
    "apply_case_change",
    "as_date",
    "cases_by_light",
    "column_title",
    "daily_series",
    "dashboard",
    "efficiency_table",
    "epoch",
    "formatted",
    "light_counts",
    "line_stats",
    "local_date",
    "period",
    "rebuild",
    "register_dashboard_section",
    "seconds_between",
    "shared_note",
    "station_tree",
    "subtree",
    "utc_bounds",
    "value",
]
