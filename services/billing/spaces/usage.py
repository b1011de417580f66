"""Usage counts per space and month (as the compound lived the month): bookings, cancellations,
hours, households served and fees, for staff and their .xlsx ledger; and one day's taken slots
for residents choosing a time."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.spaces import domain, reading
from services.billing.spaces import schemas as s
from shared.clock import day_span
from shared.money import fen_to_yuan


def month_span(period: str) -> tuple[datetime, datetime]:
    year, month = (int(p) for p in period.split("-"))
    first = date(year, month, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return day_span(first, last)


async def monthly(session: AsyncSession, compound_id: int, period: str) -> s.UsageOut:
    start, end = month_span(period)
    spaces = await reading.space_page(session, compound_id, active_only=False, cursor=None, limit=1000)
    rows = await reading.bookings_starting(session, compound_id, start, end)
    lines = []
    for space in spaces.items:
        mine = [r for r in rows if r.space_id == space.id]
        kept = [r for r in mine if r.status == domain.BookingStatus.booked.value]
        minutes = sum(int((r.ends_at - r.starts_at).total_seconds() // 60) for r in kept)
        lines.append(
            s.UsageLine(
                space_id=space.id,
                space_name=space.name,
                kind_label=space.kind_label,
                bookings=len(kept),
                cancelled=len(mine) - len(kept),
                hours=str((Decimal(minutes) / 60).normalize()) if minutes else "0",
                households=len({r.household_id for r in kept}),
                fee_fen=sum(r.fee_fen for r in kept),
                fee_received_fen=sum(r.fee_fen for r in kept if r.revenue_id is not None),
            )
        )
    return s.UsageOut(compound_id=compound_id, period=period, lines=lines)


def usage_xlsx(out: s.UsageOut, compound_name: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "共享空间使用台账"
    sheet.append([f"{compound_name} {out.period} 共享空间使用情况"])
    sheet.append(["空间", "功能", "预约次数", "取消次数", "使用小时", "服务户数", "应收（元）", "已收入公共收益（元）"])
    for line in out.lines:
        sheet.append(
            [
                line.space_name,
                line.kind_label,
                line.bookings,
                line.cancelled,
                float(Decimal(line.hours)),
                line.households,
                fen_to_yuan(line.fee_fen),
                fen_to_yuan(line.fee_received_fen),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def day_of(session: AsyncSession, space_id: int, day: date, mine: set[int]) -> s.DayOut:
    space = await reading.space_row(session, space_id)
    start, end = day_span(day, day)
    taken = await reading.active_between(session, space_id, start, end)
    return s.DayOut(
        space_id=space_id,
        day=day.isoformat(),
        opens_at=domain.clock_text(space.opens_min),
        closes_at=domain.clock_text(space.closes_min),
        taken=[s.SlotOut(starts_at=r.starts_at, ends_at=r.ends_at, mine=r.household_id in mine) for r in taken],
    )
