"""Conversions from registry event fields to the exact integers billing computes with."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    """Days since 1970-01-01 (so SQL can compare and subtract dates as integers)."""
    return (day - EPOCH).days


def area_hundredths(area_m2: Decimal) -> int:
    """86.50 m² -> 8650; registry areas have at most two decimals."""
    return int((area_m2 * 100).to_integral_value())
