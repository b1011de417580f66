"""Bill run, bill, arrears and collection-rate bodies."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.billing.bills.domain import BillKind, BillStatus, PayerKind, PeriodKind
from services.billing.rates.domain import RateScope
from shared.money import fen_to_yuan
from shared.responses import FromRow


class BillRunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope_kind: RateScope = RateScope.compound
    scope_id: int = Field(gt=0)
    period: str = Field(description="2026 | 2026-H1 | 2026-Q1 | 2026-03", examples=["2026"])


class CompoundIssueOut(BaseModel):
    compound_id: int
    bill_count: int
    amount_fen: int
    amount_yuan: str


class BillRunOut(BaseModel):
    id: int
    scope_kind: RateScope
    scope_id: int
    period_kind: PeriodKind
    period_label: str
    period_start: date
    period_end: date
    status: str
    issued_count: int
    issued_fen: int
    issued_yuan: str
    skipped_no_rate: int
    by_compound: list[CompoundIssueOut]
    created_at: datetime
    completed_at: datetime | None
    # What this request issued (0 when the period was complete already) and whether the
    # period had been run before.
    issued_now_count: int = 0
    issued_now_fen: int = 0
    executed_again: bool = False


class BillLineOut(BaseModel):
    payer_kind: PayerKind
    payer_kind_label: str
    payer_person_id: int | None
    area_m2: str
    rate_yuan_per_m2_month: str
    months: int
    days: int
    period_days: int
    vacancy_percent: int
    precise_fen: str
    amount_fen: int


class BillOut(FromRow):
    id: int
    compound_id: int
    building_id: int
    dwelling_id: int
    household_id: int | None
    kind: BillKind
    period_label: str
    period_start: date
    period_end: date
    source_id: str
    description: str
    payer_kind: PayerKind
    payer_person_id: int | None
    amount_fen: int
    paid_fen: int
    status: BillStatus
    due_date: date
    issued_at: datetime
    version: int
    lines: list[BillLineOut] | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return self.kind.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def payer_kind_label(self) -> str:
        return self.payer_kind.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return self.status.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def amount_yuan(self) -> str:
        return fen_to_yuan(self.amount_fen)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outstanding_fen(self) -> int:
        """What is still owed; a void bill owes nothing."""
        return 0 if self.status is BillStatus.void else self.amount_fen - self.paid_fen


class BillPage(BaseModel):
    total: int
    items: list[BillOut]


class BillReissue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=200, examples=["面积更正为 86.50 m²"])


class BillVoid(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    reason: str = Field(min_length=1, max_length=200)


class ArrearsRow(BaseModel):
    group: str = Field(
        description="household, building, dwelling or compound; a dwelling with no household "
        "(vacant, unsold, undelivered) is its own 'dwelling' row in the household view"
    )
    id: int
    bill_count: int
    outstanding_fen: int
    outstanding_yuan: str
    oldest_period: str
    room: str | None = Field(default=None, description="building and room, e.g. '1栋101'", examples=["1栋101"])
    payer: str | None = Field(default=None, description="masked name of who owes, or 开发商", examples=["王*英"])
    note: str | None = Field(default=None, description="why a dwelling has no household", examples=["未售"])


class ArrearsOut(BaseModel):
    compound_id: int
    by: str
    as_of: date
    total_outstanding_fen: int
    total_outstanding_yuan: str
    rows: list[ArrearsRow]


class CollectionRateOut(BaseModel):
    scope_kind: RateScope
    scope_id: int
    period_label: str
    due_fen: int
    paid_fen: int
    due_yuan: str
    paid_yuan: str
    bill_count: int
    paid_in_full_count: int
    collection_rate: str | None
    formula: str


class RemindersCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compound_id: int = Field(gt=0)
    min_outstanding_fen: int = Field(default=1, ge=1)
    as_of: date | None = None


class RemindersOut(BaseModel):
    compound_id: int
    as_of: date
    reminded: int
    outstanding_fen: int
