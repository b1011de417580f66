"""The published form of a tally: both legs, both thresholds, exact ratios as "p/q" beside a
two-decimal percentage for reading, per building too."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from services.deliberation.votes.tally import (
    PARTICIPATION,
    SIMPLE_MAJORITY,
    SPECIAL_MAJORITY,
    Choice,
    Count,
    ItemTally,
    Threshold,
    approved,
    centi_to_area,
    quorum_reached,
)


def percent(value: Fraction) -> str:
    """A ratio as a percentage with two decimals, half-up (display only; decisions use the fraction)."""
    return str((Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def count_body(count: Count, threshold: Threshold) -> dict[str, Any]:
    ratios = count.ratios()
    body: dict[str, Any] = {
        "total_area_m2": str(centi_to_area(count.total.area_centi)),
        "total_persons": count.total.persons,
        "participating_area_m2": str(centi_to_area(count.participating.area_centi)),
        "participating_persons": count.participating.persons,
    }
    for choice in Choice:
        leg = count.by_choice[choice]
        body[f"{choice.value}_area_m2"] = str(centi_to_area(leg.area_centi))
        body[f"{choice.value}_persons"] = leg.persons
    for name, value in ratios.items():
        body[name] = f"{value.numerator}/{value.denominator}"
        body[f"{name}_percent"] = percent(value)
    body["quorum_reached"] = quorum_reached(count)
    body["approved"] = approved(count, threshold)
    return body


def item_body(item_id: int, title: str, tally: ItemTally, building_numbers: dict[int, str]) -> dict[str, Any]:
    threshold = tally.threshold
    approval = SPECIAL_MAJORITY if threshold is Threshold.special else SIMPLE_MAJORITY
    body: dict[str, Any] = {
        "item_id": item_id,
        "title": title,
        "threshold": threshold.value,
        "threshold_label": threshold.label,
        "rule": {
            "participation": f"≥ {PARTICIPATION.numerator}/{PARTICIPATION.denominator} of area AND of persons",
            "approval": (
                f"≥ {approval.numerator}/{approval.denominator}"
                if threshold is Threshold.special
                else f"> {approval.numerator}/{approval.denominator}"
            )
            + " of participating area AND of participating persons",
        },
        "outcome": tally.outcome.value,
        "outcome_label": tally.outcome.label,
        "strict": count_body(tally.strict, threshold),
        "buildings": [
            {"building_id": b, "number": building_numbers.get(b), **count_body(c, threshold)}
            for b, c in sorted(tally.buildings.items())
        ],
    }
    if tally.adjusted is not None and tally.adjusted_outcome is not None:
        body["adjusted"] = count_body(tally.adjusted, threshold)
        body["adjusted_outcome"] = tally.adjusted_outcome.value
        body["adjusted_outcome_label"] = tally.adjusted_outcome.label
        body["majority_followed"] = tally.majority_followed.value if tally.majority_followed else None
    return body
