"""Statistics for a grid, compound, community or street over a period, as JSON or .xlsx."""

from __future__ import annotations

import io
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta

from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.orders.models import Order
from services.dispatch.projections.models import CompoundArea
from services.dispatch.stats import schemas as s
from services.dispatch.stats.domain import OrderFacts, summarise
from shared.auth import Place, Principal, Role, require_staff_of
from shared.errors import InvalidInput, NotFound

COLUMN = {
    "grid": Order.grid_id,
    "compound": Order.compound_id,
    "community": Order.community_id,
    "street": Order.street_id,
}
MAX_DAYS = 366


async def _place(session: AsyncSession, level: s.Level, place_id: int) -> Place:
    """The place with the places above it, from any compound that lies in it."""
    if level == "street":
        return Place(street_id=place_id)
    column = {
        "compound": CompoundArea.compound_id,
        "grid": CompoundArea.grid_id,
        "community": CompoundArea.community_id,
    }
    area = await session.scalar(select(CompoundArea).where(column[level] == place_id).limit(1))
    if area is None:
        raise NotFound(f"{level} {place_id} 不存在（或尚未同步）", f"{level} {place_id} is not known here")
    if level == "community":
        return Place(street_id=area.street_id, community_id=place_id)
    if level == "grid":
        return Place(street_id=area.street_id, community_id=area.community_id, grid_id=place_id)
    return area.place


async def _require_reader(session: AsyncSession, principal: Principal, level: s.Level, place_id: int) -> None:
    """Grid workers read their grids (and the compounds in them); community and street admins
    their areas and everything below."""
    require_staff_of(principal, await _place(session, level, place_id), Role.grid_worker)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


async def stats(
    session: AsyncSession, principal: Principal, level: s.Level, place_id: int, date_from: date, date_to: date
) -> s.StatsOut:
    """Orders submitted from `date_from` through `date_to` (inclusive, UTC days)."""
    if date_to < date_from or (date_to - date_from).days > MAX_DAYS:
        raise InvalidInput(
            f"统计区间须为 1–{MAX_DAYS} 天且起始不晚于结束",
            f"The period must run forward and span at most {MAX_DAYS} days",
            details=[{"field": "date_to"}],
        )
    await _require_reader(session, principal, level, place_id)
    start = datetime.combine(date_from, time.min, UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, UTC)
    rows = (
        await session.scalars(
            select(Order).where(COLUMN[level] == place_id, Order.submitted_at >= start, Order.submitted_at < end)
        )
    ).all()
    facts = [
        OrderFacts(
            category=o.category,
            triage=o.triage,
            state=o.state,
            submitted_at=_aware(o.submitted_at) or o.submitted_at,
            triaged_at=_aware(o.triaged_at),
            accepted_at=_aware(o.accepted_at),
            completed_at=_aware(o.completed_at),
            sla_breached=o.sla_breached,
            rating=o.rating,
            assignee_member_id=o.assignee_member_id,
        )
        for o in rows
    ]
    summary = asdict(summarise(facts))
    return s.StatsOut(level=level, place_id=place_id, date_from=date_from, date_to=date_to, **summary)


def to_xlsx(out: s.StatsOut) -> bytes:
    """One sheet of headline figures, one per breakdown, Chinese headers."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "概况"
    sheet.append(["指标", "数值"])
    for label, value in (
        ("层级", out.level),
        ("编号", out.place_id),
        ("起始日期", out.date_from.isoformat()),
        ("截止日期", out.date_to.isoformat()),
        ("受理工单数", out.orders),
        ("分流用时中位数（秒）", out.to_triage.median_s),
        ("分流用时P90（秒）", out.to_triage.p90_s),
        ("接单用时中位数（秒）", out.to_accept.median_s),
        ("接单用时P90（秒）", out.to_accept.p90_s),
        ("办结用时中位数（秒）", out.to_resolve.median_s),
        ("办结用时P90（秒）", out.to_resolve.p90_s),
        ("超时率", out.sla_breach_rate),
        ("平均满意度", out.average_rating),
        ("接单党员数", out.load.get("members")),
        ("人均接单", out.load.get("mean")),
        ("接单数标准差", out.load.get("stdev")),
    ):
        sheet.append([label, value])
    for title, header, counts in (
        ("按分流", "分流结果", out.by_triage),
        ("按类别", "服务类别", out.by_category),
        ("按状态", "状态", out.by_state),
        ("满意度分布", "评分", out.ratings),
    ):
        page = book.create_sheet(title)
        page.append([header, "工单数"])
        for key, count in sorted(counts.items()):
            page.append([key, count])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
