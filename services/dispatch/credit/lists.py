"""The month's red and black lists of households (环境卫生红黑榜): computed live until the
compound's staff publish them, then fixed; printable as a workbook."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.credit import reading
from services.dispatch.credit import schemas as s
from services.dispatch.credit.access import area_of, require_compound_staff
from services.dispatch.credit.domain import compute_lists
from services.dispatch.credit.models import CreditLists
from services.dispatch.credit.rules import rules_for
from shared.auth import Principal
from shared.contracts.dispatch import HouseholdCreditListsPublished
from shared.error_codes import ErrorCode
from shared.errors import Conflict
from shared.events.outbox import emit


async def lists(session: AsyncSession, compound_id: int, period: str) -> s.CreditListsOut:
    area = await area_of(session, compound_id)
    published = await session.scalar(
        select(CreditLists).where(CreditLists.compound_id == compound_id, CreditLists.period == period)
    )
    if published is not None:
        return s.CreditListsOut(
            compound_id=compound_id,
            compound_name=area.name,
            period=period,
            published=True,
            published_at=published.published_at,
            honor_roll=[s.CreditListLine(**line) for line in published.honor_roll],
            warning_list=[s.CreditListLine(**line) for line in published.warning_list],
        )
    rules, _ = await rules_for(session, compound_id)
    computed = compute_lists(await reading.months(session, compound_id, period), rules)
    return s.CreditListsOut(
        compound_id=compound_id,
        compound_name=area.name,
        period=period,
        published=False,
        published_at=None,
        honor_roll=[s.CreditListLine(**asdict(m)) for m in computed.honor_roll],
        warning_list=[s.CreditListLine(**asdict(m)) for m in computed.warning_list],
    )


async def publish(
    session: AsyncSession, principal: Principal, body: s.CreditPublishBody, now: datetime
) -> s.CreditListsOut:
    """Fix a month's lists and announce them; a month is published once."""
    await require_compound_staff(session, principal, body.compound_id)
    current = await lists(session, body.compound_id, body.period)
    if current.published:
        raise Conflict(
            f"{body.period} 的环境卫生红黑榜已公示，不能重复公示",
            f"The lists of {body.period} are already published",
            code=ErrorCode.already_published,
        )
    honor = [line.model_dump() for line in current.honor_roll]
    warning = [line.model_dump() for line in current.warning_list]
    session.add(
        CreditLists(
            compound_id=body.compound_id,
            period=body.period,
            honor_roll=honor,
            warning_list=warning,
            published_by_person_id=principal.person_id,
            published_at=now,
        )
    )
    await emit(
        session,
        HouseholdCreditListsPublished(
            compound_id=body.compound_id,
            period=body.period,
            honor_roll=honor,
            warning_list=warning,
            published_by_person_id=principal.person_id,
            published_at=now.isoformat(),
        ),
        subject=f"{body.compound_id}:{body.period}",
        key=body.compound_id,
    )
    await session.flush()
    return current.model_copy(update={"published": True, "published_at": now})
