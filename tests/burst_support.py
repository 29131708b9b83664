"""Feeding keys as one burst, the way a scanner, a paste or a slow SSH link delivers them.

``burst`` puts every key event in the app's queue at once with no pause in between
(``Pilot.press`` waits after each key, which hides ordering races).  ``burst_bytes`` goes
through the terminal driver's own parser: raw bytes in, the key events it makes posted at
once.  ``drain`` waits until every key has been handed on and its work has settled.

``press_as_burst`` stands in for ``Pilot.press`` in the whole suite (``conftest.py``).
Textual's own press waits for the app to go idle after every key (two idle checks of at least
20 ms each), which made the desk's UI tests mostly waiting: a test typing 260 keys spent ~10 s
of its ~26 s asleep.  The app hands on a burst in order (``KeyOrder``, issue 13), so the suite
types the way a scanner does and then waits, once, for the keys to be handed on and the app
to go idle.
"""

from __future__ import annotations

import asyncio
import time
import unicodedata

from pilot_support import settle
from textual import events
from textual._xterm_parser import XTermParser
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot


def key_event(key: str) -> events.Key:
    """The event ``Pilot.press`` would make for ``key``."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


def burst(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Every key into the app's queue at once: no await between them."""
    app = pilot.app
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app._driver.send_message(event)


def burst_bytes(pilot, data: str) -> None:  # type: ignore[no-untyped-def]
    """Raw terminal input through the driver's parser, its events posted at once."""
    app = pilot.app
    parser = XTermParser(debug=False)
    for event in parser.feed(data):
        if isinstance(event, events.Key):
            event.set_sender(app)
            app._driver.send_message(event)


async def drain(pilot, rounds: int = 200) -> None:  # type: ignore[no-untyped-def]
    """Until no key is waiting to be handed on and the work it started has settled."""
    for _ in range(rounds):
        await settle(pilot, 1)
        if not getattr(pilot.app, "keys_pending", 0):
            break
    await settle(pilot)


_textual_press = Pilot.press
_PRESS_TIMEOUT = 30.0  # seconds, as Textual's own wait for a screen


async def press_as_burst(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """``Pilot.press``: the keys as one burst, then until every one is handed on and the app
    is idle.  An app without ``KeyOrder`` gets Textual's own press."""
    app = pilot.app
    if not keys or not hasattr(app, "keys_pending"):
        await _textual_press(pilot, *keys)
        return
    burst(pilot, *keys)
    deadline = time.monotonic() + _PRESS_TIMEOUT
    while True:
        await pilot._wait_for_screen()
        if not app.keys_pending:
            break
        assert time.monotonic() < deadline, f"{app.keys_pending} keys still not handed on"
        await asyncio.sleep(0.001)
    await pilot.pause()
