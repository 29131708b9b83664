"""The demo history's people: names, ID numbers and the applicants who come to the hall.

Applicants are drawn from the random stream (some come back: a pool of those met so far),
registered through the applicants service the first time they are served.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import Session

from hallterm.clock import to_local
from hallterm.db.services import Ctx
from hallterm.db.services import cases as case_svc
from hallterm.db.services.applicants import find_applicant, register_applicant
from hallterm.demo.history.state import Sim, SimApplicant
from hallterm.domain.ids import USCC_ALPHABET, resident_id_check_char, uscc_check_char

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "晓红",
    "志强",
    "海燕",
    "建国",
    "玉兰",
    "文",
    "晓梅",
    "春花",
    "国庆",
    "子涵",
    "浩然",
    "雨桐",
    "梓萱",
    "俊杰",
    "欣怡",
    "宇航",
    "思远",
    "佳怡",
    "志明",
    "淑珍",
    "德华",
    "丽娟",
    "红梅",
    "建军",
    "秀梅",
    "凤英",
]
REGIONS = ("530402", "530421", "530422", "530423", "530424", "530425", "530426", "530427")


def resident_id(rng: random.Random, today: date) -> str:
    born = date(rng.randint(1945, 2004), rng.randint(1, 12), rng.randint(1, 28))
    born = min(born, today - timedelta(days=365 * 18))
    first17 = rng.choice(REGIONS) + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    return first17 + resident_id_check_char(first17)


def uscc(rng: random.Random) -> str:
    body = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    first17 = "91" + rng.choice(REGIONS) + body
    return first17 + uscc_check_char(first17)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def entity_name(rng: random.Random) -> str:
    trade = rng.choice(("商贸", "餐饮", "建材", "物流", "农业科技", "家政服务", "文化传媒"))
    return f"江川{rng.choice(GIVEN)}{trade}有限公司"


def draw_applicant(session: Session, sim: Sim, ctx: Ctx, entity: bool) -> SimApplicant:
    rng = sim.rng
    pool = sim.entities if entity else sim.persons
    if pool and rng.random() < 0.3:
        return rng.choice(pool)
    today = to_local(ctx.clock.now()).date()
    if entity:
        a = SimApplicant("uscc", uscc(rng), entity_name(rng), legal_rep=person_name(rng))
    else:
        a = SimApplicant("resident_id", resident_id(rng, today), person_name(rng))
    pool.append(a)
    return a


def agent_of(a: SimApplicant) -> case_svc.AgentInput | None:
    """An entity's 经办人: its legal representative, with an ID made from the entity's code
    (no draw from the random stream, so the history stays the same)."""
    if a.id_type != "uscc":
        return None
    first17 = "329900" + "19800101" + f"{sum(map(ord, a.id_number)) % 1000:03d}"
    return case_svc.AgentInput(
        a.legal_rep, "resident_id", first17 + resident_id_check_char(first17)
    )


def ensure_registered(session: Session, ctx: Ctx, a: SimApplicant) -> str:
    if a.applicant_id is None:
        found = find_applicant(session, ctx, a.id_type, a.id_number)
        if found is None:
            found = register_applicant(
                session,
                ctx,
                id_type=a.id_type,
                id_number=a.id_number,
                name=a.name,
                phone=f"13{ctx.clock.now().microsecond % 10}{abs(hash(a.id_number)) % 10**8:08d}",
                legal_rep=a.legal_rep,
            )
        a.applicant_id = found.id
    return a.applicant_id
