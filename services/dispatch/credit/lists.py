"""The month's red and black lists of households (环境卫生红黑榜): computed live until the
compound's staff publish them, then fixed (points.month_lists, as the party members' lists);
printable as a workbook."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.credit import reading
from services.dispatch.credit import schemas as s
from services.dispatch.credit.access import area_of, require_compound_staff
from services.dispatch.credit.domain import compute_lists
from services.dispatch.credit.models import CreditLists
from services.dispatch.credit.rules import rules_for
from services.dispatch.points.month_lists import Lines, LiveLists, MonthLists, month_lists, publish_month
from shared.auth import Principal
from shared.contracts.dispatch import HouseholdCreditListsPublished
from shared.error_codes import ErrorCode
from shared.errors import Conflict
from shared.events.outbox import emit


def _live(session: AsyncSession, compound_id: int, period: str) -> LiveLists:
    async def compute() -> tuple[Lines, Lines]:
        rules, _ = await rules_for(session, compound_id)
        lists = compute_lists(await reading.months(session, compound_id, period), rules)
        return [asdict(m) for m in lists.honor_roll], [asdict(m) for m in lists.warning_list]

    return compute


def _shown(compound_id: int, compound_name: str, period: str, month: MonthLists) -> s.CreditListsOut:
    return s.CreditListsOut(
        compound_id=compound_id,
        compound_name=compound_name,
        period=period,
        published=month.published,
        published_at=month.published_at,
        honor_roll=[s.CreditListLine(**line) for line in month.honor_roll],
        warning_list=[s.CreditListLine(**line) for line in month.warning_list],
    )


async def lists(session: AsyncSession, compound_id: int, period: str) -> s.CreditListsOut:
    area = await area_of(session, compound_id)
    month = await month_lists(session, CreditLists, compound_id, period, _live(session, compound_id, period))
    return _shown(compound_id, area.name, period, month)


async def publish(
    session: AsyncSession, principal: Principal, body: s.CreditPublishBody, now: datetime
) -> s.CreditListsOut:
    """Fix a month's lists and announce them; a month is published once."""
    await require_compound_staff(session, principal, body.compound_id)
    area = await area_of(session, body.compound_id)
    already = Conflict(
        f"{body.period} 的环境卫生红黑榜已公示，不能重复公示",
        f"The lists of {body.period} are already published",
        code=ErrorCode.already_published,
    )
    live = _live(session, body.compound_id, body.period)
    month = await publish_month(session, CreditLists, body.compound_id, body.period, live, principal, now, already)
    await emit(
        session,
        HouseholdCreditListsPublished(
            compound_id=body.compound_id,
            period=body.period,
            honor_roll=month.honor_roll,
            warning_list=month.warning_list,
            published_by_person_id=principal.person_id,
            published_at=now.isoformat(),
        ),
        subject=f"{body.compound_id}:{body.period}",
        key=body.compound_id,
    )
    return _shown(body.compound_id, area.name, body.period, month)
