"""What service posts are given and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ServicePostCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compound_id: int = Field(gt=0)
    name: Name = Field(examples=["楼道照明维护岗"])
    duty: str = Field(default="", max_length=500, examples=["每月检查楼道灯，坏了及时更换"])
    seats: int = Field(default=1, ge=1, le=50, description="可认领人数 (how many members it takes)")


class PostClaimBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    party_member_id: int | None = Field(
        default=None, gt=0, description="不填为本人；工作人员可代为登记 (the caller's own membership when omitted)"
    )


class PostHolderOut(BaseModel):
    claim_id: int
    party_member_id: int
    person_id: int
    name: str
    claimed_at: datetime


class ServicePostOut(BaseModel):
    id: int
    version: int
    compound_id: int
    name: str
    duty: str
    seats: int
    holders: list[PostHolderOut]
    free_seats: int
