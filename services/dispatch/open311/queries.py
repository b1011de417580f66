"""Reads of orders the GeoReport v2 facade answers with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.orders.models import Order
from services.dispatch.sla.models import Deadline

REQUESTS_SHOWN = 1000


async def next_due(session: AsyncSession, order_id: str) -> datetime | None:
    """When the order's earliest running deadline runs out (GeoReport's expected_datetime)."""
    return await session.scalar(
        select(Deadline.due_at)
        .where(Deadline.clocks_of(order_id), Deadline.fired_at.is_(None))
        .order_by(Deadline.due_at)
        .limit(1)
    )


async def find_requests(
    session: AsyncSession,
    visible: ColumnElement[bool],
    ids: Sequence[str] | None,
    service_code: str | None,
    states: Sequence[str] | None,
    start_date: datetime | None,
    end_date: datetime | None,
) -> Sequence[Order]:
    """The visible orders matching GeoReport's filters, newest first."""
    query = select(Order).where(visible)
    if ids is not None:
        query = query.where(Order.id.in_(ids))
    if service_code:
        query = query.where(Order.category == service_code)
    if states is not None:
        query = query.where(Order.state.in_(states))
    if start_date:
        query = query.where(Order.submitted_at >= start_date)
    if end_date:
        query = query.where(Order.submitted_at <= end_date)
    return (await session.scalars(query.order_by(Order.id.desc()).limit(REQUESTS_SHOWN))).all()


async def visible_request(session: AsyncSession, visible: ColumnElement[bool], order_id: str) -> Order | None:
    return await session.scalar(select(Order).where(Order.id == order_id, visible))
