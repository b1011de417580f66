"""Payment, payment-order and refund bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.billing.payments.domain import Channel, OrderStatus, PaymentStatus
from shared.pagination import Page
from shared.responses import FromRow


class CounterPaymentCreate(BaseModel):
    """Money taken at the counter (or by bank transfer) by the committee or property staff."""

    model_config = ConfigDict(extra="forbid")

    dwelling_id: int = Field(gt=0)
    amount_fen: int
    channel: Channel = Channel.counter
    payer_name: str | None = Field(default=None, max_length=60)
    note: str | None = Field(default=None, max_length=200)


class AllocationOut(BaseModel):
    bill_id: int
    period_label: str
    amount_fen: int
    kind: str


class PaymentOut(BaseModel):
    id: int
    compound_id: int
    dwelling_id: int
    household_id: int | None
    channel: Channel
    channel_label: str
    out_trade_no: str | None
    transaction_id: str | None
    amount_fen: int
    amount_yuan: str
    unallocated_fen: int
    refunded_fen: int
    status: PaymentStatus
    status_label: str
    receipt_no: str
    payer_name: str | None
    booked_at: datetime
    version: int
    allocations: list[AllocationOut] = Field(default_factory=list)


class PaymentPage(Page[PaymentOut]):
    """Payments in the order they were booked; `total` counts them all."""

    total: int


class PaymentOrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dwelling_id: int = Field(gt=0)
    channel: Channel
    amount_fen: int | None = Field(default=None, description="defaults to everything the dwelling owes")


class PaymentOrderOut(FromRow):
    id: int
    out_trade_no: str
    compound_id: int
    dwelling_id: int
    household_id: int | None
    channel: Channel
    amount_fen: int
    status: OrderStatus
    payment_id: int | None
    created_at: datetime
    paid_at: datetime | None
    query_attempts: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return self.status.label


class RefundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_fen: int
    reason: str = Field(min_length=1, max_length=200)


class RefundOut(BaseModel):
    id: int
    payment_id: int
    compound_id: int
    amount_fen: int
    reason: str
    created_at: datetime


class ReversalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    reason: str = Field(min_length=1, max_length=200)
