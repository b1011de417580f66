"""Dispatch's business measures for /metrics (issue 17): orders by state and kind, orders that
breached their SLA, and offers by status (expired = lapsed). Rates come from the events
counter (linli_relay_published_total); these say what is true now."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.orders.models import Offer, Order
from shared.observability import Measure, MeasureRows


async def _orders(session: AsyncSession) -> MeasureRows:
    rows = await session.execute(select(Order.state, Order.kind, func.count()).group_by(Order.state, Order.kind))
    return [((state, kind), float(n)) for state, kind, n in rows]


async def _breached(session: AsyncSession) -> MeasureRows:
    rows = await session.execute(
        select(Order.state, func.count()).where(Order.sla_breached.is_(True)).group_by(Order.state)
    )
    return [((state,), float(n)) for state, n in rows]


async def _offers(session: AsyncSession) -> MeasureRows:
    rows = await session.execute(select(Offer.status, func.count()).group_by(Offer.status))
    return [((status,), float(n)) for status, n in rows]


MEASURES = (
    Measure("linli_orders", "Orders by state and kind (order, wish, execution task)", ("state", "kind"), _orders),
    Measure("linli_orders_sla_breached", "Orders that breached an SLA clock, by state now", ("state",), _breached),
    Measure("linli_offers", "Offers to party members by status (expired: lapsed)", ("status",), _offers),
)
