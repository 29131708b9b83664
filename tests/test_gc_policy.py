"""The garbage collector's policy: full passes in pauses, long-lived data frozen, thawed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from hallterm import gc_policy
from hallterm.gc_policy import BACKSTOP, IDLE_S, THAW_EVERY_S, THAW_IDLE_S, GcPolicy


class Node:
    """A cycle the collector, not reference counting, has to free."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def restore_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def old_garbage() -> weakref.ref[Node]:
    """A cycle that a young pass promoted to the old generation, then dropped."""
    node = Node()
    gc.collect(1)  # survives a young pass: now old, and a full pass is due
    ref = weakref.ref(node)
    del node
    return ref


def test_install_keeps_python_own_full_passes_as_a_backstop() -> None:
    GcPolicy().install()
    assert gc.get_threshold()[2] == BACKSTOP


def test_no_full_pass_while_keys_come_one_in_a_pause() -> None:
    policy = GcPolicy(FakeClock())
    ref = old_garbage()
    assert policy.tick(idle=IDLE_S / 2) is None
    assert ref() is not None  # still there: keys are coming
    assert policy.tick(idle=IDLE_S) == "full"
    assert ref() is None
    assert gc.get_freeze_count() > 0  # what survived is out of the next passes
    assert policy.tick(idle=IDLE_S * 2) is None  # nothing new promoted: no pass


def test_settle_freezes_and_thaw_frees_what_died_frozen() -> None:
    clock = FakeClock()
    policy = GcPolicy(clock)
    node = Node()
    ref = weakref.ref(node)
    policy.settle()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    del node  # frozen garbage: passes do not see it
    old_garbage()
    assert policy.tick(idle=IDLE_S) == "full" and ref() is not None
    clock.now += THAW_EVERY_S
    assert policy.tick(idle=IDLE_S) != "thaw"  # a short pause is not enough to thaw
    assert policy.tick(idle=THAW_IDLE_S) == "thaw"
    assert ref() is None and gc.get_freeze_count() > 0


def test_thaw_comes_at_a_short_pause_once_much_more_is_frozen() -> None:
    policy = GcPolicy(FakeClock())
    policy.settle()
    kept = [Node() for _ in range(gc.get_freeze_count())]  # as much again, frozen below
    gc.freeze()
    ref = weakref.ref(kept[0])
    del kept
    assert policy.tick(idle=IDLE_S) == "thaw"
    assert ref() is None


def test_python_full_pass_survivors_are_frozen_at_the_next_tick() -> None:
    policy = GcPolicy(FakeClock())
    gc.unfreeze()
    gc.collect()  # as Python's own full pass would
    assert policy.tick(idle=0.0) == "freeze"
    assert gc.get_freeze_count() > 0
    assert policy.tick(idle=0.0) is None


async def test_the_app_ticks_the_policy_with_the_time_since_the_last_key(
    demo_store, settings, clock, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from hallterm.app import create_app

    idles: list[float] = []
    monkeypatch.setattr(gc_policy.POLICY, "tick", idles.append)
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        assert gc.get_threshold()[2] == BACKSTOP
        app._last_input -= 100  # a long pause
        app._gc_tick()
        paused = idles[-1]
        await pilot.press("a")
        app._gc_tick()
        typed = idles[-1]
    assert paused >= 100 and typed < 10
