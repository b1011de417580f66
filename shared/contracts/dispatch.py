"""Events dispatch publishes on `dispatch.events`, keyed by compound id.

The two at the top cross service lines and are fixed here before either side is written:
deliberation consumes `OrderReferredToDeliberation` (a minor matter the residents must decide),
billing consumes `SharedPropertyVisitCompleted` (a per-visit charge). Dispatch's own lifecycle
events (order created, triaged, offered, assigned, …) follow below them."""

from __future__ import annotations

from typing import ClassVar, Literal

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
