"""Reading proposals: one with its counts, and the list of a compound."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    members_of,
)
from services.deliberation.bodies import COMMITTEE_BODIES
from services.deliberation.proposals import domain as d
from services.deliberation.proposals import schemas as s
from services.deliberation.proposals.models import (
    ClassificationItem,
    Plan,
    Proposal,
)
from services.deliberation.proposals.planning import committee_counts
from services.deliberation.proposals.transition import open_objections
from services.deliberation.votes.domain import NOTICE_PERIOD, VoteStatus
from services.deliberation.votes.models import Vote
from services.deliberation.votes.tally import Matter, Outcome, Threshold
from shared.clock import LOCAL_TZ, clock_of
from shared.money import fen_to_yuan


async def show(session: AsyncSession, proposal: Proposal) -> s.ProposalOut:
    await session.refresh(proposal)  # updated_at is set by the database
    plan = await session.get(Plan, proposal.id)
    plan_out: s.PlanOut | None = None
    if plan is not None:
        members = await members_of(session, proposal.compound_id, COMMITTEE_BODIES)
        ayes, noes = await committee_counts(session, proposal.id, members)
        funding = d.FundingSource(plan.funding_source)
        plan_out = s.PlanOut(
            summary=plan.summary,
            budget_fen=plan.budget_fen,
            budget_yuan=fen_to_yuan(plan.budget_fen),
            funding_source=funding,
            funding_source_label=funding.label,
            levy_formula=d.LevyFormula(plan.levy_formula) if plan.levy_formula else None,
            levy_total_fen=plan.levy_total_fen,
            levy_per_household_fen=plan.levy_per_household_fen,
            levy_due_date=plan.levy_due_date,
            building_ids=json.loads(plan.building_ids),
            reserved_matter=plan.reserved_matter,
            needs_owner_vote=d.needs_owner_vote(funding, plan.reserved_matter),
            adopted_at=plan.adopted_at,
            committee_members=len(members),
            votes_for=ayes,
            votes_against=noes,
        )
    items = await session.scalars(
        select(ClassificationItem)
        .where(ClassificationItem.proposal_id == proposal.id)
        .order_by(ClassificationItem.position)
    )
    status = d.Status(proposal.status)
    origin = d.Origin(proposal.origin)
    decided = proposal.decided_at
    # Said by the platform's clock, which a desk's own clock need not agree with.
    earliest = clock_of(session)() + NOTICE_PERIOD if status is d.Status.awaiting_vote else None
    return s.ProposalOut(
        id=proposal.id,
        version=proposal.version,
        earliest_vote_opening=earliest,
        compound_id=proposal.compound_id,
        title=proposal.title,
        description=proposal.description,
        category=proposal.category,
        origin=origin,
        origin_label=origin.label,
        origin_order_id=proposal.origin_order_id,
        submitted_by_person_id=proposal.submitted_by_person_id,
        status=status,
        status_label=status.label,
        triage=d.Triage(proposal.triage) if proposal.triage else None,
        triage_note=proposal.triage_note,
        council_resolution=d.CouncilResolution(proposal.council_resolution) if proposal.council_resolution else None,
        council_note=proposal.council_note,
        council_rounds=proposal.council_rounds,
        plan=plan_out,
        classification=[
            s.ClassificationItemOut(
                position=i.position,
                title=i.title,
                matter=Matter(i.matter),
                matter_label=Matter(i.matter).label,
                article_item=Matter(i.matter).article_item,
                threshold=Threshold(i.threshold),
                threshold_label=Threshold(i.threshold).label,
            )
            for i in items
        ],
        classification_cosigned_by=proposal.classification_cosigned_by,
        open_objections=await open_objections(session, proposal.id),
        votes=[
            s.ProposalVoteOut(
                id=v.id,
                status=VoteStatus(v.status),
                status_label=VoteStatus(v.status).label,
                opens_at=v.opens_at,
                closes_at=v.closes_at,
                outcome=Outcome(v.outcome) if v.outcome else None,
                outcome_label=Outcome(v.outcome).label if v.outcome else None,
                tally_certified=v.tally_certified_by is not None,
            )
            for v in await session.scalars(select(Vote).where(Vote.proposal_id == proposal.id).order_by(Vote.id))
        ],
        decided_at=decided,
        contest_deadline=(decided.astimezone(LOCAL_TZ).date() + d.CONTEST_PERIOD)
        if decided and status in d.DECIDED
        else None,
        created_at=proposal.created_at,
        updated_at=proposal.updated_at,
    )


async def listing(session: AsyncSession, compound_id: int, status: d.Status | None) -> list[s.ProposalOut]:
    query = select(Proposal).where(Proposal.compound_id == compound_id).order_by(Proposal.id.desc()).limit(200)
    if status is not None:
        query = query.where(Proposal.status == status.value)
    return [await show(session, p) for p in await session.scalars(query)]
