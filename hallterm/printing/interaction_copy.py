"""The applicant's copy (回执) of a consultation, complaint or correction suggestion: its
number, what was said, the reply deadline and, once given, the reply."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from reportlab.platypus import Flowable, Paragraph

from hallterm.i18n import _
from hallterm.printing.documents.page import esc, fmt_date, fmt_datetime, styles
from hallterm.printing.fonts import register_cjk_font
from hallterm.printing.guide_data import Hall
from hallterm.printing.handout import build_handout, kv, text_block


@dataclass(frozen=True)
class InteractionCopy:
    """What the applicant's copy of an interaction item shows (labels already translated)."""

    number: str
    kind: str
    channel: str
    subject: str
    matter: str
    content: str
    contact_name: str
    contact_phone: str
    taken_at: datetime  # local time
    taken_by: str
    reply_due: date
    reply: str = ""
    replied_by: str = ""
    replied_at: datetime | None = None  # local time


def render_interaction_copy(
    item: InteractionCopy,
    out: Path,
    *,
    hall: Hall | None = None,
    font_path: str | os.PathLike[str] | None = None,
) -> Path:
    """The applicant's copy (回执) of a consultation, complaint or correction suggestion."""
    hall = hall or Hall()
    st = styles(register_cjk_font(font_path))
    title = _("Receipt: {kind}").format(kind=item.kind)
    pairs = [
        (_("Number"), item.number),
        (_("Kind"), item.kind),
        (_("Channel"), item.channel),
        (_("Subject"), item.subject),
        (_("Matter"), item.matter),
        (_("Contact"), " ".join(p for p in (item.contact_name, item.contact_phone) if p)),
        (_("Taken at"), fmt_datetime(item.taken_at)),
        (_("Taken by"), item.taken_by),
        (_("Reply due by"), fmt_date(item.reply_due)),
    ]
    story: list[Flowable] = [
        Paragraph(esc(title), st.title),
        kv(pairs, st),
        Paragraph(_("What you told us"), st.heading),
        text_block(item.content, st),
        Paragraph(_("Reply"), st.heading),
    ]
    if item.replied_at is not None:
        story += [
            text_block(item.reply, st),
            Paragraph(
                _("Replied by {who} at {time}").format(
                    who=esc(item.replied_by), time=fmt_datetime(item.replied_at)
                ),
                st.small,
            ),
        ]
    else:
        story.append(
            Paragraph(
                _(
                    "We will reply by {date}. Quote the number {number} when you ask about it."
                ).format(date=fmt_date(item.reply_due), number=esc(item.number)),
                st.body,
            )
        )
    footer = "  ".join(
        p
        for p in (
            hall.name,
            _("Tel: {phone}").format(phone=hall.phone) if hall.phone else "",
            _("Printed: {time}").format(time=fmt_datetime(hall.printed_at))
            if hall.printed_at
            else "",
        )
        if p
    )
    return build_handout(out, title, item.number, story, hall, footer, st.font)
