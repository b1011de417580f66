"""The household that booked, or the compound's staff, cancel a booking before it starts. A
booking whose fee was received stays: the money is already public revenue (a refund is a new
entry staff make, not a cancellation)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.access import is_reader, place_of, require_manager, resident_households
from services.billing.spaces import domain, reading
from services.billing.spaces import schemas as s
from services.billing.spaces.models import space_bookings
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput, NotFound
from shared.locking import update_versioned


async def cancel(session: AsyncSession, principal: Principal, booking_id: int, now: datetime) -> s.BookingOut:
    row = await reading.booking_row(session, booking_id)
    place = await place_of(session, row.compound_id)
    if row.household_id not in resident_households(principal):
        if not is_reader(principal, place):
            raise NotFound(f"预约 {booking_id} 不存在", f"Booking {booking_id} not found")
        require_manager(principal, place)
    target = domain.BOOKING_MACHINE.fire(domain.BookingStatus(row.status), domain.BookingStep.cancel)
    if row.revenue_id is not None:
        raise Conflict(details={"revenue_id": row.revenue_id}, code=ErrorCode.booking_fee_received)
    if row.starts_at <= now:
        raise InvalidInput("预约已开始，不能取消", "The booking has started", details=[{"field": "booking_id"}])
    await update_versioned(
        session,
        space_bookings,
        space_bookings.c.id == booking_id,
        row.version,
        {"status": target.value, "cancelled_at": now},
        "预约",
        "The booking",
    )
    return await reading.show_booking(session, booking_id)
