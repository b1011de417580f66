"""Bodies of the committee's evaluation and the owners' recall request."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.deliberation.evaluations.domain import RecallStatus


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommitteeRulesIn(In):
    version: int | None = Field(default=None, ge=1, description="修改已有规则时给出所见版本 (the version seen)")
    min_satisfaction_percent: int = Field(ge=1, le=100, description="满意率低于此百分比即提请纠错（如 60）")
    recall_share_percent: int = Field(ge=1, le=100, description="联名户数达到全体业主户数的此百分比即提请（如 20）")


class CommitteeRulesOut(BaseModel):
    compound_id: int
    version: int
    own: bool = Field(description="本小区已设定（否则为默认值）")
    min_satisfaction_percent: str
    recall_share_percent: str


class CommitteeEvaluationIn(In):
    year: int = Field(ge=2000, le=2200)
    closes_at: AwareDatetime


class CommitteeAnswerIn(In):
    score: int = Field(ge=1, le=5, description="1 很不满意 … 5 非常满意")
    comment: str = Field(default="", max_length=2000)


class CommitteeEvaluationOut(BaseModel):
    """A round and, once closed, its anonymous result (no household, no score is named)."""

    id: int
    compound_id: int
    year: int
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    open: bool
    households: int = Field(description="本小区有业主的户数 (dwellings with an owner)")
    answers: int
    by_score: list[int] | None = Field(description="1–5 分各多少户（结束后公布）")
    average_score: str | None
    satisfied_percent: str | None = Field(description="4 分及以上的占比（结束后公布）")
    min_satisfaction_percent: str | None
    below_threshold: bool | None
    proposal_id: int | None = Field(description="满意率低于阈值时提请的纠错议题")
    answered_by_my_household: bool
    comments: list[str] = Field(default_factory=list, description="业主意见（匿名，结束后公布）")


class CommitteeRecallOut(BaseModel):
    compound_id: int
    request_id: int | None
    status: RecallStatus | None
    status_label: str | None
    households: int
    signed: int
    needed: int = Field(description="达到联名比例所需户数")
    share_percent: str
    proposal_id: int | None
    signed_by_my_household: bool
