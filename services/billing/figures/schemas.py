"""Bodies of billing's figures for the governance dashboard."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from shared.figures import Level


class MonthCollection(BaseModel):
    """The property-fee bills of one month: what was due, what came in, the rate."""

    month: str = Field(examples=["2026-03"])
    due_fen: int
    paid_fen: int
    collection_rate: str | None


class CompoundMoney(BaseModel):
    compound_id: int
    compound_name: str
    due_fen: int
    paid_fen: int
    collection_rate: str | None
    arrears_fen: int


class AgeBucket(BaseModel):
    """Arrears by how long past due they are (days after the bill's due date)."""

    value: str
    label: str
    outstanding_fen: int
    bills: int


class AmountLine(BaseModel):
    value: str
    label: str
    amount_fen: int
    amount_yuan: str


class BillingFigures(BaseModel):
    level: Level
    place_id: int
    date_from: date
    date_to: date
    time_zone: str = "Asia/Shanghai"
    compounds: int
    due_fen: int = Field(description="property-fee bills whose period lies in the period (not void)")
    paid_fen: int
    bill_count: int
    paid_in_full_count: int
    collection_rate: str | None
    formula: str
    by_month: list[MonthCollection]
    arrears_as_of: date
    arrears_fen: int = Field(description="what is owed on issued bills due by date_to (as GET /arrears)")
    arrears_by_age: list[AgeBucket]
    revenue_fen: int = Field(description="public revenue (net) received in the period")
    revenue_by_source: list[AmountLine]
    distributed_fen: int = Field(description="public revenue distributed in the period (433)")
    distribution_by_part: list[AmountLine]
    fund_balances: list[AmountLine] = Field(description="balances now, per fund (maintenance fund summed)")
    by_compound: list[CompoundMoney]
