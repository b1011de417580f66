"""Rate cards: an exact yuan/m²/month rate per scope, structure and management model, in force
over a date range; two cards for the same scope, structure and model never overlap."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.labels import LabeledEnum

# A rate is held as an integer in units of 1/10,000 yuan (0.55 yuan -> 5500), so that
# area (1/100 m²) × rate (1/10,000 yuan) is an exact integer in 1/10,000 fen.
RATE_UNITS_PER_YUAN = 10_000
MAX_RATE = Decimal("50")  # yuan/m²/month; far above any compound's fee, keeps SQL integers small


class Structure(LabeledEnum):
    """楼栋结构 (the registry's values)."""

    multi_storey = "multi_storey", "多层"
    high_rise = "high_rise", "高层"


class ManagementModel(LabeledEnum):
    """物业管理模式 (the registry's values)."""

    professional = "professional", "专业物业"
    self_managed = "self_managed", "自管"
    community_custody = "community_custody", "社区托管"


class RateScope(LabeledEnum):
    """A compound's own card wins over its street's."""

    compound = "compound", "小区"
    street = "street", "街道"


def parse_rate(value: object) -> int:
    """'0.55' yuan/m²/month -> 5500 units; positive, at most four decimals, at most 50 yuan."""
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        rate = Decimal("NaN")
    details = [{"field": "rate_yuan_per_m2_month", "value": str(value)}]
    if not rate.is_finite() or rate <= 0 or rate > MAX_RATE:
        raise InvalidInput(
            f"单价须为 0 到 {MAX_RATE} 元/㎡/月之间的数：{value}",
            f"rate must be a number above 0 and at most {MAX_RATE} yuan/m²/month, got {value}",
            details=details,
        )
    units = rate * RATE_UNITS_PER_YUAN
    if units != units.to_integral_value():
        raise InvalidInput(
            f"单价最多四位小数：{value}", f"rate has at most four decimals, got {value}", details=details
        )
    return int(units)


def rate_text(units: int) -> str:
    """5500 -> '0.55' (the exact decimal, without trailing zeros beyond two places)."""
    text = f"{Decimal(units) / RATE_UNITS_PER_YUAN:.4f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def check_dates(effective_from: date, effective_to: date | None) -> None:
    """A card's range is not empty."""
    if effective_to is not None and effective_to < effective_from:
        raise InvalidInput(
            "截止日期不能早于生效日期",
            "effective_to must not be before effective_from",
            details=[{"field": "effective_to", "value": effective_to.isoformat()}],
        )


def overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    """Two closed date ranges (None = open-ended) share a day."""
    return (b_to is None or a_from <= b_to) and (a_to is None or b_from <= a_to)


def check_no_overlap(
    effective_from: date, effective_to: date | None, others: Sequence[tuple[int, date, date | None]]
) -> None:
    """409 naming the first card of the same scope whose range overlaps."""
    for card_id, other_from, other_to in others:
        if overlaps(effective_from, effective_to, other_from, other_to):
            raise Conflict(
                f"与收费标准 {card_id} 的生效期重叠（同一范围、结构和管理模式）",
                f"Overlaps rate card {card_id} for the same scope, structure and management model",
                details={"rate_card_id": card_id},
                code=ErrorCode.rate_card_overlap,
            )


def check_vacancy_percent(value: int) -> None:
    """空置房 pays this percentage of the full fee (0–100)."""
    if not 0 <= value <= 100:
        raise InvalidInput(
            "空置房收费比例须在 0 到 100 之间",
            "vacancy_percent must be between 0 and 100",
            details=[{"field": "vacancy_percent", "value": value}],
        )
