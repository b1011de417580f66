"""Resident units (居民单位): what the generic routes need to build, scope and check one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.people import schemas as s
from services.registry.people.models import ResidentUnit
from services.registry.people.staff import living_person
from services.registry.places.domain import normalise_name
from services.registry.places.models import Community
from services.registry.scope import Area, Reach, community_area
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput


async def build_resident_unit(session: AsyncSession, body: s.ResidentUnitCreate) -> ResidentUnit:
    if await session.get(Community, body.community_id) is None:
        raise InvalidInput(
            f"community_id：社区 {body.community_id} 不存在",
            f"community_id: community {body.community_id} not found",
            details=[{"field": "community_id", "value": body.community_id}],
        )
    if body.contact_person_id is not None:
        await living_person(session, body.contact_person_id, "contact_person_id")
    return ResidentUnit(
        community_id=body.community_id, name=normalise_name(body.name), contact_person_id=body.contact_person_id
    )


def resident_unit_readable(reach: Reach) -> ColumnElement[bool]:
    return reach.sees_community(ResidentUnit.community_id)


async def area_of_resident_unit(session: AsyncSession, e: ResidentUnit) -> Area:
    return await community_area(session, e.community_id)


async def check_resident_unit_change(session: AsyncSession, e: ResidentUnit, changes: dict[str, Any]) -> dict[str, Any]:
    changes = {k: v for k, v in changes.items() if v is not None}
    if "name" in changes:
        changes["name"] = normalise_name(changes["name"])
    if "contact_person_id" in changes:
        await living_person(session, changes["contact_person_id"], "contact_person_id")
    return changes


def duplicate_resident_unit(e: ResidentUnit) -> Conflict:
    return Conflict(
        f"社区内已有驻地单位“{e.name}”",
        f"resident unit {e.name!r} already exists in this community",
        code=ErrorCode.duplicate,
        details={"field": "name", "value": e.name},
    )
