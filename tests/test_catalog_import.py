"""Catalog import/export: a good file imports; bad files name row and field and write nothing."""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner
from security_support import add_admin
from sqlmodel import func, select

from hallterm.cli import main
from hallterm.db.engine import Store
from hallterm.db.models import Event, MaterialRequirement, Matter
from hallterm.db.services.catalog.io import export_catalog, import_catalog
from hallterm.db.services.setup import init_store
from hallterm.domain.catalog import CatalogError, parse_catalog

SMALL = {
    "name": "测试目录",
    "region": "江川市",
    "version": "t1",
    "departments": [{"code": "GA", "name": "市公安局"}, {"code": "SJ", "name": "市市场监督管理局"}],
    "queue_categories": [{"code": "A", "name": "综合受理", "prefix": "A"}],
    "matters": [
        {
            "basic_code": "000105001000",
            "implementation_code": "11329900MB0001-01",
            "name": "居民身份证换领",
            "kind": "行政确认",
            "audience": "自然人",
            "department": "GA",
            "handling_type": "承诺件",
            "legal_limit_days": 60,
            "promised_limit_days": 20,
            "queue_category": "A",
            "materials": [
                {
                    "type_code": "M-HKB",
                    "name": "户口簿",
                    "necessity": "必要",
                    "form": "纸质",
                    "source": "政府部门核发",
                    "originals": 1,
                    "copies": 0,
                },
                {
                    "type_code": "M-ZP",
                    "name": "近期免冠照片",
                    "necessity": "容缺后补",
                    "form": "纸质",
                    "source": "申请人自备",
                    "originals": 1,
                    "copies": 0,
                    "valid_days": 180,
                },
            ],
        },
        {
            "basic_code": "000120001000",
            "implementation_code": "11329900MB0002-01",
            "name": "个体工商户设立登记",
            "kind": "行政许可",
            "audience": "person",
            "department": "SJ",
            "handling_type": "immediate",
            "legal_limit_days": 15,
            "promised_limit_days": 0,
            "materials": [
                {
                    "type_code": "M-SFZ",
                    "name": "居民身份证",
                    "necessity": "required",
                    "form": "paper",
                    "source": "government",
                    "originals": 1,
                    "copies": 1,
                },
                {
                    "type_code": "M-SQB",
                    "name": "个体工商户登记申请书",
                    "necessity": "required",
                    "form": "paper",
                    "source": "applicant",
                    "originals": 1,
                    "copies": 0,
                },
            ],
        },
    ],
    "bundles": [
        {"code": "B1", "name": "测试一件事", "matters": ["11329900MB0001-01", "11329900MB0002-01"]}
    ],
}


@pytest.fixture
def store(sqlite_url, ctx):
    s = Store(sqlite_url)
    init_store(s, ctx, "3299", "江川市政务服务中心", "city")
    yield s
    s.dispose()


def _counts(store: Store) -> tuple[int, int, int]:
    with store.read() as s:
        return (
            s.exec(select(func.count()).select_from(Matter)).one(),
            s.exec(select(func.count()).select_from(MaterialRequirement)).one(),
            s.exec(select(func.count()).select_from(Event)).one(),
        )


def test_labels_and_codes_are_both_accepted():
    cat = parse_catalog(SMALL)
    m = cat.matters[0]
    assert (m.audience, m.handling_type, m.materials[0].necessity) == (
        "person",
        "promised",
        "required",
    )


def test_import_export_round_trip(store, ctx):
    with store.write() as s:
        assert import_catalog(s, ctx, parse_catalog(SMALL)) == "imported"
    with store.write() as s:
        assert import_catalog(s, ctx, parse_catalog(SMALL)) == "unchanged"
    with store.read() as s:
        exported = export_catalog(s)
    assert exported == parse_catalog(SMALL).model_dump(mode="json")
    assert _counts(store)[:2] == (2, 4)


@pytest.mark.parametrize(
    ("mutate", "expect"),
    [
        (lambda d: d["matters"][1].pop("name"), "matters 第 2 行，字段 name：缺少此字段"),
        (
            lambda d: d["matters"][1].__setitem__("implementation_code", "11329900MB0001-01"),
            "重复值 11329900MB0001-01",
        ),
        (
            lambda d: d["matters"][0]["materials"][1].__setitem__("copies", "两份"),
            "materials 第 2 行，字段 copies：应为整数",
        ),
        (lambda d: d["matters"][0].__setitem__("department", "XX"), "未知部门 XX"),
        (
            lambda d: d["matters"][0]["materials"][0].__setitem__("necessity", "可能"),
            "字段 necessity：应为以下之一",
        ),
        (lambda d: d["bundles"][0]["matters"].append("nope"), "未知事项 nope"),
    ],
    ids=[
        "missing-field",
        "duplicate-code",
        "wrong-type",
        "unknown-department",
        "bad-enum",
        "unknown-bundle-matter",
    ],
)
def test_bad_catalogs_name_the_problem_and_write_nothing(store, ctx, tmp_path, mutate, expect):
    with store.write() as s:
        import_catalog(s, ctx, parse_catalog(SMALL))
    before = _counts(store)
    bad = copy.deepcopy(SMALL)
    bad["version"] = "t2"
    mutate(bad)
    with pytest.raises(CatalogError) as info:
        parse_catalog(bad)
    assert any(expect in p for p in info.value.problems), info.value.problems
    # and through the command line: a clear message, exit 1, nothing written
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["catalog", "import", str(path), "--store", store.url.removeprefix("sqlite:///")]
    )
    assert result.exit_code == 1
    assert expect in result.output
    assert _counts(store) == before


def test_malformed_json_is_reported_with_its_line(store, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"name": "x",\n "version": }', encoding="utf-8")
    result = CliRunner().invoke(
        main, ["catalog", "import", str(path), "--store", store.url.removeprefix("sqlite:///")]
    )
    assert result.exit_code == 1
    assert "第 2 行" in result.output


def test_same_version_with_other_content_is_refused(store, ctx):
    with store.write() as s:
        import_catalog(s, ctx, parse_catalog(SMALL))
    changed = copy.deepcopy(SMALL)
    changed["matters"][0]["promised_limit_days"] = 10
    with pytest.raises(CatalogError), store.write() as s:
        import_catalog(s, ctx, parse_catalog(changed))


def test_cli_import_and_export(store, tmp_path):
    src = tmp_path / "cat.json"
    src.write_text(json.dumps(SMALL, ensure_ascii=False), encoding="utf-8")
    db = store.url.removeprefix("sqlite:///")
    runner = CliRunner(env=add_admin(db))
    r = runner.invoke(main, ["catalog", "import", str(src), "--store", db])
    assert r.exit_code == 0, r.output
    out = tmp_path / "out.json"
    r = runner.invoke(main, ["catalog", "export", str(out), "--store", db])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text(encoding="utf-8")) == parse_catalog(SMALL).model_dump(
        mode="json"
    )
