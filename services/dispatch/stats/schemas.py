"""Bodies of dispatch statistics."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

Level = Literal["grid", "compound", "community", "street"]


class DurationsOut(BaseModel):
    count: int
    median_s: float | None
    p90_s: float | None


class StatsOut(BaseModel):
    level: Level
    place_id: int
    date_from: date
    date_to: date
    orders: int
    by_triage: dict[str, int]
    by_category: dict[str, int]
    by_state: dict[str, int]
    to_triage: DurationsOut
    to_accept: DurationsOut
    to_resolve: DurationsOut
    sla_breach_rate: float | None
    average_rating: float | None
    ratings: dict[str, int]
    load: dict[str, float | int | None]
