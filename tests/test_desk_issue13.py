"""The desk as a real hall runs it (issue 13), by keyboard at 100×32 and 140×40, in Chinese
and English: the ID type resets per applicant; the foreign permanent resident ID and the
HK/Macao/Taiwan residence permit as their own types; an 经办人 for an entity and for a
person represented; originals and copies on one line; a deferral, its arrival later with a
receipt; the case list by urgency with the light and days left visible."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pilot_support import settle
from pilot_support import sign_in as pilot_sign_in
from pypdf import PdfReader
from sqlmodel import select
from textual.widgets import DataTable, Input, Select, Static

from hallterm.app import create_app
from hallterm.db.models import Event, ServiceCase
from hallterm.domain.ids import IdType, id_type_label, resident_id_check_char, uscc_check_char
from hallterm.i18n import set_language
from hallterm.printing.output import Printer
from hallterm.screens.desk import DeskScreen
from hallterm.screens.desk_cases import CaseDetailScreen, CaseListScreen
from hallterm.screens.desk_checklist import ChecklistScreen
from hallterm.screens.desk_dialogs import PromptScreen

COMBOS = [
    pytest.param((100, 32), "zh_CN", id="100x32-zh"),
    pytest.param((100, 32), "en", id="100x32-en"),
    pytest.param((140, 40), "zh_CN", id="140x40-zh"),
    pytest.param((140, 40), "en", id="140x40-en"),
]
ID_TYPES = list(IdType)


def gb11643(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def text_of(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector, Static).render())


def make_app(demo_store, settings, clock, tmp_path, language):  # type: ignore[no-untyped-def]
    printer = Printer(tmp_path / "printed")
    return create_app(demo_store, settings, clock=clock, language=language, printer=printer)


async def choose_type(pilot, desk: DeskScreen, id_type: IdType) -> None:  # type: ignore[no-untyped-def]
    while desk.query_one("#id-type", Select).value != id_type.value:
        await pilot.press("ctrl+t")
    await pilot.pause()


async def register_new(pilot, desk: DeskScreen, number: str, name: str, rep: str = "") -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*number, "enter")
    await settle(pilot)
    assert desk.registering, text_of(desk, "#id-error")
    await pilot.press(*name, "enter", *"13812345678", "enter", *"江川市南门街1号", "enter")
    if rep:
        await pilot.press(*rep, "enter")
    await settle(pilot)
    assert desk.applicant is not None, text_of(desk, "#reg-error")


async def start_matter(pilot, query: str) -> ChecklistScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    app.screen.query_one("#matter-search", Input).focus()
    await pilot.pause()
    await pilot.press(*query, "enter")
    await settle(pilot)
    assert isinstance(app.screen, ChecklistScreen), type(app.screen)
    return app.screen


@pytest.mark.parametrize(("size", "language"), COMBOS)
async def test_id_types_reset_and_agents(demo_store, settings, clock, tmp_path, size, language):  # type: ignore[no-untyped-def]
    app = make_app(demo_store, settings, clock, tmp_path, language)
    try:
        async with app.run_test(size=size) as pilot:
            await pilot_sign_in(pilot)
            await pilot.press("f3")
            await settle(pilot)
            desk = app.screen
            assert isinstance(desk, DeskScreen)
            # 外国人永久居留身份证 (2023): 9 + province + nationality + birth date + check
            await choose_type(pilot, desk, IdType.foreign_permanent)
            await register_new(pilot, desk, gb11643("931840198503150123"[:17]), "JOHN SMITH")
            assert desk.applicant.id_type == "foreign_permanent"
            assert id_type_label("foreign_permanent") in text_of(desk, "#applicant-card")
            # the next applicant starts at 居民身份证 again
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert desk.query_one("#id-type", Select).value == IdType.resident_id.value
            # a residence permit number is refused as a resident ID, with the way out named
            permit = gb11643("81000019920601005")
            await pilot.press(*permit, "enter")
            await settle(pilot)
            assert "810000" in text_of(desk, "#id-error")
            desk.query_one("#id-number", Input).value = ""
            await choose_type(pilot, desk, IdType.hmt_residence)
            desk.query_one("#id-number", Input).focus()
            await register_new(pilot, desk, permit, "陈大文")
            assert desk.applicant.id_type == "hmt_residence"
            # 代办: the person is represented by an agent with their own ID
            await pilot.press("ctrl+g")
            await pilot.pause()
            assert desk.query_one("#agent-form").display
            agent_id = gb11643("32010219800101123")
            await pilot.press(*"王五", "enter", *agent_id, "enter", "enter")
            checklist = await start_matter(pilot, "临时救助")
            assert checklist.view.agent_name == "王五"
            assert checklist.view.agent_id_masked == agent_id[:6] + "********" + agent_id[-4:]
            await pilot.press("escape")
            await settle(pilot)
            # an entity: the agent form comes first and is required
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert desk.query_one("#id-type", Select).value == IdType.resident_id.value
            await choose_type(pilot, desk, IdType.uscc)
            code = "91329900MA1234567"
            await register_new(
                pilot, desk, code + uscc_check_char(code), "江川味道餐饮有限公司", "赵六"
            )
            assert desk.focused is desk.query_one("#agent-name", Input)
            await pilot.press(*"李四", "enter", *gb11643("32010219900215004"), "enter", "enter")
            checklist = await start_matter(pilot, "食品经营许可")
            assert checklist.view.agent_name == "李四"
    finally:
        set_language("zh_CN")
    with demo_store.read() as session:
        agents = {c.agent_name for c in session.exec(select(ServiceCase)) if c.agent_name}
    assert {"王五", "李四"} <= agents


@pytest.mark.parametrize(("size", "language"), COMBOS)
async def test_original_copy_deferral_arrival_and_the_case_list(  # type: ignore[no-untyped-def]
    demo_store, settings, clock, tmp_path, size, language
):
    app = make_app(demo_store, settings, clock, tmp_path, language)
    try:
        async with app.run_test(size=size) as pilot:
            await pilot_sign_in(pilot)
            await pilot.press("f3")
            await settle(pilot)
            desk = app.screen
            await register_new(pilot, desk, gb11643("32010219750505005"), "周九")
            screen = await start_matter(pilot, "临时救助")
            names = [ln.requirement.name for ln in screen.lines]
            table = screen.query_one("#cl-lines", DataTable)

            async def goto(name: str) -> None:
                while table.cursor_row < names.index(name):
                    await pilot.press("down")
                while table.cursor_row > names.index(name):
                    await pilot.press("up")

            # 居民身份证: 原件1份 + 复印件1份 — the copy alone is not enough
            await goto("居民身份证")
            await pilot.press("c")
            await pilot.pause()
            line = screen.lines[names.index("居民身份证")]
            assert (line.originals, line.copies) == (0, 1) and line.shortfall() == (1, 0)
            assert table.cursor_row == names.index("居民身份证")  # stays: still short
            details = str(table.get_cell(line.requirement.type_code, "details"))
            assert details.endswith("0/1 " + details.split(" ")[-1]) or "0/1" in details
            await pilot.press("r")
            await pilot.pause()
            assert (line.originals, line.copies) == (1, 1) and line.satisfied
            for name in ("社会救助申请书", "本人银行借记卡"):
                await goto(name)
                await pilot.press("b")
                await pilot.pause()
            # the deferrable one, by the date proposed
            await goto("病历及诊断证明")
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(app.screen, PromptScreen)
            await pilot.press("enter")
            await pilot.pause()
            # 说明 shows the whole date at this width
            code = screen.lines[names.index("病历及诊断证明")].requirement.type_code
            assert "2026-12-04" in str(table.get_cell(code, "details"))
            assert {"details", "state", "name"} <= {str(c.value) for c in table.columns}
            shown = sum(c.get_render_width(table) for c in table.columns.values())
            assert shown <= size[0] - 2  # the whole 说明 on screen, nothing to scroll to
            await pilot.press("a")
            await settle(pilot)
            assert screen.view.status == "accepted"
            number = screen.view.number
            await pilot.press("escape")
            await settle(pilot)
            # the case list: most urgent first, light and days left visible at this width
            clock.advance(days=5)  # the promise (Fri 4 Dec) is near: yellow
            await pilot.press("f4")
            await settle(pilot)
            listing = app.screen
            assert isinstance(listing, CaseListScreen)
            cases = listing.query_one("#cases-table", DataTable)
            keys = [str(c.value) for c in cases.columns]
            assert keys[:2] == ["light", "left"]
            width = sum(c.get_render_width(cases) for c in cases.columns.values())
            assert width <= size[0] - 2  # nothing hidden to the right
            lights = [r.urgency for r in listing.rows]
            order = {"red": 0, "yellow": 1}
            assert [order.get(x or "", 2) for x in lights] == sorted(
                order.get(x or "", 2) for x in lights
            )
            ours = next(r for r in listing.rows if r.number == number)
            assert ours.deferral_light == "yellow"
            # ↓ from the filter into the list, then open the case
            await pilot.press("slash")
            await pilot.press(*number)
            await pilot.pause()
            assert cases.row_count == 1
            await pilot.press("down")
            await pilot.pause()
            assert listing.focused is cases
            await pilot.press("enter")
            await settle(pilot)
            detail = app.screen
            assert isinstance(detail, CaseDetailScreen)
            assert "病历及诊断证明" in text_of(detail, "#detail-head")
            # the applicant brings it: recorded (an event), a receipt printed
            await pilot.press("h")
            await settle(pilot)
            assert detail.view.outstanding == ()
            assert not detail.check_action("hand_in", ())
    finally:
        set_language("zh_CN")
    with demo_store.read() as session:
        arrived = session.exec(select(Event).where(Event.kind == "case.deferred_arrived")).all()
    assert len(arrived) == 1
    receipts = sorted(Path(tmp_path / "printed").rglob("*receipt*.pdf"))
    assert len(receipts) == 2  # at acceptance and at the arrival
    text = "".join(p.extract_text() for p in PdfReader(receipts[-1]).pages)
    assert "病历及诊断证明" in text
    assert date(2026, 12, 2) == clock.today()
