"""Bodies and answers of property companies, contracts, surveys, reviews and credit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.billing.contracts.domain import CreditList
from shared.responses import FromRow, JsonText

CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CompanyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    street_id: int = Field(gt=0)
    name: str = Field(min_length=2, max_length=100, examples=["温江诚信物业服务有限公司"])
    credit_code: str = Field(pattern=CREDIT_CODE, description="统一社会信用代码", examples=["91510115MA61XXXX0X"])


class CompanyOut(Out):
    id: int
    street_id: int
    name: str
    credit_code: str
    created_at: datetime


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=100, examples=["门岗24小时值守"])
    weight: int = Field(ge=1, le=100, description="points out of 100")


class ContractCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    compound_id: int = Field(gt=0)
    company_id: int = Field(gt=0)
    starts_on: date
    ends_on: date
    multi_storey_rate: str | None = Field(default=None, description="yuan/m²/month for 多层", examples=["0.55"])
    high_rise_rate: str | None = Field(default=None, description="yuan/m²/month for 高层", examples=["1.00"])
    items: list[ItemIn] = Field(min_length=1, max_length=30)


class ItemOut(Out):
    id: int
    title: str
    weight: int


class ContractOut(BaseModel):
    id: int
    compound_id: int
    company_id: int
    company_name: str
    starts_on: date
    ends_on: date
    multi_storey_rate: str | None
    high_rise_rate: str | None
    items: list[ItemOut]
    created_at: datetime


class SurveyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contract_id: int = Field(gt=0)
    title: str = Field(min_length=1, max_length=100, examples=["2026年度物业服务满意度测评"])
    opens_on: date
    closes_on: date


class SurveyOut(BaseModel):
    id: int
    contract_id: int
    compound_id: int
    company_name: str
    title: str
    opens_on: date
    closes_on: date
    open: bool
    answered_by_me: bool = Field(description="one of my households has answered")


class AnswerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    household_id: int = Field(gt=0)
    score: int = Field(ge=1, le=5, description="1 很不满意 … 5 很满意")
    comment: str = Field(default="", max_length=300)


class AnswerReceipt(BaseModel):
    survey_id: int
    household_id: int
    answered: bool


class SurveyResults(BaseModel):
    """Anonymous: counts, the average and the comments, never who said what."""

    survey_id: int
    title: str
    answers: int
    households: int = Field(description="households of the compound")
    distribution: dict[str, int] = Field(description="score → answers")
    satisfaction_percent: int | None
    comments: list[str]


class ReviewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contract_id: int = Field(gt=0)
    period: str = Field(pattern=PERIOD, examples=["2026-12"], description="the month reviewed")
    scores: dict[int, int] = Field(description="item id → score (0 … the item's weight)")
    note: str = Field(default="", max_length=300)


class ReviewLine(BaseModel):
    item_id: int
    title: str
    weight: int
    score: int


class ReviewOut(FromRow):
    id: int
    contract_id: int
    compound_id: int
    company_name: str
    period: str
    lines: Annotated[list[ReviewLine], JsonText] = Field(validation_alias="scores")
    total: int
    note: str
    created_at: datetime


class CreditOut(BaseModel):
    company_id: int
    name: str
    credit_code: str
    contracts: int
    review_average: int | None
    satisfaction_percent: int | None
    score: int | None
    list: CreditList

    @computed_field  # type: ignore[prop-decorator]
    @property
    def list_label(self) -> str:
        return self.list.label


class CreditLists(BaseModel):
    street_id: int
    red_at: int
    black_below: int
    honor_roll: list[CreditOut]
    warning_list: list[CreditOut]
    companies: list[CreditOut]


class ContractStandard(BaseModel):
    """收费价格与服务标准衔接: the contract in force beside a compound's rate card."""

    contract_id: int
    company_name: str
    starts_on: date
    ends_on: date
    contract_rate: str | None = Field(description="the contract's fee standard for the card's structure")
    in_step: bool | None = Field(description="the card charges no more than the contract's standard")
    items: list[str]
    latest_review_period: str | None
    latest_review_total: int | None
