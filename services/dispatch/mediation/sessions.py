"""Recording a mediation session: the mediator or the grid's staff write down who came and what
was said."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.mediation import access, transition
from services.dispatch.mediation import schemas as s
from services.dispatch.mediation.domain import CaseStep
from services.dispatch.mediation.models import MediationCase, MediationSession
from shared.auth import Principal
from shared.errors import InvalidInput


async def record_session(
    session: AsyncSession, case_id: int, body: s.MediationSessionIn, principal: Principal, now: datetime
) -> MediationCase:
    case = await access.get_case(session, case_id)
    access.require_read(principal, case, await access.parties_of(session, case_id))
    access.require_staff_or_mediator(principal, case, "记录调解会", "record a session")
    transition.check_seen(case, body.version)
    held_at = body.held_at or now
    if held_at.tzinfo is None or held_at > now:
        raise InvalidInput(
            "调解会时间须带时区且不晚于现在",
            "held_at must carry a time zone and not lie in the future",
            details=[{"field": "held_at"}],
        )
    transition.move(case, CaseStep.hold_session)
    session.add(
        MediationSession(
            case_id=case.id,
            held_at=held_at,
            location=body.location,
            attendees=body.attendees,
            notes=body.notes,
            recorded_by_person_id=principal.person_id,
            recorded_at=now,
        )
    )
    case.updated_at = now
    await transition.save(session)
    return case
