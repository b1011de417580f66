"""The committee drafts the plan and votes on it among its members."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    members_of,
    require_committee,
)
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.bodies import COMMITTEE_BODIES
from services.deliberation.proposals import domain as d
from services.deliberation.proposals import schemas as s
from services.deliberation.proposals.lookup import get
from services.deliberation.proposals.models import (
    CommitteeVote,
    Plan,
    Proposal,
)
from services.deliberation.proposals.transition import check_not_held, check_seen, move
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput


async def draft_plan(
    session: AsyncSession, proposal_id: int, body: s.PlanIn, principal: Principal, at: datetime
) -> Proposal:
    """The committee writes (or rewrites) how: a rewrite clears the members' votes."""
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    check_seen(proposal, body.version)
    if d.Status(proposal.status) is not d.Status.planning:
        raise Conflict(
            f"议题当前为「{d.Status(proposal.status).label}」，只能在制定方案阶段修改方案",
            "The plan can be written only while the proposal is in planning",
            code=ErrorCode.illegal_transition,
        )
    await check_not_held(session, proposal)
    d.check_levy(
        body.funding_source, body.levy_formula, body.levy_total_fen, body.levy_per_household_fen, body.budget_fen
    )
    formula = body.levy_formula or (d.LevyFormula.by_area if body.funding_source is d.FundingSource.levy else None)
    plan = await session.get(Plan, proposal.id)
    if plan is None:
        plan = Plan(proposal_id=proposal.id)
        session.add(plan)
    plan.summary = body.summary
    plan.budget_fen = body.budget_fen
    plan.funding_source = body.funding_source.value
    plan.levy_formula = formula.value if formula else None
    plan.levy_total_fen = body.levy_total_fen
    plan.levy_per_household_fen = body.levy_per_household_fen
    plan.levy_due_date = body.levy_due_date.isoformat() if body.levy_due_date else None
    plan.building_ids = json.dumps(sorted(set(body.building_ids)))
    plan.reserved_matter = body.reserved_matter
    plan.drafted_by_person_id = principal.person_id or 0
    plan.adopted_at = None
    for vote in await session.scalars(select(CommitteeVote).where(CommitteeVote.proposal_id == proposal.id)):
        await session.delete(vote)
    await session.flush()
    return proposal


async def committee_vote(
    session: AsyncSession, proposal_id: int, body: s.CommitteeVoteIn, principal: Principal, at: datetime
) -> Proposal:
    """A member votes on the plan in person; more than half of ALL members adopts it."""
    proposal = await get(session, proposal_id)
    if body.on_behalf_of_person_id is not None:
        raise InvalidInput(
            "业委会决定须委员本人表决，不得委托代理",
            "Committee decisions take no proxies: members vote in person",
            code=ErrorCode.proxy_not_allowed,
            details=[{"field": "on_behalf_of_person_id", "value": body.on_behalf_of_person_id}],
        )
    await require_committee(session, principal, proposal.compound_id)
    plan = await session.get(Plan, proposal.id)
    if d.Status(proposal.status) is not d.Status.planning or plan is None:
        raise Conflict("尚无待表决的方案", "There is no plan awaiting the committee's decision", code=ErrorCode.no_plan)
    await check_not_held(session, proposal)
    person = principal.person_id or 0
    vote = await session.scalar(
        select(CommitteeVote).where(CommitteeVote.proposal_id == proposal.id, CommitteeVote.person_id == person)
    )
    if vote is None:
        session.add(CommitteeVote(proposal_id=proposal.id, person_id=person, choice=body.choice.value, cast_at=at))
    else:
        vote.choice, vote.cast_at = body.choice.value, at
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.committee_vote,
        f"proposal:{proposal.id}",
        person,
        {"choice": body.choice.value},
        at,
    )
    members = await members_of(session, proposal.compound_id, COMMITTEE_BODIES)
    ayes, noes = await committee_counts(session, proposal.id, members)
    decision = d.committee_decision(ayes, noes, len(members))
    if decision is True:
        plan.adopted_at = at
        target = (
            d.Status.awaiting_vote
            if d.needs_owner_vote(d.FundingSource(plan.funding_source), plan.reserved_matter)
            else d.Status.passed
        )
        await move(session, proposal, target, person, at, note=f"业委会 {ayes}/{len(members)} 同意")
    elif decision is False:
        await move(session, proposal, d.Status.rejected, person, at, note=f"业委会 {noes}/{len(members)} 反对")
    return proposal


async def committee_counts(session: AsyncSession, proposal_id: int, members: set[int]) -> tuple[int, int]:
    rows = await session.execute(
        select(CommitteeVote.person_id, CommitteeVote.choice).where(CommitteeVote.proposal_id == proposal_id)
    )
    ayes = noes = 0
    for person, choice in rows.all():
        if person in members:  # a member who has since left no longer counts
            ayes += choice == d.CommitteeChoice.for_.value
            noes += choice == d.CommitteeChoice.against.value
    return ayes, noes
