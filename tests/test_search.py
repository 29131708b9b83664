"""Matter/bundle search: what matches, in which order, and agreement with a brute-force model."""

from __future__ import annotations

import json
from importlib.resources import files

from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin

from hallterm.domain.search import MatterIndex, SearchItem, normalize, pinyin_forms


def m(
    name: str, dept: str = "江川市民政局", key: str = "", codes: tuple[str, ...] = ()
) -> SearchItem:
    return SearchItem(key or f"K-{name}", name, "matter", dept, codes)


ITEMS = [
    m("个体工商户设立登记", "江川市市场监督管理局", "11329900MB0001013W01", ("00001020010",)),
    m("个体工商户注销登记", "江川市市场监督管理局", "11329900MB0001013W02", ("00001020020",)),
    m("食品经营许可证核发", "江川市市场监督管理局", "11329900MB0001013W03", ("00001020030",)),
    m("出生登记（户口登记）", "江川市公安局", "11329900MB0002026R01", ("00007010010",)),
    m("结婚登记", "江川市民政局", "11329900MB0003039001", ("00007050010",)),
    SearchItem("YJS-XSECS", "新生儿出生一件事", "bundle", ""),
    SearchItem("YJS-KBCYD", "开办餐饮店一件事", "bundle", ""),
]


def names(result: list[SearchItem]) -> list[str]:
    return [i.name for i in result]


def test_initials_find_first() -> None:
    index = MatterIndex(ITEMS)
    assert index.search("gtgsh")[0].name == "个体工商户设立登记"
    assert names(index.search("gtgsh")) == ["个体工商户设立登记", "个体工商户注销登记"]
    assert names(index.search("spjyxkzhf")) == ["食品经营许可证核发"]


def test_full_pinyin() -> None:
    index = MatterIndex(ITEMS)
    assert names(index.search("geti"))[:2] == ["个体工商户设立登记", "个体工商户注销登记"]
    assert index.search("getigongshanghu")[0].name == "个体工商户设立登记"
    assert names(index.search("ge ti gong")) == names(index.search("getigong"))
    assert names(index.search("hukou")) == ["出生登记（户口登记）"]  # inside the name


def test_name_substring() -> None:
    index = MatterIndex(ITEMS)
    assert names(index.search("许可证")) == ["食品经营许可证核发"]
    assert set(names(index.search("登记"))) == {
        "个体工商户设立登记",
        "个体工商户注销登记",
        "出生登记（户口登记）",
        "结婚登记",
    }


def test_codes() -> None:
    index = MatterIndex(ITEMS)
    assert names(index.search("11329900MB0003")) == ["结婚登记"]
    assert names(index.search("0001020030")) == ["食品经营许可证核发"]  # basic code, inside
    assert names(index.search("yjs-xsecs")) == ["新生儿出生一件事"]  # bundle code, any case


def test_department() -> None:
    index = MatterIndex(ITEMS)
    assert names(index.search("公安")) == ["出生登记（户口登记）"]
    assert set(names(index.search("市场监督"))) == {
        "个体工商户设立登记",
        "个体工商户注销登记",
        "食品经营许可证核发",
    }
    assert names(index.search("gaj")) == ["出生登记（户口登记）"]  # department initials, inside


def test_bundles_appear() -> None:
    index = MatterIndex(ITEMS)
    found = index.search("一件事")
    assert {i.kind for i in found} == {"bundle"}
    assert len(found) == 2
    assert index.search("xsecs")[0].key == "YJS-XSECS"
    assert "新生儿出生一件事" in names(index.search("出生"))


def test_full_width_and_case() -> None:
    index = MatterIndex(ITEMS)
    assert names(index.search("ＧＴＧＳＨ")) == names(index.search("gtgsh"))
    assert names(index.search("GeTi")) == names(index.search("geti"))
    assert names(index.search("１１３２９９００ｍｂ０００３")) == ["结婚登记"]
    assert normalize("  Ａｂ\n") == "ab"


def test_polyphones() -> None:
    index = MatterIndex([m("银行开户许可"), m("行政复议申请")])
    assert names(index.search("yhkh")) == ["银行开户许可"]  # the phrase reading
    assert names(index.search("yxkh")) == ["银行开户许可"]  # the other reading of 行
    assert names(index.search("xzfy")) == ["行政复议申请"]
    full, initials = pinyin_forms("银行")
    assert full == "yinhang" and initials[0] == "yh"


def test_pinyin_matches_pypinyin_whole_name() -> None:
    """The per-word cache must give what pypinyin gives for the whole name."""
    text = (files("hallterm") / "data" / "demo_catalog.json").read_text(encoding="utf-8")
    catalog = json.loads(text)
    names_ = [m["name"] for m in catalog["matters"]] + [d["name"] for d in catalog["departments"]]
    names_ += ["银行行长", "重庆市长江大桥", "ICP备案（第2次）", "绿色通道"]
    for name in names_:
        norm = normalize(name)
        full, initials = pinyin_forms(name)
        assert full == _alnum(lazy_pinyin(norm, errors=list)), name
        assert initials[0] == _alnum(lazy_pinyin(norm, style=Style.FIRST_LETTER, errors=list)), name


def _alnum(parts: list[str]) -> str:
    return "".join(p for p in parts if p.isascii() and p.isalnum()).lower()


def test_rank_name_tiers() -> None:
    index = MatterIndex([m("补办结婚登记"), m("结婚登记证补领"), m("结婚登记")])
    assert names(index.search("结婚登记")) == ["结婚登记", "结婚登记证补领", "补办结婚登记"]


def test_rank_name_before_initials() -> None:
    index = MatterIndex([m("产品质量检验"), m("ICP备案")])
    # "cp" is inside the name ICP备案 and the initials of 产品质量检验 (cpzljy)
    assert names(index.search("cp")) == ["ICP备案", "产品质量检验"]


def test_rank_initials_before_pinyin_before_substring() -> None:
    index = MatterIndex([m("食品"), m("税号查询")])
    # 税号查询: initials shcx start with sh; 食品: only its pinyin shipin does
    assert names(index.search("sh")) == ["税号查询", "食品"]
    index = MatterIndex([m("登记"), m("记录查询")])
    # 记录查询: pinyin jilu... starts with ji; 登记: dengji only contains it
    assert names(index.search("ji")) == ["记录查询", "登记"]


def test_rank_all_tiers_down_to_department() -> None:
    index = MatterIndex(
        [
            m("暂住登记", dept="江川市公安局"),  # department initials jcsgaj
            m("临时身份证", codes=("X-GA-1",)),  # code substring
            m("户口迁移", codes=("GA0001",)),  # code prefix
            m("办理港澳证"),  # pinyin/initials substring: banligangao…, blgaz
            m("港澳通行证"),  # initials prefix: gatxz
        ]
    )
    assert names(index.search("ga")) == [
        "港澳通行证",
        "办理港澳证",
        "户口迁移",
        "临时身份证",
        "暂住登记",
    ]


def test_ties_shorter_name_then_pinyin_order() -> None:
    index = MatterIndex([m("注销登记"), m("变更登记"), m("登记")])
    assert names(index.search("登记")) == ["登记", "变更登记", "注销登记"]


def test_empty_query_and_limit() -> None:
    index = MatterIndex(ITEMS)
    everything = index.search("")
    assert len(everything) == len(ITEMS)
    # name order in pinyin collation: chu… < ge… < jie… < kai… < shi… < xin…
    assert names(everything)[0] == "出生登记（户口登记）"
    assert names(everything)[-1] == "新生儿出生一件事"
    assert index.search("   ", limit=3) == everything[:3]
    assert len(index.search("登记", limit=2)) == 2
    assert index.search("登记", limit=0) == []
    assert index.search("不存在的事项") == []
    assert len(index) == len(ITEMS)


# --- agreement with a brute-force model of the ranking rules ---------------------------------

ALPHABET = "个体工商户设立登记行长银食品经营许可证公安出生一件事abcgxyz12Ａ（）"
QUERY_ALPHABET = ALPHABET + "hjklqsw "
DEPTS = ["江川市公安局", "江川市民政局", "", "市场监督管理局"]


def reference(items: list[SearchItem], query: str, limit: int) -> list[SearchItem]:
    """Score every item by the documented tiers and sort: the obviously-correct version."""

    def order(item: SearchItem) -> tuple[int, str, str]:
        return (len(item.name), pinyin_forms(item.name)[0], item.name)

    q = normalize(query)
    if not q:
        return sorted(items, key=lambda i: (pinyin_forms(i.name)[0], i.name))[:limit]
    py = "".join(c for c in q if c.isascii() and c.isalnum())
    use_py = bool(py) and q.isascii()

    def tier(item: SearchItem) -> int | None:
        name = normalize(item.name)
        full, initials = pinyin_forms(item.name)
        codes = [normalize(c) for c in (item.key, *item.codes)]
        dept = normalize(item.department)
        dept_full, dept_initials = pinyin_forms(item.department)
        checks = [
            name == q,
            name.startswith(q),
            q in name,
            use_py and any(v.startswith(py) for v in initials),
            use_py and full.startswith(py),
            use_py and (any(py in v for v in initials) or py in full),
            any(c.startswith(q) for c in codes),
            any(q in c for c in codes),
            bool(dept)
            and (
                q in dept or (use_py and (py in dept_full or any(py in v for v in dept_initials)))
            ),
        ]
        return next((n for n, hit in enumerate(checks) if hit), None)

    scored = [(t, order(i), i) for i in items if (t := tier(i)) is not None]
    scored.sort(key=lambda s: (s[0], s[1]))
    return [s[2] for s in scored][:limit]


item_strategy = st.builds(
    SearchItem,
    key=st.text("ABXY12-", min_size=1, max_size=6),
    name=st.text(ALPHABET, min_size=1, max_size=8),
    kind=st.sampled_from(["matter", "bundle"]),
    department=st.sampled_from(DEPTS),
    codes=st.lists(st.text("0123ABga", min_size=1, max_size=6), max_size=2).map(tuple),
)


@settings(max_examples=300, deadline=None, database=None)
@given(
    items=st.lists(item_strategy, max_size=25),
    query=st.text(QUERY_ALPHABET, max_size=4),
    limit=st.integers(min_value=1, max_value=8),
)
def test_agrees_with_brute_force(items: list[SearchItem], query: str, limit: int) -> None:
    index = MatterIndex(items)
    got = index.search(query, limit)
    want = reference(items, query, limit)
    # Items with the same name tie on every sort key, so compare names.
    assert [i.name for i in got] == [i.name for i in want]


# -- the catalog screen over a large catalog ---------------------------------------------


def add_matters(store, n: int) -> None:  # type: ignore[no-untyped-def]
    """``n`` more matters, copies of the first one under new codes and names."""
    from sqlalchemy import insert
    from sqlmodel import select

    from hallterm.db.models import Department, Matter

    with store.write() as session:
        template = session.exec(select(Matter).order_by(Matter.code)).first().model_dump()
        depts = list(session.exec(select(Department.code)))
        rows = [
            {
                **template,
                "code": f"BIG{i:06d}",
                "basic_code": f"B{i:06d}",
                "name": f"测试事项{i:05d}登记",
                "department_code": depts[i % len(depts)],
                "position": 10_000 + i,
            }
            for i in range(n)
        ]
        session.execute(insert(Matter.__table__), rows)  # type: ignore[attr-defined]


async def test_catalog_screen_caps_rows_and_clears_at_once(demo_store, settings, clock):
    from pilot_support import settle, sign_in
    from textual.widgets import DataTable, Input, Static

    from hallterm.app import create_app
    from hallterm.screens.catalog import ROW_CAP, CatalogScreen

    add_matters(demo_store, 600)
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot)
        await app.workers.wait_for_complete()
        first_index = app.matter_index
        assert len(first_index) > 600
        app.push_screen(CatalogScreen())
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#cat-matters", DataTable)
        more = screen.query_one("#cat-more", Static)
        assert table.row_count == ROW_CAP
        assert "共 " in str(more.render())
        search = screen.query_one("#cat-search", Input)
        search.focus()
        await pilot.press(*"测试事项0012")
        await settle(pilot)
        codes = [str(k.value) for k in table.rows]
        assert codes and all(c.startswith("BIG00012") for c in codes) and len(codes) == 10
        assert str(more.render()).strip() == ""
        for _ in range(len("测试事项0012")):
            await pilot.press("backspace")
        await settle(pilot)
        assert table.row_count == ROW_CAP  # cleared: the first rows again, capped
        # Signing in again keeps the index of the same catalog version.
        app.action_logout()
        await settle(pilot)
        await sign_in(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert app.matter_index is first_index


def test_index_is_built_once_per_catalog_version() -> None:
    from hallterm.domain.search import index_for

    built: list[int] = []

    def items(n: int):  # type: ignore[no-untyped-def]
        def make() -> list[SearchItem]:
            built.append(n)
            return [m(f"事项{i}", key=f"K{n}-{i}") for i in range(n)]

        return make

    a = index_for(("test-store", "v1"), items(3))
    assert index_for(("test-store", "v1"), items(3)) is a and built == [3]
    b = index_for(("test-store", "v2"), items(4))
    assert b is not a and len(b) == 4 and built == [3, 4]
