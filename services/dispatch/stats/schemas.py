"""Bodies of dispatch statistics."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from services.dispatch.mediation.schemas import MediationFigures

Level = Literal["grid", "compound", "community", "street"]
LEVEL_LABEL: dict[str, str] = {"grid": "网格", "compound": "小区", "community": "社区", "street": "街道"}


class DurationsOut(BaseModel):
    count: int
    median_s: float | None
    p90_s: float | None
    median_text: str | None = Field(default=None, examples=["2小时05分"])
    p90_text: str | None = Field(default=None, examples=["6小时30分"])


class CountOut(BaseModel):
    """One line of a breakdown: the code, its Chinese label and how many orders."""

    value: str
    label: str
    orders: int


class StatsOut(BaseModel):
    level: Level
    level_label: str = ""
    place_id: int
    date_from: date
    date_to: date
    time_zone: str = Field(default="Asia/Shanghai", description="the time zone date_from and date_to are days in")
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
    triage_counts: list[CountOut] = Field(default_factory=list, description="by_triage with labels, most first")
    category_counts: list[CountOut] = Field(default_factory=list, description="by_category with names, most first")
    state_counts: list[CountOut] = Field(default_factory=list, description="by_state with labels, most first")
    mediation: MediationFigures | None = Field(
        default=None, description="mediation cases of the place in the period (矛盾纠纷调解)"
    )
