"""Which terminal this process runs on: host name and controlling terminal.

The sign-in throttle counts failed sign-ins per terminal, so one person at one keyboard
cannot lock every account.  ``HALLTERM_TERMINAL`` names the terminal explicitly.
"""

from __future__ import annotations

import os
import socket


def terminal_id() -> str:
    named = os.environ.get("HALLTERM_TERMINAL", "").strip()
    if named:
        return named[:200]
    tty = ""
    for fd in (0, 1, 2):
        try:
            tty = os.ttyname(fd)
            break
        except OSError:
            continue
    return f"{socket.gethostname()}:{tty or 'no-tty'}"[:200]
