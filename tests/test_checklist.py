"""Checklist lines, merging a bundle's requirements, and the verdict."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from hallterm.domain.checklist import (
    ChecklistError,
    Line,
    LineState,
    ReceivedAs,
    Requirement,
    Verdict,
    evaluate,
    merge_requirements,
    reusable,
)
from hallterm.i18n import set_language

TODAY = date(2025, 11, 3)


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    set_language("zh_CN")
    yield
    set_language("zh_CN")


def req(code: str, name: str, necessity: str = "required", **kw: object) -> Requirement:
    fields: dict[str, object] = {
        "form": "paper",
        "source": "applicant",
        "originals": 1,
        "copies": 0,
    }
    fields.update(kw)
    return Requirement(code, name, necessity, **fields)  # type: ignore[arg-type]


ID_CARD = req("ID", "居民身份证", copies=1)
LICENCE = req("LIC", "营业执照", "deferrable")
LEASE = req("LEASE", "租赁合同", "optional")


# --- lines ---------------------------------------------------------------------------------


def test_receive() -> None:
    line = Line(ID_CARD)
    line.receive(ReceivedAs.original, 1)
    assert (line.state, line.received_as, line.count) == (
        LineState.received,
        ReceivedAs.original,
        1,
    )
    line.receive("copy", 2)
    assert line.received_as is ReceivedAs.copy and line.count == 2
    with pytest.raises(ChecklistError) as exc:
        line.receive(ReceivedAs.copy, 0)
    assert str(exc.value) == "“居民身份证”：收取份数至少为1，实际为0"
    assert line.count == 2  # a rejected call changes nothing


def test_mark_missing_and_reset() -> None:
    line = Line(ID_CARD)
    line.receive(ReceivedAs.original, 1)
    line.mark_missing("过期")
    assert line.state is LineState.missing
    assert line.note == "过期"
    assert line.received_as is None and line.count == 0
    line.reset()
    assert line.state is LineState.pending and line.note == ""


def test_defer_only_deferrable_and_later() -> None:
    line = Line(LICENCE)
    line.defer(date(2025, 11, 10), TODAY)
    assert line.state is LineState.deferred
    assert line.deferred_until == date(2025, 11, 10)
    with pytest.raises(ChecklistError) as exc:
        Line(LICENCE).defer(TODAY, TODAY)
    assert str(exc.value) == "“营业执照”：承诺补交日期 2025-11-03 必须晚于今天（2025-11-03）"
    with pytest.raises(ChecklistError) as exc:
        Line(ID_CARD).defer(date(2025, 11, 10), TODAY)
    assert str(exc.value) == "“居民身份证”不是容缺后补材料，不能后补"
    with pytest.raises(ChecklistError):
        Line(LEASE).defer(date(2025, 11, 10), TODAY)


def test_reuse() -> None:
    line = Line(ID_CARD)
    line.reuse("stored-123")
    assert line.state is LineState.reused and line.reused_from == "stored-123"
    line.receive(ReceivedAs.electronic, 1)
    assert line.reused_from is None
    with pytest.raises(ChecklistError) as exc:
        Line(ID_CARD).reuse("")
    assert str(exc.value) == "“居民身份证”：未指定要复用的已存材料"


def test_not_applicable_only_optional() -> None:
    line = Line(LEASE)
    line.mark_not_applicable("自有房产")
    assert line.state is LineState.not_applicable
    with pytest.raises(ChecklistError) as exc:
        Line(ID_CARD).mark_not_applicable()
    assert str(exc.value) == "“居民身份证”不是非必要材料，不能标记为不适用"


def test_unknown_necessity() -> None:
    with pytest.raises(ChecklistError) as exc:
        req("X", "某材料", "mandatory")
    assert str(exc.value) == "材料“某材料”的必要性“mandatory”无法识别"


# --- merge ---------------------------------------------------------------------------------


def test_merge_requirements() -> None:
    a = [
        req("ID", "居民身份证", "optional", copies=1),
        req("APP", "申请表", standard="签字"),
        req("PHOTO", "照片", "optional", valid_days=180, form="paper"),
    ]
    b = [
        req("ID", "居民身份证", "deferrable", originals=1, copies=2),
        req("PHOTO", "照片", "optional", valid_days=90, form="electronic"),
        req("LIC", "营业执照", "deferrable"),
    ]
    c = [
        req("ID", "居民身份证", "required", originals=0, copies=1),
        req("APP", "申请表", "optional", standard="盖章"),
    ]
    merged = merge_requirements([("M1", a), ("M2", b), ("M3", c)])
    assert [r.type_code for r in merged] == ["ID", "APP", "PHOTO", "LIC"]
    by = {r.type_code: r for r in merged}
    assert by["ID"].necessity == "required"
    assert (by["ID"].originals, by["ID"].copies) == (1, 2)
    assert by["ID"].matters == ("M1", "M2", "M3")
    assert by["APP"].necessity == "required"
    assert by["APP"].standard == "签字；盖章"
    assert by["APP"].matters == ("M1", "M3")
    assert by["PHOTO"].valid_days == 90
    assert by["PHOTO"].form == "both"
    assert by["PHOTO"].necessity == "optional"
    assert by["LIC"].matters == ("M2",)


def test_merge_strength_order() -> None:
    merged = merge_requirements(
        [("M1", [req("X", "x", "optional")]), ("M2", [req("X", "x", "deferrable")])]
    )
    assert merged[0].necessity == "deferrable"
    merged = merge_requirements(
        [("M1", [req("X", "x", "deferrable")]), ("M2", [req("X", "x", "optional")])]
    )
    assert merged[0].necessity == "deferrable"


def test_merge_keeps_existing_matters_and_single_matter() -> None:
    r = req("X", "x", matters=("OLD",))
    merged = merge_requirements([("M1", [r]), ("M1", [r])])
    assert merged == [req("X", "x", matters=("OLD", "M1"))]
    assert merge_requirements([]) == []


# --- verdict -------------------------------------------------------------------------------


def test_all_pending() -> None:
    lines = [Line(ID_CARD), Line(LICENCE), Line(LEASE)]
    v = evaluate(lines)
    assert v == Verdict(
        "incomplete",
        missing=("居民身份证", "营业执照"),
        deferred=(),
        pending=("居民身份证", "营业执照", "租赁合同"),
    )


def test_complete_with_optional_missing() -> None:
    lines = [Line(ID_CARD), Line(LICENCE), Line(LEASE)]
    lines[0].receive(ReceivedAs.original, 1)
    lines[0].receive(ReceivedAs.copy, 1)  # the ID card needs its original and a copy
    lines[1].reuse("s1")  # reused counts as received
    lines[2].mark_missing()
    v = evaluate(lines)
    assert v.kind == "complete"
    assert v.missing == () and v.deferred == () and v.pending == ()


def test_optional_pending_listed_but_not_blocking() -> None:
    lines = [Line(ID_CARD), Line(LEASE)]
    lines[0].receive(ReceivedAs.copy, 1)
    lines[0].receive(ReceivedAs.original, 1)
    v = evaluate(lines)
    assert v.kind == "complete"
    assert v.pending == ("租赁合同",)


def test_deferred_verdict() -> None:
    lines = [Line(ID_CARD), Line(LICENCE), Line(LEASE)]
    lines[0].receive(ReceivedAs.electronic, 1)  # an electronic file stands for both
    lines[1].defer(date(2025, 11, 10), TODAY)
    lines[2].mark_not_applicable()
    v = evaluate(lines)
    assert v.kind == "deferred"
    assert v.deferred == (("营业执照", date(2025, 11, 10)),)
    assert v.missing == ()


def test_missing_beats_deferred() -> None:
    lines = [Line(ID_CARD), Line(LICENCE)]
    lines[0].mark_missing()
    lines[1].defer(date(2025, 11, 10), TODAY)
    v = evaluate(lines)
    assert v.kind == "incomplete"
    assert v.missing == ("居民身份证",)
    assert v.deferred == (("营业执照", date(2025, 11, 10)),)
    assert v.pending == ()


def test_state_forced_past_the_methods_still_blocks() -> None:
    # Lines loaded from storage may carry any state; a required line can never be deferred
    # or not applicable, and a deferral without a date is not a deferral.
    bad_defer = Line(ID_CARD, state=LineState.deferred, deferred_until=date(2025, 12, 1))
    bad_na = Line(ID_CARD, state=LineState.not_applicable)
    no_date = Line(LICENCE, state=LineState.deferred)
    v = evaluate([bad_defer, bad_na, no_date])
    assert v.kind == "incomplete"
    assert v.missing == ("居民身份证", "居民身份证", "营业执照")


def test_string_states_from_storage() -> None:
    stored = Line(ID_CARD, state="received", originals=1, copies=1)  # type: ignore[arg-type]
    v = evaluate([stored, Line(LEASE, state="pending")])  # type: ignore[arg-type]
    assert v.kind == "complete" and v.pending == ("租赁合同",)


def test_empty_checklist_is_complete() -> None:
    assert evaluate([]).kind == "complete"


def test_english_messages() -> None:
    set_language("en")
    try:
        with pytest.raises(ChecklistError) as exc:
            Line(ID_CARD).defer(date(2025, 11, 10), TODAY)
        assert str(exc.value) == (
            "“居民身份证” cannot be handed in later: it is not a deferrable material"
        )
    finally:
        set_language("zh_CN")


# --- originals and copies, reuse validity, deferral arrival (issue 13) ---------------------


def test_originals_and_copies_are_counted_separately() -> None:
    line = Line(ID_CARD)  # 原件1份 + 复印件1份
    line.receive(ReceivedAs.copy, 1)
    assert (line.originals, line.copies) == (0, 1)
    assert line.shortfall() == (1, 0) and line.shortfall_text() == "原件少1份"
    v = evaluate([line])
    assert v.kind == "incomplete" and v.missing == ("居民身份证",)
    line.receive(ReceivedAs.original, 1)
    assert (line.originals, line.copies, line.count) == (1, 1, 1)
    assert line.satisfied and evaluate([line]).kind == "complete"
    line.receive(ReceivedAs.copy, 3)  # + on the copies keeps the original
    assert (line.originals, line.copies) == (1, 3)
    line.receive(ReceivedAs.electronic, 1)  # an electronic file replaces paper
    assert (line.originals, line.copies, line.electronic) == (0, 0, 1) and line.satisfied
    two = Line(req("X", "复印件两份", originals=0, copies=2))
    two.receive(ReceivedAs.copy, 1)
    assert two.shortfall_text() == "复印件少1份"


def test_reuse_honours_the_requirements_validity() -> None:
    thirty = req("HKB", "户口簿", valid_days=30)
    fresh = req("HKB", "户口簿")  # no validity: must be brought each time
    received = date(2025, 8, 4)  # 91 days before TODAY
    assert not reusable(thirty, received, date(2026, 8, 4), TODAY)
    assert reusable(thirty, date(2025, 10, 10), None, TODAY)
    assert not reusable(fresh, date(2025, 11, 1), None, TODAY)
    assert not reusable(req("HKB", "户口簿", valid_days=365), received, date(2025, 11, 2), TODAY)


def test_a_deferred_material_arrives_once() -> None:
    line = Line(LICENCE)
    with pytest.raises(ChecklistError):
        line.arrive(TODAY)
    line.defer(date(2025, 11, 10), TODAY)
    assert line.outstanding
    line.arrive(date(2025, 11, 7))
    assert not line.outstanding and line.arrived_on == date(2025, 11, 7)
    assert line.state is LineState.received and line.satisfied
    assert line.deferred_until == date(2025, 11, 10)  # the promise stays on record
    with pytest.raises(ChecklistError) as exc:
        line.arrive(date(2025, 11, 8))
    assert str(exc.value) == "“营业执照”已于2025-11-07补交"
