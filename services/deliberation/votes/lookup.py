"""Finding a vote and its items, the building numbers of its compound, the votes due to open or close,
and the one flush that turns a concurrent change into `stale_version`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.projections.models import BuildingView
from services.deliberation.votes import domain as d
from services.deliberation.votes.models import Vote, VoteItem
from shared.errors import NotFound
from shared.locking import flush_versioned


async def get(session: AsyncSession, vote_id: int) -> Vote:
    vote = await session.get(Vote, vote_id)
    if vote is None:
        raise NotFound(f"表决 {vote_id} 不存在", f"Vote {vote_id} not found", details={"id": vote_id})
    return vote


async def vote_items(session: AsyncSession, vote_id: int) -> list[VoteItem]:
    return list(await session.scalars(select(VoteItem).where(VoteItem.vote_id == vote_id).order_by(VoteItem.position)))


async def flush_vote(session: AsyncSession) -> None:
    await flush_versioned(session, "表决", "The vote")


async def building_numbers(session: AsyncSession, compound_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(BuildingView.building_id, BuildingView.number).where(BuildingView.compound_id == compound_id)
    )
    return dict(rows.all())


async def due(session: AsyncSession, at: datetime) -> tuple[list[int], list[int]]:
    """Votes whose opening or closing time has come (for the ticker)."""
    to_open = await session.scalars(
        select(Vote.id).where(Vote.status == d.VoteStatus.noticed.value, Vote.opens_at <= at)
    )
    to_close = await session.scalars(
        select(Vote.id).where(Vote.status == d.VoteStatus.open.value, Vote.closes_at <= at)
    )
    return list(to_open), list(to_close)
