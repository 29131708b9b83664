"""The case papers: plain data in (``data``), an A4 PDF out, laid out with reportlab platypus
in the embedded CJK TrueType font.

``page`` is the A4 page (styles, header, footer, page numbers), ``blocks`` the tables and the
official parts (文号, addressee, 落款), ``intake`` the papers of the intake decision, and
``progress`` those after acceptance (中止告知书, 送达回证).  Every label goes through gettext;
every piece of user data is escaped before it reaches Paragraph markup.
"""

from __future__ import annotations

from hallterm.printing.documents.data import (
    CaseDocument,
    DeferredItem,
    Delivery,
    Issuer,
    MissingItem,
    ReceivedItem,
    Suspension,
)
from hallterm.printing.documents.intake import (
    remedies_text,
    render_completion,
    render_deferral_pledge,
    render_notice,
    render_receipt,
    render_refusal,
)
from hallterm.printing.documents.page import build_pdf, fmt_date, fmt_datetime
from hallterm.printing.documents.progress import (
    delivery_method_label,
    render_delivery,
    render_suspension,
)

__all__ = [
    "CaseDocument",
    "DeferredItem",
    "Delivery",
    "Issuer",
    "MissingItem",
    "ReceivedItem",
    "Suspension",
    "build_pdf",
    "delivery_method_label",
    "fmt_date",
    "fmt_datetime",
    "remedies_text",
    "render_completion",
    "render_deferral_pledge",
    "render_delivery",
    "render_notice",
    "render_receipt",
    "render_refusal",
    "render_suspension",
]
