"""Bodies and answers of shared spaces and their bookings."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.billing.spaces.domain import BookingStatus, Pricing, SpaceKind, clock_text
from shared.money import fen_to_yuan
from shared.pagination import Page

CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$"
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class UseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=40, examples=["阅览"])
    pricing: Pricing
    fee_fen: int = Field(default=0, ge=0, description="per hour or per use, integer fen; 0 when free")


class SpaceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    compound_id: int = Field(gt=0)
    name: str = Field(min_length=1, max_length=60, examples=["红邻·馨空间 架空层活动室"])
    kind: SpaceKind
    capacity: int = Field(ge=1, le=10_000)
    opens_at: str = Field(pattern=CLOCK, examples=["08:00"], description="Beijing time")
    closes_at: str = Field(pattern=CLOCK, examples=["21:00"])
    description: str = Field(default="", max_length=300)
    uses: list[UseIn] = Field(min_length=1, max_length=10)


class SpaceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, description="the version you saw")
    opens_at: str | None = Field(default=None, pattern=CLOCK)
    closes_at: str | None = Field(default=None, pattern=CLOCK)
    capacity: int | None = Field(default=None, ge=1, le=10_000)
    active: bool | None = None


class UseOut(Out):
    id: int
    name: str
    pricing: Pricing
    fee_fen: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pricing_label(self) -> str:
        return self.pricing.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fee_yuan(self) -> str:
        return fen_to_yuan(self.fee_fen)


class SpaceOut(Out):
    id: int
    compound_id: int
    name: str
    kind: SpaceKind
    capacity: int
    opens_min: int = Field(exclude=True)
    closes_min: int = Field(exclude=True)
    description: str
    active: bool
    version: int
    uses: list[UseOut] = []

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return self.kind.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def opens_at(self) -> str:
        return clock_text(self.opens_min)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def closes_at(self) -> str:
        return clock_text(self.closes_min)


class SpacePage(Page[SpaceOut]):
    """A compound's spaces, in the order they were set up."""

    today: date | None = Field(
        default=None, description="the compound's today (Beijing time): the first day a booking may fall on"
    )


class BookingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    space_id: int = Field(gt=0)
    use_id: int = Field(gt=0)
    household_id: int = Field(gt=0, description="the booking resident's own household")
    starts_at: datetime = Field(examples=["2027-01-09T10:00:00+08:00"])
    ends_at: datetime = Field(examples=["2027-01-09T12:00:00+08:00"])
    purpose: str = Field(default="", max_length=100)


class BookingOut(Out):
    id: int
    space_id: int
    compound_id: int
    use_id: int
    household_id: int
    starts_at: datetime
    ends_at: datetime
    purpose: str
    status: BookingStatus
    fee_fen: int
    revenue_id: int | None
    fee_received_at: datetime | None
    created_at: datetime
    cancelled_at: datetime | None
    version: int
    space_name: str = ""
    use_name: str = ""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return self.status.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fee_yuan(self) -> str:
        return fen_to_yuan(self.fee_fen)


class BookingPage(Page[BookingOut]):
    """Bookings, newest first."""


class SlotOut(BaseModel):
    """A taken slot as residents see it: the time, and whether it is their own."""

    starts_at: datetime
    ends_at: datetime
    mine: bool


class DayOut(BaseModel):
    space_id: int
    day: str
    opens_at: str
    closes_at: str
    taken: list[SlotOut]


class UsageLine(BaseModel):
    space_id: int
    space_name: str
    kind_label: str
    bookings: int
    cancelled: int
    hours: str = Field(description="booked hours, e.g. '12.5'")
    households: int
    fee_fen: int
    fee_received_fen: int


class UsageOut(BaseModel):
    compound_id: int
    period: str
    lines: list[UsageLine]
