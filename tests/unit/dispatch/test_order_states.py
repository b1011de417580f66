"""The order state machine: every action is allowed only from its listed states, and the
refusal names what is allowed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.dispatch.orders.domain import (
    ALTERNATIVES,
    FINAL,
    ORDER_MACHINE,
    Action,
    EscalationLevel,
    OrderState,
    Triage,
    TriageDecision,
    after_rating,
    next_level,
    next_state,
)
from shared.errors import Conflict, InvalidInput


@given(st.sampled_from(list(OrderState)), st.sampled_from(list(ORDER_MACHINE.transitions)))
def test_an_action_moves_an_order_only_from_its_listed_states(state: OrderState, action: Action) -> None:
    sources, target = ORDER_MACHINE.transitions[action].sources, ORDER_MACHINE.transitions[action].target
    if state in sources:
        assert next_state(state, action) == (target or state)
    else:
        with pytest.raises(Conflict) as refused:
            next_state(state, action)
        assert refused.value.code == "illegal_transition"
        assert state.label in refused.value.message


@given(st.sampled_from(sorted(FINAL)), st.sampled_from(list(ORDER_MACHINE.transitions)))
def test_nothing_moves_a_finished_order(state: OrderState, action: Action) -> None:
    with pytest.raises(Conflict):
        next_state(state, action)


def test_accepting_a_closed_order_says_it_is_finished() -> None:
    with pytest.raises(Conflict) as refused:
        next_state(OrderState.closed, Action.accept)
    assert "已办结" in refused.value.message
    assert "工单已结束" in refused.value.message


def test_the_refusal_lists_what_may_be_done_instead() -> None:
    with pytest.raises(Conflict) as refused:
        next_state(OrderState.submitted, Action.accept)
    assert "分流：小事派单" in refused.value.message
    assert "triage_dispatch" in refused.value.details["allowed"]


def test_rating_and_decline_lead_only_to_their_alternatives() -> None:
    assert next_state(OrderState.confirmed, Action.rate, OrderState.follow_up) == OrderState.follow_up
    assert next_state(OrderState.offered, Action.decline, OrderState.offered) == OrderState.offered
    for action, choices in ALTERNATIVES.items():
        for state in set(OrderState) - choices:
            with pytest.raises(ValueError, match="cannot lead"):
                next_state(next(iter(ORDER_MACHINE.transitions[action].sources)), action, state)


@given(st.integers(min_value=1, max_value=5))
def test_a_rating_of_one_or_two_schedules_a_follow_up_visit(rating: int) -> None:
    assert after_rating(rating) == (OrderState.follow_up if rating <= 2 else OrderState.closed)


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_ratings_outside_one_to_five_are_refused(rating: int) -> None:
    with pytest.raises(InvalidInput):
        after_rating(rating)


def test_escalation_climbs_compound_community_street_and_stops() -> None:
    assert next_level(EscalationLevel.compound) == EscalationLevel.community
    assert next_level(EscalationLevel.community) == EscalationLevel.street
    assert next_level(EscalationLevel.street) is None


def test_triage_outcomes_need_their_fields() -> None:
    for decision, says in (
        (TriageDecision(Triage.major), "承办部门"),
        (TriageDecision(Triage.private), "建议"),
        (TriageDecision(Triage.major, refer_to_deliberation=True, department="区住建局"), "只有小事"),
    ):
        with pytest.raises(InvalidInput) as refused:
            decision.check()
        assert says in refused.value.message
    assert TriageDecision(Triage.minor, refer_to_deliberation=True).action == Action.triage_deliberate
    assert TriageDecision(Triage.minor).action == Action.triage_dispatch
