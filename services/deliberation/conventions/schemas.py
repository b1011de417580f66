"""Convention and clause bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.deliberation.conventions.domain import Level


class ConventionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    compound_id: int = Field(gt=0)
    level: Level
    place_id: int = Field(gt=0, description="小区/院落/楼栋/单元的 id")
    title: str = Field(min_length=1, max_length=200, examples=["长生桥镇移民小区居民公约"])


class ClauseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    proposal_id: int = Field(gt=0)
    text: str = Field(min_length=2, max_length=5000)
    number: int | None = Field(default=None, ge=1, description="修订已有条款时给出条款号；省略则新增一条")


class ClauseOut(BaseModel):
    id: int
    number: int
    revision: int
    text: str
    proposal_id: int
    vote_id: int | None
    current: bool
    adopted_at: datetime


class ConventionOut(BaseModel):
    id: int
    version: int
    compound_id: int
    level: Level
    level_label: str
    place_id: int
    title: str
    clauses: list[ClauseOut]
