"""Bodies of points, rules and lists."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.pagination import Page


class RulesBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default_base: int = Field(default=10, ge=0, le=1000)
    base_by_category: dict[str, int] = Field(default_factory=dict)
    wish_points: int = Field(default=5, ge=0, le=1000)
    rating_bonus: dict[int, int] = Field(default_factory=lambda: {5: 5, 4: 2})
    accept_timeout_penalty: int = Field(default=-2, ge=-1000, le=0)
    no_show_penalty: int = Field(default=-5, ge=-1000, le=0)
    honor_roll_size: int = Field(default=10, ge=1, le=100)
    warning_below: int = Field(default=0, ge=-1000, le=1000)
    warning_penalties: int = Field(default=2, ge=1, le=100)


class RulesUpdate(RulesBody):
    version: int | None = Field(default=None, ge=0, description="the version you saw (0 = none set yet)")


class RulesOut(RulesBody):
    compound_id: int
    version: int
    own: bool = Field(description="false: the default rules apply to this compound")


class EntryOut(BaseModel):
    order_id: str
    reason: str
    reason_label: str
    points: int
    period: str
    at: datetime


class MemberPoints(BaseModel):
    party_member_id: int
    period: str | None
    total: int
    entries: list[EntryOut]


class TotalOut(BaseModel):
    party_member_id: int
    name: str
    points: int
    completed: int
    penalties: int


class ListsOut(BaseModel):
    compound_id: int
    period: str
    published: bool
    published_at: datetime | None
    honor_roll: list[TotalOut]
    warning_list: list[TotalOut]


class ListsPage(Page[ListsOut]):
    """A compound's published lists, the newest period first."""


PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class PublishBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    compound_id: int = Field(gt=0)
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])
