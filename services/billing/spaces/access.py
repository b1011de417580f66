"""Who may do what with shared spaces: the compound's staff (its admins above it, its owners'
committee and property staff) set spaces up, receive fees and read usage; the compound's
residents see its spaces and book for their own household. Strangers get 404."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.access import is_reader, place_of, require_manager, resident_households
from services.billing.projections.models import household_projection
from shared.auth import Place, Principal
from shared.errors import Forbidden, NotFound


async def require_space_staff(session: AsyncSession, principal: Principal, compound_id: int) -> Place:
    place = await place_of(session, compound_id)
    require_manager(principal, place)
    return place


async def compound_households(session: AsyncSession, principal: Principal, compound_id: int) -> set[int]:
    """The caller's own households in the compound."""
    mine = resident_households(principal)
    if not mine:
        return set()
    rows = await session.execute(
        select(household_projection.c.household_id).where(
            household_projection.c.compound_id == compound_id,
            household_projection.c.household_id.in_(mine),
            household_projection.c.active.is_(True),
        )
    )
    return {r.household_id for r in rows}


async def require_space_viewer(session: AsyncSession, principal: Principal, compound_id: int) -> Place:
    """Its residents and its readers; others 404, as if the compound had no spaces."""
    place = await place_of(session, compound_id)
    if is_reader(principal, place) or await compound_households(session, principal, compound_id):
        return place
    raise NotFound(f"小区 {compound_id} 的共享空间不存在", f"No shared spaces of compound {compound_id}")


async def require_booker(session: AsyncSession, principal: Principal, compound_id: int, household_id: int) -> None:
    """A resident books for their own household of this compound."""
    if household_id not in await compound_households(session, principal, compound_id):
        raise Forbidden("只能为本小区自己的住户预约", "Residents book for their own household of this compound")
