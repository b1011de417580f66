"""Bodies of deliberation's figures for the governance dashboard."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from shared.figures import Level


class StageCount(BaseModel):
    """Proposals at one stage of the 131 process: the status code, its label, how many."""

    value: str
    label: str
    proposals: int


class VoteFigures(BaseModel):
    """One owners' vote: who took part (persons and area, never how), and its outcome."""

    vote_id: int
    proposal_id: int
    compound_id: int
    compound_name: str
    title: str
    status: str
    status_label: str
    opens_at: datetime
    closes_at: datetime
    persons: int
    voted_persons: int
    turnout_rate: float | None = Field(description="voted persons / persons (专有部分人数)")
    area_m2: str
    voted_area_m2: str
    area_turnout_rate: float | None = Field(description="voted area / area (专有部分面积)")
    outcome: str | None
    outcome_label: str | None


class DeliberationFigures(BaseModel):
    level: Level
    place_id: int
    date_from: date
    date_to: date
    time_zone: str = "Asia/Shanghai"
    compounds: int
    proposals: int = Field(description="the place's proposals (a snapshot: where every one stands now)")
    by_stage: list[StageCount] = Field(description="the proposals by their stage now, in the 131 order")
    votes: list[VoteFigures] = Field(description="votes open now or closed in the period, newest first")
    votes_closed: int
    votes_passed: int
    average_turnout_rate: float | None = Field(description="mean turnout (persons) of the votes closed in the period")
