"""The efficiency figures as plain data: rows, columns, periods and their national definitions.

The services (``db/services/efficiency``) fill these; the screens and the printed report
(``printing/report``) show them.  The names and definitions follow the national 好差评 and
效能监测 practice, so that anyone can recompute a figure:

- 受理件数 received: cases registered in the period (the cohort).
- 一次告知数 notices issued: 一次性告知 notices given in the period (by their date), whatever
  became of the case later.
- 按时办结率 on-time completion rate: of the cohort's completed cases with a due date, those
  completed on or before it.
- 平均办理时长 average working days: from acceptance to completion, without the working days a
  suspension stopped the clock (行政许可法 §45: hearings, testing, expert review do not count).
- 好评率 good-rating rate: ratings at 非常满意 (5) or 满意 (4) over all ratings given in the
  period; 差评率 bad-rating rate: 不满意 (2) or 非常不满意 (1) over all ratings.  基本满意 (3)
  counts as neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from hallterm.i18n import N_, _

GOOD_FROM = 4  # 满意 and 非常满意
BAD_UPTO = 2  # 不满意 and 非常不满意
GROUPINGS = ("department", "matter", "station", "clerk")

# The definitions as printed under the PDF report (msgids).
DEFINITIONS: tuple[tuple[str, str], ...] = (
    (N_("Cases received"), N_("cases registered in the period")),
    (
        N_("Notices issued"),
        N_("one-time notices (一次性告知) given in the period, by the day they were given"),
    ),
    (
        N_("On-time rate"),
        N_("completed cases with a due date finished on or before it, over all such cases"),
    ),
    (
        N_("Average working days"),
        N_("acceptance to completion in working days, suspended days left out (行政许可法 §45)"),
    ),
    (
        N_("Good ratings"),
        N_("ratings 非常满意 or 满意 over all ratings given in the period"),
    ),
    (
        N_("Bad ratings"),
        N_("ratings 不满意 or 非常不满意 over all ratings; 基本满意 counts as neither"),
    ),
)


@dataclass(frozen=True)
class EfficiencyRow:
    """One line of the table; ``depth`` indents stations under their parent."""

    key: str
    name: str
    depth: int
    received: int
    accepted: int
    notices: int
    refused: int
    completed: int
    overdue: int
    on_time: int
    completed_with_due: int
    work_days_total: int
    work_days_cases: int
    matters: int
    matters_online: int
    ratings: int
    good: int
    bad: int
    stars_total: int
    wait_total_s: float
    waits: int
    service_total_s: float
    services: int
    code: str = ""  # shown instead of the key where the key is internal (a clerk's username)

    @property
    def shown_code(self) -> str:
        return self.code or self.key

    @staticmethod
    def _ratio(num: float, den: float) -> float | None:
        return num / den if den else None

    @property
    def on_time_rate(self) -> float | None:
        return self._ratio(self.on_time, self.completed_with_due)

    @property
    def avg_work_days(self) -> float | None:
        return self._ratio(self.work_days_total, self.work_days_cases)

    @property
    def online_share(self) -> float | None:
        return self._ratio(self.matters_online, self.matters)

    @property
    def good_rate(self) -> float | None:
        return self._ratio(self.good, self.ratings)

    @property
    def bad_rate(self) -> float | None:
        return self._ratio(self.bad, self.ratings)

    @property
    def stars(self) -> float | None:
        return self._ratio(self.stars_total, self.ratings)

    @property
    def avg_wait_min(self) -> float | None:
        r = self._ratio(self.wait_total_s, self.waits)
        return None if r is None else r / 60

    @property
    def avg_service_min(self) -> float | None:
        r = self._ratio(self.service_total_s, self.services)
        return None if r is None else r / 60


@dataclass(frozen=True)
class EfficiencyTable:
    by: str
    start: date
    end: date
    rows: tuple[EfficiencyRow, ...]
    total: EfficiencyRow
    # Cases counted in more than one row (a bundle spanning departments or matters): the rows
    # then add up to more than the total; the screen and the report say so.
    shared_cases: int = 0


@dataclass(frozen=True)
class DayPoint:
    day: date
    received: int
    completed: int
    tickets: int
    avg_wait_min: float | None


@dataclass(frozen=True)
class TableColumn:
    key: str
    title: str  # msgid
    kind: Literal["text", "int", "pct", "num"]
    keep: int  # 0 is kept longest when the screen is narrow; higher numbers go first


# Short titles (the table must fit 100 columns in English too); the full names and their
# definitions are in DEFINITIONS, the report and F1.
COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("name", N_("Name"), "text", 0),  # titled by the grouping, see column_title
    TableColumn("received", N_("Received"), "int", 0),
    TableColumn("accepted", N_("Acceptances"), "int", 3),
    TableColumn("notices", N_("Notices"), "int", 2),
    TableColumn("refused", N_("Refused"), "int", 4),
    TableColumn("completed", N_("Completions"), "int", 1),
    TableColumn("overdue", N_("Overdue"), "int", 1),
    TableColumn("on_time_rate", N_("On time %"), "pct", 0),
    TableColumn("avg_work_days", N_("Work days"), "num", 1),
    TableColumn("online_share", N_("Online %"), "pct", 5),
    TableColumn("good_rate", N_("Good %"), "pct", 1),
    TableColumn("bad_rate", N_("Bad %"), "pct", 2),
    TableColumn("stars", N_("Stars"), "num", 6),
    TableColumn("ratings", N_("Ratings"), "int", 4),
    TableColumn("avg_wait_min", N_("Wait (min)"), "num", 3),
    TableColumn("avg_service_min", N_("Service (min)"), "num", 5),
)

BY_LABELS = {
    "department": N_("department"),
    "matter": N_("matter"),
    "station": N_("service station"),
    "clerk": N_("window clerk"),
}
BY_TITLES = {
    "department": N_("Department"),
    "matter": N_("Matter"),
    "station": N_("Service station"),
    "clerk": N_("Window clerk"),
}


def column_title(column: TableColumn, by: str) -> str:
    """The translated heading of ``column`` in a table grouped ``by``."""
    if column.key == "name":
        return _(BY_TITLES.get(by, column.title))
    return _(column.title)


def value(row: EfficiencyRow, column: TableColumn) -> str | int | float | None:
    if column.key == "name":
        return row.name
    v: str | int | float | None = getattr(row, column.key)
    return v


def formatted(row: EfficiencyRow, column: TableColumn, indent: bool = True) -> str:
    """The cell as shown and printed: percentages with one decimal, '—' for no data."""
    v = value(row, column)
    if column.kind == "text":
        return ("  " * row.depth if indent else "") + str(v)
    if v is None:
        return "—"
    if column.kind == "pct":
        return f"{float(v) * 100:.1f}%"
    if column.kind == "num":
        return f"{float(v):.1f}" if column.key != "stars" else f"{float(v):.2f}"
    return str(v)


def shared_note(table: EfficiencyTable) -> str:
    """Why the rows add up to more than the total, or '' when they don't."""
    if not table.shared_cases:
        return ""
    return _(
        "Bundles spanning several {by}s count once in every row they touch: "
        "the rows add up to {n} more than the total."
    ).format(n=table.shared_cases, by=_(BY_LABELS.get(table.by, table.by)))


# -- periods -------------------------------------------------------------------------------

PERIODS = ("today", "week", "month", "range")
PERIOD_LABELS = {
    "today": N_("today"),
    "week": N_("this week"),
    "month": N_("this month"),
    "range": N_("chosen range"),
}


def period(
    kind: str, today: date, start: date | None = None, end: date | None = None
) -> tuple[date, date]:
    """The local dates [first, last] of today / this week (from Monday) / this month / a range."""
    if kind == "today":
        return today, today
    if kind == "week":
        return today - timedelta(days=today.weekday()), today
    if kind == "month":
        return today.replace(day=1), today
    if start is None or end is None:
        raise ValueError(_("a range needs a first and a last date"))
    if end < start:
        raise ValueError(
            _("the range ends ({end}) before it starts ({start})").format(
                start=start.isoformat(), end=end.isoformat()
            )
        )
    return start, end
