"""Statistics for a grid, compound, community or street over a period, as JSON or .xlsx."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import asdict
from datetime import date

from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.catalogue.models import CategoryRow
from services.dispatch.mediation.figures import figures as mediation_figures
from services.dispatch.mediation.schemas import MediationFigures
from services.dispatch.orders.domain import OrderState, Triage
from services.dispatch.orders.models import Order
from services.dispatch.projections.models import CompoundArea
from services.dispatch.stats import schemas as s
from services.dispatch.stats.domain import OrderFacts, hours_minutes, summarise
from shared.auth import Place, Principal, Role, require_staff_of
from shared.clock import LOCAL_TZ, day_span
from shared.errors import InvalidInput, NotFound
from shared.labels import LabeledEnum

COLUMN = {
    "grid": Order.grid_id,
    "compound": Order.compound_id,
    "community": Order.community_id,
    "street": Order.street_id,
}
MAX_DAYS = 366
DURATION = "[h]:mm"


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


async def stats(
    session: AsyncSession, principal: Principal, level: s.Level, place_id: int, date_from: date, date_to: date
) -> s.StatsOut:
    """Orders submitted from `date_from` through `date_to` (inclusive days in the compound's
    time zone, as the people reading the figures count them)."""
    if date_to < date_from or (date_to - date_from).days > MAX_DAYS:
        raise InvalidInput(
            f"统计区间须为 1–{MAX_DAYS} 天且起始不晚于结束",
            f"The period must run forward and span at most {MAX_DAYS} days",
            details=[{"field": "date_to"}],
        )
    await _require_reader(session, principal, level, place_id)
    start, end = day_span(date_from, date_to, LOCAL_TZ)
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
            submitted_at=o.submitted_at,
            triaged_at=o.triaged_at,
            accepted_at=o.accepted_at,
            completed_at=o.completed_at,
            sla_breached=o.sla_breached,
            rating=o.rating,
            assignee_member_id=o.assignee_member_id,
        )
        for o in rows
    ]
    summary = summarise(facts)
    figures = asdict(summary)
    for name in ("to_triage", "to_accept", "to_resolve"):
        figures[name] = {
            **figures[name],
            "median_text": hours_minutes(figures[name]["median_s"]),
            "p90_text": hours_minutes(figures[name]["p90_s"]),
        }
    named = select(CategoryRow.code, CategoryRow.name).where(CategoryRow.code.in_(summary.by_category))
    names: dict[str, str] = dict((await session.execute(named)).all())
    return s.StatsOut(
        level=level,
        level_label=s.LEVEL_LABEL[level],
        place_id=place_id,
        date_from=date_from,
        date_to=date_to,
        time_zone=LOCAL_TZ.key,
        **figures,
        triage_counts=_counts(summary.by_triage, _label_of(Triage, {"untriaged": "未分流"})),
        category_counts=_counts(summary.by_category, lambda code: names.get(code, code)),
        state_counts=_counts(summary.by_state, _label_of(OrderState, {})),
        mediation=await mediation_figures(session, level, place_id, date_from, date_to),
    )


def _label_of(enum: type[LabeledEnum], extra: dict[str, str]) -> Callable[[str], str]:
    def label(code: str) -> str:
        if code in extra:
            return extra[code]
        try:
            return enum(code).label
        except ValueError:
            return code

    return label


def _counts(counts: dict[str, int], label: Callable[[str], str]) -> list[s.CountOut]:
    """A breakdown with labels, most orders first (ties by code, so the order is stable)."""
    return [
        s.CountOut(value=code, label=label(code), orders=n)
        for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _time_cell(seconds: float | None) -> float | None:
    # Excel keeps durations as fractions of a day; "[h]:mm" shows them as hours and minutes
    # and they still sum and average in the sheet.
    return seconds / 86_400 if seconds is not None else None


def to_xlsx(out: s.StatsOut) -> bytes:
    """One sheet of headline figures, one per breakdown: Chinese headers and labels, durations
    in hours and minutes, rates as percentages."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "概况"
    sheet.append(["指标", "数值"])
    for label, value, number_format in (
        ("层级", out.level_label or out.level, None),
        ("编号", out.place_id, None),
        ("起始日期", out.date_from.isoformat(), None),
        ("截止日期", out.date_to.isoformat(), None),
        ("时区", out.time_zone, None),
        ("受理工单数", out.orders, None),
        ("分流用时中位数（时:分）", _time_cell(out.to_triage.median_s), DURATION),
        ("分流用时P90（时:分）", _time_cell(out.to_triage.p90_s), DURATION),
        ("接单用时中位数（时:分）", _time_cell(out.to_accept.median_s), DURATION),
        ("接单用时P90（时:分）", _time_cell(out.to_accept.p90_s), DURATION),
        ("办结用时中位数（时:分）", _time_cell(out.to_resolve.median_s), DURATION),
        ("办结用时P90（时:分）", _time_cell(out.to_resolve.p90_s), DURATION),
        ("超时率", out.sla_breach_rate, "0.0%"),
        ("平均满意度", out.average_rating, None),
        ("接单党员数", out.load.get("members"), None),
        ("人均接单", out.load.get("mean"), None),
        ("接单数标准差", out.load.get("stdev"), None),
    ):
        sheet.append([label, value])
        if number_format is not None:
            sheet.cell(row=sheet.max_row, column=2).number_format = number_format
    for title, header, rows in (
        ("按分流", "分流结果", out.triage_counts),
        ("按类别", "服务类别", out.category_counts),
        ("按状态", "状态", out.state_counts),
        ("满意度分布", "评分", [s.CountOut(value=k, label=f"{k}星", orders=n) for k, n in sorted(out.ratings.items())]),
    ):
        page = book.create_sheet(title)
        page.append([header, "工单数"])
        for row in rows:
            page.append([row.label, row.orders])
    if out.mediation is not None:
        _mediation_sheet(book, out.mediation)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _mediation_sheet(book: Workbook, m: MediationFigures) -> None:
    page = book.create_sheet("矛盾纠纷调解")
    page.append(["指标", "件数"])
    for label, value in (
        ("受理", m.filed),
        ("达成协议", m.resolved),
        ("化解纠纷", m.disputes_resolved),
        ("解决困难和问题", m.problems_resolved),
        ("三方圆桌会议化解纠纷", m.round_table_disputes),
        ("三方圆桌会议解决问题", m.round_table_problems),
        ("调解未成", m.failed),
        ("在办", m.open),
        ("已回访", m.followed_up),
        ("协议履行", m.agreements_kept),
        *((f"调解人：{c.label}", c.cases) for c in m.by_mediator),
    ):
        page.append([label, value])
