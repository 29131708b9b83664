"""Personal data at rest in a station store: encrypted everywhere, found by blind index,
unlocked with the passphrase, erased after retention with the audit chain intact."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from hallterm.cli import main
from hallterm.clock import FrozenClock
from hallterm.db.engine import Store
from hallterm.db.events import verify_chain
from hallterm.db.models import Applicant, Event, ServiceCase, Staff
from hallterm.db.models_privacy import PersonKey
from hallterm.db.privacy.erasure import erase_applicant, set_retention_years
from hallterm.db.privacy.keyring import ENV_PASSPHRASE, KeysLocked
from hallterm.db.privacy.personal import open_agent, open_applicant
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.applicants import find_applicant, register_applicant, reveal_id
from hallterm.db.services.cases import AgentInput, advance, load_case, start_case
from hallterm.db.services.permissions import PermissionDenied
from hallterm.db.services.staff import actor_of
from hallterm.domain.ids import resident_id_check_char

ON_SPOT = "11329900MB0001013W00007010010000"


def rid(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def ctx_of(store: Store, username: str, clock: FrozenClock) -> Ctx:
    with store.read() as s:
        row = s.exec(select(Staff).where(Staff.username == username)).one()
        return Ctx(actor=actor_of(row), station_code=row.station_code, clock=clock)


def personal_values(store: Store) -> set[str]:
    """Every ID number and phone the store holds, in clear (opened with its keys)."""
    found: set[str] = set()
    with store.read() as s:
        for row in s.exec(select(Applicant)):
            clear = open_applicant(s, row)
            assert clear.readable or clear.erased
            if row.id_type == "resident_id" and clear.readable:
                found.add(clear.id_number)
            if clear.phone:
                found.add(clear.phone)
        for case in s.exec(select(ServiceCase)):
            agent_id, agent_phone = open_agent(s, case)
            found.update(v for v in (agent_id, agent_phone) if v)
    return found


def leaks(path: Path, values: set[str]) -> list[str]:
    data = path.read_bytes()
    return sorted(v for v in values if v.encode("utf-8") in data)


def test_history_store_wal_and_backup_hold_no_id_number_or_phone(
    history_template: Path, tmp_path: Path, clock: FrozenClock
):
    path = tmp_path / "station.db"
    shutil.copy(history_template, path)
    store = Store(str(path))
    try:
        clerk = ctx_of(store, "clerk", clock)
        number, phone = rid("11010119900307123"), "13912345678"
        with store.write() as s:  # stays in the WAL while the store is open
            a = register_applicant(
                s, clerk, id_type="resident_id", id_number=number, name="王新", phone=phone,
                address="江川市北门街1号",
            )  # fmt: skip
            start_case(
                s, clerk, applicant_id=a.id, matter_codes=[ON_SPOT],
                agent=AgentInput("李代办", "resident_id", rid("11010119800101002"), "13800001111"),
            )  # fmt: skip
        values = personal_values(store)
        assert number in values and phone in values and "13800001111" in values
        assert len(values) > 40  # the demo's people and the generated history's
        wal = Path(f"{path}-wal")
        assert wal.is_file() and wal.stat().st_size > 0
        assert leaks(wal, values) == []
        assert leaks(path, values) == []
        backup = tmp_path / "backup.db"
        out = CliRunner().invoke(
            main,
            ["backup", "--store", str(path), "--to", str(backup), "--user", "admin"],
            env={"HALLTERM_PASSWORD": "admin1234"},
        )
        assert out.exit_code == 0, out.output
        assert leaks(backup, values) == []
        with store.read() as s:  # nor in any event payload
            payloads = "".join(s.exec(select(Event.payload)))
        assert [v for v in values if v in payloads] == []
    finally:
        store.dispose()


def test_blind_index_finds_the_applicant_and_reveal_decrypts(demo_store: Store, clock):
    clerk = ctx_of(demo_store, "clerk", clock)
    number = rid("33010619850312002")
    with demo_store.write() as s:
        a = register_applicant(s, clerk, id_type="resident_id", id_number=number, name="陈一")
        row = s.get(Applicant, a.id)
        assert row.id_number.startswith("enc1:") and len(row.id_index) == 64
        assert number not in row.id_index
    with demo_store.write() as s:
        found = find_applicant(s, clerk, "resident_id", number)
        assert found is not None and found.id == a.id
        assert found.id_masked == number[:6] + "*" * 8 + number[-4:]
        assert find_applicant(s, clerk, "passport", "E12345678") is None
        assert reveal_id(s, clerk, a.id, "verify_identity") == number


def test_wrong_passphrase_is_refused_and_nothing_written(
    demo_store: Store, clock, monkeypatch: pytest.MonkeyPatch
):
    url = demo_store.url
    demo_store.dispose()
    monkeypatch.setenv(ENV_PASSPHRASE, "not the passphrase")
    store = Store(url.removeprefix("sqlite:///"))
    clerk = ctx_of(store, "clerk", clock)
    with store.read() as s:
        events = len(s.exec(select(Event.id)).all())
    with pytest.raises(KeysLocked), store.write() as s:
        find_applicant(s, clerk, "resident_id", rid("33010619850312002"))
    with store.read() as s:
        assert len(s.exec(select(Event.id)).all()) == events
    # without any passphrase at hand: a clear refusal too
    monkeypatch.delenv(ENV_PASSPHRASE)
    with pytest.raises(KeysLocked, match="HALLTERM_STORE_PASSPHRASE"), store.write() as s:
        find_applicant(s, clerk, "resident_id", rid("33010619850312002"))
    store.dispose()


def test_erasure_after_retention_by_an_admin(demo_store: Store, tmp_path: Path):
    clock = FrozenClock(datetime(2026, 11, 27, 2))
    clerk = ctx_of(demo_store, "clerk", clock)
    admin = ctx_of(demo_store, "admin", clock)
    number, phone = rid("11010119700101333"), "13700001234"
    agent_number = rid("11010119750505444")
    with demo_store.write() as s:
        a = register_applicant(
            s, clerk, id_type="resident_id", id_number=number, name="赵删除", phone=phone,
            address="江川市西门街9号",
        )  # fmt: skip
        case_id = start_case(
            s, clerk, applicant_id=a.id, matter_codes=[ON_SPOT],
            agent=AgentInput("钱代办", "resident_id", agent_number, "13600009999"),
        )  # fmt: skip
    with pytest.raises(ServiceError, match="未办结"), demo_store.write() as s:  # a case open
        erase_applicant(s, admin, a.id, "本人申请删除")
    with demo_store.write() as s:
        advance(s, clerk, case_id, "withdraw", "申请人撤回")
    with pytest.raises(PermissionDenied), demo_store.write() as s:  # a clerk may not
        erase_applicant(s, clerk, a.id, "本人申请删除")
    with pytest.raises(ServiceError, match="保存期限"), demo_store.write() as s:
        erase_applicant(s, admin, a.id, "本人申请删除")  # 30 years by default
    with demo_store.write() as s:
        set_retention_years(s, admin, 5)
    clock.advance(days=366 * 5 + 2)
    with demo_store.write() as s:
        erase_applicant(s, admin, a.id, "本人申请删除（个人信息保护法第四十七条）")
    with demo_store.write() as s:
        row = s.get(Applicant, a.id)
        assert row.erased_at is not None and row.name == "赵删除"  # the record keeps the name
        assert (row.id_number, row.phone, row.address) == ("", "", "")
        key = s.get(PersonKey, a.id)
        assert key.wrapped == "" and key.erased_at is not None
        case = s.get(ServiceCase, case_id)
        assert (case.agent_id_number, case.agent_phone) == ("", "")
        assert find_applicant(s, clerk, "resident_id", number) is None
        assert reveal_id(s, clerk, a.id, "verify_identity") == "（已删除）"
        view = load_case(s, clerk, case_id, clock.today())
        assert view.applicant.id_masked == "（已删除）" and view.applicant.phone == ""
        erased = s.exec(select(Event).where(Event.kind == "applicant.erased")).one()
        assert "本人申请删除" in erased.payload and phone not in erased.payload
        assert verify_chain(s, admin.station_code) == []
        # the earlier payloads still hold the ciphertext, now unreadable for good
        registered = s.exec(
            select(Event).where(Event.kind == "applicant.registered", Event.entity_id == a.id)
        ).one()
        assert "enc1:" in registered.payload
        # the same person may be registered again, as a new applicant
        again = register_applicant(s, clerk, id_type="resident_id", id_number=number, name="赵删除")
        assert again.id != a.id
    out = CliRunner().invoke(
        main,
        ["audit", "verify", "--store", demo_store.url, "--user", "admin"],
        env={"HALLTERM_PASSWORD": "admin1234"},
    )
    assert out.exit_code == 0, out.output


def test_erase_command_needs_an_admin(demo_store: Store, clock):
    clerk = ctx_of(demo_store, "clerk", clock)
    number = rid("11010119600101555")
    with demo_store.write() as s:
        register_applicant(s, clerk, id_type="resident_id", id_number=number, name="孙某")
    demo_store.dispose()
    path = demo_store.url.removeprefix("sqlite:///")
    runner = CliRunner()
    out = runner.invoke(
        main,
        ["applicant", "erase", number, "--reason", "test", "--store", path, "--user", "clerk"],
        env={"HALLTERM_PASSWORD": "clerk1234"},
    )
    assert out.exit_code != 0
    out = runner.invoke(
        main,
        ["applicant", "erase", number, "--reason", "本人申请", "--store", path, "--user", "admin"],
        env={"HALLTERM_PASSWORD": "admin1234"},
    )
    assert out.exit_code != 0 and "保存期限" in out.output  # registered today: retention runs


def test_only_admins_may_erase():
    from hallterm.domain.roles import Permission, allowed

    assert allowed("admin", Permission.erase_personal)
    assert not any(allowed(r, Permission.erase_personal) for r in ("clerk", "supervisor"))


def test_rows_from_before_encryption_are_encrypted_by_migrate(demo_store: Store, clock):
    from hallterm.db.privacy.station import encrypt_legacy

    clerk = ctx_of(demo_store, "clerk", clock)
    number = rid("11010119550505666")
    with demo_store.write() as s:  # a row as an older hallterm wrote it (clear, no index)
        s.add(
            Applicant(
                id="legacy-1", kind="person", name="老记录", id_type="resident_id",
                id_number=number, phone="13500001111", address="老街1号", station_code="3299",
                created_at=clock.now(), id_index="legacy:legacy-1",
            )
        )  # fmt: skip
    with demo_store.write() as s:
        assert find_applicant(s, clerk, "resident_id", number) is None  # not indexed yet
        assert encrypt_legacy(s, clerk) == 1
        assert encrypt_legacy(s, clerk) == 0  # safe to run again
    with demo_store.write() as s:
        row = s.get(Applicant, "legacy-1")
        assert row.id_number.startswith("enc1:") and row.phone.startswith("enc1:")
        found = find_applicant(s, clerk, "resident_id", number)
        assert found is not None and found.phone == "13500001111"
        event = s.exec(select(Event).where(Event.kind == "applicant.encrypted")).one()
        assert number not in event.payload
