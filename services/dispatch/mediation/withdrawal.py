"""An applicant withdraws the case (or the grid's staff record that they did)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.mediation import access, transition
from services.dispatch.mediation import schemas as s
from services.dispatch.mediation.domain import CaseStep, PartySide
from services.dispatch.mediation.models import MediationCase
from shared.auth import Principal
from shared.errors import Forbidden


async def withdraw(
    session: AsyncSession, case_id: int, body: s.MediationWithdrawIn, principal: Principal, now: datetime
) -> MediationCase:
    case = await access.get_case(session, case_id)
    parties = await access.parties_of(session, case_id)
    access.require_read(principal, case, parties)
    own = access.party_of(principal, parties)
    if not access.is_area_staff(principal, case) and (own is None or own.side != PartySide.applicant.value):
        raise Forbidden("无权撤回：只有申请人或本网格工作人员可以撤回", "Forbidden: only an applicant or grid staff")
    transition.check_seen(case, body.version)
    transition.move(case, CaseStep.withdraw)
    case.withdrawn_at = now
    case.updated_at = now
    await transition.save(session)
    return case
