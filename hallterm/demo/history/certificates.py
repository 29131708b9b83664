"""The demo history's decisions by the approver, and the certificates approved cases get.

Given the station's signing key, an approved case whose matter yields a certificate gets it
(through ``services.certificates`` when that part is installed), its fields filled with what
the case knows and realistic values a clerk would type for the rest.
"""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session

from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services import cases as case_svc
from hallterm.demo.history.state import Sim
from hallterm.domain.case_states import CaseAction

# Values a clerk types that the case does not know (realistic ones: the demo prints them).
CERTIFICATE_DEFAULTS = {
    "scope": "预包装食品销售（含冷藏冷冻食品）；热食类食品制售；自制饮品制售",
    "residence": "江川市南门街18号",
    "address": "江川市南门街18号",
    "format": "小餐饮",
    "kind": "有限责任公司（自然人投资或控股）",
    "category": "肢体",
    "grade": "三级",
    "manager": "王建国",
    "quality": "李秀英",
    "area": "江川市城区",
    "floor_area": "120.5平方米",
    "spouse": "周建平",
    "spouse_id": "330299********0015",
    "baby": "周小满",
    "sex": "女",
    "born_at": "2026年11月20日8时30分",
    "birthplace": "江川市",
    "institution": "江川市人民医院",
    "workplace": "江川市人民医院",
    "project": "江川市南门街综合楼",
    "location": "江川市南门街18号",
    "scale": "地上6层，建筑面积8600平方米",
    "price": "3200万元",
    "builder": "江川市第一建筑工程有限公司",
    "supervision": "江川市建设监理有限公司",
    "period": "540日历天",
    "units": "48套",
    "use": "住宅",
    "sharing": "单独所有",
    "unit": "329900001001GB00001F00010001",
    "right": "国有建设用地使用权/房屋所有权",
    "nature": "出让/市场化商品房",
    "term": "2096年11月19日止",
    "matter": "抵押权",
    "obligor": "江川市南门街住户",
    "plate": "浙J·D1234",
    "vehicle": "重型厢式货车",
    "status": "登记失业",
}


def approver_ctx(ctx: Ctx) -> Ctx:
    """The station's approver (审批人员), who decides the cases its clerks accepted."""
    actor = replace(ctx.actor, staff_id="", username="approver", name="审批人员", role="approver")
    return Ctx(actor=actor, station_code=ctx.station_code, clock=ctx.clock)


def approve_with_certificate(session: Session, sim: Sim, ctx: Ctx, case_id: str) -> None:
    """Approve; with a signing key, issue the case's certificate (when its matter has one)."""
    case_svc.advance(session, ctx, case_id, CaseAction.approve)
    if sim.signer is None or ctx.station_code != sim.root:
        return
    try:
        from hallterm.db.services import certificates
    except ImportError:  # certificates are another part of hallterm
        return
    try:
        draft = certificates.issue_draft(session, case_id)
    except ServiceError:
        return  # this matter yields no certificate
    fields = {
        f.key: draft.values.get(f.key) or CERTIFICATE_DEFAULTS.get(f.key, "—")
        for f in draft.fields
        if f.required
    }
    try:
        with session.begin_nested():
            certificates.issue_certificate(session, ctx, case_id, fields, sim.signer)
        sim.certificates += 1
    except ServiceError:
        pass
