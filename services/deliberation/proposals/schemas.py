"""Request and response bodies of proposals and their steps."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.deliberation.proposals.domain import (
    CommitteeChoice,
    CouncilResolution,
    FundingSource,
    LevyFormula,
    Origin,
    Status,
    Triage,
)
from services.deliberation.votes.domain import VoteStatus
from services.deliberation.votes.tally import Matter, Outcome, Threshold


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Seen(In):
    """A transition names the proposal version it was based on (optimistic lock)."""

    version: int = Field(ge=1)


class ProposalCreate(In):
    compound_id: int = Field(gt=0)
    title: str = Field(min_length=1, max_length=200, examples=["围合小区并安装路灯"])
    description: str = Field(default="", max_length=5000)
    category: str = Field(default="other", min_length=1, max_length=40)
    origin: Origin = Origin.resident


class TriageIn(Seen):
    triage: Triage
    note: str = Field(default="", max_length=2000, description="建议或转办去向 (advice or where it was referred)")


class CouncilResolutionIn(Seen):
    resolution: CouncilResolution
    note: str = Field(default="", max_length=5000, description="议事会意见及初步方案 (the draft of how)")


class PlanIn(Seen):
    summary: str = Field(min_length=1, max_length=5000)
    budget_fen: int = Field(gt=0, le=10**13)
    funding_source: FundingSource
    levy_formula: LevyFormula | None = None
    levy_total_fen: int | None = Field(default=None, le=10**13)
    levy_per_household_fen: int | None = Field(default=None, le=10**9)
    levy_due_date: date | None = None
    building_ids: list[int] = Field(default_factory=list, max_length=500)
    reserved_matter: bool = Field(default=False, description="属于民法典第278条业主共同决定事项")


class CommitteeVoteIn(In):
    choice: CommitteeChoice
    on_behalf_of_person_id: int | None = Field(default=None, description="委员会表决不得委托代理 (always refused)")


class ClassificationItemIn(In):
    title: str = Field(min_length=1, max_length=200)
    matter: Matter


class ClassificationIn(Seen):
    items: list[ClassificationItemIn] = Field(min_length=1, max_length=20)


class ObjectionIn(In):
    reason: str = Field(min_length=2, max_length=5000)


class AnswerIn(In):
    version: int = Field(ge=1)
    answer: str = Field(min_length=2, max_length=5000)


class MilestoneIn(In):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    category: str = Field(default="repair", min_length=1, max_length=40)
    dispatch: bool = Field(default=False, description="生成派单 (becomes a dispatch order)")


class MilestoneDoneIn(In):
    spent_fen: int = Field(default=0, ge=0, le=10**13)


class RatingIn(In):
    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class ContestIn(In):
    reason: str = Field(min_length=2, max_length=5000)


class WithdrawIn(Seen):
    reason: str = Field(default="", max_length=2000)


class PlanOut(BaseModel):
    summary: str
    budget_fen: int
    budget_yuan: str
    funding_source: FundingSource
    funding_source_label: str
    levy_formula: LevyFormula | None
    levy_total_fen: int | None
    levy_per_household_fen: int | None
    levy_due_date: str | None
    building_ids: list[int]
    reserved_matter: bool
    needs_owner_vote: bool
    adopted_at: datetime | None
    committee_members: int
    votes_for: int
    votes_against: int


class ClassificationItemOut(BaseModel):
    position: int
    title: str
    matter: Matter
    matter_label: str
    article_item: int
    threshold: Threshold
    threshold_label: str


class ObjectionOut(BaseModel):
    id: int
    version: int
    raised_by_person_id: int
    reason: str
    status: str
    answer: str | None
    answered_by_person_id: int | None
    created_at: datetime


class MilestoneOut(BaseModel):
    id: str
    title: str
    description: str
    category: str
    dispatched: bool
    spent_fen: int
    done_at: datetime | None
    created_at: datetime


class EvaluationOut(BaseModel):
    ratings: int
    average_score: str | None


class ProposalVoteOut(BaseModel):
    """One owners' vote on the proposal, as the proposal shows it (details at /votes/{id})."""

    id: int
    status: VoteStatus
    status_label: str
    opens_at: datetime
    closes_at: datetime
    outcome: Outcome | None
    outcome_label: str | None
    tally_certified: bool


class ProposalOut(BaseModel):
    id: int
    version: int
    earliest_vote_opening: datetime | None = Field(
        default=None, description="待业主表决时：现在公告最早可开始表决的时间（提前15日公告）(awaiting a vote only)"
    )
    compound_id: int
    title: str
    description: str
    category: str
    origin: Origin
    origin_label: str
    origin_order_id: str | None
    submitted_by_person_id: int | None
    status: Status
    status_label: str
    triage: Triage | None
    triage_note: str | None
    council_resolution: CouncilResolution | None
    council_note: str | None
    council_rounds: int
    plan: PlanOut | None
    classification: list[ClassificationItemOut]
    classification_cosigned_by: int | None
    open_objections: int
    votes: list[ProposalVoteOut] = Field(default_factory=list, description="本议题的业主表决 (the owners' votes on it)")
    decided_at: datetime | None
    contest_deadline: date | None
    created_at: datetime
    updated_at: datetime
