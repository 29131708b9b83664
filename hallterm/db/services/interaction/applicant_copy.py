"""The applicant's printed copy of an interaction item, and the audit record of each print."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session

from hallterm.clock import to_local
from hallterm.db.services import Ctx, record_event
from hallterm.db.services.interaction.kinds import channel_label, kind_label
from hallterm.db.services.interaction.views import InteractionView, find_item, get_item
from hallterm.db.services.printouts import print_pdf

if TYPE_CHECKING:
    from hallterm.db.engine import Store
    from hallterm.printing.guide import InteractionCopy
    from hallterm.printing.output import Printer


def record_copy_printed(session: Session, ctx: Ctx, ref: str, path: str) -> None:
    """The applicant's copy of an item was printed (the audit trail records every print)."""
    row = find_item(session, ref)
    record_event(
        session,
        ctx,
        entity="interaction",
        entity_id=row.id,
        kind="interaction.printed",
        payload={"number": row.number, "file": path},
    )


def copy_of(view: InteractionView) -> InteractionCopy:
    """The applicant's copy of an item, labels in the current language."""
    from hallterm.printing.guide import InteractionCopy

    return InteractionCopy(
        number=view.number,
        kind=kind_label(view.kind),
        channel=channel_label(view.channel),
        subject=view.subject,
        matter=view.matter_name or (view.matter_code or ""),
        content=view.content,
        contact_name=view.contact_name,
        contact_phone=view.contact_phone,
        taken_at=to_local(view.taken_at),
        taken_by=view.taken_by_name or view.taken_by,
        reply_due=view.reply_due,
        reply=view.reply,
        replied_by=view.replied_by_name or (view.replied_by or ""),
        replied_at=to_local(view.replied_at) if view.replied_at else None,
    )


def print_copy(
    store: Store,
    ctx: Ctx,
    ref: str,
    printer: Printer | None = None,
    *,
    out: Path | None = None,
    font_path: str | None = None,
) -> tuple[Path, str | None]:
    """Print the applicant's copy of item ``ref``; the print is noted in the audit trail.

    Returns the PDF path and the printer's failure message, if any.
    """
    from hallterm.db.services.catalog.guides import hall_of
    from hallterm.printing.guide import render_interaction_copy

    with store.read() as session:
        view = get_item(session, ctx, ref, ctx.clock.today())
        hall = hall_of(session, ctx)
    render = partial(render_interaction_copy, copy_of(view), hall=hall, font_path=font_path)
    out, message = print_pdf(render, printer, out, "interaction", view.number)
    with store.write() as session:
        record_copy_printed(session, ctx, view.id, out.name)
    return out, message
