"""Bodies of household credit: rules, entries, the shop and the lists."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.dispatch.credit.domain import DEFAULT_POINTS, CreditReason
from shared.pagination import Page
from shared.responses import FromRow

PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"


class CreditRulesBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_POINTS),
        description="points per reason (credit_reason); awards ≥ 0, demerits ≤ 0",
        examples=[DEFAULT_POINTS],
    )
    honor_roll_size: int = Field(default=10, ge=1, le=100)
    warning_below: int = Field(default=0, ge=-1000, le=1000)
    warning_demerits: int = Field(default=2, ge=1, le=100)


class CreditRulesUpdate(CreditRulesBody):
    version: int | None = Field(default=None, ge=0, description="the version you saw (0 = none set yet)")


class CreditRuleLine(BaseModel):
    reason: str
    reason_label: str
    points: int


class CreditRulesOut(CreditRulesBody):
    compound_id: int
    version: int
    own: bool = Field(description="false: the default rules apply to this compound")
    lines: list[CreditRuleLine] = Field(description="each reason with its label and points, for display")


class CreditEntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    household_id: int = Field(gt=0)
    reason: CreditReason = Field(description="volunteering, sorting_*, convention_*, help_given")
    note: str = Field(min_length=1, max_length=500, description="why (who saw what, where, when)")


class CreditReversal(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=500, description="why the entry is undone")


class CreditEntryOut(BaseModel):
    id: int
    compound_id: int
    household_id: int
    household_label: str
    period: str
    reason: str
    reason_label: str
    points: int
    note: str
    item_id: int | None
    quantity: int | None
    reverses_entry_id: int | None
    reversed_by_entry_id: int | None
    by_person_id: int | None
    at: datetime


class CreditEntryPage(Page[CreditEntryOut]):
    """Credit entries, newest first."""


class HouseholdCredit(BaseModel):
    household_id: int
    household_label: str
    compound_id: int
    balance: int = Field(description="all entries summed: what the household may spend")
    period: str
    month_points: int = Field(description="this month's conduct (what the lists count; spending left out)")


class ShopItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    compound_id: int = Field(gt=0)
    name: str = Field(min_length=1, max_length=100, examples=["洗衣液 1 瓶"])
    points: int = Field(gt=0, le=100_000, description="points per piece")
    stock: int = Field(ge=0, le=1_000_000)


class ShopRestock(BaseModel):
    model_config = ConfigDict(extra="forbid")
    add: int = Field(ge=-1_000_000, le=1_000_000, description="pieces added (negative: taken off, e.g. spoiled)")
    active: bool | None = Field(default=None, description="false takes the item off the shelf")
    version: int = Field(ge=1, description="the version you saw")


class ShopItemOut(FromRow):
    id: int
    compound_id: int
    name: str
    points: int
    stock: int
    active: bool
    version: int


class ShopItemPage(Page[ShopItemOut]):
    """Shop items, by id."""


class CreditRedemption(BaseModel):
    model_config = ConfigDict(extra="forbid")
    household_id: int = Field(gt=0)
    quantity: int = Field(default=1, ge=1, le=100)


class CreditRedemptionOut(BaseModel):
    entry: CreditEntryOut
    item: ShopItemOut
    balance: int


class CreditListLine(BaseModel):
    household_id: int
    label: str
    points: int
    merits: int
    demerits: int


class CreditListsOut(BaseModel):
    compound_id: int
    compound_name: str
    period: str
    published: bool
    published_at: datetime | None
    honor_roll: list[CreditListLine]
    warning_list: list[CreditListLine]


class CreditPublishBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    compound_id: int = Field(gt=0)
    period: str = Field(pattern=PERIOD, examples=["2026-11"])
