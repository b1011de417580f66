"""Levies (出资): what each household owes under the formula the owners passed."""

from __future__ import annotations

from services.billing.funds.domain import split_by_weights
from shared.errors import InvalidInput


def levy_charges(
    formula: str, dwellings: list[tuple[int, int]], total_fen: int | None, per_household_fen: int | None
) -> list[tuple[int, int]]:
    """(dwelling id, fen) for each (dwelling id, area in 1/100 m²): `by_area` splits the total
    in proportion to area (Civil Code art. 283), exact to the fen; `per_household` charges
    each the same."""
    if formula == "by_area":
        if total_fen is None or total_fen <= 0:
            raise InvalidInput("按面积分摊须有总额", "by_area needs a positive total_fen")
        return list(zip([d for d, _ in dwellings], split_by_weights(total_fen, [a for _, a in dwellings]), strict=True))
    if formula == "per_household":
        if per_household_fen is None or per_household_fen <= 0:
            raise InvalidInput("按户出资须有每户金额", "per_household needs a positive per_household_fen")
        return [(d, per_household_fen) for d, _ in dwellings]
    raise InvalidInput(f"未知出资方式 {formula}", f"Unknown levy formula {formula}")
