"""Shared-space routes (共享空间 "7+N", 盘活闲置资源): spaces, bookings, fees into public revenue,
usage per month."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query, Response

from services.billing.access import resident_households
from services.billing.keys import MONEY
from services.billing.spaces import access, booking, cancelling, collecting, reading, setting_up, usage
from services.billing.spaces import schemas as s
from shared.auth import CurrentPrincipal
from shared.clock import Now, Today, month_of
from shared.error_codes import ErrorCode
from shared.http import Session, service_router
from shared.openapi import errors
from shared.pagination import DEFAULT_LIMIT, Cursor, Limit, int_cursor
from shared.spreadsheets import XLSX_RESPONSES, xlsx_response

router = service_router("/api/v1/billing", tags=["billing: shared spaces 共享空间"])
Period = Annotated[str | None, Query(pattern=s.PERIOD, examples=["2026-11"])]


@router.post(
    "/shared-spaces", status_code=201, response_model=s.SpaceOut, summary="新建共享空间 (set a space up; staff)"
)
async def create_space(body: s.SpaceCreate, now: Now, session: Session, principal: CurrentPrincipal) -> s.SpaceOut:
    return await setting_up.create(session, principal, body, now)


@router.patch(
    "/shared-spaces/{space_id}",
    response_model=s.SpaceOut,
    summary="修改开放时间、容量或暂停预约 (change hours, capacity, pause; staff)",
)
async def update_space(space_id: int, body: s.SpaceUpdate, session: Session, principal: CurrentPrincipal) -> s.SpaceOut:
    return await setting_up.update(session, principal, space_id, body)


@router.get("/shared-spaces", response_model=s.SpacePage, summary="小区的共享空间 (a compound's spaces)")
async def list_spaces(
    today: Today,
    session: Session,
    principal: CurrentPrincipal,
    compound_id: Annotated[int, Query(gt=0)],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.SpacePage:
    await access.require_space_viewer(session, principal, compound_id)
    page = await reading.space_page(session, compound_id, active_only=False, cursor=int_cursor(cursor), limit=limit)
    return page.model_copy(update={"today": today})


@router.get(
    "/shared-spaces/{space_id}/day",
    response_model=s.DayOut,
    summary="某日已约时段 (a day's taken slots; which are mine)",
)
async def space_day(space_id: int, day: date, session: Session, principal: CurrentPrincipal) -> s.DayOut:
    space = await reading.space_row(session, space_id)
    await access.require_space_viewer(session, principal, space.compound_id)
    return await usage.day_of(session, space_id, day, resident_households(principal))


@router.post(
    "/space-bookings",
    status_code=201,
    response_model=s.BookingOut,
    summary="预约时段 (a resident books a slot for their household)",
    openapi_extra=errors(ErrorCode.booking_overlap, ErrorCode.outside_opening_hours),
)
async def book(body: s.BookingCreate, now: Now, session: Session, principal: CurrentPrincipal) -> s.BookingOut:
    return await booking.book(session, principal, body, now)


@router.get("/space-bookings/mine", response_model=s.BookingPage, summary="我家的预约 (my households' bookings)")
async def my_bookings(
    session: Session, principal: CurrentPrincipal, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> s.BookingPage:
    return await reading.booking_page(
        session, household_ids=resident_households(principal), cursor=int_cursor(cursor), limit=limit
    )


@router.get("/space-bookings", response_model=s.BookingPage, summary="小区的预约 (a compound's bookings; staff)")
async def list_bookings(
    session: Session,
    principal: CurrentPrincipal,
    compound_id: Annotated[int, Query(gt=0)],
    space_id: Annotated[int | None, Query(gt=0)] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.BookingPage:
    await access.require_space_staff(session, principal, compound_id)
    return await reading.booking_page(
        session, compound_id=compound_id, space_id=space_id, cursor=int_cursor(cursor), limit=limit
    )


@router.post(
    "/space-bookings/{booking_id}/cancel",
    response_model=s.BookingOut,
    summary="取消预约 (the household or staff, before it starts)",
    openapi_extra=errors(ErrorCode.booking_fee_received),
)
async def cancel(booking_id: int, now: Now, session: Session, principal: CurrentPrincipal) -> s.BookingOut:
    return await cancelling.cancel(session, principal, booking_id, now)


@router.post(
    "/space-bookings/{booking_id}/fee",
    response_model=s.BookingOut,
    summary="收费入账 (staff receive the fee: booked as public revenue)",
    dependencies=MONEY,
    openapi_extra=errors(ErrorCode.booking_fee_received),
)
async def receive_fee(booking_id: int, now: Now, session: Session, principal: CurrentPrincipal) -> s.BookingOut:
    return await collecting.receive_fee(session, principal, booking_id, now)


@router.get("/shared-spaces/usage", response_model=s.UsageOut, summary="使用统计 (usage per space in a month; staff)")
async def usage_of_month(
    now: Now,
    session: Session,
    principal: CurrentPrincipal,
    compound_id: Annotated[int, Query(gt=0)],
    period: Period = None,
) -> s.UsageOut:
    await access.require_space_staff(session, principal, compound_id)
    return await usage.monthly(session, compound_id, period or month_of(now))


@router.get(
    "/shared-spaces/usage.xlsx",
    response_class=Response,
    responses=XLSX_RESPONSES,
    summary="使用台账导出 Excel (usage of a month as .xlsx; staff)",
)
async def usage_xlsx(
    now: Now,
    session: Session,
    principal: CurrentPrincipal,
    compound_id: Annotated[int, Query(gt=0)],
    period: Period = None,
) -> Response:
    await access.require_space_staff(session, principal, compound_id)
    month = period or month_of(now)
    out = await usage.monthly(session, compound_id, month)
    name = f"shared-spaces-{compound_id}-{month}.xlsx"
    return xlsx_response(usage.usage_xlsx(out, await reading.compound_name(session, compound_id)), name)
