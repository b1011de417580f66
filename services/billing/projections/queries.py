"""Reads of billing's projections the routes answer with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.projections.models import dwelling_projection, household_projection, ownership_projection


@dataclass(frozen=True)
class DwellingCounts:
    dwellings: int
    area_c: int
    """Area in hundredths of a square metre."""
    unsold_or_undelivered: int
    vacant: int
    owned: int


async def dwelling_counts(session: AsyncSession, compound_id: int) -> DwellingCounts:
    """The active dwellings billing knows of a compound: how many, their area, how many are
    unsold or undelivered, vacant (no active household), owned (an active owner)."""
    d = dwelling_projection
    occupied = select(household_projection.c.dwelling_id).where(household_projection.c.active).scalar_subquery()
    owned = select(ownership_projection.c.dwelling_id).where(ownership_projection.c.active).scalar_subquery()
    row = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(d.c.area_c), 0),
                func.coalesce(func.sum(case(((d.c.sale_status != "sold") | d.c.delivered.is_(False), 1), else_=0)), 0),
                func.coalesce(func.sum(case((d.c.dwelling_id.not_in(occupied), 1), else_=0)), 0),
                func.coalesce(func.sum(case((d.c.dwelling_id.in_(owned), 1), else_=0)), 0),
            ).where(d.c.compound_id == compound_id, d.c.active)
        )
    ).one()
    return DwellingCounts(*(int(v) for v in row))
