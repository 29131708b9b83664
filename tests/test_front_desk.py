"""The front desk driven by the keyboard as a clerk would, on a copy of the demo store.

Applicant recall and registration, a bundle checklist → one-time notice → return → accept,
a deferral, a refusal, a 即办件 completed at once, and the case list / detail moves.  The
printed PDFs are opened with pypdf: case number, item names, embedded CJK font.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pilot_support import settle
from pilot_support import sign_in as pilot_sign_in
from pypdf import PdfReader
from sqlmodel import func, select
from textual.widgets import DataTable, Input, Static

from hallterm.app import create_app
from hallterm.db.models import Event, ServiceCase
from hallterm.db.services import Ctx
from hallterm.db.services.applicants import register_applicant
from hallterm.db.services.cases import find_case_id, load_case
from hallterm.domain.ids import resident_id_check_char
from hallterm.printing.documents import fmt_date
from hallterm.printing.output import Printer
from hallterm.screens.confirm import ConfirmScreen
from hallterm.screens.desk import DeskScreen
from hallterm.screens.desk_cases import CaseDetailScreen, CaseListScreen
from hallterm.screens.desk_checklist import ChecklistScreen
from hallterm.screens.desk_dialogs import PromptScreen, ReasonScreen
from hallterm.screens.login import LoginScreen

SIZE = (150, 48)
DESK_CLERK = ("clerk", "clerk1234")


def rid(first17: str) -> str:
    """A valid resident ID from its first 17 digits."""
    return first17 + resident_id_check_char(first17)


def wrong_check(first17: str) -> tuple[str, str]:
    """A resident ID with a wrong check character, and the right one."""
    right = resident_id_check_char(first17)
    wrong = "0" if right != "0" else "1"
    return first17 + wrong, right


async def sign_in(pilot, username: str = "clerk", password: str = "clerk1234") -> None:
    await pilot_sign_in(pilot, username, password)
    assert not isinstance(pilot.app.screen, LoginScreen)


async def open_desk(pilot) -> DeskScreen:
    await pilot.press("f3")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DeskScreen)
    return pilot.app.screen


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def embedded_fonts(path: Path) -> list[str]:
    """BaseFont of every page font; each must carry an embedded TrueType program."""
    names = []
    for page in PdfReader(path).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            else:
                descriptor = font["/FontDescriptor"]
            assert len(descriptor.get_object()["/FontFile2"].get_object().get_data()) > 1000
            names.append(str(font["/BaseFont"]))
    return names


def pdfs(folder: Path, kind: str) -> list[Path]:
    return sorted(folder.glob(f"{kind}-*.pdf"))


def events(store, kind: str) -> int:
    with store.read() as session:
        return session.exec(select(func.count()).select_from(Event).where(Event.kind == kind)).one()


def count_cases(store) -> int:
    with store.read() as session:
        return session.exec(select(func.count()).select_from(ServiceCase)).one()


def make_app(demo_store, settings, clock, tmp_path: Path):
    printer = Printer(tmp_path / "printed")
    return create_app(demo_store, settings, clock=clock, printer=printer), printer.folder


def clerk_ctx(demo_store, clock) -> Ctx:
    from hallterm.db.models import Staff
    from hallterm.db.services.staff import actor_of

    with demo_store.read() as session:
        staff = session.exec(select(Staff).where(Staff.username == "clerk")).one()
        actor = actor_of(staff)
    return Ctx(actor=actor, station_code="3299", clock=clock)


def register(demo_store, clock, number: str, name: str, phone: str = "13812345678") -> str:
    with demo_store.write() as session:
        view = register_applicant(
            session,
            clerk_ctx(demo_store, clock),
            id_type="resident_id",
            id_number=number,
            name=name,
            phone=phone,
            address="江川市人民路1号",
        )
    return view.id


async def recall(pilot, number: str) -> DeskScreen:
    desk = pilot.app.screen
    assert isinstance(desk, DeskScreen)
    await pilot.press(*number, "enter")
    await settle(pilot)
    assert desk.applicant is not None, text_of(desk, "#id-error")
    return desk


async def choose(pilot, query: str) -> ChecklistScreen:
    await pilot.press(*query)
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ChecklistScreen), type(screen)
    return screen


def line_states(screen: ChecklistScreen) -> dict[str, str]:
    return {ln.requirement.name: ln.state.value for ln in screen.lines}


async def goto_line(pilot, screen: ChecklistScreen, name: str) -> None:
    """Move the cursor to the line ``name`` with the arrow keys."""
    table = screen.query_one("#cl-lines", DataTable)
    target = [ln.requirement.name for ln in screen.lines].index(name)
    while table.cursor_row > target:
        await pilot.press("up")
    while table.cursor_row < target:
        await pilot.press("down")


async def tick(pilot, screen: ChecklistScreen, marks: dict[str, str]) -> None:
    """Press one key per line (by material name)."""
    for name, key in marks.items():
        await goto_line(pilot, screen, name)
        await pilot.press(key)
        await pilot.pause()


# --------------------------------------------------------------------------- applicants


async def test_returning_applicant_is_recalled_and_id_revealed(
    demo_store, settings, clock, tmp_path
):
    number = rid("32010219800101123")
    register(demo_store, clock, number, "张三")
    app, _folder = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await open_desk(pilot)
        desk = await recall(pilot, number)
        card = text_of(desk, "#applicant-card")
        assert "张三" in card and "138" in card
        assert "320102********" + number[-4:] in card
        assert number not in card  # masked until opened
        assert not desk.registering
        assert isinstance(app.focused, Input) and app.focused.id == "matter-search"
        before = events(demo_store, "applicant.id_revealed")
        await pilot.press("ctrl+r")  # asks for the purpose first
        await settle(pilot)
        assert number not in text_of(desk, "#applicant-card")
        await pilot.press("enter")  # the first purpose: check the ID document
        await settle(pilot)
        assert number in text_of(desk, "#applicant-card")
        assert events(demo_store, "applicant.id_revealed") == before + 1
        clock.advance(seconds=31)  # hidden again after 30 s on the app's clock
        desk._hide_expired_number()
        await settle(pilot)
        assert number not in text_of(desk, "#applicant-card")


async def test_new_person_invalid_then_valid_id_and_registration(
    demo_store, settings, clock, tmp_path
):
    first17 = "11010519491231002"
    bad, right = wrong_check(first17)
    app, _folder = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        desk = await open_desk(pilot)
        await pilot.press(*bad, "enter")
        await settle(pilot)
        assert f"第18位校验码应为 {right}" in text_of(desk, "#id-error")
        assert desk.query_one("#id-number", Input).value == bad  # nothing typed is lost
        assert desk.applicant is None and not desk.registering
        await pilot.press("backspace", right, "enter")
        await settle(pilot)
        assert desk.registering and desk.query_one("#register-form").display
        assert app.focused is desk.query_one("#reg-name", Input)
        # an invalid phone: the precise message, the form keeps everything
        await pilot.press(*"王小明", "enter", *"1381234567", "enter", *"江川市新华路8号", "enter")
        await settle(pilot)
        assert "11" in text_of(desk, "#reg-error")
        assert desk.query_one("#reg-name", Input).value == "王小明"
        assert desk.query_one("#reg-address", Input).value == "江川市新华路8号"
        assert desk.applicant is None
        phone = desk.query_one("#reg-phone", Input)
        phone.focus()
        await pilot.press("end", "8", "ctrl+s")
        await settle(pilot)
        assert desk.applicant is not None and desk.applicant.name == "王小明"
        assert "110105********" in text_of(desk, "#applicant-card")
        assert not desk.query_one("#register-form").display
    with demo_store.read() as session:
        from hallterm.db.services.applicants import find_applicant

        found = find_applicant(session, app.ctx(), "resident_id", first17 + right)
        assert found is not None and found.phone == "13812345678"


async def test_entity_needs_legal_representative(demo_store, settings, clock, tmp_path):
    from hallterm.domain.ids import uscc_check_char

    code = "91329900MA1234567"
    code += uscc_check_char(code)
    app, _folder = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        desk = await open_desk(pilot)
        for _ in range(4):  # resident ID → passport → HK/Macao → Taiwan → USCC
            await pilot.press("ctrl+t")
        assert desk.query_one("#id-type").value == "uscc"
        await pilot.press(*code, "enter")
        await settle(pilot)
        assert desk.registering and desk.query_one("#reg-legal-rep").display
        await pilot.press(*"江川味道餐饮有限公司", "enter", "enter", "enter", "enter")
        await settle(pilot)
        assert text_of(desk, "#reg-error")  # no legal representative yet
        await pilot.press(*"赵六", "enter")
        await settle(pilot)
        assert desk.applicant is not None and desk.applicant.kind == "entity"
        assert desk.applicant.legal_rep == "赵六"
        # an entity acts through an agent (经办人): the form asks for them first
        assert desk.query_one("#agent-form").display
        assert desk.focused is desk.query_one("#agent-name", Input)
        await pilot.press(*"王五", "enter", *rid("32010219800101123"), "enter", "enter")
        await settle(pilot)
        # switching the language keeps the applicant and what is typed
        await pilot.press(*"gtgsh")
        await pilot.press("f10")
        await settle(pilot)
        card = text_of(desk, "#applicant-card")
        assert "Legal representative" in card and "赵六" in card
        assert desk.query_one("#matter-search", Input).value == "gtgsh"
        assert "Front desk" in text_of(desk, "#desk-title")
        await pilot.press("f10")
        await settle(pilot)
        assert "法定代表人" in text_of(desk, "#applicant-card")


# --------------------------------------------------------------------------- checklist


async def test_bundle_missing_item_notice_then_return_and_accept(
    demo_store, settings, clock, tmp_path
):
    number = rid("32010219900215004")
    register(demo_store, clock, number, "李四")
    printed_before = events(demo_store, "case.printed")
    cases_before = count_cases(demo_store)
    app, folder = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await open_desk(pilot)
        await recall(pilot, number)
        screen = await choose(pilot, "xsecs")  # 新生儿出生一件事, by pinyin initials
        assert screen.view is not None and screen.view.bundle_name == "新生儿出生一件事"
        names = [ln.requirement.name for ln in screen.lines]
        assert names.count("居民身份证") == 1 and "出生医学证明" in names  # merged by type code
        assert len(names) == 8
        await tick(
            pilot,
            screen,
            {
                "居民身份证": "b",  # original + copy, as the requirement asks
                "《出生医学证明》首次签发登记表": "b",
                "助产机构分娩记录": "c",
                "户口簿": "b",
                "授权委托书": "n",
                "结婚证": "n",
                "近期免冠照片": "n",
            },
        )
        verdict = text_of(screen, "#cl-verdict")
        assert "出生医学证明" in verdict and "✘" in verdict
        # the one missing necessary item, with a note for the notice
        await goto_line(pilot, screen, "出生医学证明")
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"未带原件", "enter")
        await pilot.pause()
        assert line_states(screen)["出生医学证明"] == "missing"
        # accepting is refused with the service's message; nothing changes
        await pilot.press("a")
        await settle(pilot)
        assert screen.view.status == "registered"
        await pilot.press("o")
        await settle(pilot)
        assert screen.view.status == "notified"
        case_number = screen.view.number
        assert case_number.startswith("3299-20261127-")
        [notice] = pdfs(folder, "notice")
        text = pdf_text(notice)
        assert case_number in text and "出生医学证明" in text and "未带原件" in text
        assert "居民身份证" in text  # already received, listed as kept
        assert embedded_fonts(notice)
        assert case_number in text_of(screen, "#cl-result")
        await pilot.press("escape")
        await settle(pilot)
        desk = app.screen
        assert isinstance(desk, DeskScreen) and desk.applicant is None  # ready for the next

        # the applicant comes back with the certificate: type the case number at the desk
        await pilot.press(*case_number, "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ChecklistScreen)
        states = line_states(screen)
        assert states["居民身份证"] == "received" and states["出生医学证明"] == "missing"
        await goto_line(pilot, screen, "出生医学证明")
        await pilot.press("r")  # the original alone: the copy is still short
        await pilot.pause()
        assert "复印件少1份" in text_of(screen, "#cl-verdict")
        await pilot.press("c")
        await pilot.pause()
        assert "✔" in text_of(screen, "#cl-verdict")
        await pilot.press("a")
        await settle(pilot)
        assert screen.view.status == "accepted"
        [receipt] = pdfs(folder, "receipt")
        text = pdf_text(receipt)
        assert case_number in text and "出生医学证明" in text and "新生儿出生一件事" in text
        assert embedded_fonts(receipt)
    assert events(demo_store, "case.printed") == printed_before + 2
    assert count_cases(demo_store) == cases_before + 1  # resumed, not started again


async def test_deferral_prints_receipt_and_pledge(demo_store, settings, clock, tmp_path):
    number = rid("32010219751105002")
    register(demo_store, clock, number, "王五")
    app, folder = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await open_desk(pilot)
        await recall(pilot, number)
        screen = await choose(pilot, "临时救助")
        await tick(pilot, screen, {"社会救助申请书": "b", "居民身份证": "b", "本人银行借记卡": "b"})
        # a required item cannot be deferred: the domain's reason, the line unchanged
        await goto_line(pilot, screen, "居民身份证")
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, PromptScreen)
        assert line_states(screen)["居民身份证"] == "received"
        # the deferrable one: the prompt proposes today + 5 working days
        await goto_line(pilot, screen, "病历及诊断证明")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        field = app.screen.query_one("#prompt-input", Input)
        assert field.value == "2026-12-04"  # Fri 27 Nov + 5 working days
        await pilot.press("enter")
        await pilot.pause()
        assert line_states(screen)["病历及诊断证明"] == "deferred"
        await goto_line(pilot, screen, "户口簿")
        await pilot.press("n")
        await pilot.pause()
        verdict = text_of(screen, "#cl-verdict")
        assert "◐" in verdict and "病历及诊断证明" in verdict and "2026-12-04" in verdict
        # the copy count: + and − on a received line
        await goto_line(pilot, screen, "居民身份证")
        await pilot.press("plus", "plus", "minus")
        await pilot.pause()
        assert [ln.count for ln in screen.lines if ln.requirement.name == "居民身份证"] == [2]
        await pilot.press("a")
        await settle(pilot)
        view = screen.view
        assert view.status == "accepted"
        assert view.due_date.isoformat() == "2026-12-11"  # 10 working days
        assert "2026-12-11" in text_of(screen, "#cl-due")
        assert "⚠" not in text_of(screen, "#cl-due")
        [receipt] = pdfs(folder, "receipt")
        [pledge] = pdfs(folder, "pledge")
        for path in (receipt, pledge):
            text = pdf_text(path)
            assert view.number in text and "病历及诊断证明" in text
            assert embedded_fonts(path)
        assert fmt_date(date(2026, 12, 4)) in pdf_text(pledge)
        assert fmt_date(date(2026, 12, 11)) in pdf_text(receipt)


async def test_refusal_with_a_common_reason(demo_store, settings, clock, tmp_path):
    number = rid("32010219881212003")
    register(demo_store, clock, number, "赵敏")
    accepted_before = events(demo_store, "case.accepted")
    app, folder = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await open_desk(pilot)
        await recall(pilot, number)
        screen = await choose(pilot, "结婚登记")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("enter")  # nothing typed: asked again, dialog stays
        await pilot.pause()
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("down", "down", "enter")  # the second common reason
        await pilot.pause()
        # Irreversible: the confirmation names the case; declining writes nothing.
        assert isinstance(app.screen, ConfirmScreen)
        assert screen.view.number in str(app.screen.query_one(".screen-title").render())
        before = events(demo_store, "case.refused")
        await pilot.press("n")
        await settle(pilot)
        assert screen.view.status == "registered"
        assert events(demo_store, "case.refused") == before
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert screen.view.status == "refused"
        assert "职权范围" in screen.view.decision_reason
        assert "如今日受理" not in text_of(screen, "#cl-due")  # no "if accepted today" line
        [decision] = pdfs(folder, "refusal")
        text = pdf_text(decision)
        assert screen.view.number in text and "职权范围" in text
        assert embedded_fonts(decision)
        # a decided case cannot be ticked or decided again
        await pilot.press("r", "a")
        await settle(pilot)
        assert screen.view.status == "refused"
        assert events(demo_store, "case.accepted") == accepted_before


async def test_immediate_matter_completed_on_the_spot(demo_store, settings, clock, tmp_path):
    number = rid("32010220000630001")
    register(demo_store, clock, number, "钱七")
    app, folder = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await open_desk(pilot)
        await recall(pilot, number)
        screen = await choose(pilot, "shbzksl")  # 社会保障卡申领
        assert screen.view.immediate
        await tick(pilot, screen, {"居民身份证": "r"})
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert screen.view.status == "delivered"
        assert screen.view.completed_at is not None and screen.view.delivered_at is not None
        # A 即办件 gets a completion notice (办结通知书), not an acceptance notice.
        [completion] = pdfs(folder, "completion")
        assert screen.view.number in pdf_text(completion) and "办结通知书" in pdf_text(completion)
        assert not pdfs(folder, "receipt")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
    # the ID card copy received is now on file: the next case offers it for reuse
    with demo_store.read() as session:
        from hallterm.db.services.applicants import find_applicant, stored_materials

        applicant = find_applicant(session, app.ctx(), "resident_id", number)
        stored = stored_materials(session, app.ctx(), applicant.id, clock.today())
        assert [s.name for s in stored] == ["居民身份证"]


# --------------------------------------------------------------------------- cases


def accepted_case(demo_store, clock, applicant_id: str, matter: str) -> str:
    from hallterm.db.services.cases import LineInput, accept, record_lines, start_case

    ctx = clerk_ctx(demo_store, clock)
    with demo_store.write() as session:
        case_id = start_case(session, ctx, applicant_id=applicant_id, matter_codes=[matter])
        view = load_case(session, ctx, case_id, clock.today())
        record_lines(
            session,
            ctx,
            case_id,
            [
                LineInput.in_full(lv.requirement)
                for lv in view.lines
                if lv.requirement.necessity != "optional"
            ],
        )
        accept(session, ctx, case_id)
    return case_id


def notified_case(demo_store, clock, applicant_id: str, matter: str) -> str:
    from hallterm.db.services.cases import notify, start_case

    ctx = clerk_ctx(demo_store, clock)
    with demo_store.write() as session:
        case_id = start_case(session, ctx, applicant_id=applicant_id, matter_codes=[matter])
        notify(session, ctx, case_id)
    return case_id


DIVORCE = "11329900MB0005065500007050020000"  # 离婚登记, 30 working days
MARRIAGE = "11329900MB0005065500007050010000"  # 结婚登记


async def test_case_list_detail_and_the_moves(demo_store, settings, clock, tmp_path):
    applicant_id = register(demo_store, clock, rid("32010219700707007"), "孙八")
    case_id = accepted_case(demo_store, clock, applicant_id, DIVORCE)
    waiting_id = notified_case(demo_store, clock, applicant_id, MARRIAGE)
    app, _folder = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "approver", "approve1234")  # decides what the clerk accepted
        await pilot.press("f4")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, CaseListScreen)
        table = listing.query_one("#cases-table", DataTable)
        keys = [r.id for r in listing.rows]
        assert {case_id, waiting_id} <= set(keys) and table.row_count == len(keys)

        def cell(key: str) -> str:
            return str(table.get_cell(case_id, key))

        assert "孙八" in cell("applicant") and "离婚登记" in cell("matter")
        assert "剩余 30 个工作日" in cell("left") and "正常" in cell("light")
        while table.cursor_row < keys.index(case_id):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, CaseDetailScreen)
        head = text_of(detail, "#detail-head")
        assert "⚠" in head and "2027" in head  # due in 2027: the calendar needs updating
        assert detail.check_action("start_review", ()) and not detail.check_action("resume", ())
        assert not detail.check_action("checklist", ())
        due_before = detail.view.due_date
        await pilot.press("r")  # resume: not allowed while accepted, nothing happens
        await settle(pilot)
        assert detail.view.status == "accepted"
        await pilot.press("v")
        await settle(pilot)
        assert detail.view.status == "in_review"
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("down", "down", "down", "enter")  # 专家评审
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)  # the expected resumption
        await pilot.press(*(clock.today() + timedelta(days=14)).isoformat(), "enter")
        await settle(pilot)
        assert detail.view.status == "suspended"
        assert detail.view.expected_resume_on == clock.today() + timedelta(days=14)
        assert detail.view.suspended_since is not None
        clock.advance(days=7)  # a week of expert review: the clock stands still
        await pilot.press("r")
        await settle(pilot)
        assert detail.view.status == "in_review"
        assert detail.view.due_date > due_before
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # declined: still in review
        await settle(pilot)
        assert detail.view.status == "in_review"
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("y")  # confirmed
        await settle(pilot)
        assert detail.view.status == "approved"
        await pilot.press("d")
        await settle(pilot)  # the choice mounted before its key (a busy machine lost it once)
        await pilot.press("enter")  # 窗口领取, the first delivery method
        await settle(pilot)
        assert detail.view.status == "delivered"
        assert detail.view.delivery_method == "window"
        assert not any(
            detail.check_action(a, ())
            for a in ("start_review", "suspend", "resume", "approve", "deny", "deliver", "withdraw")
        )
        timeline = detail.query_one("#detail-timeline", DataTable)
        events_shown = [str(timeline.get_row_at(i)[1]) for i in range(timeline.row_count)]
        assert events_shown[0] == "登记" or "登记" in events_shown[0]
        for label in ("受理", "开始审查", "中止", "恢复", "准予", "送达"):
            assert any(label in e for e in events_shown), (label, events_shown)
        who = {str(timeline.get_row_at(i)[2]) for i in range(timeline.row_count)}
        assert who == {"clerk", "approver"}  # accepted by the clerk, decided by the approver
        assert "专家评审" in " ".join(
            str(timeline.get_row_at(i)[3]) for i in range(timeline.row_count)
        )
        # back to the list: the delivered case has left the open cases
        await pilot.press("escape")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, CaseListScreen)
        keys = [r.id for r in listing.rows]
        assert waiting_id in keys and case_id not in keys
        # the notified case goes back to its checklist: front-desk work, the clerk's
        await pilot.press("ctrl+o")
        await settle(pilot)
        await sign_in(pilot)
        await pilot.press("f4")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, CaseListScreen)
        keys = [r.id for r in listing.rows]
        table = listing.query_one("#cases-table", DataTable)
        while table.cursor_row < keys.index(waiting_id):
            await pilot.press("down")
        while table.cursor_row > keys.index(waiting_id):
            await pilot.press("up")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.check_action("checklist", ())
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        assert app.screen.view.id == waiting_id


async def test_withdraw_needs_a_reason_and_help_lists_the_keys(
    demo_store, settings, clock, tmp_path
):
    from hallterm.screens.help import HelpScreen

    applicant_id = register(demo_store, clock, rid("32010219660606006"), "周九")
    case_id = accepted_case(demo_store, clock, applicant_id, MARRIAGE)
    app, _folder = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        app.push_screen(CaseDetailScreen(case_id))
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        actions = {row[1] for row in app.screen.key_rows}
        assert {"开始审查", "中止计时", "恢复计时", "准予", "送达", "撤回"} <= actions
        await pilot.press("escape")
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press(*"申请人另行申请", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        detail = app.screen
        assert detail.view.status == "withdrawn"
        assert detail.view.decision_reason == "申请人另行申请"
    with demo_store.read() as session:
        assert session.get(ServiceCase, case_id).status == "withdrawn"
        assert find_case_id(session, detail.view.number) == case_id


async def test_serving_a_ticket_recalls_the_applicant_and_links_the_case(
    demo_store, settings, clock, tmp_path
):
    """Queue window → start service → the desk opens on the applicant; the new case joins the ticket."""
    from hallterm.db.models_queue import Ticket
    from hallterm.db.services import queue as q

    number = rid("32990119800101123")
    applicant_id = register(demo_store, clock, number, "孙悦")
    ctx = clerk_ctx(demo_store, clock)
    with demo_store.write() as session:
        category = q.categories(session)[0].code
        ticket = q.issue_ticket(session, ctx, category, id_number=number)
        q.call_next(session, ctx, "5")
        q.start_service(session, ctx, ticket.id)
    app, _folder = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=(140, 44)) as pilot:
        await sign_in(pilot)
        app.push_screen(DeskScreen(applicant_id=applicant_id, ticket_id=ticket.id))
        await settle(pilot)
        desk = app.screen
        assert isinstance(desk, DeskScreen) and desk.applicant is not None
        assert desk.applicant.id == applicant_id and number not in text_of(desk, "#applicant-card")
        checklist = await choose(pilot, "gtgsh")
        case_id = checklist.case_id
    with demo_store.read() as session:
        assert session.get(Ticket, ticket.id).case_id == case_id
