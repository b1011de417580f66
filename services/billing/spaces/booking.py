"""A resident books a slot of a space for their household. Two active bookings of one space
never share a moment: this use case looks first and answers 409 naming the booking in the way;
on PostgreSQL the exclusion constraint refuses whatever slips past it (two requests at once),
and that refusal becomes the same 409."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.spaces import access, domain, reading
from services.billing.spaces import schemas as s
from services.billing.spaces.models import shared_spaces, space_bookings, space_uses
from shared.auth import Principal
from shared.clock import LOCAL_TZ
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput


def overlap(in_the_way: Any | None) -> Conflict:
    details: dict[str, object] = {}
    zh, en = "该时段已被预约，请换一个时段", "The space is already booked for that time"
    if in_the_way is not None:
        start = in_the_way.starts_at.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M")
        end = in_the_way.ends_at.astimezone(LOCAL_TZ).strftime("%H:%M")
        zh = f"该时段已被预约（{start}–{end}），请换一个时段"
        details = {"booking_id": in_the_way.id, "starts_at": in_the_way.starts_at.isoformat()}
    return Conflict(zh, en, details=details, code=ErrorCode.booking_overlap)


async def hold(session: AsyncSession, space_id: int) -> None:
    """Write to the space's row before looking for overlaps: a second booker of the same space
    waits here until the first commits, and then sees its booking. SQLite has no row locks and
    would otherwise let two simultaneous requests both find the slot free (each reads before
    either writes); on PostgreSQL this is a row lock, with the exclusion constraint behind it."""
    await session.execute(
        update(shared_spaces).where(shared_spaces.c.id == space_id).values(version=shared_spaces.c.version)
    )


async def book(session: AsyncSession, principal: Principal, body: s.BookingCreate, now: datetime) -> s.BookingOut:
    space = await reading.space_row(session, body.space_id)
    await access.require_space_viewer(session, principal, space.compound_id)
    await access.require_booker(session, principal, space.compound_id, body.household_id)
    if not space.active:
        raise Conflict("该空间暂停预约", "The space takes no bookings now", code=ErrorCode.illegal_transition)
    use = (
        await session.execute(
            select(space_uses).where(space_uses.c.id == body.use_id, space_uses.c.space_id == space.id)
        )
    ).first()
    if use is None:
        raise InvalidInput("该空间没有这个用途", "The space has no such use", details=[{"field": "use_id"}])
    domain.check_slot(body.starts_at, body.ends_at, space.opens_min, space.closes_min, now)
    await hold(session, space.id)
    in_the_way = await reading.active_between(session, space.id, body.starts_at, body.ends_at)
    if in_the_way:
        raise overlap(in_the_way[0])
    values = {
        "space_id": space.id,
        "compound_id": space.compound_id,
        "use_id": use.id,
        "household_id": body.household_id,
        "person_id": principal.person_id,
        "starts_at": body.starts_at,
        "ends_at": body.ends_at,
        "purpose": body.purpose.strip(),
        "status": domain.BookingStatus.booked.value,
        "fee_fen": domain.fee_of(domain.Pricing(use.pricing), use.fee_fen, body.starts_at, body.ends_at),
        "created_at": now,
        "version": 1,
    }
    try:
        async with session.begin_nested():
            booking_id = (
                await session.execute(space_bookings.insert().values(**values).returning(space_bookings.c.id))
            ).scalar_one()
    except IntegrityError as exc:  # PostgreSQL's exclusion constraint: a booking written meanwhile
        raise overlap(None) from exc
    return await reading.show_booking(session, booking_id)
