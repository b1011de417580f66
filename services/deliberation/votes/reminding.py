"""A day before an open vote closes, its owners are reminded once (issue 15: "closing in 24
hours"). The vote clock runs it; claiming the vote with a guarded UPDATE makes it once, also
with two replicas or after a restart."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.proposals.lookup import get as get_proposal
from services.deliberation.votes import domain as d
from services.deliberation.votes.models import Vote
from shared.contracts.deliberation import VoteClosingSoon
from shared.events.outbox import emit

REMIND_BEFORE = timedelta(hours=24)


async def due(session: AsyncSession, at: datetime) -> list[int]:
    """Open votes that close within a day and whose owners have not been reminded."""
    return list(
        await session.scalars(
            select(Vote.id).where(
                Vote.status == d.VoteStatus.open.value,
                Vote.closing_reminded_at.is_(None),
                Vote.closes_at > at,
                Vote.closes_at <= at + REMIND_BEFORE,
            )
        )
    )


async def remind(session: AsyncSession, vote_id: int, at: datetime) -> bool:
    claimed = await session.execute(
        update(Vote)
        .where(Vote.id == vote_id, Vote.closing_reminded_at.is_(None), Vote.status == d.VoteStatus.open.value)
        .values(closing_reminded_at=at)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    vote = await session.get(Vote, vote_id)
    assert vote is not None  # claimed just now, in this transaction
    proposal = await get_proposal(session, vote.proposal_id)
    await emit(
        session,
        VoteClosingSoon(
            vote_id=vote.id,
            proposal_id=proposal.id,
            compound_id=vote.compound_id,
            title=proposal.title,
            closes_at=vote.closes_at.isoformat(),
        ),
        subject=vote.id,
        key=vote.compound_id,
    )
    return True
