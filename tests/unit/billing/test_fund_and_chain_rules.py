"""Distribution, area shares, levies, allocation and the disclosure hash chain: pure rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.billing.disclosure.domain import GENESIS, chain_hash, verify_chain
from services.billing.funds import domain as funds
from services.billing.levies.domain import levy_charges
from services.billing.payments import domain as payments
from shared.errors import Conflict, InvalidInput


def test_433_of_a_hundred_yuan_and_one_fen() -> None:
    assert funds.distribute(10_001, funds.DEFAULT_RULE) == {"retained": 4_001, "livelihood": 3_000, "governance": 3_000}


@given(
    st.integers(0, 10**10),
    st.lists(st.integers(1, 5_000), min_size=1, max_size=6).filter(lambda s: sum(s) <= 10_000),
)
def test_distribution_parts_add_up_exactly(amount: int, head: list[int]) -> None:
    shares = {f"p{i}": bp for i, bp in enumerate([*head, 10_000 - sum(head)]) if bp > 0}
    parts = funds.distribute(amount, shares)
    assert sum(parts.values()) == amount
    assert all(abs(parts[k] - amount * bp / 10_000) < 1 for k, bp in shares.items())


@given(st.integers(0, 10**9), st.lists(st.integers(1, 10**7), min_size=1, max_size=50))
def test_area_shares_add_up_and_stay_within_a_fen(total: int, areas: list[int]) -> None:
    parts = funds.split_by_weights(total, areas)
    assert sum(parts) == total
    assert all(abs(p - total * a / sum(areas)) < 1 for p, a in zip(parts, areas, strict=True))


def test_revenue_needs_evidence_for_costs() -> None:
    assert funds.net_revenue(10_000, 0, []) == 10_000
    assert funds.net_revenue(10_000, 2_500, ["合同 2026-07"]) == 7_500
    with pytest.raises(InvalidInput):
        funds.net_revenue(10_000, 2_500, [" "])
    with pytest.raises(InvalidInput):
        funds.net_revenue(10_000, 10_001, ["发票"])


def test_rules_must_sum_to_ten_thousand() -> None:
    funds.check_rule({"a": 10_000})
    for bad in ({"a": 9_999}, {"a": 10_000, "b": 0}, {}):
        with pytest.raises(InvalidInput):
            funds.check_rule(bad)


def test_funds_never_go_below_zero() -> None:
    funds.check_covers(100, 100, "x", "x")
    with pytest.raises(Conflict):
        funds.check_covers(99, 100, "x", "x")


def test_levy_formulas() -> None:
    assert levy_charges("per_household", [(1, 8650), (2, 6050)], None, 20_000) == [(1, 20_000), (2, 20_000)]
    assert levy_charges("by_area", [(1, 5_000), (2, 5_000)], 1_001, None) == [(1, 501), (2, 500)]
    with pytest.raises(InvalidInput):
        levy_charges("by_area", [(1, 5_000)], None, None)


@given(st.lists(st.integers(0, 50_000), max_size=8), st.integers(1, 300_000))
def test_allocation_pays_oldest_first_and_never_beyond(outstanding: list[int], amount: int) -> None:
    bills = list(enumerate(outstanding))
    allocations, left = payments.allocate(bills, amount)
    assert sum(a for _, a in allocations) + left == amount
    paid = dict(allocations)
    assert all(paid.get(i, 0) <= o for i, o in bills)
    # A bill gets money only once every older bill is fully paid.
    for i, o in bills:
        if paid.get(i, 0) < o:
            assert all(paid.get(j, 0) == 0 for j, _ in bills[i + 1 :] if _ > 0)
            break
    taken = payments.take_back(allocations, min(amount - left, amount // 2))
    assert sum(t for _, t in taken) == min(amount - left, amount // 2)


def test_receipt_numbers_and_refund_limits() -> None:
    assert payments.receipt_no(12, 3) == "000012-00000003"
    payments.check_refund(500, 1_000, 500)
    with pytest.raises(InvalidInput):
        payments.check_refund(501, 1_000, 500)
    with pytest.raises(InvalidInput):
        payments.check_amount(0)


def test_the_chain_detects_a_rewritten_snapshot() -> None:
    first = {"period": "2026-10", "income": 100}
    second = {"period": "2026-11", "income": 200}
    h1 = chain_hash(GENESIS, first)
    h2 = chain_hash(h1, second)
    good = [(1, "2026-10", first, GENESIS, h1), (2, "2026-11", second, h1, h2)]
    assert all(link.hash_ok and link.link_ok for link in verify_chain(good))
    rewritten = [(1, "2026-10", {**first, "income": 99}, GENESIS, h1), good[1]]
    assert [link.hash_ok for link in verify_chain(rewritten)] == [False, True]
    rehashed = [(1, "2026-10", {**first, "income": 99}, GENESIS, chain_hash(GENESIS, {**first, "income": 99})), good[1]]
    assert [link.link_ok for link in verify_chain(rehashed)] == [True, False]
