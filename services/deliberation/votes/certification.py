"""Certifying a closed vote's tally, and announcing what it decided to spend (a levy, a use of the
maintenance fund)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    require_seat,
)
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import lock_head, record
from services.deliberation.bodies import Body
from services.deliberation.projections.models import BuildingView
from services.deliberation.proposals import domain as pd
from services.deliberation.proposals.lookup import get as get_proposal
from services.deliberation.proposals.models import Plan, Proposal
from services.deliberation.votes import domain as d
from services.deliberation.votes.integrity import chained_votes, first_disagreement
from services.deliberation.votes.lookup import flush_vote, get
from services.deliberation.votes.models import Vote
from services.deliberation.votes.tally import (
    Outcome,
)
from shared.auth import Principal
from shared.contracts.deliberation import LevyPassed, MaintenanceFundUsePassed
from shared.error_codes import ErrorCode
from shared.errors import Conflict
from shared.events.outbox import emit


async def announce_spending(session: AsyncSession, proposal: Proposal, vote: Vote) -> None:
    """A passed plan funded by a levy or the maintenance fund reaches billing as an event."""
    plan = await session.get(Plan, proposal.id)
    if plan is None:
        return
    buildings: list[int] = json.loads(plan.building_ids)
    decision_id = f"vote-{vote.id}"
    if plan.funding_source == pd.FundingSource.levy.value:
        await emit(
            session,
            LevyPassed(
                decision_id=decision_id,
                proposal_id=str(proposal.id),
                compound_id=proposal.compound_id,
                title=proposal.title,
                formula=plan.levy_formula or "by_area",
                building_ids=buildings,
                total_fen=plan.levy_total_fen,
                per_household_fen=plan.levy_per_household_fen,
                due_date=plan.levy_due_date,
            ),
            subject=decision_id,
            key=proposal.compound_id,
        )
    elif plan.funding_source == pd.FundingSource.maintenance_fund.value:
        if not buildings:
            buildings = sorted(
                await session.scalars(
                    select(BuildingView.building_id).where(BuildingView.compound_id == proposal.compound_id)
                )
            )
        await emit(
            session,
            MaintenanceFundUsePassed(
                decision_id=decision_id,
                proposal_id=str(proposal.id),
                compound_id=proposal.compound_id,
                building_ids=buildings,
                amount_fen=plan.budget_fen,
                purpose=proposal.title,
            ),
            subject=decision_id,
            key=proposal.compound_id,
        )


async def certify(session: AsyncSession, vote_id: int, principal: Principal, at: datetime) -> Vote:
    """The supervisory committee co-signs the tally."""
    vote = await get(session, vote_id)
    await require_seat(session, principal, vote.compound_id, Body.supervisory_committee)
    # Locks in the one order: the vote's row (two supervisors certifying at once announce the
    # levy once), then the compound's chain head (chain appends, and so row changes, wait while
    # we compare: what the committee signs is the tally the chained ballots give).
    await session.execute(select(Vote.id).where(Vote.id == vote.id).with_for_update())
    await lock_head(session, vote.compound_id)
    await session.refresh(vote)
    if d.VoteStatus(vote.status) is not d.VoteStatus.closed:
        raise Conflict("表决尚未结束计票", "The vote is not tallied yet", code=ErrorCode.not_tallied)
    if vote.tally_certified_by is not None:
        raise Conflict("计票结果已确认", "The tally is already certified", code=ErrorCode.already_certified)
    found, _ = await first_disagreement(
        session, vote.compound_id, await chained_votes(session, vote.compound_id, vote.id), [vote.id]
    )
    if found is not None:
        raise Conflict(
            f"选票或计票结果与审计链不符，不能确认：{found.reason}",
            f"The ballots or the tally differ from the audit chain, so they cannot be certified: {found.reason_en}",
            code=ErrorCode.records_differ_from_chain,
            details={"seq": found.seq, "item_id": found.item_id, "ballot_id": found.ballot_id, "field": found.field},
        )
    vote.tally_certified_by = principal.person_id
    await flush_vote(session)
    await record(
        session,
        vote.compound_id,
        Action.tally_certified,
        f"vote:{vote.id}",
        principal.person_id,
        {"tally_hash": vote.tally_hash},
        at,
    )
    if vote.outcome == Outcome.passed.value:
        # Bills and fund withdrawals follow a certified tally only.
        await announce_spending(session, await get_proposal(session, vote.proposal_id), vote)
    return vote
