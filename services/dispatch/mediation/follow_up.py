"""The follow-up visit (回访): is the agreement being kept? The visit closes the case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.mediation import access, transition
from services.dispatch.mediation import schemas as s
from services.dispatch.mediation.domain import CaseStep
from services.dispatch.mediation.models import MediationCase
from shared.auth import Principal


async def follow_up(
    session: AsyncSession, case_id: int, body: s.MediationFollowUpIn, principal: Principal, now: datetime
) -> MediationCase:
    case = await access.get_case(session, case_id)
    access.require_read(principal, case, await access.parties_of(session, case_id))
    access.require_staff_or_mediator(principal, case, "回访", "record the follow-up visit")
    transition.check_seen(case, body.version)
    transition.move(case, CaseStep.follow_up)
    case.follow_up_kept = body.kept
    case.follow_up_note = body.note
    case.followed_up_at = now
    case.followed_up_by_person_id = principal.person_id
    case.updated_at = now
    await transition.save(session)
    return case
