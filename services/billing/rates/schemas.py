"""Rate card bodies."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.billing.contracts.schemas import ContractStandard
from services.billing.rates.domain import ManagementModel, RateScope, Structure


class RateCardCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope_kind: RateScope = RateScope.compound
    scope_id: int = Field(gt=0)
    structure: Structure
    management_model: ManagementModel
    rate_yuan_per_m2_month: str = Field(description="exact decimal, e.g. '0.55'", examples=["0.50"])
    vacancy_percent: int = Field(default=100, description="空置房按全额的百分比收取")
    effective_from: date
    effective_to: date | None = None


class RateCardOut(BaseModel):
    id: int
    scope_kind: RateScope
    scope_id: int
    structure: Structure
    structure_label: str
    management_model: ManagementModel
    management_model_label: str
    rate_yuan_per_m2_month: str
    vacancy_percent: int
    effective_from: date
    effective_to: date | None
    created_at: datetime
    contract_standard: ContractStandard | None = Field(
        default=None,
        description="收费价格与服务标准衔接: the service contract in force on the card's first day (compound cards)",
    )
