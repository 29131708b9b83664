"""Front-desk documents (receipt, one-time notice, refusal, deferral pledge), QR drawing, printer."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import segno
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from hallterm.i18n import set_language
from hallterm.printing.documents import (
    CaseDocument,
    DeferredItem,
    Delivery,
    Issuer,
    MissingItem,
    ReceivedItem,
    Suspension,
    fmt_date,
    fmt_datetime,
    render_completion,
    render_deferral_pledge,
    render_delivery,
    render_notice,
    render_receipt,
    render_refusal,
    render_suspension,
)
from hallterm.printing.output import Printer
from hallterm.printing.qr import _dark_runs, draw_qr, qr_matrix

RENDERERS = (
    render_receipt,
    render_notice,
    render_refusal,
    render_deferral_pledge,
    render_completion,
    render_suspension,
    render_delivery,
)
KIND_OF = {
    render_receipt: "receipt",
    render_notice: "notice",
    render_refusal: "refusal",
    render_deferral_pledge: "pledge",
    render_completion: "completion",
    render_suspension: "suspension",
    render_delivery: "delivery",
}
NUMBERS = {
    "receipt": "玄武政务受〔2026〕第12号",
    "notice": "玄武政务告〔2026〕第3号",
    "refusal": "玄武政务不受〔2026〕第1号",
    "pledge": "玄武政务诺〔2026〕第4号",
    "completion": "玄武政务结〔2026〕第7号",
    "suspension": "玄武政务止〔2026〕第2号",
    "delivery": "玄武政务送〔2026〕第9号",
}
# Each paper's decision date differs from the print date (2026-05-12 in ``issuer``).
DECIDED = {
    "receipt": date(2026, 5, 8),
    "notice": date(2026, 5, 7),
    "refusal": date(2026, 4, 27),
    "pledge": date(2026, 5, 8),
    "completion": date(2026, 5, 6),
    "suspension": date(2026, 5, 11),
    "delivery": date(2026, 5, 11),
}
SUBSET_TAG = re.compile(r"^/[A-Z]{6}\+")


@pytest.fixture
def issuer() -> Issuer:
    return Issuer(
        station_code="320102",
        station_name="玄武区政务服务中心",
        window="3号窗口",
        clerk_name="王小明",
        printed_at=datetime(2026, 5, 12, 10, 30),
        hall_address="北京东路41号",
        phone="025-12345678",
    )


@pytest.fixture
def case() -> CaseDocument:
    return CaseDocument(
        case_number="320102-20260512-0007",
        applicant_name="张三",
        applicant_id_masked="320102********1234",
        applicant_phone="138****5678",
        matters=("个体工商户设立登记", "食品经营许可"),
        bundle_name="我要开便利店",
        received=(
            ReceivedItem("居民身份证", "纸质", 1, reused=True),
            ReceivedItem("房屋租赁合同", "纸质", 2),
        ),
        missing=(
            MissingItem("食品安全管理制度", "未提供", "须加盖公章"),
            MissingItem("健康证明", "已过期"),
        ),
        deferred=(
            DeferredItem("健康证明", date(2026, 5, 26)),
            DeferredItem("营业执照副本", date(2026, 6, 2)),
        ),
        registered_at=datetime(2026, 5, 12, 9, 50),
        accepted_at=datetime(2026, 5, 12, 10, 28),
        due_date=date(2026, 5, 22),
        promised_days=7,
        calendar_note="2027年工作日历尚未公布",
        refusal_reason="不属于本机关职权范围",
        legal_basis="《中华人民共和国行政许可法》第三十二条",
        addressee="张三",
        agent_name="李四",
        agent_id_masked="320102********5678",
        numbers=NUMBERS,
        decided_on=DECIDED,
        supply_by=date(2026, 6, 4),
        review_body="江川市玄武区人民政府",
        court="江川市玄武区人民法院",
        completed_at=datetime(2026, 5, 6, 9, 40),
        suspension=Suspension("需要现场核查经营场所", date(2026, 5, 11), date(2026, 5, 25)),
        delivery=Delivery(
            "post",
            datetime(2026, 5, 11, 15, 0),
            tracking_number="SF1234567890",
            address="江川市南门街18号",
            recipient="张三",
        ),
        results=("食品经营许可证",),
    )


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    try:
        yield
    finally:
        set_language("zh_CN")


def _text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def _font_names(pdf: Path) -> list[str]:
    """BaseFont of every font on every page; asserts each one carries an embedded FontFile2."""
    names = []
    for page in PdfReader(pdf).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            else:
                descriptor = font["/FontDescriptor"]
            stream = descriptor.get_object()["/FontFile2"].get_object()
            assert len(stream.get_data()) > 1000
            names.append(str(font["/BaseFont"]))
    return names


# --------------------------------------------------------------------------- QR


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(t, id=i)
        for i, t in (("case", "320102-20260512-0007"), ("x", "x"), ("cjk", "统一受理 " * 20))
    ],
)
@pytest.mark.parametrize("error", ["l", "m", "q", "h"])
def test_qr_matrix_is_segnos_matrix_with_quiet_zone(text: str, error: str) -> None:
    code = segno.make(text, error=error, micro=False)
    matrix = qr_matrix(text, error)
    assert matrix == [[bool(m) for m in row] for row in code.matrix_iter(scale=1, border=4)]
    width, height = code.symbol_size(border=4)
    assert len(matrix) == height and all(len(row) == width for row in matrix)
    # The quiet zone is light, the symbol inside it is segno's own matrix.
    assert not any(matrix[0]) and not any(matrix[-1]) and not any(r[0] or r[-1] for r in matrix)
    assert [row[4:-4] for row in matrix[4:-4]] == [[bool(m) for m in r] for r in code.matrix]


def test_dark_runs_merge_neighbours() -> None:
    assert _dark_runs([True, True, False, True, False, False, True, True, True]) == [
        (0, 2),
        (3, 1),
        (6, 3),
    ]
    assert _dark_runs([False, False]) == []


def test_draw_qr_draws_exactly_the_matrix(tmp_path: Path) -> None:
    """Read the rectangles back out of the PDF and rebuild the module grid from them."""
    text = "320102-20260512-0007"
    matrix = qr_matrix(text, "m")
    n = len(matrix)
    size, x0, y0 = 4.0 * n, 100.0, 200.0
    pdf = tmp_path / "qr.pdf"
    canvas = Canvas(str(pdf), pageCompression=0)
    draw_qr(canvas, text, x0, y0, size, error="m")
    canvas.save()

    content = PdfReader(pdf).pages[0].get_contents().get_data().decode("latin-1")
    rects = [
        tuple(float(v) for v in m.groups())
        for m in re.finditer(r"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re", content)
    ]
    assert rects[0] == (x0, y0, size, size)  # white background over the quiet zone
    runs = rects[1:]
    assert len(runs) == sum(len(_dark_runs(row)) for row in matrix)
    assert len(runs) < sum(map(sum, matrix))  # merged: fewer rectangles than dark modules
    drawn = [[False] * n for _ in range(n)]
    for x, y, w, h in runs:
        assert h == pytest.approx(4.0)
        row = n - 1 - round((y - y0) / 4)
        for col in range(round((x - x0) / 4), round((x - x0 + w) / 4)):
            drawn[row][col] = True
    assert drawn == matrix


# --------------------------------------------------------------------------- documents


@pytest.mark.parametrize("render", RENDERERS)
def test_each_document_renders_with_embedded_font(
    render, case: CaseDocument, issuer: Issuer, tmp_path: Path
) -> None:
    out = render(case, issuer, tmp_path / "sub" / f"{render.__name__}.pdf")
    assert out.is_file() and out.read_bytes().startswith(b"%PDF")
    text = _text(out)
    assert case.case_number in text
    assert case.applicant_name in text
    assert issuer.station_name in text and issuer.clerk_name in text
    names = _font_names(out)
    assert names and all(SUBSET_TAG.match(n) for n in names)


def test_receipt_content(case: CaseDocument, issuer: Issuer, tmp_path: Path) -> None:
    out = render_receipt(case, issuer, tmp_path / "receipt.pdf")
    text = _text(out)
    assert "受理通知书" in text
    for item in case.received:
        assert item.name in text
    assert "沿用" in text
    assert fmt_date(case.due_date) in text and "7个工作日" in text
    assert fmt_date(date(2026, 5, 26)) in text
    assert case.calendar_note in text
    # The QR code: many filled rectangles in the page content.
    content = PdfReader(out).pages[0].get_contents().get_data()
    assert content.count(b" re") > 30


def test_notice_lists_every_missing_item_and_kept_materials(
    case: CaseDocument, issuer: Issuer, tmp_path: Path
) -> None:
    text = _text(render_notice(case, issuer, tmp_path / "notice.pdf"))
    assert "一次性告知书" in text and "第三十二条" in text
    for item in case.missing:
        assert item.name in text and item.reason in text
    assert "须加盖公章" in text
    for item in case.received:
        assert item.name in text
    assert "无需再次提交" in text


def test_refusal_has_reason_basis_and_remedies(
    case: CaseDocument, issuer: Issuer, tmp_path: Path
) -> None:
    text = _text(render_refusal(case, issuer, tmp_path / "refusal.pdf"))
    assert "不予受理决定书" in text
    assert case.refusal_reason in text and case.legal_basis in text
    flat = text.replace("\n", "")
    assert "六十日内" in flat and "行政复议" in flat and "六个月内" in flat


def test_pledge_has_deferred_dates_and_signature(
    case: CaseDocument, issuer: Issuer, tmp_path: Path
) -> None:
    text = _text(render_deferral_pledge(case, issuer, tmp_path / "pledge.pdf"))
    assert "容缺受理承诺书" in text
    for item in case.deferred:
        assert item.name in text and fmt_date(item.until) in text
    assert "2026年5月26日" in text and "2026年6月2日" in text
    assert "签名" in text and "日期" in text


def test_user_markup_prints_literally(case: CaseDocument, issuer: Issuer, tmp_path: Path) -> None:
    doc = CaseDocument(
        **{
            **case.__dict__,
            "applicant_name": "<b>李四</b> & Co",
            "refusal_reason": "缺少<i>原件</i> &amp; 复印件",
            "missing": (MissingItem("<font size=40>证明</font>", "a < b & c > d"),),
        }
    )
    refusal = _text(render_refusal(doc, issuer, tmp_path / "refusal.pdf"))
    assert "<b>李四</b> & Co" in refusal
    assert "缺少<i>原件</i> &amp; 复印件" in refusal
    notice = _text(render_notice(doc, issuer, tmp_path / "notice.pdf"))
    assert "<font size=40>证明</font>" in notice
    assert "a < b & c > d" in notice


def test_sixty_missing_items_flow_onto_further_pages(
    case: CaseDocument, issuer: Issuer, tmp_path: Path
) -> None:
    missing = tuple(MissingItem(f"材料{i:02d}", f"原因{i:02d}", "标准") for i in range(60))
    doc = CaseDocument(**{**case.__dict__, "missing": missing})
    out = render_notice(doc, issuer, tmp_path / "long.pdf")
    pages = PdfReader(out).pages
    assert len(pages) >= 2
    text = _text(out)
    for item in missing:
        assert item.name in text and item.reason in text
    # The table header repeats on the continuation page.
    assert "受理标准" in pages[1].extract_text()
    assert f"第 2 页 / 共 {len(pages)} 页" in pages[1].extract_text()


def test_english_rendering(english: None, case: CaseDocument, issuer: Issuer, tmp_path: Path):
    titles = {
        render_receipt: "Acceptance Notice",
        render_notice: "One-Time Notice",
        render_refusal: "Decision Not to Accept",
        render_deferral_pledge: "Pledge for Acceptance",
        render_completion: "Completion Notice",
        render_suspension: "Notice of Suspension",
        render_delivery: "Proof of Delivery",
    }
    for render, title in titles.items():
        text = _text(render(case, issuer, tmp_path / f"{render.__name__}.pdf"))
        assert title in text
        assert "Case number" in text and case.case_number in text
    receipt = _text(tmp_path / "render_receipt.pdf")
    assert "7 working days" in receipt and "2026-05-22" in receipt
    pledge = _text(tmp_path / "render_deferral_pledge.pdf")
    assert "2026-05-26" in pledge and "2026-06-02" in pledge


def test_minimal_case_renders(issuer: Issuer, tmp_path: Path) -> None:
    doc = CaseDocument("C-1", "王五", "", "", ("某事项",), None)
    for render in RENDERERS:
        text = _text(render(doc, issuer, tmp_path / f"{render.__name__}.pdf"))
        assert "C-1" in text and "王五" in text


@pytest.mark.parametrize("render", RENDERERS, ids=lambda r: r.__name__)
def test_every_paper_has_its_number_addressee_and_decision_date(
    render, case: CaseDocument, issuer: Issuer, tmp_path: Path
) -> None:
    kind = KIND_OF[render]
    issuer = Issuer(**{**issuer.__dict__, "printed_at": datetime(2026, 6, 20, 9, 0)})  # reprint
    text = _text(render(case, issuer, tmp_path / f"{kind}.pdf"))
    flat = text.replace("\n", "")
    assert NUMBERS[kind] in flat  # 文号
    # The addressee line: the applicant; the applicant's pledge is addressed to the hall.
    assert ("玄武区政务服务中心：" if kind == "pledge" else "张三：") in flat
    assert fmt_date(DECIDED[kind]) in flat  # the decision's date in the 落款
    # The print date appears only in the footer's "printed at", once per page.
    pages = len(PdfReader(tmp_path / f"{kind}.pdf").pages)
    assert flat.count(fmt_date(issuer.printed_at.date())) == pages


def test_papers_name_the_agent(case: CaseDocument, issuer: Issuer, tmp_path: Path) -> None:
    flat = _text(render_receipt(case, issuer, tmp_path / "r.pdf")).replace("\n", "")
    assert "经办人" in flat and "李四" in flat and "320102********5678" in flat


def test_notice_states_the_deadline_for_supplying(
    case: CaseDocument, issuer: Issuer, tmp_path: Path
) -> None:
    flat = _text(render_notice(case, issuer, tmp_path / "n.pdf")).replace("\n", "")
    assert "请于2026年6月4日前补正" in flat and "视为撤回申请" in flat


def test_refusal_names_review_body_and_court(
    case: CaseDocument, issuer: Issuer, tmp_path: Path
) -> None:
    flat = _text(render_refusal(case, issuer, tmp_path / "x.pdf")).replace("\n", "")
    assert "六十日内向江川市玄武区人民政府申请行政复议" in flat
    assert "六个月内依法向江川市玄武区人民法院提起行政诉讼" in flat


def test_completion_notice_instead_of_zero_days(
    case: CaseDocument, issuer: Issuer, tmp_path: Path
) -> None:
    flat = _text(render_completion(case, issuer, tmp_path / "c.pdf")).replace("\n", "")
    assert "办结通知书" in flat and "当场办结" in flat and "食品经营许可证" in flat
    assert "0个工作日" not in flat and "承诺办理时限" not in flat


def test_suspension_notice_has_reason_and_expected_resumption(
    case: CaseDocument, issuer: Issuer, tmp_path: Path
) -> None:
    flat = _text(render_suspension(case, issuer, tmp_path / "s.pdf")).replace("\n", "")
    assert "中止告知书" in flat and "需要现场核查经营场所" in flat
    assert "预计恢复" in flat and fmt_date(date(2026, 5, 25)) in flat
    assert "不计入" in flat


@pytest.mark.parametrize(
    ("delivery", "expected"),
    [
        (Delivery("post", datetime(2026, 5, 11, 15, 0), "SF1234567890", "南门街18号"), "邮寄"),
        (Delivery("window", datetime(2026, 5, 11, 15, 0)), "窗口领取"),
        (Delivery("electronic", datetime(2026, 5, 11, 15, 0), address="zs@example.cn"), "电子送达"),
    ],
)
def test_proof_of_delivery_records_the_method(
    delivery: Delivery, expected: str, case: CaseDocument, issuer: Issuer, tmp_path: Path
) -> None:
    doc = CaseDocument(**{**case.__dict__, "delivery": delivery})
    flat = _text(render_delivery(doc, issuer, tmp_path / "d.pdf")).replace("\n", "")
    assert "送达回证" in flat and expected in flat and "受送达人签名" in flat
    assert "食品经营许可证" in flat and fmt_date(date(2026, 5, 11)) in flat
    assert ("SF1234567890" in flat) is (delivery.method == "post")


@pytest.mark.parametrize("render", RENDERERS, ids=lambda r: r.__name__)
def test_closing_never_stands_alone_on_a_page(
    render, case: CaseDocument, issuer: Issuer, tmp_path: Path
) -> None:
    """However long the body, the last page holds more than the 落款.

    The body grows one table row (and one sentence) at a time, so the page break falls at
    every height, including the one where the 落款 alone would not fit on the page.
    """
    moved = 0
    for n in range(10, 46):
        doc = CaseDocument(
            **{
                **case.__dict__,
                "missing": tuple(MissingItem(f"材料{i:02d}", "未提供") for i in range(n)),
                "received": tuple(ReceivedItem(f"已收材料{i:02d}", "纸质", 1) for i in range(n)),
                "deferred": tuple(
                    DeferredItem(f"容缺材料{i:02d}", date(2026, 6, 1)) for i in range(n)
                ),
                "results": tuple(f"结果{i:02d}" for i in range(n)),
                "refusal_reason": "经核查，申请事项不属于本机关的职权范围。" * (n * 2),
                "suspension": Suspension("需要现场核查经营场所。" * (n * 3), date(2026, 5, 11)),
            }
        )
        out = render(doc, issuer, tmp_path / f"long{n}.pdf")
        pages = PdfReader(out).pages
        if len(pages) < 2:
            continue
        last = pages[-1].extract_text().replace("\n", "")
        # The page header and footer come first in the text, the 落款 last: between them is
        # what the last page holds besides the 落款.
        stamp = "打印时间：" + fmt_datetime(issuer.printed_at)
        body_start = last.find(stamp) + len(stamp)
        closing_at = last.rfind("承办人：")
        assert body_start >= len(stamp) and closing_at > 0, (n, last)
        before = last[body_start:closing_at].strip()
        moved += 1
        assert len(before) > 10, (render.__name__, n, len(pages), last)
    assert moved > 10  # the sweep did run over multi-page documents


def test_receipt_never_promises_zero_working_days(
    case: CaseDocument, issuer: Issuer, tmp_path: Path
) -> None:
    doc = CaseDocument(**{**case.__dict__, "promised_days": 0})
    flat = _text(render_receipt(doc, issuer, tmp_path / "r0.pdf")).replace("\n", "")
    assert "0个工作日" not in flat and "即办" in flat


# --------------------------------------------------------------------------- printer


def _script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_pdf_path(tmp_path: Path) -> None:
    printer = Printer(tmp_path / "out", clock=lambda: datetime(2026, 5, 12, 10, 30, 1, 5))
    path = printer.pdf_path("receipt", "320102/2026 0007")
    assert path.parent == tmp_path / "out" and path.parent.is_dir()
    assert path.name == "receipt-320102_2026_0007-20260512-103001-000005.pdf"


def test_send_without_printer_keeps_pdf(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert Printer(tmp_path).send(pdf) is None


def test_send_runs_lp_with_printer(tmp_path: Path) -> None:
    log = tmp_path / "args.txt"
    lp = _script(tmp_path / "lp", f'printf "%s\\n" "$@" > "{log}"')
    pdf = tmp_path / "a b.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert Printer(tmp_path, "front_desk", str(lp)).send(pdf) is None
    assert log.read_text().splitlines() == ["-d", "front_desk", str(pdf)]


def test_send_failure_returns_message_and_keeps_pdf(tmp_path: Path) -> None:
    lp = _script(tmp_path / "lp", 'echo "lp: The printer or class does not exist." >&2; exit 1')
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    message = Printer(tmp_path, "nope", str(lp)).send(pdf)
    assert message and "does not exist" in message and str(pdf) in message
    assert pdf.is_file()


def test_send_missing_command_and_timeout(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    missing = Printer(tmp_path, "p", str(tmp_path / "no-such-lp")).send(pdf)
    assert missing and str(pdf) in missing
    slow = _script(tmp_path / "slow-lp", "exec sleep 30")
    timed_out = Printer(tmp_path, "p", str(slow), timeout=0.3).send(pdf)
    assert timed_out and "p" in timed_out and str(pdf) in timed_out
