"""Points for finished work and lapses, and the red and black lists computed from them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.dispatch.points.domain import (
    MemberTotal,
    PointsRules,
    completion_points,
    compute_lists,
    period_of,
    rating_points,
)
from shared.errors import InvalidInput

RULES = PointsRules(base_by_category={"water_leak": 12}, honor_roll_size=2)


def test_completion_earns_the_category_base_a_wish_its_own_and_five_stars_a_bonus() -> None:
    assert completion_points(RULES, "water_leak", wish=False) == 12
    assert completion_points(RULES, "cleaning", wish=False) == 10
    assert completion_points(RULES, "micro_wish", wish=True) == 5
    assert [rating_points(RULES, r) for r in range(1, 6)] == [0, 0, 0, 2, 5]
    # Months are counted in the compound's time zone (Asia/Shanghai, UTC+8), not in UTC.
    assert period_of(datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == "2026-11"
    assert period_of(datetime(2026, 11, 30, 16, 0, tzinfo=UTC)) == "2026-12"


def test_rules_with_a_positive_penalty_or_a_negative_award_are_refused() -> None:
    for bad in (PointsRules(no_show_penalty=3), PointsRules(default_base=-1), PointsRules(rating_bonus={6: 1})):
        with pytest.raises(InvalidInput):
            bad.check()


def test_the_red_list_is_the_top_and_the_black_list_the_lapses() -> None:
    totals = [
        MemberTotal(1, "赵师傅", 27, 2, 0),
        MemberTotal(2, "孙师傅", 8, 1, 1),
        MemberTotal(3, "钱老师", 8, 2, 0),
        MemberTotal(4, "李师傅", -4, 0, 2),
        MemberTotal(5, "周阿姨", 3, 1, 2),
    ]
    lists = compute_lists(totals, RULES)
    assert [t.name for t in lists.honor_roll] == ["赵师傅", "钱老师"]
    assert [t.name for t in lists.warning_list] == ["李师傅", "周阿姨"]


@given(
    st.lists(
        st.builds(
            MemberTotal,
            st.integers(1, 10_000),
            st.just("x"),
            st.integers(-50, 50),
            st.integers(0, 10),
            st.integers(0, 5),
        ),
        unique_by=lambda t: t.party_member_id,
        max_size=30,
    )
)
def test_no_member_is_on_both_lists_and_the_red_list_is_capped(totals: list[MemberTotal]) -> None:
    lists = compute_lists(totals, RULES)
    assert not {t.party_member_id for t in lists.honor_roll} & {t.party_member_id for t in lists.warning_list}
    assert len(lists.honor_roll) <= RULES.honor_roll_size
    assert all(t.points > 0 for t in lists.honor_roll)
    points = [t.points for t in lists.honor_roll]
    assert points == sorted(points, reverse=True)
