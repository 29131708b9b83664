"""Reading the catalog for screens: departments, matters, guides (``domain.guide``), bundles.

Returns plain dataclasses (safe to hand from a worker thread to the event loop).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from hallterm.db.models import Bundle, BundleMatter, Department, MaterialRequirement, Matter
from hallterm.domain.guide import GuideDoc, GuideMaterial, GuideMatter, bundle_guide, matter_guide


@dataclass(frozen=True)
class DepartmentRow:
    code: str
    name: str
    matter_count: int


@dataclass(frozen=True)
class MatterRow:
    code: str
    basic_code: str
    name: str
    department_code: str
    department: str
    kind: str
    handling_type: str
    promised_limit_days: int
    legal_limit_days: int


@dataclass(frozen=True)
class BundleRow:
    code: str
    name: str
    description: str
    matter_codes: tuple[str, ...]


def departments(session: Session) -> list[DepartmentRow]:
    counts = dict(
        session.execute(
            select(Matter.department_code, func.count()).group_by(Matter.department_code)
        ).all()
    )
    return [
        DepartmentRow(d.code, d.name, counts.get(d.code, 0))
        for d in session.exec(select(Department).order_by(Department.code))
    ]


def _matter_row(m: Matter, dept_names: dict[str, str]) -> MatterRow:
    return MatterRow(
        code=m.code,
        basic_code=m.basic_code,
        name=m.name,
        department_code=m.department_code,
        department=dept_names.get(m.department_code, m.department_code),
        kind=m.kind,
        handling_type=m.handling_type,
        promised_limit_days=m.promised_limit_days,
        legal_limit_days=m.legal_limit_days,
    )


def _dept_names(session: Session) -> dict[str, str]:
    return {d.code: d.name for d in session.exec(select(Department))}


def matters(session: Session, department_code: str | None = None) -> list[MatterRow]:
    q = select(Matter).order_by(col(Matter.position))
    if department_code:
        q = q.where(Matter.department_code == department_code)
    names = _dept_names(session)
    return [_matter_row(m, names) for m in session.exec(q)]


def requirements(session: Session, matter_code: str) -> tuple[GuideMaterial, ...]:
    rows = session.exec(
        select(MaterialRequirement)
        .where(MaterialRequirement.matter_code == matter_code)
        .order_by(col(MaterialRequirement.position))
    )
    return tuple(
        GuideMaterial(
            r.type_code, r.name, r.necessity, r.form, r.source, r.originals, r.copies, r.standard
        )
        for r in rows
    )


def _guide_matter(session: Session, m: Matter, dept_names: dict[str, str]) -> GuideMatter:
    return GuideMatter(
        code=m.code,
        basic_code=m.basic_code,
        name=m.name,
        kind=m.kind,
        department=dept_names.get(m.department_code, m.department_code),
        audience=m.audience,
        handling_type=m.handling_type,
        legal_limit_days=m.legal_limit_days,
        promised_limit_days=m.promised_limit_days,
        fee=m.fee,
        conditions=m.conditions,
        legal_basis=m.legal_basis,
        process=tuple(json.loads(m.process or "[]")),
        visits=m.visits,
        online_depth=m.online_depth,
        certificate_type=m.certificate_type,
        theme=m.theme,
        place=m.place,
        hours=m.hours,
        phone=m.phone,
        materials=requirements(session, m.code),
    )


def guide(session: Session, code: str) -> GuideDoc | None:
    """The service guide of matter or bundle ``code`` in the store; None if neither."""
    names = _dept_names(session)
    m = session.get(Matter, code)
    if m is not None:
        return matter_guide(_guide_matter(session, m, names), catalog_version=m.catalog_version)
    b = session.get(Bundle, code)
    if b is None:
        return None
    codes = session.exec(
        select(BundleMatter.matter_code)
        .where(BundleMatter.bundle_code == code)
        .order_by(col(BundleMatter.position))
    )
    members = [
        _guide_matter(session, member, names)
        for member in (session.get(Matter, c) for c in codes)
        if member is not None
    ]
    return bundle_guide(b.code, b.name, b.description, members)


def bundles(session: Session) -> list[BundleRow]:
    members: dict[str, list[str]] = {}
    for bm in session.exec(
        select(BundleMatter).order_by(col(BundleMatter.bundle_code), col(BundleMatter.position))
    ):
        members.setdefault(bm.bundle_code, []).append(bm.matter_code)
    return [
        BundleRow(b.code, b.name, b.description, tuple(members.get(b.code, [])))
        for b in session.exec(select(Bundle).order_by(Bundle.code))
    ]
