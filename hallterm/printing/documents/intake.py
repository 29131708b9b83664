"""The papers of the intake decision: 受理通知书, 一次性告知书, 不予受理决定书, 容缺受理承诺书,
and the 办结通知书 of a matter completed on the spot (即办件).

Each has its 文号 under the title, the addressee line, and the 落款 with the decision date
kept on one page with the paragraph before it.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from hallterm.i18n import _
from hallterm.printing.documents.blocks import (
    FontPath,
    build_case_pdf,
    case_block,
    closing,
    deferred_table,
    grid_table,
    head,
    heading,
    kv_table,
    opening,
    para,
    reason_box,
    received_table,
    signature_lines,
)
from hallterm.printing.documents.data import CaseDocument, Issuer
from hallterm.printing.documents.page import (
    BODY_W,
    DASH,
    esc,
    fmt_date,
    fmt_datetime,
    start,
    working_days,
)


def render_receipt(
    doc: CaseDocument, issuer: Issuer, out: Path, *, font_path: FontPath = None
) -> Path:
    """受理通知书: the application is accepted; what was received, and when it will be done."""
    st = start(font_path)
    title = _("Acceptance Notice")
    story: list[Flowable] = [
        *opening(title, doc, "receipt", st),
        para(
            _(
                "After examination, the materials you submitted for the matters above are "
                "complete and in the statutory form. Your application is accepted."
            ),
            st,
        ),
    ]
    if doc.deferred:
        story.append(
            para(
                _(
                    "Some materials are accepted as deferred; please supply them by the dates "
                    "below."
                ),
                st,
            )
        )
    story += [heading(_("Materials received"), st), *received_table(doc.received, st)]
    if doc.deferred:
        story += [
            heading(_("Materials to be supplied later"), st),
            deferred_table(doc.deferred, st),
        ]
    timing = [
        (_("Accepted at"), fmt_datetime(doc.accepted_at) if doc.accepted_at else DASH),
        (
            _("Promised time limit"),
            DASH
            if doc.promised_days is None
            else working_days(doc.promised_days)
            if doc.promised_days
            else _("on the spot"),  # never "0 working days"
        ),
        (_("Promised completion date"), fmt_date(doc.due_date) if doc.due_date else DASH),
    ]
    story += [heading(_("Time limit"), st), kv_table(timing, st)]
    if doc.calendar_note:
        story.append(Paragraph(esc(doc.calendar_note), st.small))
    last = para(
        _(
            "Please keep this notice. Quote the case number {number} or show the QR code "
            "when you ask about progress or collect the result."
        ).format(number=esc(doc.case_number)),
        st,
    )
    story += [Spacer(1, 3 * mm), closing(issuer, doc.decision_date("receipt"), st, [last])]
    return build_case_pdf(out, title, story, doc, issuer, st.font)


def render_completion(
    doc: CaseDocument, issuer: Issuer, out: Path, *, font_path: FontPath = None
) -> Path:
    """办结通知书: a matter handled on the spot (即办件) is accepted and completed at once."""
    st = start(font_path)
    title = _("Completion Notice")
    decided = doc.decision_date("completion")
    story: list[Flowable] = [
        *opening(title, doc, "completion", st),
        para(
            _(
                "Your application for the matters above was accepted and, being a matter "
                "handled on the spot, completed on {date}."
            ).format(date=fmt_date(decided) if decided else DASH),
            st,
        ),
        heading(_("Materials received"), st),
        *received_table(doc.received, st),
    ]
    pairs = [
        (_("Accepted at"), fmt_datetime(doc.accepted_at) if doc.accepted_at else DASH),
        (_("Completed at"), fmt_datetime(doc.completed_at) if doc.completed_at else DASH),
    ]
    if doc.results:
        pairs.append((_("Result"), "<br/>".join(esc(r) for r in doc.results)))
    story += [heading(_("Result"), st), kv_table(pairs, st)]
    last = para(
        _(
            "Please keep this notice. Quote the case number {number} or show the QR code "
            "when you ask about the result."
        ).format(number=esc(doc.case_number)),
        st,
    )
    story += [Spacer(1, 3 * mm), closing(issuer, decided, st, [last])]
    return build_case_pdf(out, title, story, doc, issuer, st.font)


def render_notice(
    doc: CaseDocument, issuer: Issuer, out: Path, *, font_path: FontPath = None
) -> Path:
    """一次性告知书 (Administrative Licensing Law art. 32): everything missing, told at once."""
    st = start(font_path)
    title = _("One-Time Notice of Materials to Supplement")
    story: list[Flowable] = [
        *opening(title, doc, "notice", st),
        para(
            _(
                "Under Article 32 of the Administrative Licensing Law of the People's Republic "
                "of China, you are hereby told, all at once, everything that must be supplied or "
                "corrected: the materials for the application above are incomplete or not in "
                "the statutory form, as listed below."
            ),
            st,
        ),
        heading(_("Materials to supply or correct"), st),
    ]
    rows = [
        [
            Paragraph(str(i), st.cell_center),
            Paragraph(esc(it.name), st.cell),
            Paragraph(esc(it.reason), st.cell),
            Paragraph(esc(it.standard) or DASH, st.cell),
        ]
        for i, it in enumerate(doc.missing, 1)
    ]
    if rows:
        widths = [12 * mm, 48 * mm, 55 * mm, BODY_W - 115 * mm]
        head_row = [_("No."), _("Material"), _("Problem"), _("Acceptance standard")]
        story.append(grid_table(head_row, rows, widths, st))
    else:
        story.append(Paragraph(_("None."), st.body))
    story += [
        heading(_("Materials already received"), st),
        Paragraph(
            _(
                "The following materials have been received and are kept with the case; you "
                "need not bring them again."
            ),
            st.body,
        ),
        *received_table(doc.received, st),
        Spacer(1, 3 * mm),
    ]
    if doc.supply_by is not None:
        story.append(
            para(
                _(
                    "Please supply the items above by {date}. If they are not supplied by then, "
                    "the application is treated as withdrawn; you may apply again at any time."
                ).format(date=fmt_date(doc.supply_by)),
                st,
            )
        )
    last = para(
        _(
            "Please bring the items above, with this notice, back to the window and quote "
            "case number {number}. Nothing beyond what this notice lists will be asked of "
            "you for this application."
        ).format(number=esc(doc.case_number)),
        st,
    )
    story.append(
        closing(
            issuer,
            doc.decision_date("notice"),
            st,
            [last],
            signatures=[_("Applicant (signature):"), _("Date:")],
        )
    )
    return build_case_pdf(out, title, story, doc, issuer, st.font)


def remedies_text(doc: CaseDocument) -> str:
    """The applicant's remedies, naming the review body and the court when they are set."""
    if doc.review_body and doc.court:
        return _(
            "If you disagree with this decision, you may apply to {review_body} for "
            "administrative reconsideration within 60 days of receiving it, or bring an "
            "administrative lawsuit before {court} within 6 months, in accordance with the law."
        ).format(review_body=esc(doc.review_body), court=esc(doc.court))
    return _(
        "If you disagree with this decision, you may apply for administrative "
        "reconsideration within 60 days of receiving it, or bring an administrative "
        "lawsuit before a people's court within 6 months, in accordance with the law."
    )


def render_refusal(
    doc: CaseDocument, issuer: Issuer, out: Path, *, font_path: FontPath = None
) -> Path:
    """不予受理决定书: the reason, the legal basis and the applicant's remedies."""
    st = start(font_path)
    title = _("Decision Not to Accept an Application")
    if doc.registered_at:
        opening_text = _(
            "On {date} you applied for the matters above. After examination, it is decided "
            "not to accept the application, for the following reason:"
        ).format(date=fmt_date(doc.registered_at.date()))
    else:
        opening_text = _(
            "After examination of your application for the matters above, it is decided not "
            "to accept it, for the following reason:"
        )
    story: list[Flowable] = [
        *opening(title, doc, "refusal", st),
        para(opening_text, st),
        reason_box(doc.refusal_reason or DASH, st),
        Spacer(1, 2 * mm),
    ]
    if doc.legal_basis:
        story += [heading(_("Legal basis"), st), Paragraph(esc(doc.legal_basis), st.body)]
    story += [
        heading(_("Your rights"), st),
        closing(issuer, doc.decision_date("refusal"), st, [para(remedies_text(doc), st)]),
    ]
    return build_case_pdf(out, title, story, doc, issuer, st.font)


def render_deferral_pledge(
    doc: CaseDocument, issuer: Issuer, out: Path, *, font_path: FontPath = None
) -> Path:
    """容缺受理承诺书: the applicant pledges to supply the deferred materials by their dates."""
    st = start(font_path)
    title = _("Pledge for Acceptance with Deferred Materials")
    story: list[Flowable] = [
        *head(title, doc.number("pledge"), st),
        case_block(doc, st, qr=True),
        Spacer(1, 4 * mm),
        Paragraph(_("{name}:").format(name=esc(issuer.station_name)), st.body),
        heading(_("Materials to be supplied later"), st),
    ]
    if doc.deferred:
        story.append(deferred_table(doc.deferred, st))
    else:
        story.append(Paragraph(_("None."), st.body))
    story += [
        heading(_("Pledge"), st),
        para(
            _(
                "I (my organisation) apply of my own will for acceptance with the materials "
                "above deferred, and pledge:"
            ),
            st,
        ),
        Paragraph(_("1. to supply each material listed above by its date;"), st.body),
        Paragraph(
            _(
                "2. that all materials submitted and still to be supplied are true, lawful and valid;"
            ),
            st.body,
        ),
    ]
    last = [
        Paragraph(
            _(
                "3. that if I fail to supply them in time, or they do not meet the requirements, "
                "the application may be terminated and I bear the consequences."
            ),
            st.body,
        ),
        Spacer(1, 4 * mm),
        signature_lines([_("Applicant (signature or seal):"), _("Date:")], st),
    ]
    story.append(closing(issuer, doc.decision_date("pledge"), st, last, seal=False))
    return build_case_pdf(out, title, story, doc, issuer, st.font)
