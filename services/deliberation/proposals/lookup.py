"""Finding a proposal, whether a person owns a home in its compound, and its live and deciding votes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.projections.models import OwnershipView
from services.deliberation.proposals.models import (
    Proposal,
)
from services.deliberation.votes.models import Vote
from shared.errors import NotFound


async def get(session: AsyncSession, proposal_id: int) -> Proposal:
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(f"议题 {proposal_id} 不存在", f"Proposal {proposal_id} not found", details={"id": proposal_id})
    return proposal


async def live_vote(session: AsyncSession, proposal_id: int) -> Vote | None:
    return await session.scalar(
        select(Vote).where(Vote.proposal_id == proposal_id, Vote.status.in_(["noticed", "open"]))
    )


async def deciding_vote(session: AsyncSession, proposal_id: int) -> Vote | None:
    """The owners' vote that passed the proposal, if the owners decided it."""
    return await session.scalar(
        select(Vote)
        .where(Vote.proposal_id == proposal_id, Vote.status == "closed", Vote.outcome == "passed")
        .order_by(Vote.id.desc())
        .limit(1)
    )


async def is_owner(session: AsyncSession, compound_id: int, person_id: int | None, today: date) -> bool:
    if person_id is None:
        return False
    found = await session.scalar(
        select(OwnershipView.ownership_id)
        .where(
            OwnershipView.compound_id == compound_id,
            OwnershipView.person_id == person_id,
            (OwnershipView.until.is_(None)) | (OwnershipView.until > today),
        )
        .limit(1)
    )
    return found is not None
