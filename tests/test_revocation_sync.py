"""A revocation made at one station reaches central and, through the pull feed, every station."""

from __future__ import annotations

from sqlmodel import select
from test_sync_support import make_central, make_station

from hallterm.db.models_certificates import Certificate, Revocation
from hallterm.db.services import Actor, Ctx
from hallterm.db.services.certificates import revoke, revoked_numbers
from hallterm.db.sync.runner import sync_once


def test_revocation_reaches_every_station(tmp_path, clock):
    central = make_central(str(tmp_path / "central.db"), clock, ("A", "B"))
    a = make_station(str(tmp_path / "a.db"), "A", clock)
    b = make_station(str(tmp_path / "b.db"), "B", clock)
    number = "SPJY.A.2026.000001.1X"
    with a.write() as s:
        s.add(
            Certificate(
                number=number,
                case_id="c1",
                station_code="A",
                certificate_type="食品经营许可证",
                holder="赵丽华",
                record="{}",
                issued_at=clock.now(),
                issued_by="clerka",
            )
        )
    supervisor = Actor(
        staff_id="", username="supa", name="王建国", role="supervisor", station_code="A"
    )
    with a.write() as s:
        revoke(s, Ctx(actor=supervisor, station_code="A", clock=clock), number, "许可条件已不具备")
    sync_once(a, central, clock=clock)
    with central.read() as s:
        assert number in {r.number for r in s.exec(select(Revocation))}
    sync_once(b, central, clock=clock)
    with b.read() as s:
        row = s.get(Revocation, number)
        assert row is not None and row.reason == "许可条件已不具备"
        assert number in revoked_numbers(s)  # what `hallterm verify` checks at station B
    for st in (central, a, b):
        st.dispose()


def test_verify_asks_central_when_reachable(tmp_path, clock):
    """`hallterm verify --central` uses central's list; an unreachable central is said, not fatal."""
    from click.testing import CliRunner

    from hallterm.cli.certificates import _central_revocations

    central = make_central(str(tmp_path / "central.db"), clock, ("A",))
    with central.write() as s:
        s.add(
            Revocation(
                number="N1", station_code="A", reason="r", revoked_at=clock.now(), revoked_by="x"
            )
        )
    central.dispose()
    runner = CliRunner()
    with runner.isolation():
        assert _central_revocations(str(tmp_path / "central.db")) == {"N1"}
        assert _central_revocations("postgresql://nobody@127.0.0.1:1/none") == set()
