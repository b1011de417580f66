"""Request and response bodies of orders (工单)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, computed_field

from services.dispatch.catalogue.domain import Urgency
from services.dispatch.matching.domain import CandidateKind
from services.dispatch.orders.domain import Channel, OrderState, Triage
from shared.pagination import Page

# Required free text: blank after trimming is refused.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Versioned(In):
    version: int | None = Field(default=None, gt=0, description="the version you saw; a stale one gets 409")


class OrderCreate(In):
    category: str = Field(min_length=1, max_length=40, examples=["water_leak"])
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        examples=["厨房水管漏水"]
    )
    description: str = Field(default="", max_length=4000)
    urgency: Urgency = Urgency.normal
    household_id: int | None = Field(default=None, gt=0, description="the home it is for; omit for a public place")
    compound_id: int | None = Field(default=None, gt=0, description="for a public place in the compound")
    place: str | None = Field(default=None, max_length=200, description="where, for a public place")
    lat: float | None = Field(
        default=None, ge=-90, le=90, description="纬度：报事人同意后手机定位所得 (WGS-84 latitude, with `long`)"
    )
    long: float | None = Field(
        default=None, ge=-180, le=180, description="经度：报事人同意后手机定位所得 (WGS-84 longitude, with `lat`)"
    )
    fields: dict[str, Any] = Field(default_factory=dict, description="the category's own fields")
    photos: list[str] = Field(default_factory=list, max_length=9, description="photo references (object keys)")
    channel: Channel | None = Field(default=None, description="door_knocking / phone when a grid worker records it")
    requester_person_id: int | None = Field(default=None, gt=0, description="who asked, when recorded on their behalf")


class TriageBody(Versioned):
    triage: Triage
    refer_to_deliberation: bool = False
    department: str | None = Field(default=None, max_length=100)
    reference_no: str | None = Field(default=None, max_length=100)
    advice: str | None = Field(default=None, max_length=2000)
    note: str | None = Field(default=None, max_length=2000)


class ReferralUpdateBody(Versioned):
    status: Literal["in_progress", "resolved"]
    note: Text


class DispatchBody(Versioned):
    mode: Literal["assign", "grab", "shared_property"] | None = Field(
        default=None, description="default: the category's mode"
    )
    party_member_id: int | None = Field(default=None, gt=0, description="for assign")
    note: str | None = Field(default=None, max_length=2000)


class ReasonBody(Versioned):
    reason: Text


class OptionalNoteBody(Versioned):
    note: str | None = Field(default=None, max_length=2000)


class NoteBody(Versioned):
    note: Text


class CompleteBody(Versioned):
    summary: Text


class RateBody(Versioned):
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class DismissBody(Versioned):
    kind: Literal["duplicate", "invalid"]
    reason: Text
    duplicate_of: str | None = Field(default=None, max_length=36)


class EscalateBody(Versioned):
    reason: Text
    co_handler_person_ids: list[int] = Field(default_factory=list, max_length=10, description="street level only")


class EntryOut(BaseModel):
    at: datetime
    action: str
    action_label: str
    from_state: str | None
    to_state: str
    to_state_label: str
    actor_person_id: int | None
    note: str | None
    details: dict[str, Any]


class OfferOut(BaseModel):
    party_member_id: int
    person_id: int
    round: int
    status: str
    reason: str | None
    offered_at: datetime
    answered_at: datetime | None


class OrderOut(BaseModel):
    id: str
    kind: str
    kind_label: str
    channel: str
    channel_label: str
    state: str
    state_label: str
    version: int
    compound_id: int
    grid_id: int | None
    community_id: int
    street_id: int | None
    household_id: int | None
    place: str | None
    lat: float | None = Field(
        default=None, description="纬度（报事人同意定位时）(latitude, when she sent her location)"
    )
    long: float | None = Field(default=None, description="经度 (longitude)")
    requester_person_id: int | None
    recorded_by_person_id: int | None
    category: str
    category_name: str
    title: str
    description: str
    fields: dict[str, str]
    photos: list[str]
    urgency: str
    urgency_label: str
    dispatch_mode: str
    triage: str | None
    triage_label: str | None
    triage_note: dict[str, Any]
    provider: str | None
    assignee_member_id: int | None
    assignee_person_id: int | None
    offers_made: int
    escalation_level: str
    escalation_level_label: str
    co_handlers: list[int]
    summary: str | None
    rating: int | None
    rating_comment: str | None
    sla_breached: bool
    submitted_at: datetime
    triaged_at: datetime | None
    accepted_at: datetime | None
    completed_at: datetime | None
    closed_at: datetime | None


class OrderDetail(OrderOut):
    timeline: list[EntryOut]
    offers: list[OfferOut]
    deadlines: list[dict[str, Any]]


class OrderPage(Page[OrderOut]):
    """Orders, newest first (or the longest waiting first)."""


class StateCount(BaseModel):
    """How many orders stand in one state, with the state's Chinese label."""

    state: OrderState
    label: str
    orders: int


class OrderCounts(BaseModel):
    """The caller's visible orders under the list's filters, counted by state (a board's column
    heads), every state asked for listed even when none stands in it."""

    total: int
    by_state: list[StateCount]


class CandidateOut(BaseModel):
    """A party member, or after them a volunteer resident (特长户; kind says which; a volunteer
    has no party_member_id and is asked by the grid worker, not offered the order in the app)."""

    party_member_id: int | None
    person_id: int
    name: str
    eligible: bool
    rank: int | None
    reasons: list[str]
    excluded_because: list[str]
    open_orders: int
    max_open_orders: int
    paired_with_household: bool
    average_rating: float | None
    kind: CandidateKind = CandidateKind.party_member
    volunteer_id: int | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return self.kind.label
