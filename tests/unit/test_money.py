"""The one rounding rule and the exact splits billing will stand on."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.money import fen_to_yuan, round_fen, split_by_basis_points, yuan_to_fen


def test_seed_check_a_hundred_dwellings_of_100_m2_at_half_a_yuan_bill_60000_yuan_a_year() -> None:
    rate_fen_per_m2_month = Decimal(yuan_to_fen("0.50"))
    year_fen = sum(round_fen(Decimal("100.00") * rate_fen_per_m2_month * 12) for _ in range(100))
    assert year_fen == 6_000_000
    assert fen_to_yuan(year_fen) == "60000.00"


def test_a_dwelling_of_86_5_m2_at_0_55_rounds_half_up_once_per_line() -> None:
    # 86.5 m² × 0.55 yuan = 47.575 yuan = 4757.5 fen -> 4758 fen
    assert round_fen(Decimal("86.5") * Decimal(yuan_to_fen("0.55"))) == 4758
    assert round_fen(Decimal("4757.49")) == 4757
    assert round_fen(Decimal("-2.5")) == -3  # half away from zero, refunds mirror charges


def test_yuan_to_fen_refuses_fractions_of_a_fen() -> None:
    assert yuan_to_fen("1.20") == 120
    with pytest.raises(ValueError, match="不是整分"):
        yuan_to_fen("0.205")


def test_fen_to_yuan_display() -> None:
    assert fen_to_yuan(0) == "0.00"
    assert fen_to_yuan(5) == "0.05"
    assert fen_to_yuan(-1234) == "-12.34"


def test_the_433_rule_splits_public_revenue_exactly() -> None:
    # 1,000.01 yuan of parking revenue: 40% growth, 30% livelihood, 30% governance.
    parts = split_by_basis_points(100_001, [4_000, 3_000, 3_000])
    assert parts == [40_001, 30_000, 30_000]
    assert sum(parts) == 100_001


def test_split_refuses_shares_not_summing_to_10000() -> None:
    with pytest.raises(ValueError, match="10000"):
        split_by_basis_points(100, [5_000, 4_000])


@given(
    total=st.integers(min_value=0, max_value=10**12),
    shares=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=8),
)
def test_split_parts_always_add_up_and_stay_within_a_fen_of_exact(total: int, shares: list[int]) -> None:
    shares = [*shares[:-1], 0]
    shares[-1] = 10_000 - sum(shares[:-1]) if sum(shares[:-1]) <= 10_000 else 0
    if sum(shares) != 10_000:
        return
    parts = split_by_basis_points(total, shares)
    assert sum(parts) == total
    for part, share in zip(parts, shares, strict=True):
        assert abs(part * 10_000 - total * share) < 10_000
    assert parts == split_by_basis_points(total, shares)  # deterministic
