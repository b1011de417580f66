"""Open311 GeoReport v2 terms for Linli orders: an order is open until it reaches a final
state. Pure Python."""

from __future__ import annotations

from services.dispatch.orders.domain import FINAL, OrderState

OPEN = "open"
CLOSED = "closed"

# The places a client key may be issued for, as a person reads them.
PLACE_LABEL = {"compound": "小区", "community": "社区", "street": "街道"}


def status_of(state: OrderState) -> str:
    """GeoReport knows two statuses; confirmed orders (work done, awaiting rating) are closed."""
    return CLOSED if state in FINAL or state == OrderState.confirmed else OPEN


def states_for(status: str) -> list[str]:
    """The order states a GeoReport status filter means."""
    return [s.value for s in OrderState if status_of(s) == status]
