"""Benchmark: per-keystroke matter search over 20,000 synthetic matters.

Builds a deterministic catalog of realistic matter names (real stems combined), builds the
``MatterIndex`` (timed), then types each query one character at a time and times every
search.  A naive ``[i for i in items if q in i.name]`` scan over the same items runs in the
same process as the baseline.  Run with ``.venv/bin/python bench/search.py``.

A keystroke's slow tail can include a cyclic-GC pass over every live container (pypinyin's
phrase dictionary alone is some 200,000 lists).  ``--gc-freeze`` measures what an app gets
after ``gc.collect(); gc.freeze()`` once its index is built.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hallterm.domain.search import MatterIndex, SearchItem  # noqa: E402

SEED = 20261101
N_MATTERS = 20_000
ROUNDS = 30  # each query is typed this many times
GOAL_MS = 16.0

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


def keystrokes(queries: list[str]) -> list[str]:
    """Every prefix of every query, as typed one character at a time."""
    return [q[:k] for q in queries for k in range(1, len(q) + 1)]


def time_ms(search: Callable[[str], object], typed: list[str], rounds: int) -> list[float]:
    samples: list[float] = []
    for _ in range(rounds):
        for q in typed:
            t0 = time.perf_counter_ns()
            search(q)
            samples.append((time.perf_counter_ns() - t0) / 1e6)
    return samples


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gc-freeze", action="store_true", help="freeze the GC after building")
    args = parser.parse_args()
    items = make_items(N_MATTERS, SEED)
    t0 = time.perf_counter()
    index = MatterIndex(items)
    build_s = time.perf_counter() - t0
    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    print(f"items={len(items)} index_build_s={build_s:.2f} gc_freeze={args.gc_freeze}")

    def naive(q: str) -> list[SearchItem]:
        return [i for i in items if q in i.name]

    groups = {
        "name": keystrokes(NAME_QUERIES),
        "pinyin_initials": keystrokes(INITIAL_QUERIES),
        "full_pinyin": keystrokes(PINYIN_QUERIES),
    }
    all_index: list[float] = []
    all_naive: list[float] = []
    for label, typed in groups.items():
        # One warm-up pass so first-call costs do not count as keystrokes.
        time_ms(index.search, typed, 1)
        got = time_ms(index.search, typed, ROUNDS)
        base = time_ms(naive, typed, ROUNDS)
        all_index += got
        all_naive += base
        print(
            f"{label:16s} keystrokes={len(got):5d} "
            f"median_ms={statistics.median(got):.3f} p99_ms={p99(got):.3f} | "
            f"naive median_ms={statistics.median(base):.3f} p99_ms={p99(base):.3f}"
        )
    sample = ", ".join(i.name for i in index.search("gtgsh", limit=3))
    print(f"top 3 for gtgsh: {sample}")
    value, baseline = p99(all_index), p99(all_naive)
    print(
        f"SUMMARY measure=search_keystroke_p99_ms value={value:.3f} baseline={baseline:.3f} "
        f"ratio={value / baseline:.3f} goal=<={GOAL_MS:g}ms"
    )


if __name__ == "__main__":
    main()
