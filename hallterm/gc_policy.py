"""When Python's cyclic garbage collector runs its full passes: in pauses, not on keystrokes.

Textual makes cyclic garbage as it draws (strips whose caches hold themselves, the virtual
nodes of every restyle: some 1,000 objects per keystroke in the catalog), so Python's full
(generation-2) passes keep coming, and each one walks every tracked object: the pypinyin
dictionaries (some 200,000 lists), the search index, the catalog's rows, the app.  Measured
with ``bench/search.py`` and ``gc.callbacks`` at 20,000 matters: full passes of 0.21-0.35 s,
four in a run, landing on whatever key was being handled (p99 up to 233 ms before this
policy; clearing up to 0.7 s).

The policy, one per process (``POLICY``), for every hallterm app:

* ``settle``: long-lived data just loaded (the search index, the catalog's rows) is moved
  out of the collector's way (``gc.freeze``), so passes no longer walk it;
* ``tick`` (the app calls it from a timer): once ``IDLE_S`` has passed without a key or a
  click, a full pass runs if any young pass has promoted objects since the last one, and
  what survives it is frozen too, so the next passes only walk what is new;
* frozen objects are never collected, so a frozen object that dies later (a closed screen)
  would stay: every ``THAW_EVERY_S``, after ``THAW_IDLE_S`` of quiet (or at the first
  ``IDLE_S`` pause once ``THAW_GROWTH`` times as much is frozen as the last thaw kept),
  everything is thawed, collected and what lives frozen again.  Memory stays bounded by
  what lives plus what died since the last thaw;
* Python's own full passes stay on, ``BACKSTOP`` young passes apart (its default: 10), for
  input that never pauses; what survives one is frozen at the next tick, so each walks
  only what came since the one before.

Young passes (generations 0 and 1) are left alone: they take 0.1-1.5 ms.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable

IDLE_S = 1.0  # no key or click for this long: a full pass may run
THAW_IDLE_S = 5.0  # the thawed pass walks everything (0.3-0.5 s): a longer pause
THAW_EVERY_S = 300.0
THAW_GROWTH = 1.5  # or sooner, at a short pause, once this much more is frozen than was kept
BACKSTOP = 10  # young (generation-1) passes between Python's own full passes (its default)


class GcPolicy:
    """Full passes of the cyclic collector in pauses; long-lived data frozen out of them."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._last_thaw = clock()
        self._frozen_base = gc.get_freeze_count()  # what the last thaw or settle kept
        self._full_passes = _full_passes()

    def install(self) -> None:
        """Python's own full passes ``BACKSTOP`` young passes apart (idempotent)."""
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, BACKSTOP)

    def settle(self) -> None:
        """Long-lived data was just loaded: keep it (and all that lives now) out of passes."""
        with self._lock:
            gc.freeze()
            self._frozen_base = gc.get_freeze_count()

    def tick(self, idle: float) -> str | None:
        """Run a pass if the app has been idle ``idle`` seconds and one is due.

        Returns what was done: ``"thaw"``, ``"full"``, ``"freeze"`` (Python ran a full pass
        since the last tick: what survived it is frozen) or ``None``.
        """
        with self._lock:
            passes = _full_passes()
            python_passed, self._full_passes = passes != self._full_passes, passes
            if idle >= IDLE_S:
                now = self._clock()
                base = self._frozen_base
                grown = base > 0 and gc.get_freeze_count() > THAW_GROWTH * base
                if grown or (idle >= THAW_IDLE_S and now - self._last_thaw >= THAW_EVERY_S):
                    gc.unfreeze()
                    gc.collect()
                    gc.freeze()
                    self._last_thaw = now
                    self._frozen_base = gc.get_freeze_count()
                    self._full_passes = _full_passes()
                    return "thaw"
                if gc.get_count()[2] != 0:  # young passes promoted objects since the last
                    gc.collect()
                    gc.freeze()
                    self._full_passes = _full_passes()
                    return "full"
            if python_passed:
                gc.freeze()
                return "freeze"
            return None


def _full_passes() -> int:
    """How many full (generation-2) passes Python has run."""
    return int(gc.get_stats()[2]["collections"])


POLICY = GcPolicy()
