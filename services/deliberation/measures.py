"""Deliberation's business measures for /metrics (issue 17): votes by status and ballots cast
(one row per person and item, changed in place, so a changed ballot counts once). Rates come
from the events counter (linli_relay_published_total); these say what is true now."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.votes.models import Ballot, Vote
from shared.observability import Measure, MeasureRows


async def _votes(session: AsyncSession) -> MeasureRows:
    rows = await session.execute(select(Vote.status, func.count()).group_by(Vote.status))
    return [((status,), float(n)) for status, n in rows]


async def _ballots(session: AsyncSession) -> MeasureRows:
    return [((), float(await session.scalar(select(func.count()).select_from(Ballot)) or 0))]


MEASURES = (
    Measure("linli_votes", "Owners' votes by status", ("status",), _votes),
    Measure("linli_ballots", "Ballots cast (one per person and item; a changed ballot counts once)", (), _ballots),
)
