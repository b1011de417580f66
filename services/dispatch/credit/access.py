"""Who may do what with household credit, by place: the compound's staff (grid worker, the
community's and street's admins) record, correct, stock the shop and publish; a household's own
residents and the compound's staff read its account; the compound's people read the lists and
the shop. Strangers get 404, as if there were no such household."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.projections.models import CompoundArea, HouseholdView
from shared.auth import Principal, Role, is_staff_of, require_staff_of
from shared.errors import InvalidInput, NotFound


async def area_of(session: AsyncSession, compound_id: int) -> CompoundArea:
    area = await session.get(CompoundArea, compound_id)
    if area is None:
        raise NotFound(f"小区 {compound_id} 不存在（或尚未同步）", f"Compound {compound_id} is not known here")
    return area


async def require_compound_staff(session: AsyncSession, principal: Principal, compound_id: int) -> CompoundArea:
    """Staff of the compound or above, the grid worker of its grid included (403 otherwise)."""
    area = await area_of(session, compound_id)
    require_staff_of(principal, area.place, Role.grid_worker)
    return area


def _not_found(household_id: int) -> NotFound:
    return NotFound(f"住户 {household_id} 不存在", f"Household {household_id} not found")


async def household_of(session: AsyncSession, household_id: int) -> HouseholdView:
    household = await session.get(HouseholdView, household_id)
    if household is None or household.removed:
        raise _not_found(household_id)
    return household


async def require_household_reader(session: AsyncSession, principal: Principal, household_id: int) -> HouseholdView:
    """The household's residents, and the staff (and auditors) of its compound."""
    household = await household_of(session, household_id)
    if household_id in principal.households():
        return household
    area = await session.get(CompoundArea, household.compound_id)
    if area is not None and is_staff_of(principal, area.place, Role.grid_worker, Role.auditor):
        return household
    raise _not_found(household_id)


async def require_redeemer(session: AsyncSession, principal: Principal, household_id: int) -> HouseholdView:
    """A resident spends the household's own points; staff hand goods out at the counter for
    any household of their compound. Someone who may read but not spend (an auditor) gets 403."""
    household = await require_household_reader(session, principal, household_id)
    if household_id not in principal.households():
        require_staff_of(principal, (await area_of(session, household.compound_id)).place, Role.grid_worker)
    return household


def require_one_of(household_id: int | None, compound_id: int | None) -> None:
    if household_id is None and compound_id is None:
        raise InvalidInput(
            "请指定 household_id 或 compound_id",
            "Give household_id or compound_id",
            details=[{"field": "household_id"}, {"field": "compound_id"}],
        )
