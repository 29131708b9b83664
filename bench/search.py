"""Benchmark: catalog search in the real catalog screen over 20,000 matters.

A scratch demo store gets 20,000 synthetic matters with realistic names (real stems
combined).  The real app signs in (its search index is built there: timed), opens the real
catalog screen and types each query one character at a time; each keystroke is timed from the
key to the first frame painted after the screen has handled it (the compositor's update,
headless, so no terminal I/O).  Clearing the search (ctrl+u) is timed the same way.  The
baseline runs in the same app, interleaved query by query: the same keys typed into a bare
``Input`` on its own screen, key to painted frame.  Each screen, shown again after the
other, settles (one pause) before its first key: otherwise that key's frame also carries the
repaint of the whole screen after the switch (up to ~60 ms in the catalog), which a clerk
typing into the search never meets.

    python bench/search.py [--matters 20000] [--rounds 3]

Goals: key → painted frame p99 ≤ 50 ms; clearing ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault(
    "HALLTERM_STORE_PASSPHRASE", "bench-station-passphrase"
)  # as a start script gives it

from hallterm.domain.search import SearchItem  # noqa: E402

SEED = 20261101
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in the hall
N_MATTERS = 20_000
GOAL_MS = 50.0

SUBJECTS = [
    "个体工商户",
    "农民专业合作社",
    "有限责任公司",
    "股份有限公司",
    "外商投资企业",
    "个人独资企业",
    "合伙企业",
    "食品经营",
    "食品生产",
    "小餐饮",
    "药品零售企业",
    "药品批发企业",
    "医疗器械经营",
    "第二类医疗器械经营",
    "化妆品生产",
    "特种设备使用",
    "建筑工程施工",
    "建筑业企业资质",
    "房地产开发企业",
    "商品房预售",
    "城镇排水",
    "燃气经营",
    "道路运输",
    "道路货物运输",
    "出租汽车经营",
    "网络预约出租汽车",
    "机动车维修经营",
    "驾驶员培训",
    "港口经营",
    "水路运输",
    "旅行社",
    "娱乐场所",
    "营业性演出",
    "互联网上网服务营业场所",
    "出版物零售",
    "印刷经营",
    "广播电视节目制作",
    "民办学校",
    "民办职业培训学校",
    "幼儿园",
    "养老机构",
    "社会团体",
    "民办非企业单位",
    "基金会",
    "医疗机构执业",
    "诊所",
    "母婴保健技术服务",
    "放射诊疗",
    "公共场所卫生",
    "生活饮用水供水单位卫生",
    "消毒产品生产企业卫生",
    "排污",
    "危险废物经营",
    "取水",
    "采矿权",
    "林木采伐",
    "种子生产经营",
    "兽药经营",
    "农药经营",
    "动物防疫条件",
    "烟草专卖零售",
    "人力资源服务",
    "劳务派遣经营",
    "劳务派遣",
    "建设用地规划",
    "建设工程规划",
    "乡村建设规划",
    "不动产",
    "户籍",
    "居民身份证",
    "出入境证件",
    "社会保障卡",
    "城乡居民养老保险",
    "失业保险金",
    "城乡居民基本医疗保险",
    "生育保险",
    "残疾人证",
    "最低生活保障",
    "特困人员救助供养",
    "临时救助",
]
ACTIONS = [
    "设立登记",
    "变更登记",
    "注销登记",
    "备案",
    "变更备案",
    "注销备案",
    "许可证核发",
    "许可证变更",
    "许可证延续",
    "许可证注销",
    "许可证补办",
    "审批",
    "资质认定",
    "资格认定",
    "年度报告",
    "证明开具",
    "信息查询",
    "补领",
    "换领",
    "申领",
    "迁移",
    "停业登记",
    "歇业备案",
    "复业登记",
    "撤销登记",
]
# Most names carry no qualifier.
QUALIFIERS = [""] * 3 + [
    "（新办）",
    "（延续）",
    "（分支机构）",
    "（简易程序）",
    "（告知承诺制）",
    "（跨省通办）",
    "（市级权限）",
    "（县级权限）",
    "（乡镇便民服务中心）",
    "（全程网办）",
    "（容缺受理）",
    "（首次申请）",
    "（增项）",
    "（法定代表人变更）",
    "（名称变更）",
    "（住所变更）",
    "（经营范围变更）",
]
DEPARTMENTS = [
    "市场监督管理局",
    "公安局",
    "人力资源和社会保障局",
    "医疗保障局",
    "民政局",
    "卫生健康委员会",
    "自然资源和规划局",
    "住房和城乡建设局",
    "交通运输局",
    "税务局",
    "残疾人联合会",
    "文化广电旅游局",
    "教育局",
    "生态环境局",
    "水利局",
    "农业农村局",
    "林业局",
    "商务局",
    "应急管理局",
    "烟草专卖局",
]
DISTRICTS = [
    "",
    "江川市",
    "江川市东城区",
    "江川市西湖区",
    "江川市南山县",
    "江川市北岭县",
    "江川市临江县",
]

NAME_QUERIES = ["食品经营许可", "个体工商户设立登记", "道路运输许可证", "注销", "医疗保险"]
INITIAL_QUERIES = ["gtgsh", "spjyxkzhf", "dlys", "zxdj", "jzgcsg"]
PINYIN_QUERIES = ["shipin", "getigongshanghu", "daoluyunshu", "zhuxiao"]


def make_items(n: int, seed: int) -> list[SearchItem]:
    """``n`` unique synthetic matters; the same ``seed`` gives the same list."""
    rng = random.Random(seed)
    names: set[str] = set()
    while len(names) < n:
        name = rng.choice(DISTRICTS) + rng.choice(SUBJECTS) + rng.choice(ACTIONS)
        names.add(name + rng.choice(QUALIFIERS))
    items = []
    for i, name in enumerate(sorted(names)):
        basic = f"{rng.randrange(10**9, 10**10):010d}"
        impl = f"11329900MB{rng.randrange(10**7):07d}X{basic}{i:05d}"
        items.append(SearchItem(impl, name, "matter", rng.choice(DEPARTMENTS), (basic, impl)))
    rng.shuffle(items)
    return items


def keystrokes(query: str) -> list[str]:
    return list(query)


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


def build_store(folder: Path, n: int) -> Any:
    """The demo store plus ``n`` matters made by ``make_items`` (departments by name)."""
    from sqlalchemy import insert
    from sqlmodel import select

    from hallterm.clock import FrozenClock
    from hallterm.db.engine import Store
    from hallterm.db.models import Department, Matter
    from hallterm.demo import prepare_demo

    clock = FrozenClock(NOW)
    info = prepare_demo(folder, clock=clock)
    store = Store(str(info.store_path))
    items = make_items(n, SEED)
    with store.write() as session:
        template = session.exec(select(Matter).order_by(Matter.code)).first()
        assert template is not None
        base = template.model_dump()
        codes: dict[str, str] = {}
        for i, name in enumerate(sorted({it.department for it in items})):
            codes[name] = f"BENCH{i:03d}"
        session.execute(
            insert(Department.__table__),  # type: ignore[attr-defined]
            [{"code": c, "name": name} for name, c in codes.items()],
        )
        session.execute(
            insert(Matter.__table__),  # type: ignore[attr-defined]
            [
                {
                    **base,
                    "code": it.key,
                    "basic_code": it.codes[0],
                    "name": it.name,
                    "department_code": codes[it.department],
                    "position": 1000 + i,
                }
                for i, it in enumerate(items)
            ],
        )
    return store


async def measure(store: Any, folder: Path, rounds: int) -> dict[str, list[float]]:
    from textual.app import ComposeResult
    from textual.screen import Screen
    from textual.widgets import Input

    from hallterm.app import create_app
    from hallterm.clock import FrozenClock
    from hallterm.config import Settings
    from hallterm.screens.catalog import CatalogScreen
    from hallterm.screens.login import LoginScreen

    class Bare(Screen[None]):
        """The baseline: one Input, nothing done with what is typed."""

        changed_at = 0.0

        def compose(self) -> ComposeResult:
            yield Input(id="bare")

        def on_input_changed(self) -> None:
            Bare.changed_at = time.perf_counter()

    settings = Settings(idle_lock_minutes=0, pdf_folder=str(folder / "pdf"), window="5")
    app = create_app(store, settings, clock=FrozenClock(NOW))
    paints: list[float] = []
    display = app._display

    def painted(screen: Any, renderable: Any) -> None:
        if renderable is not None:
            paints.append(time.perf_counter())
        display(screen, renderable)

    app._display = painted  # type: ignore[method-assign]
    out: dict[str, list[float]] = {"catalog": [], "bare": [], "clear": [], "index_s": []}
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        t0 = time.perf_counter()
        await pilot.press(*"clerk", "enter", *"clerk1234", "enter")
        while len(app.matter_index) < N_ITEMS[0]:
            await asyncio.sleep(0.01)
        out["index_s"].append(time.perf_counter() - t0)
        catalog = CatalogScreen()
        filled = [0.0]
        fill = catalog._fill_matters

        def timed_fill() -> None:
            fill()
            filled[0] = time.perf_counter()

        catalog._fill_matters = timed_fill  # type: ignore[method-assign]
        await app.push_screen(catalog)
        for _ in range(50):
            await pilot.pause()
            if catalog.query_one("#cat-matters").row_count:  # type: ignore[attr-defined]
                break

        async def key_to_paint(key: str, handled: Any) -> float:
            start = time.perf_counter()
            await pilot.press(key)
            while time.perf_counter() - start < 10:
                done = handled()
                if done >= start and any(p >= done for p in paints[-3:]):
                    return (next(p for p in paints if p >= done) - start) * 1000
                await asyncio.sleep(0.0005)
            raise RuntimeError(f"no frame painted after {key!r}")

        queries = NAME_QUERIES + INITIAL_QUERIES + PINYIN_QUERIES
        for r in range(rounds + 1):  # the first round warms up
            for q in queries:
                catalog.query_one("#cat-search").focus()
                await pilot.pause()  # the screen shown again settles before the first key
                got = [await key_to_paint(k, lambda: filled[0]) for k in keystrokes(q)]
                cleared = await key_to_paint("ctrl+u", lambda: filled[0])
                bare = Bare()
                await app.push_screen(bare)
                await pilot.pause()
                bare.query_one("#bare").focus()
                await pilot.pause()
                base = [await key_to_paint(k, lambda: Bare.changed_at) for k in keystrokes(q)]
                await key_to_paint("ctrl+u", lambda: Bare.changed_at)
                app.pop_screen()
                await pilot.pause()
                if r:
                    out["catalog"] += got
                    out["clear"].append(cleared)
                    out["bare"] += base
            paints.clear()
    return out


N_ITEMS = [N_MATTERS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matters", type=int, default=N_MATTERS)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    N_ITEMS[0] = args.matters
    folder = Path(tempfile.mkdtemp(prefix="hallterm-search-"))
    try:
        store = build_store(folder / "demo", args.matters)
        out = asyncio.run(measure(store, folder, args.rounds))
        store.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    cat, bare, clear = out["catalog"], out["bare"], out["clear"]
    print(
        f"matters={args.matters} keystrokes={len(cat)} index_build_s={out['index_s'][0]:.2f}\n"
        f"catalog key→frame median_ms={statistics.median(cat):.1f} p99_ms={p99(cat):.1f} | "
        f"bare Input median_ms={statistics.median(bare):.1f} p99_ms={p99(bare):.1f}\n"
        f"clear search median_ms={statistics.median(clear):.1f} max_ms={max(clear):.1f}"
    )
    print(
        f"SUMMARY measure=catalog_key_to_frame_median_ms value={statistics.median(cat):.1f} "
        f"baseline={statistics.median(bare):.1f} "
        f"ratio={statistics.median(cat) / statistics.median(bare):.2f} goal=<={GOAL_MS:g}ms"
    )
    print(
        f"SUMMARY measure=catalog_key_to_frame_p99_ms value={p99(cat):.1f} "
        f"baseline={p99(bare):.1f} ratio={p99(cat) / p99(bare):.2f} goal=<={GOAL_MS:g}ms"
    )
    print(
        f"SUMMARY measure=catalog_clear_search_ms value={max(clear):.1f} "
        f"baseline={statistics.median(bare):.1f} "
        f"ratio={max(clear) / statistics.median(bare):.2f} goal=<={GOAL_MS:g}ms"
    )


if __name__ == "__main__":
    main()
