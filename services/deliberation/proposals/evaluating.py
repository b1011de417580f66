"""Owners rate the work done and the committee concludes the evaluation."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    require_committee,
)
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.meetings.models import Meeting
from services.deliberation.proposals import domain as d
from services.deliberation.proposals import schemas as s
from services.deliberation.proposals.lookup import get, is_owner
from services.deliberation.proposals.models import (
    Proposal,
    Rating,
)
from services.deliberation.proposals.transition import move
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden


async def rate(session: AsyncSession, proposal_id: int, body: s.RatingIn, principal: Principal, at: datetime) -> None:
    """An owner rates the result at the evaluation meeting, once (a second rating replaces it)."""
    proposal = await get(session, proposal_id)
    if d.Status(proposal.status) is not d.Status.executing:
        raise Conflict(
            "只有执行中的议题可以评议", "Only a proposal being executed is evaluated", code=ErrorCode.illegal_transition
        )
    if not await is_owner(session, proposal.compound_id, principal.person_id, at.date()):
        raise Forbidden(
            "只有本小区业主可以评议", "Only owners of the compound rate the result", code=ErrorCode.not_an_owner
        )
    person = principal.person_id or 0
    rating = await session.scalar(select(Rating).where(Rating.proposal_id == proposal.id, Rating.person_id == person))
    if rating is None:
        session.add(
            Rating(proposal_id=proposal.id, person_id=person, score=body.score, comment=body.comment, rated_at=at)
        )
    else:
        rating.score, rating.comment, rating.rated_at = body.score, body.comment, at
    await session.flush()


async def conclude_evaluation(
    session: AsyncSession, proposal_id: int, body: s.Seen, principal: Principal, at: datetime
) -> Proposal:
    """The evaluation meeting closes the matter: the average rating goes into the audit log."""
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    held = await session.scalar(
        select(func.count()).where(Meeting.proposal_id == proposal.id, Meeting.kind == "evaluation")
    )
    if not held:
        raise Conflict("须先召开群众评议会", "Hold the evaluation meeting first", code=ErrorCode.no_evaluation_meeting)
    evaluation = await evaluation_of(session, proposal.id)
    await record(
        session,
        proposal.compound_id,
        Action.evaluation,
        f"proposal:{proposal.id}",
        principal.person_id,
        evaluation.model_dump(),
        at,
    )
    await move(session, proposal, d.Status.evaluated, principal.person_id, at, body.version)
    return proposal


async def evaluation_of(session: AsyncSession, proposal_id: int) -> s.EvaluationOut:
    count, total = (
        await session.execute(
            select(func.count(Rating.id), func.coalesce(func.sum(Rating.score), 0)).where(
                Rating.proposal_id == proposal_id
            )
        )
    ).one()
    average = (Decimal(total) / count).quantize(Decimal("0.01"), ROUND_HALF_UP) if count else None
    return s.EvaluationOut(ratings=count, average_score=str(average) if average is not None else None)
