"""The materials checklist at the window: requirements, received lines and the verdict.

A bundle's checklist is the union of its matters' requirements, de-duplicated by material
type code (the same code means the same document), so the applicant hands each document in
once.  ``evaluate`` turns the lines the clerk has ticked into complete / incomplete (一次性
告知 of everything missing) / deferred (容缺受理 with promised dates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Literal

from hallterm.i18n import _

REQUIRED = "required"  # 必要
DEFERRABLE = "deferrable"  # 容缺后补
OPTIONAL = "optional"  # 非必要: conditional, never blocks
NECESSITIES = (REQUIRED, DEFERRABLE, OPTIONAL)
_STRENGTH = {REQUIRED: 2, DEFERRABLE: 1, OPTIONAL: 0}


class LineState(StrEnum):
    pending = "pending"  # not looked at yet
    received = "received"
    missing = "missing"
    deferred = "deferred"  # 容缺: promised by a date
    reused = "reused"  # taken from the applicant's stored materials
    not_applicable = "not_applicable"


class ReceivedAs(StrEnum):
    original = "original"
    copy = "copy"
    electronic = "electronic"


class ChecklistError(ValueError):
    """A checklist operation the rules do not allow; ``str(e)`` is translated."""


@dataclass(frozen=True)
class Requirement:
    type_code: str
    name: str
    necessity: str  # "required" | "optional" | "deferrable"
    form: str
    source: str
    originals: int
    copies: int
    standard: str = ""
    valid_days: int | None = None
    matters: tuple[str, ...] = ()  # implementation codes of the matters needing it

    def __post_init__(self) -> None:
        if self.necessity not in NECESSITIES:
            raise ChecklistError(
                _("Material “{name}” has an unknown necessity “{necessity}”").format(
                    name=self.name, necessity=self.necessity
                )
            )


@dataclass
class Line:
    requirement: Requirement
    state: LineState = LineState.pending
    received_as: ReceivedAs | None = None
    count: int = 0
    deferred_until: date | None = None
    reused_from: str | None = None
    note: str = ""

    @property
    def name(self) -> str:
        return self.requirement.name

    def _reset(self) -> None:
        self.received_as = None
        self.count = 0
        self.deferred_until = None
        self.reused_from = None

    def receive(self, received_as: ReceivedAs | str, count: int) -> None:
        """Record ``count`` (≥ 1) copies received as original, copy or electronic file."""
        if count < 1:
            raise ChecklistError(
                _("“{name}”: the number received must be at least 1, got {count}").format(
                    name=self.name, count=count
                )
            )
        self._reset()
        self.state = LineState.received
        self.received_as = ReceivedAs(received_as)
        self.count = count

    def mark_missing(self, note: str = "") -> None:
        self._reset()
        self.state = LineState.missing
        self.note = note

    def defer(self, until: date, today: date) -> None:
        """容缺受理: accept now, the applicant brings it by ``until`` (later than today)."""
        if self.requirement.necessity != DEFERRABLE:
            raise ChecklistError(
                _("“{name}” cannot be handed in later: it is not a deferrable material").format(
                    name=self.name
                )
            )
        if until <= today:
            raise ChecklistError(
                _("“{name}”: the promised date {until} must be later than today ({today})").format(
                    name=self.name, until=until.isoformat(), today=today.isoformat()
                )
            )
        self._reset()
        self.state = LineState.deferred
        self.deferred_until = until

    def reuse(self, stored_id: str) -> None:
        """Take the document from the applicant's stored material ``stored_id``."""
        if not stored_id:
            raise ChecklistError(
                _("“{name}”: no stored material was given to reuse").format(name=self.name)
            )
        self._reset()
        self.state = LineState.reused
        self.reused_from = stored_id

    def mark_not_applicable(self, note: str = "") -> None:
        """Only an optional (conditional) material can be not applicable to this applicant."""
        if self.requirement.necessity != OPTIONAL:
            raise ChecklistError(
                _(
                    "“{name}” is not an optional material and cannot be marked not applicable"
                ).format(name=self.name)
            )
        self._reset()
        self.state = LineState.not_applicable
        self.note = note

    def reset(self) -> None:
        """Back to pending (the clerk undoes a tick)."""
        self._reset()
        self.state = LineState.pending
        self.note = ""


_FORMS = {"paper", "electronic", "both"}


def merge_requirements(
    per_matter: Sequence[tuple[str, Sequence[Requirement]]],
) -> list[Requirement]:
    """Union of the matters' requirements, one per material type code, first-seen order.

    The strongest necessity wins (required > deferrable > optional); originals and copies
    are the maximum; the shortest validity wins; different acceptance standards are all
    kept; paper in one matter and electronic in another means both; ``matters`` lists every
    matter needing it.
    """
    merged: dict[str, Requirement] = {}
    for matter_code, requirements in per_matter:
        for req in requirements:
            matters = _union(req.matters, (matter_code,))
            prev = merged.get(req.type_code)
            if prev is None:
                merged[req.type_code] = replace(req, matters=matters)
                continue
            necessity = max(prev.necessity, req.necessity, key=_STRENGTH.__getitem__)
            valid = [v for v in (prev.valid_days, req.valid_days) if v is not None]
            standards = [s for s in _union((prev.standard,), (req.standard,)) if s]
            forms = {prev.form, req.form}
            form = "both" if len(forms) > 1 and forms <= _FORMS else prev.form
            merged[req.type_code] = replace(
                prev,
                necessity=necessity,
                form=form,
                originals=max(prev.originals, req.originals),
                copies=max(prev.copies, req.copies),
                standard="；".join(standards),
                valid_days=min(valid) if valid else None,
                matters=_union(prev.matters, matters),
            )
    return list(merged.values())


def _union(*parts: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x for part in parts for x in part))


@dataclass(frozen=True)
class Verdict:
    kind: Literal["complete", "incomplete", "deferred"]
    missing: tuple[str, ...]  # every blocking item: required/deferrable not received nor deferred
    deferred: tuple[tuple[str, date], ...]
    pending: tuple[str, ...]  # lines not looked at yet (pending required ones are also missing)


_SATISFIED = {LineState.received, LineState.reused}


def evaluate(lines: Sequence[Line]) -> Verdict:
    """Complete, incomplete (what is missing) or deferred (容缺, with promised dates).

    Optional lines never block; a reused document counts as received; only a deferrable
    line may be deferred.
    """
    missing: list[str] = []
    deferred: list[tuple[str, date]] = []
    pending: list[str] = []
    for line in lines:
        necessity = line.requirement.necessity
        if line.state == LineState.pending:
            pending.append(line.name)
        if necessity == OPTIONAL or line.state in _SATISFIED:
            continue
        if (
            line.state == LineState.deferred
            and necessity == DEFERRABLE
            and line.deferred_until is not None
        ):
            deferred.append((line.name, line.deferred_until))
            continue
        missing.append(line.name)
    kind: Literal["complete", "incomplete", "deferred"]
    if missing:
        kind = "incomplete"
    elif deferred:
        kind = "deferred"
    else:
        kind = "complete"
    return Verdict(kind, tuple(missing), tuple(deferred), tuple(pending))
