"""Where a place sits in the tree, and who may administer it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.places.models import Community, Compound
from shared.auth import Place, Principal, require_staff_of
from shared.errors import NotFound


@dataclass(frozen=True)
class Area:
    """The street and community a place lies in (compound when it lies inside one)."""

    street_id: int
    community_id: int | None = None
    compound_id: int | None = None
    grid_id: int | None = None


async def community_area(session: AsyncSession, community_id: int) -> Area:
    street_id = await session.scalar(select(Community.street_id).where(Community.id == community_id))
    if street_id is None:
        raise NotFound(
            f"社区 {community_id} 不存在",
            f"Community {community_id} not found",
            details={"field": "community_id", "value": community_id},
        )
    return Area(street_id=street_id, community_id=community_id)


async def compound_area(session: AsyncSession, compound_id: int) -> Area:
    row = (
        await session.execute(
            select(Compound.community_id, Compound.grid_id, Community.street_id)
            .join(Community, Community.id == Compound.community_id)
            .where(Compound.id == compound_id)
        )
    ).first()
    if row is None:
        raise NotFound(
            f"小区 {compound_id} 不存在",
            f"Compound {compound_id} not found",
            details={"field": "compound_id", "value": compound_id},
        )
    return Area(street_id=row.street_id, community_id=row.community_id, compound_id=compound_id, grid_id=row.grid_id)


def require_admin(principal: Principal, area: Area) -> None:
    """Street admins of the street (or unscoped), community admins of the community, ops."""
    require_staff_of(principal, Place(street_id=area.street_id, community_id=area.community_id))
