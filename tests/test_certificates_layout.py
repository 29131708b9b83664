"""Certificate content and layout: every template, every field at its maximum length, in full,
and no text box meets the QR code or another box; issuer, place and seal; fonts embedded."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_documents import RENDERERS, case, issuer  # noqa: F401 - the documents' fixtures

from hallterm.db.services.certificate_templates import (
    TemplateField,
    known_types,
    template_for,
)
from hallterm.domain.certno import make_certificate_number
from hallterm.i18n import _
from hallterm.printing import keys
from hallterm.printing.certificate_pdf import CertificateData, layout, render_certificate
from hallterm.printing.documents import CaseDocument, Issuer
from hallterm.printing.fonts import register_cjk_font
from hallterm.printing.keys import KeyBundle

FAST = 1000
PASS = b"layout test passphrase"
# Varied characters (wide and narrow) so a wrap that drops or repeats one is seen.
ALPHABET = "经营范围食品销售热食类制售冷食饮品预包装含冷藏冷冻江川市南门街道号楼室ABC0123456789"


def _value(key: str, n: int) -> str:
    text = "".join(ALPHABET[(i * 7 + len(key)) % len(ALPHABET)] for i in range(n))
    return f"{key[:1].upper()}{text}"[:n]


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> KeyBundle:
    d = tmp_path_factory.mktemp("pki")
    root = keys.make_root("江川市电子证照根证书", d / "r.p12", PASS, iterations=FAST)
    return keys.issue_station(
        root, "3299", "江川市政务服务中心", d / "s.p12", PASS, iterations=FAST
    )


def _longest(type_name: str) -> CertificateData:
    tpl = template_for(type_name)
    fields = tuple((_(f.label), _value(f.key, f.max_len)) for f in tpl.fields)
    return CertificateData(
        number=make_certificate_number(tpl.type_code, "3299", 2026, 1),
        certificate_type=tpl.type_code,
        title=type_name,
        holder=fields[0][1],
        holder_id="91329900MA2C3D4E5F",
        fields=fields,
        authority_code="329900-SJ",
        authority_name="国家税务总局江川市税务局第一税务分局（江川市市场监督管理局联合发证）",
        station_code="3299",
        station_name="江川市政务服务中心南门街道便民服务中心第三分中心",
        issued_on=dt.date(2026, 11, 27),
        valid_until=dt.date(2031, 11, 26),
        case_number="3299-20261127-0001",
    )


def _squash(text: str) -> str:
    return "".join(text.split())


TYPES = [*known_types(), "不动产权证书"]  # the last one uses the generic template


@pytest.mark.parametrize("type_name", TYPES)
def test_every_field_at_maximum_length_appears_in_full(station: KeyBundle, type_name: str) -> None:
    data = _longest(type_name)
    pdf = render_certificate(data, station)
    reader = PdfReader(io.BytesIO(pdf))
    pages = [_squash(page.extract_text()) for page in reader.pages]
    plan = layout(data, register_cjk_font())
    assert len(reader.pages) == plan.pages
    for index, (label, value) in enumerate(data.rows()):
        lines = [t for t in plan.texts if t.row == index and t in plan.texts]
        values = [t for t in lines if t.x > 200]
        # The row's lines, in order, are the value in full ...
        assert _squash("".join(t.text for t in values)) == _squash(value), (type_name, label)
        # ... and each line is in the PDF's text, on the page the layout put it.
        for t in values:
            assert _squash(t.text) in pages[t.page - 1], (type_name, label, t.text)
    text = "".join(pages)
    for kind, whole in (("issuer", data.authority_name), ("place", data.station_name)):
        lines = [t for t in plan.texts if t.kind == kind]
        assert all(t.page == 1 and _squash(t.text) in pages[0] for t in lines)
        ordered = sorted(lines, key=lambda t: -t.y)
        assert _squash(whole) in _squash("".join(t.text for t in ordered))
    if plan.pages > 1:
        assert "续" in text  # a continuation page says so


@pytest.mark.parametrize("type_name", TYPES)
def test_no_text_box_meets_the_qr_or_another_box(type_name: str) -> None:
    plan = layout(_longest(type_name), register_cjk_font())
    assert plan.qr is not None and plan.seal is not None
    boxes = plan.text_boxes()
    for i, a in enumerate(boxes):
        assert a.x0 >= 36 and a.x1 <= 595 - 36, a
        assert a.y0 >= 36 and a.y1 <= 842 - 36, a
        for b in boxes[i + 1 :]:
            assert not a.meets(b), (a, b)
    # The seal is stamped over the issuer and the date, never over a row or the QR code.
    for box in boxes:
        if box.kind in ("label", "value", "qr"):
            assert not box.meets(plan.seal), box


def test_short_certificate_is_one_page_with_issuer_and_place(station: KeyBundle) -> None:
    tpl = template_for("残疾人证")
    values = {
        "name": "赵丽华",
        "sex": "女",
        "born": "1985-03-12",
        "id": "330299********0021",
        "category": "肢体",
        "grade": "三级",
        "address": "江川市南门街18号",
        "authority": "江川市残疾人联合会",
    }
    data = CertificateData(
        number=make_certificate_number(tpl.type_code, "3299", 2026, 2),
        certificate_type=tpl.type_code,
        title="残疾人证",
        holder="赵丽华",
        holder_id="330299********0021",
        fields=tuple((_(f.label), values[f.key]) for f in tpl.fields if f.key in values),
        authority_code="329900-CL",
        authority_name="江川市残疾人联合会",
        station_code="3299",
        station_name="江川市政务服务中心",
        issued_on=dt.date(2026, 11, 27),
        valid_until=None,
        case_number="3299-20261127-0002",
    )
    pdf = render_certificate(data, station)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "发证机关：江川市残疾人联合会" in text
    assert "发证地点：江川市政务服务中心" in text
    assert "发证机关代码：329900-CL" in text
    assert "残疾类别" in text and "肢体" in text and "残疾等级" in text and "三级" in text


def test_templates_hold_the_real_fields() -> None:
    def labels(name: str) -> list[str]:
        return [f.label for f in template_for(name).fields]

    licence = labels("营业执照")
    for label in (
        "Name",
        "Unified social credit code",
        "Type",
        "Legal representative / operator",
        "Registered capital",
        "Date of establishment",
        "Domicile / business premises",
        "Business scope",
        "Registration authority",
        "Registration date",
    ):
        assert label in licence
    assert "Disability category" in labels("残疾人证") and "Disability grade" in labels("残疾人证")
    assert "Licensed items" in labels("公共场所卫生许可证")
    assert "Business items" in labels("食品经营许可证")
    auto = [f for f in template_for("营业执照").fields if f.auto]
    assert {f.key for f in auto} == {"registrar", "registered_on"}
    assert all(isinstance(f, TemplateField) for f in template_for("unknown").fields)


def _font_problems(pdf: bytes) -> list[str]:
    """Every font of every page (and form XObject) must carry its font program."""
    problems: list[str] = []

    def check_resources(res: object, where: str) -> None:
        if not res:
            return
        res = res.get_object()  # type: ignore[attr-defined]
        for name, ref in (res.get("/Font") or {}).items():
            font = ref.get_object()
            fonts = [font]
            if font.get("/Subtype") == "/Type0":
                fonts = [d.get_object() for d in font["/DescendantFonts"]]
            for f in fonts:
                desc = f.get("/FontDescriptor")
                desc = desc.get_object() if desc is not None else None
                if desc is None or not any(
                    k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    problems.append(f"{where}: {name} {f.get('/BaseFont')} not embedded")
        for _name, ref in (res.get("/XObject") or {}).items():
            xobj = ref.get_object()
            if xobj.get("/Subtype") == "/Form":
                check_resources(xobj.get("/Resources"), where + " xobject")

    for i, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        check_resources(page.get("/Resources"), f"page {i + 1}")
    return problems


def test_certificate_fonts_are_all_embedded(station: KeyBundle) -> None:
    pdf = render_certificate(_longest("营业执照"), station)
    assert _font_problems(pdf) == []
    assert b"Helvetica" not in pdf


@pytest.mark.parametrize("render", RENDERERS)
def test_other_pdf_kinds_embed_every_font(
    render,
    case: CaseDocument,  # noqa: F811 - the fixture imported above
    issuer: Issuer,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Receipts, notices, refusals, pledges: every font of every page carries its program."""
    out = render(case, issuer, tmp_path / f"{render.__name__}.pdf")
    assert _font_problems(out.read_bytes()) == []


def test_service_guide_embeds_every_font(tmp_path: Path) -> None:
    from test_guide import GTGSH, HALL, _doc

    from hallterm.printing.guide import guide_from_catalog, render_guide

    guide = guide_from_catalog(_doc(), GTGSH)
    assert guide is not None
    out = render_guide(guide, tmp_path / "g.pdf", hall=HALL)
    assert _font_problems(out.read_bytes()) == []
