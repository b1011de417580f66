"""An owner whose rights a decision infringes contests it within one year."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.proposals import domain as d
from services.deliberation.proposals import schemas as s
from services.deliberation.proposals.lookup import get, is_owner
from services.deliberation.proposals.models import (
    Contest,
)
from shared.auth import Principal
from shared.clock import LOCAL_TZ
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden


async def contest(
    session: AsyncSession, proposal_id: int, body: s.ContestIn, principal: Principal, at: datetime
) -> Contest:
    """An owner whose rights a decision infringes may contest it within one year."""
    proposal = await get(session, proposal_id)
    if d.Status(proposal.status) not in d.DECIDED or proposal.decided_at is None:
        raise Conflict("只有已作出的决定可以提出撤销", "Only a decision can be contested", code=ErrorCode.not_decided)
    if not await is_owner(session, proposal.compound_id, principal.person_id, at.date()):
        raise Forbidden(
            "只有本小区业主可以提出撤销", "Only owners of the compound contest a decision", code=ErrorCode.not_an_owner
        )
    decided = proposal.decided_at.astimezone(LOCAL_TZ).date()
    if not d.within_contest_period(decided, at.date()):
        raise Conflict(
            "已超过自知道或应当知道之日起一年的撤销期限",
            "The one-year period to contest this decision has passed",
            code=ErrorCode.contest_period_over,
        )
    contest_row = Contest(proposal_id=proposal.id, person_id=principal.person_id or 0, reason=body.reason, filed_at=at)
    session.add(contest_row)
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.contest,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"contest_id": contest_row.id, "reason": body.reason},
        at,
    )
    return contest_row
