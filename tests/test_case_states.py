"""The case state machine: every (status, action) pair, allowed or rejected."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hallterm.domain.case_states import (
    OPEN_STATES,
    TRANSITIONS,
    CaseAction,
    CaseStateError,
    CaseStatus,
    IllegalTransition,
    UnknownMove,
    action_label,
    allowed_actions,
    is_open,
    status_label,
    transition,
)
from hallterm.i18n import set_language

S, A = CaseStatus, CaseAction


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    set_language("zh_CN")
    yield
    set_language("zh_CN")


# The moves of DESIGN §3, written out independently of the module.
EXPECTED: dict[tuple[CaseStatus, CaseAction], CaseStatus] = {
    (S.registered, A.accept): S.accepted,
    (S.registered, A.notify): S.notified,
    (S.registered, A.refuse): S.refused,
    (S.notified, A.accept): S.accepted,
    (S.notified, A.notify): S.notified,
    (S.notified, A.refuse): S.refused,
    (S.accepted, A.start_review): S.in_review,
    (S.accepted, A.approve): S.approved,
    (S.in_review, A.suspend): S.suspended,
    (S.in_review, A.approve): S.approved,
    (S.in_review, A.deny): S.denied,
    (S.suspended, A.resume): S.in_review,
    (S.approved, A.deliver): S.delivered,
    (S.denied, A.deliver): S.delivered,
    (S.registered, A.withdraw): S.withdrawn,
    (S.notified, A.withdraw): S.withdrawn,
    (S.accepted, A.withdraw): S.withdrawn,
    (S.in_review, A.withdraw): S.withdrawn,
    (S.suspended, A.withdraw): S.withdrawn,
}

ALL_PAIRS = [(s, a) for s in CaseStatus for a in CaseAction]


def test_open_states() -> None:
    assert {
        S.registered,
        S.notified,
        S.accepted,
        S.in_review,
        S.suspended,
        S.approved,
    } == OPEN_STATES
    assert is_open("in_review")
    assert not is_open(S.delivered)


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS)
def test_every_pair(status: CaseStatus, action: CaseAction) -> None:
    if (status, action) in EXPECTED:
        assert transition(status, action) is EXPECTED[status, action]
        assert transition(str(status), str(action)) is EXPECTED[status, action]
        assert action in allowed_actions(status)
    else:
        with pytest.raises(IllegalTransition) as exc:
            transition(status, action)
        assert exc.value.status is status
        assert exc.value.action is action
        assert isinstance(exc.value, ValueError)
        assert action not in allowed_actions(status)


def test_table_is_exactly_the_design() -> None:
    assert dict(TRANSITIONS) == EXPECTED
    assert len(ALL_PAIRS) == 100


def test_closed_states_allow_nothing_but_delivery_of_a_denial() -> None:
    assert allowed_actions(S.refused) == []
    assert allowed_actions(S.delivered) == []
    assert allowed_actions(S.withdrawn) == []
    assert allowed_actions(S.denied) == [A.deliver]


def test_allowed_actions_order() -> None:
    assert allowed_actions("registered") == [A.accept, A.notify, A.refuse, A.withdraw]
    assert allowed_actions(S.in_review) == [A.suspend, A.approve, A.deny, A.withdraw]


def test_full_paths() -> None:
    status = S.registered
    for action in (
        A.notify,
        A.notify,
        A.accept,
        A.start_review,
        A.suspend,
        A.resume,
        A.approve,
        A.deliver,
    ):
        status = transition(status, action)
    assert status is S.delivered
    assert transition(transition(S.registered, A.accept), A.approve) is S.approved  # 即办件


def test_message_in_chinese() -> None:
    with pytest.raises(IllegalTransition) as exc:
        transition(S.notified, A.approve)
    assert str(exc.value) == "办件状态为“待补正材料”，不能执行“准予”"


def test_message_in_english() -> None:
    set_language("en")
    try:
        with pytest.raises(IllegalTransition) as exc:
            transition(S.delivered, A.withdraw)
        assert str(exc.value) == "Cannot withdraw a case that is delivered"
        assert status_label(S.in_review) == "in review"
        assert action_label(A.start_review) == "start review"
    finally:
        set_language("zh_CN")


def test_labels_translated() -> None:
    labels = {status_label(s) for s in CaseStatus}
    assert len(labels) == len(CaseStatus)
    assert status_label("in_review") == "审查中"
    assert status_label(S.withdrawn) == "已撤回"
    assert action_label("accept") == "受理"
    assert action_label(A.notify) == "一次性告知"
    for a in CaseAction:
        assert action_label(a)
        assert action_label(a) != a.value  # every action label has a translation


def test_unknown_values() -> None:
    with pytest.raises(ValueError):
        transition("lost", "accept")
    with pytest.raises(ValueError):
        transition("registered", "shred")


def test_no_withdrawal_after_a_decision() -> None:
    with pytest.raises(IllegalTransition) as exc:
        transition(S.approved, A.withdraw)
    assert str(exc.value) == "办件状态为“准予许可”，不能执行“撤回”"
    assert A.withdraw not in allowed_actions(S.approved)
    assert allowed_actions(S.approved) == [A.deliver]


@pytest.mark.parametrize(
    ("status", "action", "zh", "en"),
    [
        ("registered", "explode", "未知的办件操作“explode”", "Unknown case action “explode”"),
        ("lost", "accept", "未知的办件状态“lost”", "Unknown case status “lost”"),
    ],
)
def test_unknown_moves_raise_the_domain_error_translated(
    status: str, action: str, zh: str, en: str
) -> None:
    with pytest.raises(UnknownMove) as exc:
        transition(status, action)
    assert isinstance(exc.value, CaseStateError)
    assert str(exc.value) == zh
    set_language("en")
    with pytest.raises(CaseStateError) as exc2:
        transition(status, action)
    assert str(exc2.value) == en
