"""Statistics from order facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.dispatch.open311.domain import states_for, status_of
from services.dispatch.orders.domain import OrderState
from services.dispatch.stats.domain import OrderFacts, hours_minutes, percentile, summarise

T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)


def facts(minutes_to_triage: int | None, rating: int | None = None, member: int | None = None) -> OrderFacts:
    return OrderFacts(
        category="water_leak",
        triage="minor" if minutes_to_triage is not None else None,
        state="closed" if rating else "submitted",
        submitted_at=T0,
        triaged_at=T0 + timedelta(minutes=minutes_to_triage) if minutes_to_triage is not None else None,
        accepted_at=None,
        completed_at=None,
        sla_breached=minutes_to_triage is None,
        rating=rating,
        assignee_member_id=member,
    )


def test_nearest_rank_percentiles() -> None:
    assert percentile([], 90) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([float(i) for i in range(1, 11)], 90) == 9.0
    assert percentile([float(i) for i in range(1, 11)], 50) == 5.0


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=50), st.floats(min_value=1, max_value=100))
def test_a_percentile_is_one_of_the_values_and_grows_with_q(values: list[float], q: float) -> None:
    p = percentile(values, q)
    assert p in values
    assert p is not None
    assert p <= (percentile(values, 100) or 0)


def test_a_summary_of_four_orders() -> None:
    summary = summarise([facts(10, 5, member=1), facts(30, 4, member=1), facts(50, 2, member=2), facts(None)])
    assert (summary.orders, summary.by_triage) == (4, {"minor": 3, "untriaged": 1})
    assert (summary.to_triage.count, summary.to_triage.median_s, summary.to_triage.p90_s) == (3, 1800.0, 3000.0)
    assert (summary.sla_breach_rate, summary.average_rating) == (0.25, 3.67)
    assert summary.ratings == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert summary.load == {"members": 2, "min": 1, "max": 2, "mean": 1.5, "stdev": 0.5}


def test_open311_sees_finished_and_confirmed_orders_as_closed() -> None:
    assert status_of(OrderState.in_progress) == "open"
    assert status_of(OrderState.confirmed) == "closed"
    assert set(states_for("open")) | set(states_for("closed")) == {s.value for s in OrderState}


def test_durations_read_in_hours_and_minutes() -> None:
    assert [hours_minutes(s) for s in (None, 0, 29, 1500, 3600, 7500, 90_000)] == [
        None,
        "0分",
        "0分",
        "25分",
        "1小时00分",
        "2小时05分",
        "25小时00分",
    ]
