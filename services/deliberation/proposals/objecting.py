"""The supervisory committee objects (holding the proposal) and the committee answers; the list of
objections."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    require_committee,
    require_seat,
)
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.bodies import Body
from services.deliberation.proposals import schemas as s
from services.deliberation.proposals.lookup import get
from services.deliberation.proposals.models import (
    Objection,
)
from services.deliberation.proposals.transition import ANSWERED, OPEN
from shared.auth import Principal
from shared.contracts.deliberation import ObjectionRaised
from shared.error_codes import ErrorCode
from shared.errors import Conflict, NotFound
from shared.events.outbox import emit
from shared.locking import check_version


async def raise_objection(
    session: AsyncSession, proposal_id: int, body: s.ObjectionIn, principal: Principal, at: datetime
) -> Objection:
    proposal = await get(session, proposal_id)
    await require_seat(session, principal, proposal.compound_id, Body.supervisory_committee)
    objection = Objection(
        proposal_id=proposal.id, raised_by_person_id=principal.person_id or 0, reason=body.reason, status=OPEN
    )
    session.add(objection)
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.objection_raised,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"objection_id": objection.id, "reason": body.reason},
        at,
    )
    # The owners' committee must answer it (the registry tells its members).
    await emit(
        session,
        ObjectionRaised(
            objection_id=objection.id, proposal_id=proposal.id, compound_id=proposal.compound_id, title=proposal.title
        ),
        subject=proposal.id,
        key=proposal.compound_id,
    )
    return objection


async def answer_objection(
    session: AsyncSession, proposal_id: int, objection_id: int, body: s.AnswerIn, principal: Principal, at: datetime
) -> Objection:
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    objection = await session.get(Objection, objection_id)
    if objection is None or objection.proposal_id != proposal.id:
        raise NotFound(f"异议 {objection_id} 不存在", f"Objection {objection_id} not found")
    if objection.status != OPEN:
        raise Conflict("该异议已答复", "The objection was already answered", code=ErrorCode.illegal_transition)
    check_version("异议", "The objection", objection.version, body.version)
    objection.status, objection.answer, objection.answered_by_person_id = ANSWERED, body.answer, principal.person_id
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.objection_answered,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"objection_id": objection.id, "answer": body.answer},
        at,
    )
    return objection


async def objections(session: AsyncSession, proposal_id: int) -> list[s.ObjectionOut]:
    rows = await session.scalars(select(Objection).where(Objection.proposal_id == proposal_id).order_by(Objection.id))
    return [
        s.ObjectionOut(
            id=o.id,
            version=o.version,
            raised_by_person_id=o.raised_by_person_id,
            reason=o.reason,
            status=o.status,
            answer=o.answer,
            answered_by_person_id=o.answered_by_person_id,
            created_at=o.created_at,
        )
        for o in rows
    ]
