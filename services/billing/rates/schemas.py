"""Rate card bodies."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.billing.contracts.schemas import ContractStandard
from services.billing.rates.domain import ManagementModel, RateScope, Structure, rate_text
from shared.responses import FromRow


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


class RateCardOut(FromRow):
    id: int
    scope_kind: RateScope
    scope_id: int
    structure: Structure
    management_model: ManagementModel
    # Stored in hundredths of a fen per m² and month; shown as yuan (rate_yuan_per_m2_month).
    rate_units: int = Field(exclude=True)
    vacancy_percent: int
    effective_from: date
    effective_to: date | None
    created_at: datetime
    contract_standard: ContractStandard | None = Field(
        default=None,
        description="收费价格与服务标准衔接: the service contract in force on the card's first day (compound cards)",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def structure_label(self) -> str:
        return self.structure.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def management_model_label(self) -> str:
        return self.management_model.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rate_yuan_per_m2_month(self) -> str:
        return rate_text(self.rate_units)
