"""Events dispatch publishes on `dispatch.events`, keyed by compound id.

The two at the top cross service lines and are fixed here before either side is written:
deliberation consumes `OrderReferredToDeliberation` (a minor matter the residents must decide),
billing consumes `SharedPropertyVisitCompleted` (a per-visit charge). Dispatch's own lifecycle
events (order created, triaged, offered, assigned, …) follow below them."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from shared.events.envelope import EventData

# --- consumed by other services -----------------------------------------------------------


class OrderReferredToDeliberation(EventData):
    """A grid worker triaged an order as minor and residents must decide (一事一议): deliberation
    opens a proposal for it. `order_id` is the proposal's origin; one proposal per order."""

    event_type: ClassVar[str] = "linli.dispatch.order.referred_to_deliberation.v1"
    order_id: str
    compound_id: int
    household_id: int | None
    requester_person_id: int | None
    referred_by_person_id: int
    category: str
    title: str
    description: str


class SharedPropertyVisitCompleted(EventData):
    """The shared property company (共享物业) finished a visit: billing charges `price_fen` to the
    household or to the compound's fund, as the category's rule says, and keeps `market_price_fen`
    beside it to show the saving. `visit_id` is unique; a redelivery must not charge twice."""

    event_type: ClassVar[str] = "linli.dispatch.shared_property_visit.completed.v1"
    visit_id: str
    order_id: str
    compound_id: int
    household_id: int | None
    dwelling_id: int | None
    category: str
    provider: str
    price_fen: int
    market_price_fen: int
    charge_to: Literal["household", "compound_fund"]
    completed_at: str
    # What a resident reads on the bill (管道疏通), not the code (drain_clog); optional so events
    # from before it was added still parse.
    category_label: str | None = None


# --- dispatch's own lifecycle events ------------------------------------------------------


class OrderChangedFields(EventData):
    """Every transition of an order: where it was, where it is now, who moved it and why.
    `action` names the transition (create, triage_dispatch, offer, accept, …); `details` carries
    what that action adds (triage outcome, offered members, rating, escalation level, …)."""

    order_id: str
    compound_id: int
    grid_id: int | None
    community_id: int
    kind: str
    category: str
    urgency: str
    action: str
    from_state: str | None
    state: str
    version: int
    actor_person_id: int | None
    assignee_person_id: int | None
    escalation_level: str
    at: str
    details: dict[str, Any] = Field(default_factory=dict)
    # Optional so events from before they were added still parse. The registry needs them to
    # tell people (issue 15): whose order it is (a person id, no contact detail), what kind of
    # help it is in words (水管漏水), and when the state's clock runs out (an offer's deadline).
    requester_person_id: int | None = None
    category_name: str | None = None
    due_at: str | None = None


class OrderCreated(OrderChangedFields):
    event_type: ClassVar[str] = "linli.dispatch.order.created.v1"


class OrderTriaged(OrderChangedFields):
    event_type: ClassVar[str] = "linli.dispatch.order.triaged.v1"


class OrderReferralUpdated(OrderChangedFields):
    event_type: ClassVar[str] = "linli.dispatch.order.referral_updated.v1"


class OrderOffered(OrderChangedFields):
    event_type: ClassVar[str] = "linli.dispatch.order.offered.v1"


class OrderOfferExpired(OrderChangedFields):
    event_type: ClassVar[str] = "linli.dispatch.order.offer_expired.v1"


class OrderOfferLapsing(OrderChangedFields):
    """An offer still unanswered close to its deadline (no state change): the members it went
    to (`details.person_ids`) are reminded before it lapses; `due_at` is the deadline."""

    event_type: ClassVar[str] = "linli.dispatch.order.offer_lapsing.v1"


class OrderAssigned(OrderChangedFields):
    """Accepted by a party member (assign or grab), claimed (wish) or given to the shared property."""

    event_type: ClassVar[str] = "linli.dispatch.order.assigned.v1"


class OrderDeclined(OrderChangedFields):
    event_type: ClassVar[str] = "linli.dispatch.order.declined.v1"


class OrderStarted(OrderChangedFields):
    event_type: ClassVar[str] = "linli.dispatch.order.started.v1"


class OrderNoted(OrderChangedFields):
    event_type: ClassVar[str] = "linli.dispatch.order.noted.v1"


class OrderCompleted(OrderChangedFields):
    event_type: ClassVar[str] = "linli.dispatch.order.completed.v1"


class OrderConfirmed(OrderChangedFields):
    event_type: ClassVar[str] = "linli.dispatch.order.confirmed.v1"


class OrderReopened(OrderChangedFields):
    event_type: ClassVar[str] = "linli.dispatch.order.reopened.v1"


class OrderRated(OrderChangedFields):
    event_type: ClassVar[str] = "linli.dispatch.order.rated.v1"


class OrderClosed(OrderChangedFields):
    """Closed without dispatch work: advice given (private), referral resolved, follow-up done."""

    event_type: ClassVar[str] = "linli.dispatch.order.closed.v1"


class OrderCancelled(OrderChangedFields):
    """Cancelled by the requester, or marked duplicate / invalid (`details.reason_kind`)."""

    event_type: ClassVar[str] = "linli.dispatch.order.cancelled.v1"


class OrderEscalated(OrderChangedFields):
    event_type: ClassVar[str] = "linli.dispatch.order.escalated.v1"


class OrderReminded(OrderChangedFields):
    """A clock ran out and the owner of the order was reminded (no level change)."""

    event_type: ClassVar[str] = "linli.dispatch.order.reminded.v1"


class PointsListsPublished(EventData):
    """A compound's red list (honour roll) and black list (warning list) for a period were
    published; each entry: party_member_id, name, points, completed, penalties."""

    event_type: ClassVar[str] = "linli.dispatch.points_lists.published.v1"
    compound_id: int
    period: str
    honor_roll: list[dict[str, Any]]
    warning_list: list[dict[str, Any]]
    published_by_person_id: int | None
    published_at: str


class HouseholdCreditListsPublished(EventData):
    """A compound's environmental red and black lists of households (环境卫生红黑榜) for a month
    were published; each entry: household_id, label (1-1-301), points, merits, demerits. For
    the notice boards and notifications; no names (households are named by their door)."""

    event_type: ClassVar[str] = "linli.dispatch.credit_lists.published.v1"
    compound_id: int
    period: str
    honor_roll: list[dict[str, Any]]
    warning_list: list[dict[str, Any]]
    published_by_person_id: int | None
    published_at: str
