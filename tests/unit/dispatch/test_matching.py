"""Ranking party members for an order: hard filters, then paired, load, rating, longest idle."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from services.dispatch.matching.domain import Eligibility, Member, OrderNeeds, exclusions, rank
from shared.party import PartyLedger

PLUMBING = OrderNeeds(("plumber",), requester_household_id=301)


def member(member_id: int, **fields: object) -> Member:
    base = Member(
        party_member_id=member_id,
        person_id=100 + member_id,
        name=f"党员{member_id}",
        skills=("plumber",),
        on_duty=True,
        checked_in=True,
        open_orders=0,
        max_open_orders=3,
        household_id=member_id * 10,
        paired_with_household=False,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def test_each_hard_filter_is_named() -> None:
    assert exclusions(member(1, skills=("teacher",)), PLUMBING) == ["技能不符（需要：水工/管道工）"]
    assert exclusions(member(1, checked_in=False), PLUMBING) == ["未在本小区报到"]
    assert exclusions(member(1, on_duty=False), PLUMBING) == ["当前不在岗"]
    assert exclusions(member(1, open_orders=3), PLUMBING) == ["在办工单已达上限（3/3）"]
    assert exclusions(member(1, household_id=301), PLUMBING) == ["是点单人同户家属（回避）"]
    assert exclusions(member(1, skills=()), OrderNeeds((), None)) == []


def test_paired_beats_load_which_beats_rating_which_beats_idle_time() -> None:
    early, late = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)
    members = [
        member(1, open_orders=1, average_rating=5.0),
        member(2, open_orders=0, average_rating=3.0, last_assigned_at=late),
        member(3, open_orders=0, average_rating=3.0, last_assigned_at=early),
        member(4, open_orders=2, paired_with_household=True),
        member(5, open_orders=0, average_rating=4.5),
    ]
    ranked = rank(members, PLUMBING)
    assert [c.member.party_member_id for c in ranked] == [4, 5, 3, 2, 1]
    assert [c.rank for c in ranked] == [1, 2, 3, 4, 5]
    assert "与点单户结对包联" in ranked[0].reasons
    assert "平均评分 4.5" in ranked[1].reasons
    assert "上次派单 2026-11-01 08:00" in ranked[2].reasons  # Beijing time, as the grid worker reads it
    assert "技能匹配：水工/管道工" in ranked[0].reasons


@given(
    st.lists(
        st.builds(
            member,
            st.integers(min_value=1, max_value=10_000),
            open_orders=st.integers(min_value=0, max_value=5),
            checked_in=st.booleans(),
            on_duty=st.booleans(),
            paired_with_household=st.booleans(),
        ),
        max_size=12,
        unique_by=lambda m: m.party_member_id,
    )
)
def test_every_eligible_member_ranks_before_every_excluded_one(members: list[Member]) -> None:
    ranked = rank(members, PLUMBING)
    flags = [c.eligible for c in ranked]
    assert flags == sorted(flags, reverse=True)
    assert [c.rank for c in ranked if c.eligible] == list(range(1, flags.count(True) + 1))
    assert all(c.excluded_because for c in ranked if not c.eligible)
    assert rank(list(reversed(members)), PLUMBING)[: len(ranked)] == ranked


def test_the_compound_s_rule_names_the_ledgers_that_take_work() -> None:
    retired_here = member(1, ledger=PartyLedger.retired, checked_in=False, lives_in_compound=True)
    retired_elsewhere = member(2, ledger=PartyLedger.retired, checked_in=False, lives_in_compound=False)
    mobile_here = member(3, ledger=PartyLedger.mobile, checked_in=False, lives_in_compound=True)
    # The default (seeds 000 and 001): retired members who live here take work without checking in.
    assert exclusions(retired_here, PLUMBING) == []
    assert exclusions(retired_elsewhere, PLUMBING) == ["不住在本小区"]
    assert exclusions(mobile_here, PLUMBING) == ["流动党员不在本小区接单范围（本小区：在职党员、离退休党员）"]
    # A compound that takes in-service members only.
    strict = Eligibility(frozenset({PartyLedger.in_service}))
    assert exclusions(retired_here, PLUMBING, strict) == ["离退休党员不在本小区接单范围（本小区：在职党员）"]
    assert exclusions(member(4), PLUMBING, strict) == []
    assert exclusions(member(4, checked_in=False, lives_in_compound=True), PLUMBING, strict) == ["未在本小区报到"]
