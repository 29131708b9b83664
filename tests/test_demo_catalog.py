"""The shipped demo catalog (江川市, fictional): valid, complete and internally consistent."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from importlib.resources import files

import pytest

from hallterm.domain.catalog import CatalogIn, parse_catalog
from hallterm.domain.search import MatterIndex, SearchItem


@pytest.fixture(scope="module")
def catalog() -> CatalogIn:
    text = (files("hallterm") / "data" / "demo_catalog.json").read_text(encoding="utf-8")
    return parse_catalog(json.loads(text))


def test_header(catalog: CatalogIn) -> None:
    assert catalog.version == "2026.11"
    assert catalog.name == "江川市政务服务事项目录（演示）"


def test_counts(catalog: CatalogIn) -> None:
    assert len(catalog.matters) >= 45
    assert len(catalog.departments) >= 10
    assert len({m.department for m in catalog.matters}) >= 10
    assert sum(m.handling_type == "immediate" for m in catalog.matters) >= 6
    assert len(catalog.bundles) >= 3
    assert len({m.certificate_type for m in catalog.matters if m.certificate_type}) >= 8
    assert 4 <= len(catalog.queue_categories) <= 6


def test_names_and_codes_unique(catalog: CatalogIn) -> None:
    for values in (
        [m.name for m in catalog.matters],
        [m.basic_code for m in catalog.matters],
        [m.implementation_code for m in catalog.matters],
        [d.name for d in catalog.departments],
        [q.prefix for q in catalog.queue_categories],
    ):
        assert len(values) == len(set(values))


def test_every_matter_is_queued_and_real(catalog: CatalogIn) -> None:
    for m in catalog.matters:
        assert m.queue_category, m.name
        assert m.kind in {
            "行政许可",
            "行政确认",
            "行政给付",
            "行政征收",
            "公共服务",
            "其他行政权力",
        }
        assert m.process and m.conditions and m.legal_basis and m.theme, m.name
        assert m.place and m.hours and m.phone, m.name
        assert 0 <= m.visits <= 2


def test_time_limits(catalog: CatalogIn) -> None:
    for m in catalog.matters:
        assert m.promised_limit_days <= m.legal_limit_days, m.name
        if m.handling_type == "immediate":
            assert m.promised_limit_days == 0, m.name


def test_materials_per_matter(catalog: CatalogIn) -> None:
    for m in catalog.matters:
        assert 3 <= len(m.materials) <= 10, m.name


def test_type_code_means_one_document(catalog: CatalogIn) -> None:
    names: dict[str, set[str]] = defaultdict(set)
    for m in catalog.matters:
        for mat in m.materials:
            names[mat.type_code].add(mat.name)
    assert all(len(v) == 1 for v in names.values()), {k: v for k, v in names.items() if len(v) > 1}
    used = Counter(mat.type_code for m in catalog.matters for mat in m.materials)
    assert sum(n >= 3 for n in used.values()) >= 10
    assert names["M-SFZ"] == {"居民身份证"}


def test_material_variety(catalog: CatalogIn) -> None:
    mats = [mat for m in catalog.matters for mat in m.materials]
    assert any(mat.valid_days for mat in mats)
    assert any(mat.necessity == "deferrable" for mat in mats)
    assert any(mat.necessity == "optional" for mat in mats)
    assert all(mat.standard for mat in mats)


def test_bundles_share_materials(catalog: CatalogIn) -> None:
    by_code = {m.implementation_code: m for m in catalog.matters}
    names = {b.name for b in catalog.bundles}
    assert {"新生儿出生一件事", "开办餐饮店一件事"} <= names
    for b in catalog.bundles:
        assert all(code in by_code for code in b.matters), b.name
        types = [mat.type_code for code in b.matters for mat in by_code[code].materials]
        # The union de-duplicates: the same document is asked for once per bundle.
        assert len(set(types)) < len(types), b.name


def test_demo_catalog_is_searchable(catalog: CatalogIn) -> None:
    depts = {d.code: d.name for d in catalog.departments}
    items = [
        SearchItem(
            m.implementation_code,
            m.name,
            "matter",
            depts[m.department],
            (m.basic_code, m.implementation_code),
        )
        for m in catalog.matters
    ] + [SearchItem(b.code, b.name, "bundle", "") for b in catalog.bundles]
    index = MatterIndex(items)
    assert index.search("gtgsh")[0].name == "个体工商户设立登记"
    assert index.search("xsecs")[0].name == "新生儿出生一件事"
    assert "食品经营许可证核发" in [i.name for i in index.search("食品经营许可")[:3]]
    assert index.search("残疾人证办理")[0].name == "残疾人证办理"
