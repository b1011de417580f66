"""The end of mediation: an agreement signed by the parties (调解协议), or none reached."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.mediation import access, transition
from services.dispatch.mediation import schemas as s
from services.dispatch.mediation.domain import CaseStep
from services.dispatch.mediation.models import MediationCase
from shared.auth import Principal


async def settle(
    session: AsyncSession, case_id: int, body: s.MediationSettleIn, principal: Principal, now: datetime
) -> MediationCase:
    case = await access.get_case(session, case_id)
    access.require_read(principal, case, await access.parties_of(session, case_id))
    access.require_staff_or_mediator(principal, case, "记录调解结果", "settle a case")
    transition.check_seen(case, body.version)
    transition.move(case, CaseStep.agree if body.agreed else CaseStep.fail)
    case.agreement = body.text
    case.settled_at = now
    case.updated_at = now
    await transition.save(session)
    return case
