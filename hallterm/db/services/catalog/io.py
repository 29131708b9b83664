"""Importing and exporting the matter catalog, all-or-nothing.

An import is checked in full (``parse_catalog``, then every error of ``lint_catalog``)
before anything is written, then replaces
the catalog tables in one transaction and records the version with its document, so an old
case can still show the checklist it was checked against.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from hallterm.db.events import append_event, canonical_json
from hallterm.db.models import (
    Bundle,
    BundleMatter,
    CatalogVersion,
    Department,
    MaterialRequirement,
    Matter,
    QueueCategory,
)
from hallterm.db.services import Ctx
from hallterm.db.services.permissions import require
from hallterm.domain.catalog import CatalogError, CatalogIn, parse_catalog
from hallterm.domain.catalog_lint import blocking, lint_catalog
from hallterm.domain.roles import Permission
from hallterm.i18n import _


def read_catalog_file(path: Path) -> tuple[CatalogIn, dict[str, Any]]:
    """Load and check a JSON catalog file; ``CatalogError`` names every problem."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(
            [_("cannot read {path}: {error}").format(path=path, error=exc.strerror)]
        ) from None
    except UnicodeDecodeError:
        raise CatalogError([_("{path} is not UTF-8 text").format(path=path)]) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CatalogError(
            [
                _("{path}: not valid JSON at line {line}, column {col}: {msg}").format(
                    path=path, line=exc.lineno, col=exc.colno, msg=exc.msg
                )
            ]
        ) from None
    return parse_catalog(data), data


def import_catalog(session: Session, ctx: Ctx, catalog: CatalogIn) -> str:
    """Replace the catalog with ``catalog``; returns 'imported' or 'unchanged'.

    Every error lint finds refuses the import (``CatalogError`` names each), whatever the
    file format or the command that brought the catalog.
    """
    require(ctx, Permission.manage_catalog)
    refused = blocking(lint_catalog(catalog.model_dump(mode="json")))
    if refused:
        raise CatalogError([f"{f.where}: {f.message}" for f in refused])
    document = canonical_json(catalog.model_dump(mode="json"))
    sha = hashlib.sha256(document.encode()).hexdigest()
    existing = session.get(CatalogVersion, catalog.version)
    if existing is not None:
        if existing.sha256 == sha:
            return "unchanged"
        raise CatalogError(
            [
                _(
                    "catalog version {v} was already imported with different content; give the new catalog a new version"
                ).format(v=catalog.version)
            ]
        )
    for table in (BundleMatter, Bundle, MaterialRequirement, Matter, QueueCategory, Department):
        session.execute(delete(table))
    session.flush()
    session.add_all(Department(code=d.code, name=d.name) for d in catalog.departments)
    session.add_all(
        QueueCategory(code=q.code, name=q.name, prefix=q.prefix) for q in catalog.queue_categories
    )
    session.flush()
    for pos, m in enumerate(catalog.matters):
        session.add(
            Matter(
                code=m.implementation_code,
                basic_code=m.basic_code,
                name=m.name,
                kind=m.kind,
                audience=m.audience.value,
                department_code=m.department,
                handling_type=m.handling_type.value,
                legal_limit_days=m.legal_limit_days,
                promised_limit_days=m.promised_limit_days,
                fee=m.fee,
                conditions=m.conditions,
                legal_basis=m.legal_basis,
                process=json.dumps(m.process, ensure_ascii=False),
                visits=m.visits,
                online_depth=m.online_depth,
                certificate_type=m.certificate_type,
                queue_category=m.queue_category,
                theme=m.theme,
                place=m.place,
                hours=m.hours,
                phone=m.phone,
                approve_with_deferral=m.approve_with_deferral,
                position=pos,
                catalog_version=catalog.version,
            )
        )
    session.flush()
    for m in catalog.matters:
        session.add_all(
            MaterialRequirement(
                matter_code=m.implementation_code,
                position=i,
                type_code=r.type_code,
                name=r.name,
                necessity=r.necessity.value,
                form=r.form.value,
                source=r.source.value,
                originals=r.originals,
                copies=r.copies,
                standard=r.standard,
                valid_days=r.valid_days,
            )
            for i, r in enumerate(m.materials)
        )
    for b in catalog.bundles:
        session.add(Bundle(code=b.code, name=b.name, description=b.description))
    session.flush()
    for b in catalog.bundles:
        session.add_all(
            BundleMatter(bundle_code=b.code, matter_code=c, position=i)
            for i, c in enumerate(b.matters)
        )
    now = ctx.clock.now()
    session.add(
        CatalogVersion(
            version=catalog.version,
            name=catalog.name,
            region=catalog.region,
            imported_at=now,
            sha256=sha,
            document=document,
        )
    )
    append_event(
        session,
        station_code=ctx.station_code,
        entity="catalog",
        entity_id=catalog.version,
        kind="catalog.imported",
        payload={
            "version": catalog.version,
            "name": catalog.name,
            "sha256": sha,
            "matters": len(catalog.matters),
            "bundles": len(catalog.bundles),
        },
        actor=ctx.actor.username,
        at=now,
    )
    return "imported"


def current_version(session: Session) -> CatalogVersion | None:
    return session.exec(
        select(CatalogVersion).order_by(
            col(CatalogVersion.imported_at).desc(), col(CatalogVersion.version).desc()
        )
    ).first()


def export_catalog(session: Session) -> dict[str, Any]:
    """The catalog in the import format (``CatalogIn``), as plain JSON data."""
    version = current_version(session)
    matters = list(session.exec(select(Matter).order_by(col(Matter.position))))
    reqs: dict[str, list[MaterialRequirement]] = {}
    for r in session.exec(
        select(MaterialRequirement).order_by(
            col(MaterialRequirement.matter_code), col(MaterialRequirement.position)
        )
    ):
        reqs.setdefault(r.matter_code, []).append(r)
    bundle_matters: dict[str, list[str]] = {}
    for bm in session.exec(
        select(BundleMatter).order_by(col(BundleMatter.bundle_code), col(BundleMatter.position))
    ):
        bundle_matters.setdefault(bm.bundle_code, []).append(bm.matter_code)
    doc = {
        "name": version.name if version else "",
        "region": version.region if version else "",
        "version": version.version if version else "0",
        "departments": [
            {"code": d.code, "name": d.name}
            for d in session.exec(select(Department).order_by(Department.code))
        ],
        "queue_categories": [
            {"code": q.code, "name": q.name, "prefix": q.prefix}
            for q in session.exec(select(QueueCategory).order_by(QueueCategory.code))
        ],
        "matters": [
            {
                "basic_code": m.basic_code,
                "implementation_code": m.code,
                "name": m.name,
                "kind": m.kind,
                "audience": m.audience,
                "department": m.department_code,
                "handling_type": m.handling_type,
                "legal_limit_days": m.legal_limit_days,
                "promised_limit_days": m.promised_limit_days,
                "fee": m.fee,
                "conditions": m.conditions,
                "legal_basis": m.legal_basis,
                "process": json.loads(m.process or "[]"),
                "visits": m.visits,
                "online_depth": m.online_depth,
                "certificate_type": m.certificate_type,
                "queue_category": m.queue_category,
                "theme": m.theme,
                "place": m.place,
                "hours": m.hours,
                "phone": m.phone,
                "approve_with_deferral": m.approve_with_deferral,
                "materials": [
                    {
                        "type_code": r.type_code,
                        "name": r.name,
                        "necessity": r.necessity,
                        "form": r.form,
                        "source": r.source,
                        "originals": r.originals,
                        "copies": r.copies,
                        "standard": r.standard,
                        "valid_days": r.valid_days,
                    }
                    for r in reqs.get(m.code, [])
                ],
            }
            for m in matters
        ],
        "bundles": [
            {
                "code": b.code,
                "name": b.name,
                "description": b.description,
                "matters": bundle_matters.get(b.code, []),
            }
            for b in session.exec(select(Bundle).order_by(Bundle.code))
        ],
    }
    # Normalise through the model so an export re-imports to the very same document.
    return parse_catalog(doc).model_dump(mode="json")
