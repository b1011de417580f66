"""Reading spaces and bookings for answers (queries live here, not in the routes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.projections.models import compound_projection
from services.billing.spaces import schemas as s
from services.billing.spaces.domain import BookingStatus
from services.billing.spaces.models import shared_spaces, space_bookings, space_uses
from shared.errors import NotFound
from shared.pagination import keyset_page


async def space_row(session: AsyncSession, space_id: int) -> Any:
    row = (await session.execute(select(shared_spaces).where(shared_spaces.c.id == space_id))).first()
    if row is None:
        raise NotFound(f"共享空间 {space_id} 不存在", f"Shared space {space_id} not found")
    return row


async def booking_row(session: AsyncSession, booking_id: int) -> Any:
    row = (await session.execute(select(space_bookings).where(space_bookings.c.id == booking_id))).first()
    if row is None:
        raise NotFound(f"预约 {booking_id} 不存在", f"Booking {booking_id} not found")
    return row


async def uses_of(session: AsyncSession, space_ids: list[int]) -> dict[int, list[Any]]:
    rows = await session.execute(
        select(space_uses).where(space_uses.c.space_id.in_(space_ids)).order_by(space_uses.c.id)
    )
    out: dict[int, list[Any]] = {i: [] for i in space_ids}
    for r in rows:
        out[r.space_id].append(r)
    return out


async def show_space(session: AsyncSession, space_id: int) -> s.SpaceOut:
    row = await space_row(session, space_id)
    uses = (await uses_of(session, [space_id]))[space_id]
    return s.SpaceOut.model_validate(row).model_copy(update={"uses": [s.UseOut.model_validate(u) for u in uses]})


async def space_page(
    session: AsyncSession, compound_id: int, *, active_only: bool, cursor: int | None, limit: int
) -> s.SpacePage:
    query = select(shared_spaces).where(shared_spaces.c.compound_id == compound_id)
    if active_only:
        query = query.where(shared_spaces.c.active.is_(True))
    if cursor is not None:
        query = query.where(shared_spaces.c.id > cursor)
    rows = list(await session.execute(query.order_by(shared_spaces.c.id).limit(limit + 1)))
    page, next_cursor = keyset_page(rows, limit, lambda r: r.id)
    uses = await uses_of(session, [r.id for r in page])
    items = [
        s.SpaceOut.model_validate(r).model_copy(update={"uses": [s.UseOut.model_validate(u) for u in uses[r.id]]})
        for r in page
    ]
    return s.SpacePage(items=items, next_cursor=next_cursor)


def _booking_query() -> Any:
    return (
        select(space_bookings, shared_spaces.c.name.label("space_name"), space_uses.c.name.label("use_name"))
        .join(shared_spaces, shared_spaces.c.id == space_bookings.c.space_id)
        .join(space_uses, space_uses.c.id == space_bookings.c.use_id)
    )


async def show_booking(session: AsyncSession, booking_id: int) -> s.BookingOut:
    row = (await session.execute(_booking_query().where(space_bookings.c.id == booking_id))).one()
    return s.BookingOut.model_validate(row)


async def booking_page(
    session: AsyncSession,
    *,
    compound_id: int | None = None,
    household_ids: set[int] | None = None,
    space_id: int | None = None,
    cursor: int | None,
    limit: int,
) -> s.BookingPage:
    query = _booking_query()
    if compound_id is not None:
        query = query.where(space_bookings.c.compound_id == compound_id)
    if household_ids is not None:
        query = query.where(space_bookings.c.household_id.in_(household_ids))
    if space_id is not None:
        query = query.where(space_bookings.c.space_id == space_id)
    if cursor is not None:
        query = query.where(space_bookings.c.id < cursor)
    rows = list(await session.execute(query.order_by(space_bookings.c.id.desc()).limit(limit + 1)))
    page, next_cursor = keyset_page(rows, limit, lambda r: r.id)
    return s.BookingPage(items=[s.BookingOut.model_validate(r) for r in page], next_cursor=next_cursor)


async def active_between(session: AsyncSession, space_id: int, start: datetime, end: datetime) -> list[Any]:
    """Active bookings of the space that share a moment with [start, end)."""
    rows = await session.execute(
        select(space_bookings)
        .where(
            space_bookings.c.space_id == space_id,
            space_bookings.c.status == BookingStatus.booked.value,
            space_bookings.c.starts_at < end,
            space_bookings.c.ends_at > start,
        )
        .order_by(space_bookings.c.starts_at)
    )
    return list(rows)


async def bookings_starting(session: AsyncSession, compound_id: int, start: datetime, end: datetime) -> list[Any]:
    """Every booking (cancelled too) of the compound starting in [start, end)."""
    rows = await session.execute(
        select(space_bookings).where(
            space_bookings.c.compound_id == compound_id,
            space_bookings.c.starts_at >= start,
            space_bookings.c.starts_at < end,
        )
    )
    return list(rows)


async def compound_name(session: AsyncSession, compound_id: int) -> str:
    name = (
        await session.execute(
            select(compound_projection.c.name).where(compound_projection.c.compound_id == compound_id)
        )
    ).scalar_one_or_none()
    return name or f"小区 {compound_id}"
