"""Revenue, distribution, fund and visit-charge bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.billing.funds.domain import DevelopmentFundSource, FundKind, RevenueSource
from shared.money import fen_to_yuan
from shared.responses import FromRow, JsonText


class RevenueCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compound_id: int = Field(gt=0)
    source: RevenueSource
    gross_fen: int
    cost_fen: int = 0
    evidence: list[str] = Field(default_factory=list, max_length=20, description="发票/合同编号")
    description: str = Field(min_length=1, max_length=200)
    received_on: date


class RevenueOut(FromRow):
    id: int
    compound_id: int
    source: RevenueSource
    gross_fen: int
    cost_fen: int
    net_fen: int
    evidence: Annotated[list[str], JsonText]
    description: str
    received_on: date
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def source_label(self) -> str:
        return self.source.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def net_yuan(self) -> str:
        return fen_to_yuan(self.net_fen)


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shares: dict[str, int] = Field(description="{part: basis points}, summing to 10000")
    version: int | None = None


class RuleOut(BaseModel):
    compound_id: int
    shares: dict[str, int]
    labels: dict[str, str]
    is_default: bool
    version: int


class DistributionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compound_id: int = Field(gt=0)
    amount_fen: int | None = Field(default=None, description="defaults to everything undistributed")
    approval_id: int | None = Field(
        default=None, description="required: an approval of this amount by a second committee member (four eyes)"
    )


class DistributionOut(BaseModel):
    id: int
    compound_id: int
    amount_fen: int
    shares: dict[str, int]
    parts: dict[str, int]
    created_at: datetime
    requested_by: int | None = None
    approved_by: int | None = None


class MovementCreate(BaseModel):
    """Money into or out of a fund: a shared development fund deposit or disbursement, an
    expense from a part of the fund pool, a maintenance-fund deposit for a dwelling."""

    model_config = ConfigDict(extra="forbid")

    compound_id: int = Field(gt=0)
    amount_fen: int
    purpose: str = Field(min_length=1, max_length=200)
    counterparty: str | None = Field(default=None, max_length=100)
    source: DevelopmentFundSource | None = None


class MaintenanceDeposit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dwelling_id: int = Field(gt=0)
    amount_fen: int
    purpose: str = Field(default="维修资金缴存", max_length=200)


class MaintenanceWithdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compound_id: int = Field(gt=0)
    building_ids: list[int] = Field(min_length=1, max_length=50)
    amount_fen: int
    purpose: str = Field(min_length=1, max_length=200)
    decision_id: str | None = Field(default=None, max_length=80)
    emergency: bool = False
    approval_id: int | None = Field(
        default=None, description="an emergency withdrawal without a decision: a second member's approval"
    )


class MovementOut(FromRow):
    id: int
    compound_id: int
    fund: FundKind
    ref: str
    direction: str
    amount_fen: int
    source: str | None
    purpose: str
    counterparty: str | None
    decision_id: str | None
    emergency: bool
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fund_label(self) -> str:
        return self.fund.label


class FundBalance(BaseModel):
    fund: FundKind
    fund_label: str
    ref: str
    ref_label: str
    balance_fen: int
    balance_yuan: str


class FundsOut(BaseModel):
    compound_id: int
    balances: list[FundBalance]


class VisitChargeOut(BaseModel):
    visit_id: str
    order_id: str
    compound_id: int
    household_id: int | None
    category: str
    provider: str
    price_fen: int
    market_price_fen: int
    saving_fen: int
    charge_to: str
    bill_id: int | None
    completed_at: str
