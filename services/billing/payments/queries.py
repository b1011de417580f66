"""Reads of payments the routes answer with: a compound's refunds, one payment order, the
channels' notifications."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.payments.models import payment_notifications, payment_orders, refunds

NOTIFICATIONS_SHOWN = 500


async def refunds_of(session: AsyncSession, compound_id: int) -> list[Any]:
    return list(
        await session.execute(select(refunds).where(refunds.c.compound_id == compound_id).order_by(refunds.c.id))
    )


async def payment_order(session: AsyncSession, out_trade_no: str) -> Any:
    """The order's row, or None."""
    return (await session.execute(select(payment_orders).where(payment_orders.c.out_trade_no == out_trade_no))).first()


async def notifications(session: AsyncSession, compound_id: int | None, rejected_only: bool) -> list[Any]:
    """The newest notifications, about the compound's orders (or, without one, all of them)."""
    n = payment_notifications
    query = select(n).order_by(n.c.id.desc()).limit(NOTIFICATIONS_SHOWN)
    if compound_id is not None:
        query = query.where(
            n.c.out_trade_no.in_(
                select(payment_orders.c.out_trade_no).where(payment_orders.c.compound_id == compound_id)
            )
        )
    if rejected_only:
        query = query.where(n.c.outcome.like("rejected:%"))
    return list(await session.execute(query))
