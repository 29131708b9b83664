"""Start-up time: process start → login screen ready, against a bare Textual app.

Both run headless in a fresh interpreter the same way; each reports the wall time from the
moment its parent started it to its first screen being ready (then leaves at once), several
times over, and the medians are compared.  Goal: ratio ≤ 2 (heavy libraries are imported lazily).

    python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = r"""
import os, sys, time
kind, store, t0 = sys.argv[1], sys.argv[2], float(sys.argv[3])


def ready():
    print(time.time() - t0, flush=True)
    os._exit(0)

if kind == "bare":
    from textual.app import App
    from textual.widgets import Footer, Header, Input

    class Bare(App):
        def compose(self):
            yield Header()
            yield Input(placeholder="user name")
            yield Input(password=True)
            yield Footer()

        def on_mount(self):
            self.call_after_refresh(ready)

    Bare().run(headless=True, size=(120, 40))
else:
    from hallterm.app import create_app
    from hallterm.config import Settings
    from hallterm.db.engine import Store
    from hallterm.screens.login import LoginScreen

    app = create_app(Store(store), Settings(idle_lock_minutes=0))

    orig = app.push_screen

    def push_screen(screen, *a, **k):
        result = orig(screen, *a, **k)
        if isinstance(screen, LoginScreen):
            app.call_after_refresh(ready)
        return result

    app.push_screen = push_screen
    app.run(headless=True, size=(120, 40))
"""


def run_once(kind: str, store: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", TARGET, kind, store, repr(time.time())],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from hallterm.demo import prepare_demo

    with tempfile.TemporaryDirectory() as tmp:
        store = str(prepare_demo(Path(tmp)).store_path)
        run_once("bare", store)  # warm the OS file cache for both
        run_once("hallterm", store)
        bare = [run_once("bare", store) for _ in range(args.runs)]
        ours = [run_once("hallterm", store) for _ in range(args.runs)]
    b, o = statistics.median(bare), statistics.median(ours)
    print(
        f"bare Textual app : median {b * 1000:7.1f} ms  ({', '.join(f'{x * 1000:.0f}' for x in bare)})"
    )
    print(
        f"hallterm login   : median {o * 1000:7.1f} ms  ({', '.join(f'{x * 1000:.0f}' for x in ours)})"
    )
    print(f"ratio            : {o / b:.2f}")
    print(
        f"SUMMARY measure=startup_to_login_ms value={o * 1000:.0f} baseline={b * 1000:.0f} ratio={o / b:.2f} goal=ratio<=2"
    )


if __name__ == "__main__":
    main()
