"""The papers after acceptance: 中止告知书 (the clock stops) and 送达回证 (the result delivered).

Both carry the 文号, the addressee line and the 落款 with the date of the step they record.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from hallterm.i18n import N_, _
from hallterm.printing.documents.blocks import (
    FontPath,
    addressee,
    build_case_pdf,
    closing,
    head,
    heading,
    kv_table,
    label_table,
    opening,
    para,
    reason_box,
)
from hallterm.printing.documents.data import CaseDocument, Issuer
from hallterm.printing.documents.page import (
    DASH,
    esc,
    fmt_date,
    fmt_datetime,
    start,
)

DELIVERY_METHODS = {
    "window": N_("collected at the window"),
    "post": N_("by post"),
    "electronic": N_("electronic delivery"),
}


def delivery_method_label(method: str) -> str:
    """窗口领取 / 邮寄 / 电子送达 (an unknown method prints as stored)."""
    return _(DELIVERY_METHODS[method]) if method in DELIVERY_METHODS else method


def render_suspension(
    doc: CaseDocument, issuer: Issuer, out: Path, *, font_path: FontPath = None
) -> Path:
    """中止告知书: why handling stops, since when, and when it is expected to resume."""
    st = start(font_path)
    title = _("Notice of Suspension")
    susp = doc.suspension
    started = susp.started_on if susp else doc.decision_date("suspension")
    story: list[Flowable] = [
        *opening(title, doc, "suspension", st),
        para(
            _(
                "The handling of your application for the matters above is suspended from "
                "{date}, for the following reason:"
            ).format(date=fmt_date(started) if started else DASH),
            st,
        ),
    ]
    expected = susp.expected_resume if susp else None
    pairs = [
        (_("Accepted at"), fmt_datetime(doc.accepted_at) if doc.accepted_at else DASH),
        (_("Suspended from"), fmt_date(started) if started else DASH),
        (_("Expected resumption"), fmt_date(expected) if expected else _("not yet known")),
    ]
    story += [
        reason_box(susp.reason if susp else DASH, st),
        heading(_("Time limit"), st),
        kv_table(pairs, st),
    ]
    last = para(
        _(
            "The time of the suspension does not count towards the time limit. When its "
            "reason ends, handling resumes and you will be told the new completion date; "
            "quote the case number {number} when you ask about progress."
        ).format(number=esc(doc.case_number)),
        st,
    )
    story += [Spacer(1, 3 * mm), closing(issuer, started, st, [last])]
    return build_case_pdf(out, title, story, doc, issuer, st.font)


def render_delivery(
    doc: CaseDocument, issuer: Issuer, out: Path, *, font_path: FontPath = None
) -> Path:
    """送达回证: what was delivered to whom, how (window, post with tracking number,
    electronic), when and by whom, with the recipient's signature."""
    st = start(font_path)
    title = _("Proof of Delivery")
    d = doc.delivery
    delivered = d.delivered_at if d else None
    method = delivery_method_label(d.method) if d else DASH
    if d is not None and d.method == "post" and d.tracking_number:
        method += "  " + _("tracking number {number}").format(number=esc(d.tracking_number))
    place = DASH
    if d is not None:
        if d.method == "post":
            place = esc(d.address) or DASH
        elif d.method == "window":
            place = esc(
                issuer.station_name + (" " + issuer.hall_address if issuer.hall_address else "")
            )
        else:
            place = esc(d.address) or _("the applicant's electronic address")
    results = doc.results or tuple(doc.matters)
    rows = [
        (_("Documents delivered"), "<br/>".join(esc(r) for r in results) or DASH),
        (_("Case number"), esc(doc.case_number)),
        (_("Recipient"), esc((d.recipient if d else "") or doc.addressee or doc.applicant_name)),
        (_("Delivery method"), method),
        (_("Place of delivery"), place),
        (_("Delivered at"), fmt_datetime(delivered) if delivered else DASH),
        (_("Delivered by"), esc(issuer.clerk_name)),
        (_("Recipient's signature"), ""),
    ]
    table = label_table(
        rows,
        st,
        label_w=40 * mm,
        padding=(4, 5),
        row_heights=[None] * (len(rows) - 1) + [16 * mm],  # room to sign on the last
    )
    last = para(
        _(
            "The recipient signs above on receipt; for delivery by post the postal receipt, "
            "and for electronic delivery the system's record of arrival, take its place."
        ),
        st,
    )
    story: list[Flowable] = [
        *head(title, doc.number("delivery"), st),
        addressee(doc, st),
        table,
        Spacer(1, 3 * mm),
        closing(
            issuer, delivered.date() if delivered else doc.decision_date("delivery"), st, [last]
        ),
    ]
    return build_case_pdf(out, title, story, doc, issuer, st.font)
