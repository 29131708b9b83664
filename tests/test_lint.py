"""Catalog lint: one seeded problem per check yields exactly its finding; the demo is clean."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hallterm.cli import main
from hallterm.domain.catalog import CatalogError, parse_catalog
from hallterm.domain.catalog_fields import to_national
from hallterm.domain.catalog_lint import (
    ERROR,
    WARNING,
    deferral_blocker,
    lint_catalog,
    normalize_name,
)
from hallterm.i18n import set_language

DEMO = Path(__file__).resolve().parent.parent / "hallterm" / "data" / "demo_catalog.json"


def _material(code: str, name: str, **kw: Any) -> dict[str, Any]:
    return {
        "type_code": code,
        "name": name,
        "necessity": "required",
        "form": "paper",
        "source": "applicant",
        "originals": 1,
        "copies": 1,
        **kw,
    }


_counter = iter(range(1, 1000))


def _matter(name: str, theme: str = "开办企业", **kw: Any) -> dict[str, Any]:
    n = next(_counter)
    return {
        "basic_code": f"B{n:04d}",
        "implementation_code": f"M{n:04d}",
        "name": name,
        "kind": "行政许可",
        "audience": "person",
        "department": "D1",
        "handling_type": "promised",
        "legal_limit_days": 20,
        "promised_limit_days": 10,
        "legal_basis": "《某某条例》第一条",
        "process": ["受理", "审查", "决定"],
        "theme": theme,
        "materials": [
            _material("SQS", "申请书"),
            _material("SFZ", "居民身份证", source="government"),
        ],
        **kw,
    }


def _base() -> dict[str, Any]:
    return {
        "name": "测试目录",
        "version": "1",
        "departments": [{"code": "D1", "name": "市场监督管理局"}],
        "queue_categories": [{"code": "Q1", "name": "综合", "prefix": "A"}],
        "matters": [
            _matter("个体工商户设立登记", queue_category="Q1"),
            _matter("食品经营许可证核发"),
        ],
        "bundles": [],
    }


def _codes(findings) -> Counter[str]:  # type: ignore[no-untyped-def]
    return Counter(f.code for f in findings)


def test_clean_base_has_no_findings() -> None:
    assert lint_catalog(_base()) == []


def _seeded() -> tuple[dict[str, Any], dict[str, str]]:
    """A catalog with one of each problem; returns it and the expected severity per code."""
    doc = _base()
    m = doc["matters"]
    # duplicate implementation code (otherwise a different matter)
    dup = _matter("药品零售企业经营许可证核发")
    dup["implementation_code"] = m[0]["implementation_code"]
    # the same name twice
    same = _matter("公司设立登记")
    same_again = _matter("公司设立登记")
    # nearly the same name: full-width brackets vs half-width and a space
    near = _matter("出生登记（户口登记）", theme="出生")
    near_again = _matter("出生登记 (户口登记)", theme="出生")
    # the same matter (basic code) under two themes
    theme_a = _matter("居住证申领", theme="户籍")
    theme_b = _matter("居住证签注", theme="就业", basic_code=theme_a["basic_code"])
    # a department nobody uses, and a bundle none of whose matters exists
    doc["departments"].append({"code": "D9", "name": "档案馆"})
    doc["bundles"].append({"code": "YJS1", "name": "开店一件事", "matters": ["X1", "X2"]})
    # a bundle listing a matter twice
    doc["bundles"].append(
        {
            "code": "YJS2",
            "name": "开办一件事",
            "matters": [m[0]["implementation_code"], m[1]["implementation_code"]] * 1
            + [m[1]["implementation_code"]],
        }
    )
    # an unknown department
    unknown = _matter("护士执业注册", department="D404")
    # no materials, no legal basis, no process
    no_mat = _matter("就业创业证申领", materials=[])
    no_basis = _matter("结婚登记", legal_basis="")
    no_process = _matter("离婚登记", process=[])
    # promised matter without promised limit; promised longer than legal
    no_limit = _matter("残疾人证办理", promised_limit_days=0)
    over = _matter("燃气经营许可证核发", legal_limit_days=10, promised_limit_days=15)
    # 容缺 on the identity document
    deferral = _matter(
        "社会保障卡申领",
        materials=[_material("SFZ", "居民身份证", necessity="容缺后补", source="government")],
    )
    # one material type code under two names
    mismatch = _matter(
        "城乡居民基本医疗保险参保登记",
        materials=[_material("SQS", "参保申请书"), _material("SFZ", "居民身份证")],
    )
    # a field the model rejects
    invalid = _matter("高龄津贴申领")
    invalid["materials"][0]["copies"] = -1
    m += [
        dup,
        same,
        same_again,
        near,
        near_again,
        theme_a,
        theme_b,
        unknown,
        no_mat,
        no_basis,
        no_process,
        no_limit,
        over,
        deferral,
        mismatch,
        invalid,
    ]
    expected = {
        "duplicate-code": ERROR,
        "duplicate-name": ERROR,
        "near-duplicate-name": WARNING,
        "two-themes": WARNING,
        "empty-department": WARNING,
        "empty-bundle": ERROR,
        "duplicate-bundle-matter": ERROR,
        "unknown-reference": ERROR,
        "no-materials": WARNING,
        "no-legal-basis": WARNING,
        "no-process": WARNING,
        "no-time-limit": ERROR,
        "promised-over-legal": ERROR,
        "deferral-not-allowed": ERROR,
        "material-name-mismatch": WARNING,
        "invalid": ERROR,
    }
    return doc, expected


def test_each_seeded_problem_yields_exactly_its_finding() -> None:
    doc, expected = _seeded()
    findings = lint_catalog(doc)
    assert _codes(findings) == Counter(expected.keys())
    for f in findings:
        assert f.severity == expected[f.code], f
        assert f.where and f.message
    # the raw document would not import: lint does not need it to
    with pytest.raises(CatalogError):
        parse_catalog(doc)


def test_findings_point_at_the_right_rows() -> None:
    doc, _expected = _seeded()
    by_code = {f.code: f for f in lint_catalog(doc)}
    assert "结婚登记" in by_code["no-legal-basis"].where
    assert "离婚登记" in by_code["no-process"].where
    assert "燃气经营许可证核发" in by_code["promised-over-legal"].where
    assert "社会保障卡申领" in by_code["deferral-not-allowed"].where
    assert "申请材料" in by_code["deferral-not-allowed"].where
    assert "高龄津贴申领" in by_code["invalid"].where
    assert "复印件份数" in by_code["invalid"].where
    assert "D404" in by_code["unknown-reference"].message
    assert "档案馆" in by_code["empty-department"].message
    assert "户籍" in by_code["two-themes"].message and "就业" in by_code["two-themes"].message
    assert "SQS" in by_code["material-name-mismatch"].message


def test_same_findings_with_national_field_names() -> None:
    doc, expected = _seeded()
    national = to_national(doc)
    assert "事项" in national and "事项名称" in national["事项"][0]
    assert _codes(lint_catalog(national)) == Counter(expected.keys())


def test_demo_catalog_has_no_errors() -> None:
    assert DEMO.is_file(), "the demo catalog ships with the package"
    findings = lint_catalog(json.loads(DEMO.read_text(encoding="utf-8")))
    assert [f for f in findings if f.severity == ERROR] == []


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("出生登记（户口登记）", "出生登记(户口登记)"),
        ("出生登记【户口登记】", "出生登记[户口登记]"),
        ("食品 经营　许可", "食品经营许可"),
        ("ＡＢＣ１２３许可", "abc123许可"),
        ("《营业执照》补领", "营业执照补领"),
    ],
)
def test_normalize_name_equates_variants(left: str, right: str) -> None:
    assert normalize_name(left) == normalize_name(right)


def test_normalize_name_keeps_different_names_apart() -> None:
    assert normalize_name("居民身份证申领") != normalize_name("居民身份证换领")


@pytest.mark.parametrize(
    ("material", "matter", "why"),
    [
        ({"name": "居民身份证", "source": "government"}, {}, "identity"),
        ({"name": "营业执照副本", "source": "政府部门核发"}, {}, "identity"),
        ({"name": "户口簿", "source": "applicant"}, {}, "identity"),
        (
            {"name": "原食品经营许可证", "source": "government"},
            {"certificate_type": "食品经营许可证"},
            "result",
        ),
        (
            {"name": "从业人员健康证明", "source": "government"},
            {"certificate_type": "食品经营许可证"},
            None,
        ),
        ({"name": "病历及诊断证明", "source": "other"}, {}, None),
        # the result certificate, but brought by the applicant (a copy): the rule needs a
        # government-issued source
        (
            {"name": "食品经营许可证", "source": "applicant"},
            {"certificate_type": "食品经营许可证"},
            None,
        ),
    ],
)
def test_deferral_rule(material: dict[str, str], matter: dict[str, str], why: str | None) -> None:
    assert deferral_blocker(material, matter) == why


def test_deferrable_result_certificate_is_an_error() -> None:
    doc = _base()
    doc["matters"].append(
        _matter(
            "食品经营许可证变更",
            certificate_type="食品经营许可证",
            materials=[
                _material("SPXK", "食品经营许可证", necessity="deferrable", source="government")
            ],
        )
    )
    findings = lint_catalog(doc)
    assert [(f.code, f.severity) for f in findings] == [("deferral-not-allowed", ERROR)]
    assert "食品经营许可证" in findings[0].message


def test_not_a_catalog() -> None:
    for junk in ([], "text", 3, None, {"matters": "nope"}):
        findings = lint_catalog(junk)
        assert findings and all(f.code == "invalid" for f in findings)


def test_messages_follow_the_language() -> None:
    doc = _base()
    doc["matters"][0]["legal_basis"] = ""
    set_language("en")
    (f,) = lint_catalog(doc)
    assert f.message == "no legal basis"
    assert "matters row 1" in f.where
    set_language("zh_CN")
    (f,) = lint_catalog(doc)
    assert f.message == "未写设定依据"
    assert "事项 第 1 行" in f.where


def test_cli_lint_file_exit_status(tmp_path: Path) -> None:
    doc, _expected = _seeded()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["catalog", "lint", str(bad)])
    assert result.exit_code == 1
    assert "deferral-not-allowed" in result.output and "错误" in result.output
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_base(), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(main, ["catalog", "lint", str(good)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["catalog", "lint", str(bad), "--json"])
    lines = [json.loads(x) for x in result.output.splitlines()]
    assert {x["code"] for x in lines} >= {"duplicate-code", "two-themes"}
    junk = tmp_path / "junk.json"
    junk.write_text("{not json", encoding="utf-8")
    assert runner.invoke(main, ["catalog", "lint", str(junk)]).exit_code == 1


def test_cli_lint_store(demo_store) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    path = demo_store.url.removeprefix("sqlite:///")
    result = runner.invoke(main, ["catalog", "lint", "--store", path])
    assert result.exit_code == 0, result.output


def test_lint_does_not_change_its_input() -> None:
    doc, _expected = _seeded()
    before = copy.deepcopy(doc)
    lint_catalog(doc)
    lint_catalog(to_national(doc))
    assert doc == before


# --------------------------------------------------------------------------- issue 13


def test_bundle_needing_what_one_of_its_matters_issues() -> None:
    doc = _base()
    shop, food = doc["matters"]
    shop["certificate_type"] = "营业执照"
    food["materials"].append(_material("YYZZ", "营业执照", source="government"))
    doc["bundles"].append(
        {
            "code": "YJS-KBCYD",
            "name": "开办餐饮店一件事",
            "matters": [shop["implementation_code"], food["implementation_code"]],
        }
    )
    (f,) = lint_catalog(doc)
    assert (f.code, f.severity) == ("bundle-self-input", WARNING)
    assert "营业执照" in f.message and "个体工商户设立登记" in f.message
    assert "一件事 第 1 行" in f.where
    # the demo's 开办餐饮店 is flagged the same way
    demo = lint_catalog(json.loads(DEMO.read_text(encoding="utf-8")))
    assert any(
        x.code == "bundle-self-input"
        and "营业执照" in x.message
        and "食品经营许可证核发" in x.message
        for x in demo
    )


def test_bundle_mixing_entity_only_and_person_only_matters() -> None:
    doc = _base()
    shop, food = doc["matters"]
    food["audience"] = "法人"
    doc["bundles"].append(
        {
            "code": "YJS-X",
            "name": "开店一件事",
            "matters": [shop["implementation_code"], food["implementation_code"]],
        }
    )
    (f,) = lint_catalog(doc)
    assert (f.code, f.severity) == ("audience-mismatch", ERROR)
    assert "食品经营许可证核发" in f.message and "个体工商户设立登记" in f.message
    food["audience"] = "both"
    assert lint_catalog(doc) == []


def _blocked_by(code: str) -> dict[str, Any]:
    doc = _base()
    food = doc["matters"][1]
    if code == "deferral-not-allowed":
        food["materials"][1]["necessity"] = "容缺后补"  # 居民身份证
    elif code == "no-time-limit":
        food["promised_limit_days"] = 0
    elif code == "promised-over-legal":
        food["legal_limit_days"], food["promised_limit_days"] = 10, 15
    else:
        food["audience"] = "entity"
        doc["bundles"].append(
            {
                "code": "YJS-X",
                "name": "开店一件事",
                "matters": ["M0001", food["implementation_code"]],
            }
        )
        doc["matters"][0]["implementation_code"] = "M0001"
    return doc


@pytest.mark.parametrize(
    "code", ["deferral-not-allowed", "no-time-limit", "promised-over-legal", "audience-mismatch"]
)
def test_every_error_blocks_an_import(code: str, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from sqlmodel import func, select

    from hallterm.clock import FrozenClock
    from hallterm.db.engine import Store
    from hallterm.db.models import Matter
    from hallterm.db.services import SYSTEM, Ctx
    from hallterm.db.services.catalog.io import import_catalog
    from hallterm.db.services.setup import init_store

    doc = _blocked_by(code)
    assert code in {f.code for f in lint_catalog(doc) if f.severity == ERROR}
    catalog = parse_catalog(doc)  # the model alone would take it
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    ctx = Ctx(SYSTEM, "3299", FrozenClock(datetime(2026, 11, 27, 2, tzinfo=UTC)))
    init_store(store, ctx, "3299", "江川市政务服务中心", "city")
    try:
        with pytest.raises(CatalogError) as info, store.write() as session:
            import_catalog(session, ctx, catalog)
        assert any("食品经营许可证核发" in p or "开店一件事" in p for p in info.value.problems)
        with store.read() as session:
            assert session.exec(select(func.count()).select_from(Matter)).one() == 0
        # and through the command line: exit 1, the finding named
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        result = CliRunner().invoke(
            main, ["catalog", "import", str(path), "--store", str(tmp_path / "store.db")]
        )
        assert result.exit_code == 1
    finally:
        store.dispose()
