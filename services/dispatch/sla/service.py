"""Starting and stopping an order's clocks: a row per running clock; moving to a new state
stops the old clocks and starts the one that state runs against."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.catalogue.domain import Category, Stage, Urgency, sla_seconds
from services.dispatch.orders.domain import EscalationLevel, OrderState
from services.dispatch.sla.models import LAPSE_WARNING, Deadline

# The clock each state runs against; states not listed wait on nobody's clock.
STAGE_OF: dict[OrderState, Stage] = {
    OrderState.submitted: Stage.triage,
    OrderState.awaiting_dispatch: Stage.triage,
    OrderState.offered: Stage.accept,
    OrderState.accepted: Stage.start,
    OrderState.in_progress: Stage.resolve,
    OrderState.completed: Stage.confirm,
    OrderState.follow_up: Stage.follow_up,
}

# A second row beside the accept clock (LAPSE_WARNING): the members an offer went to are reminded
# before it lapses (a party member whose app is closed would otherwise miss a 30-minute window).
# The reminder comes when a third of the window is left, at most ten minutes before the deadline.
LAPSE_WARNING_LEAD = timedelta(minutes=10)


def lapse_warning_at(offered_at: datetime, due_at: datetime) -> datetime:
    return due_at - min(LAPSE_WARNING_LEAD, (due_at - offered_at) / 3)


async def stop_clocks(session: AsyncSession, order_id: str, now: datetime) -> None:
    await session.execute(
        update(Deadline)
        .where(Deadline.order_id == order_id, Deadline.fired_at.is_(None), Deadline.cancelled_at.is_(None))
        .values(cancelled_at=now)
    )


async def start_clock(
    session: AsyncSession,
    order_id: str,
    category: Category,
    urgency: Urgency,
    state: OrderState,
    level: EscalationLevel,
    now: datetime,
    *,
    new_order: bool = False,
) -> Deadline | None:
    """Stop the order's running clocks and start the one its state runs against (if any); a
    new order has none running."""
    if not new_order:
        await stop_clocks(session, order_id, now)
    stage = STAGE_OF.get(state)
    if stage is None:
        return None
    deadline = Deadline(
        order_id=order_id,
        stage=stage.value,
        level=level.value,
        due_at=now + timedelta(seconds=sla_seconds(category, urgency, stage)),
    )
    session.add(deadline)
    if stage is Stage.accept:
        warning_at = lapse_warning_at(now, deadline.due_at)
        session.add(Deadline(order_id=order_id, stage=LAPSE_WARNING, level=level.value, due_at=warning_at))
    return deadline
