"""Central holds ciphertext and blind indexes only; erasure reaches it (PostgreSQL)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import datetime

import psycopg
from sqlmodel import select
from test_sync_support import (
    ON_SPOT,
    ServiceThread,
    clerk_ctx,
    enrol,
    make_central,
    station_copy,
)

from hallterm.clock import FrozenClock
from hallterm.db.events import verify_chain
from hallterm.db.models import Applicant, ServiceCase
from hallterm.db.models_sync import SyncPersonLink
from hallterm.db.privacy.erasure import erase_applicant, set_retention_years
from hallterm.db.services.applicants import register_applicant
from hallterm.db.services.cases import AgentInput, advance, start_case
from hallterm.db.sync.runner import sync_once
from hallterm.domain.ids import resident_id_check_char


def rid(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def dump(url: str) -> str:
    """Central's whole database as text: ``pg_dump`` when installed, else every table's rows
    through ``COPY … TO STDOUT``."""
    if shutil.which("pg_dump"):
        return subprocess.run(
            ["pg_dump", "--data-only", url], check=True, capture_output=True, text=True
        ).stdout
    out: list[str] = []
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        for t in tables:
            with conn.cursor().copy(f'COPY "{t}" TO STDOUT') as copy:
                out.extend(bytes(chunk).decode("utf-8") for chunk in copy)
    return "".join(out)


def settle(station, client, clock) -> None:
    for _ in range(4):
        s = sync_once(station, client, batch=50, clock=clock)
        assert not s.refused
        if s.pushed == s.duplicates == s.pulled == 0:
            return
    raise AssertionError("sync did not settle")


def test_central_dump_holds_no_personal_data_and_follows_erasure(
    pg_url, tmp_path, tmp_path_factory
):
    clock = FrozenClock(datetime(2026, 11, 27, 2))
    central = make_central(pg_url, clock, ("A1",))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    ctx = clerk_ctx("A1", clock)
    admin = replace(ctx, actor=replace(ctx.actor, role="admin"))
    people = [
        (rid(f"11010119800101{i:03d}"), f"1390000{i:04d}", f"江川市东街{i}号") for i in range(1, 6)
    ]
    agent = (rid("11010119700707123"), "13611112222")
    ids = []
    with a.write() as s:
        for i, (number, phone, address) in enumerate(people):
            v = register_applicant(
                s, ctx, id_type="resident_id", id_number=number, name=f"人{i}", phone=phone,
                address=address,
            )  # fmt: skip
            ids.append(v.id)
        case_id = start_case(
            s, ctx, applicant_id=ids[0], matter_codes=[ON_SPOT],
            agent=AgentInput("代办人", "resident_id", agent[0], agent[1]),
        )  # fmt: skip
    secrets = {v for p in people for v in p[:2]} | set(agent)
    with ServiceThread(pg_url, clock) as svc:
        client = enrol(a, central, "A1", svc.url, clock)
        settle(a, client, clock)
        text = dump(pg_url)
        assert "enc1:" in text and [v for v in secrets if v in text] == []
        with central.read() as s:
            assert s.get(SyncPersonLink, ids[0]) is not None
        # erasure at the station reaches central's copy
        with a.write() as s:
            advance(s, ctx, case_id, "withdraw", "撤回")
            set_retention_years(s, admin, 1)
        clock.advance(days=800)
        with a.write() as s:
            erase_applicant(s, admin, ids[0], "本人申请删除")
        settle(a, client, clock)
        with central.read() as s:
            row = s.get(Applicant, ids[0])
            assert row.erased_at is not None and row.id_number == "" and row.phone == ""
            case = s.get(ServiceCase, case_id)
            assert case.agent_id_number == case.agent_phone == ""
            assert s.get(SyncPersonLink, ids[0]) is None
            assert verify_chain(s, "A1") == []
            assert s.exec(select(Applicant).where(Applicant.id == ids[1])).one().id_index
        client.close()
    a.dispose()
    central.dispose()
