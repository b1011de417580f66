"""Routes of residents' skills and volunteer teams (特长户, 红邻服务队)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from services.registry.entities import get_visible_or_404
from services.registry.places.service import COMPOUND, compound_readable
from services.registry.scope import CallerReach
from services.registry.volunteers import reading, registering, teams
from services.registry.volunteers import schemas as s
from services.registry.volunteers.lookup import teams_of
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.error_codes import ErrorCode
from shared.http import Session, service_router
from shared.openapi import errors
from shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = service_router("/api/v1/registry", tags=["特长户与服务队 (volunteers)"])
CompoundId = Annotated[int, Query(gt=0, description="小区 id (compound id)")]


@router.post(
    "/volunteer-teams",
    status_code=status.HTTP_201_CREATED,
    response_model=s.TeamOut,
    summary="组建服务队：小区及以上工作人员 (set up a compound's volunteer team)",
    openapi_extra=errors(ErrorCode.duplicate),
)
async def create_team(body: s.TeamCreate, session: Session, principal: CurrentPrincipal) -> s.TeamOut:
    return await teams.create_team(session, principal, body)


@router.get(
    "/volunteer-teams",
    response_model=list[s.TeamOut],
    summary="小区的服务队 (a compound's teams, for those who see the compound)",
)
async def list_teams(compound_id: CompoundId, session: Session, reach: CallerReach) -> list[s.TeamOut]:
    await get_visible_or_404(session, COMPOUND, compound_id, compound_readable(reach))
    return await teams_of(session, compound_id)


@router.get(
    "/volunteers/me",
    response_model=s.MyVolunteering,
    summary="我的特长登记与本小区服务队 (the caller's own registration and the teams to join)",
)
async def my_volunteering(session: Session, principal: CurrentPrincipal) -> s.MyVolunteering:
    return await registering.my_volunteering(session, principal)


@router.put(
    "/volunteers/me",
    response_model=s.VolunteerOut,
    summary="登记特长、加入服务队（本人） (register one's skills and join teams)",
)
async def register(
    body: s.VolunteerRegister, now: Now, session: Session, principal: CurrentPrincipal
) -> s.VolunteerOut:
    return await registering.register(session, principal, body, now)


@router.delete(
    "/volunteers/me",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="不再做志愿者（本人） (step back as a volunteer)",
)
async def step_back(session: Session, principal: CurrentPrincipal) -> None:
    await registering.step_back(session, principal)


@router.get(
    "/volunteers",
    response_model=s.VolunteerPage,
    summary="小区的特长户名册，工作人员可查 (a compound's volunteers, for its staff)",
)
async def list_volunteers(
    compound_id: CompoundId,
    session: Session,
    principal: CurrentPrincipal,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.VolunteerPage:
    return await reading.list_volunteers(session, principal, compound_id, cursor, limit)
