"""Sign-in timing: an unknown user name against a known one with a wrong password.

Both go through the product's own ``login`` use case on a fresh demo store, with default
settings (argon2id parameters, the terminal throttle), one write transaction per attempt
as at the login screen. Attempts are interleaved (wrong password, unknown user, …); each
uses its own terminal name so the throttle never answers instead of the password check,
and the account's failure counter is reset outside the timed part so it never locks. The
figure is the ratio of the medians; goal: within 20 % of 1 (0.8 … 1.25).

    python bench/login_timing.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import select

from hallterm.clock import Clock
from hallterm.db.engine import Store
from hallterm.db.models import Staff
from hallterm.db.services import SYSTEM, Ctx
from hallterm.db.services.staff import login
from hallterm.demo import prepare_demo

os.environ.setdefault(
    "HALLTERM_STORE_PASSPHRASE", "bench-station-passphrase"
)  # as a start script gives it


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        info = prepare_demo(Path(tmp) / "demo")
        store = Store(str(info.store_path))
        ctx = Ctx(actor=SYSTEM, station_code="3299", clock=Clock())
        timings: dict[str, list[float]] = {"wrong": [], "unknown": []}
        for i in range(args.runs):
            for kind, name in (("wrong", "clerk"), ("unknown", "nobody-here")):
                with store.write() as s:
                    row = s.exec(select(Staff).where(Staff.username == "clerk")).one()
                    row.failed_logins, row.locked_until = 0, None
                    s.add(row)
                t0 = time.perf_counter()
                with store.write() as s:
                    result = login(s, ctx, name, "not-the-password", f"bench-{i}-{kind}")
                timings[kind].append(time.perf_counter() - t0)
                assert result.actor is None
        store.dispose()
    wrong = statistics.median(timings["wrong"]) * 1000
    unknown = statistics.median(timings["unknown"]) * 1000
    print(f"wrong password: median {wrong:.1f} ms over {args.runs}")
    print(f"unknown user:   median {unknown:.1f} ms over {args.runs}")
    print(
        f"SUMMARY measure=unknown_user_login_ms value={unknown:.1f} baseline={wrong:.1f} "
        f"ratio={unknown / wrong:.3f} goal=0.8..1.25"
    )


if __name__ == "__main__":
    main()
