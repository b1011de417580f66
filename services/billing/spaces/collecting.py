"""Staff receive a paid booking's fee: it is booked as the compound's public revenue (source
场地占用, Civil Code art. 282: it belongs to the owners), into the undistributed fund pool and
so into the 433 distribution and the monthly disclosure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.funds import service as funds
from services.billing.funds.domain import RevenueSource
from services.billing.funds.schemas import RevenueCreate
from services.billing.spaces import access, domain, reading
from services.billing.spaces import schemas as s
from services.billing.spaces.models import space_bookings
from shared.auth import Principal
from shared.clock import LOCAL_TZ
from shared.error_codes import ErrorCode
from shared.errors import Conflict
from shared.locking import update_versioned


async def receive_fee(session: AsyncSession, principal: Principal, booking_id: int, now: datetime) -> s.BookingOut:
    row = await reading.booking_row(session, booking_id)
    await access.require_space_staff(session, principal, row.compound_id)
    domain.BOOKING_MACHINE.fire(domain.BookingStatus(row.status), domain.BookingStep.receive_fee)
    if row.revenue_id is not None:
        raise Conflict(details={"revenue_id": row.revenue_id}, code=ErrorCode.booking_fee_received)
    if row.fee_fen == 0:
        raise Conflict("免费预约无需收费", "A free booking has no fee", code=ErrorCode.illegal_transition)
    booking = await reading.show_booking(session, booking_id)
    day = row.starts_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    revenue = await funds.book_revenue(
        session,
        principal,
        RevenueCreate(
            compound_id=row.compound_id,
            source=RevenueSource.venue,
            gross_fen=row.fee_fen,
            cost_fen=0,
            evidence=[f"共享空间预约 #{booking_id}"],
            description=f"共享空间·{booking.space_name}·{booking.use_name}（{day}，预约 #{booking_id}）",
            received_on=now.astimezone(LOCAL_TZ).date(),
        ),
        now,
    )
    await update_versioned(
        session,
        space_bookings,
        space_bookings.c.id == booking_id,
        row.version,
        {"revenue_id": revenue.id, "fee_received_at": now},
        "预约",
        "The booking",
    )
    return await reading.show_booking(session, booking_id)
