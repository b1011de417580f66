"""The one way an order changes: `transition` moves the row with a guarded UPDATE (state and
version as read) and writes the timeline, the event, the clocks and the live feed in the
caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.catalogue.domain import Urgency
from services.dispatch.orders.domain import Action, EscalationLevel, OrderState, next_state
from services.dispatch.orders.models import Order, OrderEntry
from services.dispatch.orders.reading import category_of, iso
from services.dispatch.points import service as points
from services.dispatch.sla.service import start_clock
from services.dispatch.stream.service import notify
from shared.contracts import dispatch as events
from shared.events.envelope import EventData
from shared.events.outbox import emit
from shared.locking import check_version, update_versioned

EVENT_OF: dict[Action, type[events.OrderChangedFields]] = {
    Action.create: events.OrderCreated,
    Action.triage_major: events.OrderTriaged,
    Action.triage_private: events.OrderTriaged,
    Action.triage_deliberate: events.OrderTriaged,
    Action.triage_dispatch: events.OrderTriaged,
    Action.referral_update: events.OrderReferralUpdated,
    Action.referral_resolved: events.OrderClosed,
    Action.offer: events.OrderOffered,
    Action.assign_shared_property: events.OrderAssigned,
    Action.offer_expired: events.OrderOfferExpired,
    Action.accept: events.OrderAssigned,
    Action.claim: events.OrderAssigned,
    Action.decline: events.OrderDeclined,
    Action.start: events.OrderStarted,
    Action.note: events.OrderNoted,
    Action.complete: events.OrderCompleted,
    Action.confirm: events.OrderConfirmed,
    Action.auto_confirm: events.OrderConfirmed,
    Action.reopen: events.OrderReopened,
    Action.rate: events.OrderRated,
    Action.follow_up_done: events.OrderClosed,
    Action.cancel: events.OrderCancelled,
    Action.mark_duplicate: events.OrderCancelled,
    Action.mark_invalid: events.OrderCancelled,
    Action.escalate: events.OrderEscalated,
    Action.remind: events.OrderReminded,
}


@dataclass
class Change:
    """One transition to apply: the action, who did it, and what else changes with it."""

    action: Action
    actor_person_id: int | None
    now: datetime
    choice: OrderState | None = None
    values: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    recipients: list[str] = field(default_factory=list)
    # Restart the state's clock even if the state stays (re-offer, escalation).
    restart_clock: bool = False
    expected_version: int | None = None


async def transition(session: AsyncSession, order: Order, change: Change) -> Order:
    """Apply one transition with a guarded UPDATE; 409 if the order moved meanwhile."""
    seen_state, seen_version = OrderState(order.state), order.version
    check_version(*_ORDER, seen_version, change.expected_version, order_id=order.id, version=change.expected_version)
    target = next_state(seen_state, change.action, change.choice)
    await update_versioned(
        session,
        Order,
        (Order.id == order.id) & (Order.state == seen_state.value),
        seen_version,
        {**change.values, "state": target.value, "updated_at": change.now},
        *_ORDER,
        order_id=order.id,
        version=seen_version,
    )
    await session.refresh(order)
    session.add(
        OrderEntry(
            order_id=order.id,
            at=change.now,
            action=change.action.value,
            from_state=seen_state.value,
            to_state=target.value,
            actor_person_id=change.actor_person_id,
            note=change.note,
            details=change.details,
        )
    )
    category = await category_of(session, order)
    deadline = None
    if target != seen_state or change.restart_clock:
        deadline = await start_clock(
            session,
            order.id,
            category,
            Urgency(order.urgency),
            target,
            EscalationLevel(order.escalation_level),
            change.now,
        )
    # After the clock, so the event can say when it runs out (an offer's deadline).
    await announce(session, order, change, seen_state, category.name, deadline.due_at if deadline else None)
    if change.recipients:
        await notify(session, change.recipients, change.action.value, feed_payload(order, change), change.now, order.id)
    await points.on_transition(session, order, change.action, change.details, change.now)
    return order


_ORDER = ("工单", "The order")


def event_data(
    order: Order,
    action: str,
    actor_person_id: int | None,
    at: datetime,
    details: dict[str, Any],
    from_state: OrderState | None,
    category_name: str | None,
    due_at: datetime | None,
) -> dict[str, Any]:
    """The fields every order event carries (OrderChangedFields), as of the order row now."""
    return {
        "order_id": order.id,
        "compound_id": order.compound_id,
        "grid_id": order.grid_id,
        "community_id": order.community_id,
        "kind": order.kind,
        "category": order.category,
        "urgency": order.urgency,
        "action": action,
        "from_state": from_state.value if from_state is not None else None,
        "state": order.state,
        "version": order.version,
        "actor_person_id": actor_person_id,
        "assignee_person_id": order.assignee_person_id,
        "escalation_level": order.escalation_level,
        "at": iso(at),
        "details": details,
        "requester_person_id": order.requester_person_id,
        "category_name": category_name,
        "due_at": iso(due_at) if due_at is not None else None,
    }


async def announce(
    session: AsyncSession,
    order: Order,
    change: Change,
    from_state: OrderState | None,
    category_name: str | None = None,
    due_at: datetime | None = None,
) -> None:
    data: EventData = EVENT_OF[change.action].model_validate(
        event_data(
            order,
            change.action.value,
            change.actor_person_id,
            change.now,
            change.details,
            from_state,
            category_name,
            due_at,
        )
    )
    await emit(session, data, subject=order.id, key=order.compound_id)


def feed_payload(order: Order, change: Change) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "action": change.action.value,
        "action_label": change.action.label,
        "state": order.state,
        "state_label": OrderState(order.state).label,
        "title": order.title,
        "category": order.category,
        "urgency": order.urgency,
        "compound_id": order.compound_id,
        "escalation_level": order.escalation_level,
        "version": order.version,
        "note": change.note,
        "details": change.details,
        "at": iso(change.now),
    }


def grid_feed(order: Order) -> list[str]:
    """The grid workers' feed for the order's grid (the community's when it has no grid)."""
    return [f"grid:{order.grid_id}"] if order.grid_id is not None else [f"community:{order.community_id}"]
