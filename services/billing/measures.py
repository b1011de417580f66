"""Billing's business measures for /metrics (issue 17): bills issued by status with their sums
(what is owed and what was paid), and payments booked by channel. Rates come from the events
counter (linli_relay_published_total); these say what is true now."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.bills.models import bills
from services.billing.payments.models import payments
from shared.observability import Measure, MeasureRows


async def _bills(session: AsyncSession) -> MeasureRows:
    rows = await session.execute(select(bills.c.status, func.count()).group_by(bills.c.status))
    return [((status,), float(n)) for status, n in rows]


async def _bill_fen(session: AsyncSession) -> MeasureRows:
    due, paid = (
        await session.execute(
            select(func.coalesce(func.sum(bills.c.amount_fen), 0), func.coalesce(func.sum(bills.c.paid_fen), 0))
        )
    ).one()
    return [(("billed",), float(due)), (("paid",), float(paid))]


async def _payments(session: AsyncSession) -> MeasureRows:
    rows = await session.execute(select(payments.c.channel, func.count()).group_by(payments.c.channel))
    return [((channel,), float(n)) for channel, n in rows]


MEASURES = (
    Measure("linli_bills", "Bills by status", ("status",), _bills),
    Measure("linli_bills_fen", "Fen billed and paid over all bills", ("what",), _bill_fen),
    Measure("linli_payments", "Payments booked by channel", ("channel",), _payments),
)
