"""Volunteer teams (红邻服务队): the compound's staff set them up; whoever sees the compound
sees its teams."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.people.staff import require_area_staff
from services.registry.scope import compound_area
from services.registry.volunteers import schemas as s
from services.registry.volunteers.models import VolunteerTeam
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict


async def create_team(session: AsyncSession, principal: Principal, body: s.TeamCreate) -> s.TeamOut:
    require_area_staff(principal, await compound_area(session, body.compound_id), "组建服务队", "set up a team")
    clash = await session.scalar(
        select(VolunteerTeam.id).where(VolunteerTeam.compound_id == body.compound_id, VolunteerTeam.name == body.name)
    )
    if clash is not None:
        raise Conflict(
            f"本小区已有服务队「{body.name}」",
            f"The compound already has a team named {body.name!r}",
            code=ErrorCode.duplicate,
            details={"field": "name", "existing_id": clash},
        )
    team = VolunteerTeam(compound_id=body.compound_id, name=body.name, focus=body.focus.strip())
    session.add(team)
    await session.flush()
    await session.refresh(team)
    return s.TeamOut.model_validate(team)
