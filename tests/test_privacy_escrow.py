"""Person keys reach central as escrow copies: recovery from an older backup, transfers (通办),
erasure of every copy, and what a station role may see of them (PostgreSQL)."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select
from test_privacy_central import dump
from test_sync_support import (
    ON_SPOT,
    ServiceThread,
    clerk_ctx,
    enrol,
    make_central,
    resident_id,
    station_copy,
)

from hallterm.db.engine import Store
from hallterm.db.models import Applicant
from hallterm.db.models_privacy import PersonKey
from hallterm.db.privacy.erasure import erase_applicant, set_retention_years
from hallterm.db.privacy.personal import ENCRYPTED, open_applicant
from hallterm.db.services.applicants import register_applicant, reveal_id, view
from hallterm.db.services.cases import advance, start_case
from hallterm.db.services.setup import get_info
from hallterm.db.sync.central import central_ctx, transfer_case
from hallterm.db.sync.central.blind import ESCROW_INFO
from hallterm.db.sync.roles import station_role
from hallterm.db.sync.runner import sync_once
from hallterm.domain.ids import mask_id
from hallterm.i18n import _


def settle(station, client, clock) -> None:  # type: ignore[no-untyped-def]
    for _round in range(5):
        s = sync_once(station, client, batch=50, clock=clock)
        assert not s.refused
        if s.pushed == s.duplicates == s.pulled == 0:
            return
    raise AssertionError("sync did not settle")


def person(n: int) -> tuple[str, str, str]:
    return resident_id("110101", n), f"1390000{n:04d}", f"江川市东街{n}号"


def register(store: Store, code: str, clock, ns: range) -> dict[str, tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    out = {}
    with store.write() as s:
        for n in ns:
            number, phone, address = person(n)
            v = register_applicant(
                s, clerk_ctx(code, clock), id_type="resident_id", id_number=number,
                name=f"人{n}", phone=phone, address=address,
            )  # fmt: skip
            out[v.id] = (number, phone, address)
    return out


def assert_reads(store: Store, code: str, clock, people: dict[str, tuple[str, str, str]]) -> None:  # type: ignore[no-untyped-def]
    ctx = clerk_ctx(code, clock)
    with store.write() as s:
        for applicant_id, (number, phone, address) in people.items():
            row = s.get(Applicant, applicant_id)
            shown = view(s, row)
            assert (shown.id_masked, shown.phone, shown.address) == (
                mask_id(number),
                phone,
                address,
            )
            assert reveal_id(s, ctx, applicant_id, "verify_identity") == number


def test_recovery_from_an_older_backup_reads_every_person(
    any_url, tmp_path, tmp_path_factory, clock
):
    central = make_central(any_url, clock, ("A1",))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    with ServiceThread(any_url, clock) as svc:
        ca = enrol(a, central, "A1", svc.url, clock)
        before = register(a, "A1", clock, range(1, 3))
        settle(a, ca, clock)
        ca.close()
        a.dispose()
        shutil.copy(tmp_path / "a.db", tmp_path / "backup.db")  # the station's backup
        a = Store(str(tmp_path / "a.db"))
        ca = enrol(a, central, "A1", svc.url, clock)
        after = register(a, "A1", clock, range(3, 6))  # registered after the backup …
        settle(a, ca, clock)  # … their keys delivered with the events
        with a.read() as s:
            assert all(s.get(PersonKey, i).delivered for i in after)
        ca.close()
        a.dispose()

        restored = Store(str(tmp_path / "backup.db"))
        enrol(restored, central, "A1", svc.url, clock).close()
        restored.dispose()  # sync runs without the station passphrase having been used
        restored = Store(str(tmp_path / "backup.db"))
        cr = enrol_client(restored)
        summary = sync_once(restored, cr, clock=clock)
        assert summary.recovered > 0
        settle(restored, cr, clock)
        with restored.read() as s:  # kept as central's escrow copy, opened when needed
            assert all(s.get(PersonKey, i).escrow for i in after)
        assert_reads(restored, "A1", clock, before | after)
        with restored.read() as s:
            for applicant_id in after:
                assert open_applicant(s, s.get(Applicant, applicant_id)).readable
        cr.close()
        restored.dispose()
    central.dispose()


def enrol_client(store: Store):  # type: ignore[no-untyped-def]
    from hallterm.db.sync.enrol import client_for

    return client_for(store)


def _case_of(store: Store, code: str, clock, applicant_id: str) -> str:  # type: ignore[no-untyped-def]
    with store.write() as s:
        return start_case(
            s, clerk_ctx(code, clock), applicant_id=applicant_id, matter_codes=[ON_SPOT]
        )


def test_transfer_gives_the_receiving_station_the_key(any_url, tmp_path, tmp_path_factory, clock):
    central = make_central(any_url, clock, ("A1", "B1"))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    b = station_copy(tmp_path_factory, tmp_path / "b.db", "B1", clock)
    with ServiceThread(any_url, clock) as svc:
        ca = enrol(a, central, "A1", svc.url, clock)
        cb = enrol(b, central, "B1", svc.url, clock)
        people = register(a, "A1", clock, range(10, 12))
        mover = next(iter(people))
        case_id = _case_of(a, "A1", clock, mover)
        register(b, "B1", clock, range(20, 21))
        settle(a, ca, clock)
        settle(b, cb, clock)
        with b.read() as s:
            assert s.get(PersonKey, mover) is None
        with central.write() as s:
            transfer_case(s, central_ctx(clock), case_id, "B1")
        settle(b, cb, clock)
        assert_reads(b, "B1", clock, {mover: people[mover]})
        with b.read() as s:  # re-wrapped under B's own data key (B's keys were unlocked)
            assert s.get(PersonKey, mover).wrapped
        other = next(i for i in people if i != mover)
        with b.read() as s:  # only the transferred person's key came
            assert s.get(PersonKey, other) is None
        ca.close()
        cb.close()
    central.dispose()


def test_escrow_copies_at_central_are_ciphertext_and_each_stations_own(
    pg_url, tmp_path, tmp_path_factory, clock
):
    code_a, code_b = "A1", "B1"
    central = make_central(pg_url, clock, (code_a, code_b))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", code_a, clock)
    b = station_copy(tmp_path_factory, tmp_path / "b.db", code_b, clock)
    with ServiceThread(pg_url, clock) as svc:
        ca = enrol(a, central, code_a, svc.url, clock)
        cb = enrol(b, central, code_b, svc.url, clock)
        people = register(a, code_a, clock, range(30, 33))
        theirs = register(b, code_b, clock, range(40, 42))
        case_id = _case_of(a, code_a, clock, next(iter(people)))
        settle(a, ca, clock)
        settle(b, cb, clock)
        with central.write() as s:
            transfer_case(s, central_ctx(clock), case_id, code_b)
        settle(b, cb, clock)
        text_dump = dump(pg_url)
        secrets = {v for p in (people | theirs).values() for v in p}
        assert [v for v in secrets if v in text_dump] == []
        with central.read() as s:
            rows = s.exec(  # columns: the model's key is the applicant alone (station's)
                select(
                    PersonKey.station_code,
                    PersonKey.applicant_id,
                    PersonKey.escrow,
                    PersonKey.wrapped,
                )
            ).all()
            assert get_info(s, ESCROW_INFO).startswith("scrypt1:")  # under central's passphrase
        assert {(r.station_code, r.applicant_id) for r in rows} == (
            {(code_a, i) for i in people}
            | {(code_b, i) for i in theirs}
            | {(code_b, next(iter(people)))}
        )
        assert all(r.escrow.startswith("enc1:") and r.wrapped == "" for r in rows)
        # No key of the station's is in any table at central in clear or as the station
        # holds it (wrapped under its data key).
        with a.read() as s:
            local = {r.applicant_id: r.wrapped for r in s.exec(select(PersonKey))}
        assert [w for w in local.values() if w in text_dump] == []

        def as_station(code: str, statement: str, **params):  # type: ignore[no-untyped-def]
            with central.write() as s:
                station_role(s, code)
                return s.execute(text(statement), params).all()

        seen = {r[0] for r in as_station(code_b, "SELECT applicant_id FROM person_key")}
        assert seen == set(theirs) | {next(iter(people))}  # B's own rows only
        assert as_station(code_b, "UPDATE person_key SET escrow = '' WHERE station_code = :a "
                          "RETURNING applicant_id", a=code_a) == []  # fmt: skip
        with pytest.raises(DBAPIError, match="row-level security"):
            as_station(
                code_b,
                "INSERT INTO person_key (applicant_id, station_code, wrapped, escrow, created_at, "
                "delivered) VALUES ('x', :a, '', 'enc1:x', now(), true)",
                a=code_a,
            )
        # The service hands each station its own copies only.
        copies, _more = cb.own_keys("")
        assert {c[0] for c in copies} == set(theirs) | {next(iter(people))}
        ca.close()
        cb.close()
    with central.write() as s:
        from hallterm.db.sync.security import drop_station_role

        drop_station_role(s, code_a)
        drop_station_role(s, code_b)
    central.dispose()


def test_erasure_removes_every_escrow_copy(any_url, tmp_path, tmp_path_factory, clock):
    central = make_central(any_url, clock, ("A1", "B1"))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    b = station_copy(tmp_path_factory, tmp_path / "b.db", "B1", clock)
    ctx = clerk_ctx("A1", clock)
    admin = replace(ctx, actor=replace(ctx.actor, role="admin"))
    with ServiceThread(any_url, clock) as svc:
        ca = enrol(a, central, "A1", svc.url, clock)
        cb = enrol(b, central, "B1", svc.url, clock)
        people = register(a, "A1", clock, range(50, 52))
        gone, kept = list(people)
        case_id = _case_of(a, "A1", clock, gone)
        with a.write() as s:
            advance(s, ctx, case_id, "withdraw", "撤回")
            set_retention_years(s, admin, 1)
        settle(a, ca, clock)
        with central.write() as s:  # B is given the case, but pulls only after the erasure
            transfer_case(s, central_ctx(clock), case_id, "B1")
        with central.read() as s:
            assert s.exec(select(PersonKey).where(PersonKey.applicant_id == gone)).all()
        clock.advance(days=800)
        with a.write() as s:
            erase_applicant(s, admin, gone, "本人申请删除")
            row = s.get(PersonKey, gone)
            assert row.wrapped == row.escrow == "" and row.erased_at is not None
        settle(a, ca, clock)
        with central.read() as s:
            assert s.exec(select(PersonKey).where(PersonKey.applicant_id == gone)).all() == []
            assert s.exec(select(PersonKey).where(PersonKey.applicant_id == kept)).all()
        settle(b, cb, clock)
        with b.read() as s:
            assert s.get(PersonKey, gone) is None
            clear = open_applicant(s, s.get(Applicant, gone))
            assert not clear.readable and clear.id_number == _(ENCRYPTED)
        # A copy of an erased person sent again is never stored (and not sent again).
        _replies, _chain, stored = ca.push_with_keys([], [(gone, "enc1:AAAA")])
        assert stored == [gone]
        with central.read() as s:
            assert s.exec(select(PersonKey).where(PersonKey.applicant_id == gone)).all() == []
        ca.close()
        cb.close()
    central.dispose()
