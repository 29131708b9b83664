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
    """One material on the checklist.

    Paper originals and copies are counted separately (a requirement of 原件1份 + 复印件1份
    needs both); an electronic file stands for the paper forms.  ``received_as`` is the
    form ticked last, whose count ``+``/``-`` change.
    """

    requirement: Requirement
    state: LineState = LineState.pending
    received_as: ReceivedAs | None = None
    originals: int = 0
    copies: int = 0
    electronic: int = 0
    deferred_until: date | None = None
    reused_from: str | None = None
    note: str = ""
    arrived_on: date | None = None  # a deferred material handed in after acceptance

    @property
    def name(self) -> str:
        return self.requirement.name

    @property
    def count(self) -> int:
        """How many of the form ticked last were received."""
        return (
            {
                ReceivedAs.original: self.originals,
                ReceivedAs.copy: self.copies,
                ReceivedAs.electronic: self.electronic,
            }.get(self.received_as, 0)
            if self.received_as
            else 0
        )

    def _reset(self) -> None:
        self.received_as = None
        self.originals = self.copies = self.electronic = 0
        self.deferred_until = None
        self.reused_from = None
        self.arrived_on = None

    def receive(self, received_as: ReceivedAs | str, count: int) -> None:
        """Record ``count`` (≥ 1) received as originals, copies or electronic files.

        Originals and copies add up on one line; an electronic file replaces the paper
        forms (and paper replaces it).
        """
        kind = ReceivedAs(received_as)
        if count < 1:
            raise ChecklistError(
                _("“{name}”: the number received must be at least 1, got {count}").format(
                    name=self.name, count=count
                )
            )
        paper = (self.originals, self.copies) if self.state == LineState.received else (0, 0)
        self._reset()
        self.state = LineState.received
        self.received_as = kind
        if kind is ReceivedAs.electronic:
            self.electronic = count
            return
        self.originals, self.copies = paper
        if kind is ReceivedAs.original:
            self.originals = count
        else:
            self.copies = count

    def shortfall(self) -> tuple[int, int]:
        """Originals and copies still missing against the requirement (0, 0 when enough)."""
        if self.state != LineState.received or self.electronic:
            return 0, 0
        req = self.requirement
        return max(req.originals - self.originals, 0), max(req.copies - self.copies, 0)

    def shortfall_text(self) -> str:
        """``原件少1份；复印件少1份``, or "" when nothing is short."""
        originals, copies = self.shortfall()
        parts = []
        if originals:
            parts.append(_("{n} original(s) short").format(n=originals))
        if copies:
            parts.append(_("{n} copies short").format(n=copies))
        return _("; ").join(parts)

    @property
    def satisfied(self) -> bool:
        """Received in full (or reused): the line needs nothing more."""
        if self.state == LineState.reused:
            return True
        return self.state == LineState.received and self.shortfall() == (0, 0)

    def arrive(self, on: date) -> None:
        """A deferred (容缺) material handed in after all, on ``on``: now received in full.

        The promised date stays on the line, next to the day it arrived.
        """
        if self.state != LineState.deferred:
            if self.arrived_on is not None:
                raise ChecklistError(
                    _("“{name}” was already handed in on {day}").format(
                        name=self.name, day=self.arrived_on.isoformat()
                    )
                )
            raise ChecklistError(
                _("“{name}” was not deferred: there is nothing to hand in later").format(
                    name=self.name
                )
            )
        promised = self.deferred_until
        req = self.requirement
        self._reset()
        self.state = LineState.received
        self.originals, self.copies = req.originals, req.copies
        if not (self.originals or self.copies):
            self.originals = 1
        self.received_as = ReceivedAs.original if self.originals else ReceivedAs.copy
        self.deferred_until = promised
        self.arrived_on = on

    @property
    def outstanding(self) -> bool:
        """A deferred material that has not arrived yet."""
        return self.state == LineState.deferred and self.arrived_on is None

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


def reusable(
    requirement: Requirement, received_on: date, valid_until: date | None, today: date
) -> bool:
    """May a document received on ``received_on`` stand for ``requirement`` today?

    The requirement's own validity decides (``valid_days``; none means it must be brought
    fresh each time), and the document must not have expired.
    """
    if requirement.valid_days is None:
        return False
    if valid_until is not None and valid_until < today:
        return False
    return (today - received_on).days <= requirement.valid_days


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


def evaluate(lines: Sequence[Line]) -> Verdict:
    """Complete, incomplete (what is missing) or deferred (容缺, with promised dates).

    Optional lines never block; a reused document counts as received; a line short of
    its originals or copies is missing; only a deferrable line may be deferred.
    """
    missing: list[str] = []
    deferred: list[tuple[str, date]] = []
    pending: list[str] = []
    for line in lines:
        necessity = line.requirement.necessity
        if line.state == LineState.pending:
            pending.append(line.name)
        if necessity == OPTIONAL or line.satisfied:
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
