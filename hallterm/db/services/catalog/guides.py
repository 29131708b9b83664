"""Service guides (服务指南) and the static publication (政务公开) of a store's catalog.

Services fetch the catalog and the hall, and hand plain data to ``printing`` to render.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from sqlmodel import Session

from hallterm.clock import to_local
from hallterm.db.engine import Store
from hallterm.db.models import (
    Station,
)
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.audit import record_print
from hallterm.db.services.catalog.io import export_catalog
from hallterm.db.services.papers import paper_settings
from hallterm.db.services.printouts import print_pdf
from hallterm.db.services.setup import get_info
from hallterm.i18n import _
from hallterm.printing.guide import GuideDoc, Hall, guide_from_catalog, render_guide
from hallterm.printing.output import Printer
from hallterm.printing.publish import PublishError, PublishReport, publish_catalog


def hall_of(session: Session, ctx: Ctx) -> Hall:
    """The store's own station as the hall that hands out guides and receipts."""
    code = get_info(session, "station_code")
    station = session.get(Station, code) if code else None
    return Hall(
        name=station.name if station else "",
        address=station.address if station else "",
        phone=station.phone if station else "",
        printed_at=to_local(ctx.clock.now()),
        complaint_phone=paper_settings(session).complaint_phone,
    )


def guide_of(session: Session, code: str) -> GuideDoc | None:
    """The service guide of a matter or bundle of the store's catalog; None if unknown."""
    return guide_from_catalog(export_catalog(session), code.strip())


def print_guide(
    store: Store,
    ctx: Ctx,
    code: str,
    printer: Printer | None = None,
    *,
    out: Path | None = None,
    font_path: str | None = None,
) -> tuple[Path, str | None]:
    """Render a guide to ``out`` (or the printer's folder and the printer); note the print.

    Returns the PDF path and the printer's failure message, if any.
    """
    with store.read() as session:
        guide = guide_of(session, code)
        hall = hall_of(session, ctx)
    if guide is None:
        raise ServiceError(_("no matter or bundle with code {code}").format(code=code))
    render = partial(render_guide, guide, hall=hall, font_path=font_path)
    out, message = print_pdf(render, printer, out, "guide", guide.code)
    with store.write() as session:
        record_print(
            session,
            ctx,
            entity="bundle" if guide.is_bundle else "matter",
            entity_id=guide.code,
            kind="guide.printed",
            detail={"file": out.name},
        )
    return out, message


def publish(store: Store, ctx: Ctx, folder: Path) -> PublishReport:
    """Publish the store's catalog as a static folder (政务公开)."""
    with store.read() as session:
        doc = export_catalog(session)
        hall = hall_of(session, ctx)
    try:
        return publish_catalog(doc, folder, hall=hall)
    except PublishError as exc:
        raise ServiceError(str(exc)) from None
