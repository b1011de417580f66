"""Carrying out a decided matter: execution starts once the deciding tally is certified, with its
milestones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    require_committee,
)
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.proposals import domain as d
from services.deliberation.proposals import schemas as s
from services.deliberation.proposals.lookup import deciding_vote, get
from services.deliberation.proposals.models import (
    Milestone,
    Proposal,
)
from services.deliberation.proposals.transition import move
from services.deliberation.votes.models import Vote
from shared.auth import Principal
from shared.contracts.deliberation import ExecutionTaskCreated
from shared.error_codes import ErrorCode
from shared.errors import Conflict, NotFound
from shared.events.outbox import emit
from shared.ids import uuid7


def tally_not_certified(vote: Vote) -> Conflict:
    return Conflict(
        f"表决 {vote.id} 的计票结果尚未经监委会确认，决定尚不能执行（不能收费、不能派单、不能纳入公约）",
        f"The tally of vote {vote.id} is not certified by the supervisory committee yet: "
        "the decision cannot be executed, billed or codified before",
        code=ErrorCode.tally_not_certified,
        details={"vote_id": vote.id},
    )


async def start_execution(
    session: AsyncSession, proposal_id: int, body: s.Seen, principal: Principal, at: datetime
) -> Proposal:
    """The committee starts the work; a decision of the owners only once the supervisory
    committee has certified its tally (orders go out from here)."""
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    vote = await deciding_vote(session, proposal.id)
    if vote is not None and vote.tally_certified_by is None:
        raise tally_not_certified(vote)
    await move(session, proposal, d.Status.executing, principal.person_id, at, body.version)
    return proposal


async def add_milestone(
    session: AsyncSession, proposal_id: int, body: s.MilestoneIn, principal: Principal, at: datetime
) -> Milestone:
    """A step of the work; one that needs hands becomes a dispatch order through an event."""
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    if d.Status(proposal.status) is not d.Status.executing:
        raise Conflict("议题尚未进入执行阶段", "The proposal is not being executed", code=ErrorCode.illegal_transition)
    milestone = Milestone(
        id=str(uuid7()),
        proposal_id=proposal.id,
        title=body.title,
        description=body.description,
        category=body.category,
        dispatched=body.dispatch,
        spent_fen=0,
        created_by_person_id=principal.person_id or 0,
        created_at=at,
    )
    session.add(milestone)
    await session.flush()
    if body.dispatch:
        await emit(
            session,
            ExecutionTaskCreated(
                task_id=milestone.id,
                proposal_id=str(proposal.id),
                compound_id=proposal.compound_id,
                category=body.category,
                title=body.title,
                description=body.description or proposal.title,
                created_by_person_id=principal.person_id or 0,
            ),
            subject=milestone.id,
            key=proposal.compound_id,
        )
    await record(
        session,
        proposal.compound_id,
        Action.milestone,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"milestone_id": milestone.id, "title": body.title, "dispatched": body.dispatch},
        at,
    )
    return milestone


async def complete_milestone(
    session: AsyncSession,
    proposal_id: int,
    milestone_id: str,
    body: s.MilestoneDoneIn,
    principal: Principal,
    at: datetime,
) -> Milestone:
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    milestone = await session.get(Milestone, milestone_id)
    if milestone is None or milestone.proposal_id != proposal.id:
        raise NotFound(f"执行节点 {milestone_id} 不存在", f"Milestone {milestone_id} not found")
    if milestone.done_at is not None:
        raise Conflict("该执行节点已完成", "The milestone is already done", code=ErrorCode.illegal_transition)
    milestone.done_at, milestone.spent_fen = at, body.spent_fen
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.milestone,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"milestone_id": milestone.id, "done": True, "spent_fen": body.spent_fen},
        at,
    )
    return milestone


async def milestones(session: AsyncSession, proposal_id: int) -> list[s.MilestoneOut]:
    rows = await session.scalars(
        select(Milestone).where(Milestone.proposal_id == proposal_id).order_by(Milestone.created_at)
    )
    return [
        s.MilestoneOut(
            id=m.id,
            title=m.title,
            description=m.description,
            category=m.category,
            dispatched=m.dispatched,
            spent_fen=m.spent_fen,
            done_at=m.done_at,
            created_at=m.created_at,
        )
        for m in rows
    ]
