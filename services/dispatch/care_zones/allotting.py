"""Dividing a building's surroundings into zones (一户一区) and giving each to a household."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.care_zones import reading
from services.dispatch.care_zones import schemas as s
from services.dispatch.care_zones.access import zone_of
from services.dispatch.care_zones.models import CareZone
from services.dispatch.credit.access import household_of, require_compound_staff
from services.dispatch.projections.models import BuildingView
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.locking import check_version


async def _check_household(session: AsyncSession, compound_id: int, household_id: int, zone_id: int | None) -> None:
    household = await household_of(session, household_id)
    if household.compound_id != compound_id:
        raise InvalidInput(
            f"住户 {household_id} 不在本小区",
            "The household is not in the zone's compound",
            details=[{"field": "household_id"}],
        )
    kept = await session.scalar(select(CareZone).where(CareZone.household_id == household_id))
    if kept is not None and kept.id != zone_id:
        raise Conflict(
            f"该住户已负责责任区「{kept.name}」（一户一区）",
            f"The household already keeps care zone {kept.id}",
            code=ErrorCode.household_has_zone,
            details={"zone_id": kept.id},
        )


async def create(session: AsyncSession, principal: Principal, body: s.ZoneCreate, now: datetime) -> s.ZoneOut:
    await require_compound_staff(session, principal, body.compound_id)
    building = await session.get(BuildingView, body.building_id)
    if building is None or building.removed or building.compound_id != body.compound_id:
        raise InvalidInput(
            f"楼栋 {body.building_id} 不在本小区",
            "The building is not in the compound",
            details=[{"field": "building_id"}],
        )
    same = await session.scalar(
        select(CareZone.id).where(CareZone.building_id == body.building_id, CareZone.name == body.name)
    )
    if same is not None:
        raise Conflict(
            f"{building.number} 栋已有名为「{body.name}」的责任区",
            "The building already has a zone of that name",
            code=ErrorCode.duplicate,
        )
    if body.household_id is not None:
        await _check_household(session, body.compound_id, body.household_id, None)
    zone = CareZone(
        compound_id=body.compound_id,
        building_id=body.building_id,
        name=body.name,
        household_id=body.household_id,
        version=1,
        created_at=now,
    )
    session.add(zone)
    await session.flush()
    return (await reading.zones_out(session, [zone]))[0]


async def assign(session: AsyncSession, principal: Principal, zone_id: int, body: s.ZoneAssign) -> s.ZoneOut:
    zone = await zone_of(session, zone_id)
    await require_compound_staff(session, principal, zone.compound_id)
    check_version("责任区", "The care zone", zone.version, body.version)
    if body.household_id is not None:
        await _check_household(session, zone.compound_id, body.household_id, zone.id)
    zone.household_id = body.household_id
    zone.version += 1
    await session.flush()
    return (await reading.zones_out(session, [zone]))[0]
