"""The pure rules of issue 16: the emergency activation's lifecycle and graded levels, and
volunteer residents ranked after the party members."""

from __future__ import annotations

import pytest

from services.dispatch.matching.domain import AFTER_MEMBERS, OrderNeeds, Volunteer, rank_volunteers
from services.registry.emergency.domain import (
    ACTIVATION_MACHINE,
    ActivationState,
    ActivationStep,
    ResponseLevel,
    drill_tag,
    next_level,
)
from shared.errors import Conflict


def test_the_response_rises_compound_community_street_and_no_further() -> None:
    assert next_level(ResponseLevel.compound) is ResponseLevel.community
    assert next_level(ResponseLevel.community) is ResponseLevel.street
    assert next_level(ResponseLevel.street) is None


def test_a_closed_response_takes_no_answer_and_no_escalation() -> None:
    for step in (ActivationStep.acknowledge, ActivationStep.report, ActivationStep.escalate):
        assert ACTIVATION_MACHINE.fire(ActivationState.active, step) is ActivationState.active
        with pytest.raises(Conflict) as refused:
            ACTIVATION_MACHINE.fire(ActivationState.closed, step)
        assert refused.value.code == "illegal_transition"
    assert ACTIVATION_MACHINE.fire(ActivationState.active, ActivationStep.close) is ActivationState.closed


def test_a_drill_says_so() -> None:
    assert (drill_tag(True), drill_tag(False)) == ("【演练】", "")


def test_volunteers_come_after_the_members_with_the_reason_first() -> None:
    needs = OrderNeeds(("plumber",), requester_household_id=9)
    ranked = rank_volunteers(
        [
            Volunteer(3, 30, "吴老师", ("teacher",), 3),
            Volunteer(2, 20, "周阿姨", ("plumber",), 2, ("设备维护队",)),
            Volunteer(1, 10, "王师傅", ("plumber",), 9),  # the requester's own household
        ],
        needs,
        after=2,
    )
    assert [(c.volunteer.name, c.rank) for c in ranked] == [("周阿姨", 3), ("王师傅", None), ("吴老师", None)]
    assert ranked[0].reasons == [AFTER_MEMBERS, "技能匹配：水工/管道工", "服务队：设备维护队"]
    assert ranked[1].excluded_because == ["是点单人同户家属（回避）", AFTER_MEMBERS]
