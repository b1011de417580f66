"""Money is integer fen (分) everywhere; this module holds the one rounding rule.

The rule: an exact Decimal amount in fen is rounded half-up (0.5 fen rounds away from zero)
once, at the end of a bill line; the precise amount may be kept beside the rounded one.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN_PER_YUAN = 100


def round_fen(amount_fen: Decimal) -> int:
    """Round an exact amount in fen to whole fen, half-up (the one rounding rule)."""
    return int(amount_fen.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def yuan_to_fen(yuan: Decimal | str) -> int:
    """Convert an exact yuan amount (at most two decimals) to fen; refuse fractions of a fen."""
    value = Decimal(yuan) * FEN_PER_YUAN
    if value != value.to_integral_value():
        raise ValueError(f"{yuan} 元不是整分 (not a whole number of fen)")
    return int(value)


def fen_to_yuan(amount_fen: int) -> str:
    """The display string in yuan for an amount in fen: 6000000 -> '60000.00'."""
    sign = "-" if amount_fen < 0 else ""
    whole, part = divmod(abs(amount_fen), FEN_PER_YUAN)
    return f"{sign}{whole}.{part:02d}"


def split_by_basis_points(total_fen: int, shares_bp: list[int]) -> list[int]:
    """Split an amount by shares in basis points (summing to 10,000) so the parts add up exactly.

    Each part is floored; the leftover fen go one each to the parts with the largest
    remainders, earlier parts first on ties, so the result is deterministic.
    """
    if sum(shares_bp) != 10_000 or any(s < 0 for s in shares_bp):
        raise ValueError("份额之和必须为 10000 个基点 (shares must be non-negative and sum to 10,000 bp)")
    if total_fen < 0:
        raise ValueError("金额不能为负 (amount must not be negative)")
    floors = [total_fen * s // 10_000 for s in shares_bp]
    remainders = [total_fen * s % 10_000 for s in shares_bp]
    leftover = total_fen - sum(floors)
    order = sorted(range(len(shares_bp)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        floors[i] += 1
    return floors
