"""An offer about to lapse: the members it went to hear of it once more before the deadline
(the SLA ticker fires the warning row that `start_clock` set beside the accept clock). No state
changes and nothing is written to the timeline: only the event, which the registry turns into
a message (inbox, and by the person's channels)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.catalogue.domain import Stage
from services.dispatch.orders.domain import OrderState
from services.dispatch.orders.models import Offer, Order
from services.dispatch.orders.reading import category_of
from services.dispatch.orders.transition import event_data
from services.dispatch.sla.models import Deadline
from shared.contracts import dispatch as events
from shared.events.outbox import emit


async def warn(session: AsyncSession, order: Order, now: datetime) -> None:
    if order.state != OrderState.offered.value:
        return  # answered, or the grid worker took it back: nothing lapses
    unanswered = (
        await session.scalars(
            select(Offer).where(Offer.order_id == order.id, Offer.round == order.offers_made, Offer.status == "open")
        )
    ).all()
    if not unanswered:
        return
    due_at = await session.scalar(
        select(Deadline.due_at).where(
            Deadline.order_id == order.id,
            Deadline.stage == Stage.accept.value,
            Deadline.fired_at.is_(None),
            Deadline.cancelled_at.is_(None),
        )
    )
    category = await category_of(session, order)
    details = {"round": order.offers_made, "person_ids": sorted({o.person_id for o in unanswered})}
    data = events.OrderOfferLapsing.model_validate(
        event_data(order, "offer_lapsing", None, now, details, OrderState.offered, category.name, due_at)
    )
    await emit(session, data, subject=order.id, key=order.compound_id)
