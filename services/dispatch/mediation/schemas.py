"""Bodies of mediation cases."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, model_validator

from services.dispatch.mediation.domain import CaseCategory, CaseKind, MediatorKind, PartySide
from shared.pagination import Page

Name = Field(min_length=1, max_length=100)


class MediationPartyIn(BaseModel):
    side: PartySide
    name: str = Name
    person_id: int | None = Field(default=None, gt=0, description="the person's registry id, if a resident")
    household_id: int | None = Field(default=None, gt=0)
    organisation: str | None = Field(default=None, max_length=100, examples=["某物业服务有限公司"])


class MediationCaseCreate(BaseModel):
    compound_id: int = Field(gt=0)
    kind: CaseKind
    category: CaseCategory
    title: str = Field(min_length=1, max_length=100, examples=["地下车库漏水，业主与物业对维修费用有争议"])
    summary: str = Field(min_length=1, max_length=4000)
    parties: list[MediationPartyIn] = Field(min_length=2, max_length=20)

    @model_validator(mode="after")
    def _both_sides(self) -> MediationCaseCreate:
        sides = {p.side for p in self.parties}
        if sides != {PartySide.applicant, PartySide.respondent}:
            raise ValueError("须至少有一名申请人和一名被申请人 (at least one applicant and one respondent)")
        return self


class MediationChoiceIn(BaseModel):
    """The mediator one party chooses; staff may record a party's choice made at the window."""

    party_id: int = Field(gt=0)
    mediator_kind: MediatorKind
    mediator_name: str = Field(min_length=1, max_length=100, examples=["周律师（社区法律顾问）"])
    mediator_person_id: int | None = Field(default=None, gt=0)
    version: int = Field(ge=1, description="the case's version the caller read")


class MediationSessionIn(BaseModel):
    held_at: datetime | None = Field(default=None, description="when it was held; now if left out")
    location: str = Field(min_length=1, max_length=100, examples=["小区党群服务站"])
    attendees: str = Field(min_length=1, max_length=1000)
    notes: str = Field(min_length=1, max_length=4000)
    version: int = Field(ge=1)


class MediationSettleIn(BaseModel):
    """The end of mediation: an agreement (its terms), or none reached (why)."""

    agreed: bool
    text: str = Field(min_length=1, max_length=4000, description="the agreement's terms, or why none was reached")
    version: int = Field(ge=1)


class MediationFollowUpIn(BaseModel):
    kept: bool = Field(description="whether the agreement is being kept")
    note: str = Field(min_length=1, max_length=2000)
    version: int = Field(ge=1)


class MediationWithdrawIn(BaseModel):
    version: int = Field(ge=1)


class MediationPartyOut(BaseModel):
    id: int
    side: str
    side_label: str
    name: str
    person_id: int | None
    household_id: int | None
    organisation: str | None
    chosen_kind: str | None
    chosen_kind_label: str | None
    chosen_name: str | None
    chosen_at: datetime | None


class MediationSessionOut(BaseModel):
    id: int
    held_at: datetime
    location: str
    attendees: str
    notes: str
    recorded_at: datetime


class MediationCaseOut(BaseModel):
    id: int
    compound_id: int
    compound_name: str | None
    grid_id: int | None
    kind: str
    kind_label: str
    category: str
    category_label: str
    title: str
    state: str
    state_label: str
    filed_at: datetime
    mediator_kind: str | None
    mediator_kind_label: str | None
    mediator_name: str | None
    settled_at: datetime | None
    followed_up_at: datetime | None
    version: int


class MediationCaseDetail(MediationCaseOut):
    summary: str
    mediator_person_id: int | None
    agreement: str | None
    follow_up_kept: bool | None
    follow_up_note: str | None
    parties: list[MediationPartyOut]
    sessions: list[MediationSessionOut]
    allowed_steps: list[str] = Field(description="the steps the case may take next")


class MediationCasePage(Page[MediationCaseOut]):
    """Mediation cases, newest first."""


class MediationCount(BaseModel):
    value: str
    label: str
    cases: int


class MediationFigures(BaseModel):
    """Cases of a place settled in a period (an agreement reached on a day of the period)."""

    filed: int = Field(description="cases filed in the period")
    resolved: int = Field(description="cases settled by an agreement in the period")
    disputes_resolved: int
    problems_resolved: int
    round_table_disputes: int = Field(description="disputes settled at the compound's round table (三方圆桌会议)")
    round_table_problems: int = Field(description="problems solved at the compound's round table")
    failed: int
    open: int = Field(description="cases still open today, whenever filed")
    followed_up: int
    agreements_kept: int
    by_mediator: list[MediationCount]
    by_category: list[MediationCount]
