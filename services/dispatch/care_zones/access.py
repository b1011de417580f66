"""Who may do what with care zones: the compound's staff (grid worker, the community's and
street's admins) divide the ground and assign it; the building head of the zone's building, or
the staff, inspect; a household reads its own zone and inspections, the compound's people the
zones. Strangers get 404."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.care_zones.models import CareZone
from services.dispatch.credit.access import area_of
from shared.auth import Principal, Role, is_staff_of
from shared.errors import Forbidden, NotFound


async def zone_of(session: AsyncSession, zone_id: int) -> CareZone:
    zone = await session.get(CareZone, zone_id)
    if zone is None:
        raise NotFound(f"责任区 {zone_id} 不存在", f"Care zone {zone_id} not found")
    return zone


async def may_inspect(session: AsyncSession, principal: Principal, zone: CareZone) -> bool:
    if principal.has(Role.building_head, "building", zone.building_id):
        return True
    return is_staff_of(principal, (await area_of(session, zone.compound_id)).place, Role.grid_worker)


async def require_inspector(session: AsyncSession, principal: Principal, zone: CareZone) -> None:
    if not await may_inspect(session, principal, zone):
        raise Forbidden(
            "只有本楼栋的楼栋长或本小区的网格员、社区工作人员可以检查责任区",
            "Only the building's head or the compound's staff inspect a care zone",
        )


async def may_see_inspection(session: AsyncSession, principal: Principal, zone: CareZone, household_id: int) -> bool:
    """The household inspected, the building's head, the compound's staff and auditors."""
    if household_id in principal.households() or await may_inspect(session, principal, zone):
        return True
    return is_staff_of(principal, (await area_of(session, zone.compound_id)).place, Role.auditor)
