"""Start-up time: the real ``hallterm --store X`` command → login screen painted, against a
bare Textual app started the same way.

Each run starts a fresh process in a pseudo-terminal of 100×32 (the real driver, not headless)
and stops the clock when the terminal has received the login screen's password label; the
bare app shows the same label. Runs are interleaved (bare, hallterm, bare, …) and the medians
compared. Goal: ratio ≤ 2.

    python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

BARE = """
from textual.app import App
from textual.widgets import Footer, Header, Input, Label


class Bare(App):
    def compose(self):
        yield Header()
        yield Label("用户名")
        yield Input(placeholder="用户名")
        yield Label("密码")
        yield Input(password=True)
        yield Footer()


Bare().run()
"""
MARKER = "密码".encode()
TIMEOUT_S = 30.0


def time_to_marker(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from starting ``argv`` in a 100×32 pty until the marker has been painted."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 32, 100, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    seen = b""
    try:
        while time.perf_counter() - start < TIMEOUT_S:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen += chunk
            if MARKER in seen:
                return time.perf_counter() - start
        raise RuntimeError(f"{argv[0]} did not paint its login screen: {seen[-400:]!r}")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(master)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    from hallterm.db.privacy.keyring import ENV_PASSPHRASE
    from hallterm.demo import demo_store_passphrase, prepare_demo

    hallterm = shutil.which("hallterm", path=str(Path(sys.executable).parent)) or "hallterm"
    with tempfile.TemporaryDirectory() as tmp:
        store = str(prepare_demo(Path(tmp) / "demo").store_path)
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE)
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "HALLTERM_CONFIG": str(Path(tmp) / "config.toml"),
            "HALLTERM_LANG": "zh_CN",
            # The station passphrase as a hall's start script gives it (else it is asked).
            ENV_PASSPHRASE: demo_store_passphrase(),
        }
        commands = {
            "bare": [sys.executable, str(bare_script)],
            "hallterm": [hallterm, "--store", store],
        }
        for argv in commands.values():  # warm the OS file cache for both
            time_to_marker(argv, env)
        times: dict[str, list[float]] = {"bare": [], "hallterm": []}
        for _ in range(args.runs):
            for kind, argv in commands.items():
                times[kind].append(time_to_marker(argv, env))
    b, o = statistics.median(times["bare"]), statistics.median(times["hallterm"])
    for kind, label in (("bare", "bare Textual app"), ("hallterm", "hallterm --store")):
        runs = ", ".join(f"{x * 1000:.0f}" for x in times[kind])
        print(f"{label:<17}: median {statistics.median(times[kind]) * 1000:7.1f} ms  ({runs})")
    print(
        f"SUMMARY measure=startup_to_login_ms value={o * 1000:.0f} baseline={b * 1000:.0f} "
        f"ratio={o / b:.2f} goal=ratio<=2"
    )


if __name__ == "__main__":
    main()
