"""Routes of committee memberships (议事会, 业委会, 物管会, 自管委, 监委会)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from services.registry.committees import schemas as s
from services.registry.committees import service as m
from services.registry.committees.domain import Body
from services.registry.entities import get_visible_or_404
from services.registry.scope import CallerReach
from shared.auth import CurrentPrincipal
from shared.http import Session, service_router
from shared.pagination import DEFAULT_LIMIT, Limit

router = service_router("/api/v1/registry", tags=["registry"])

TAGS = "任职 (committee membership)"
OptionalId = Annotated[int | None, Query(gt=0)]


@router.post(
    "/memberships",
    status_code=status.HTTP_201_CREATED,
    response_model=s.MembershipOut,
    summary="新建任职：某人在某小区某机构任某职 (seat someone on a compound's body)",
    tags=[TAGS],
)
async def create_membership(body: s.MembershipCreate, session: Session, principal: CurrentPrincipal) -> s.MembershipOut:
    saved = await m.create_membership(session, body, principal)
    return m.show_membership(saved, await m.name_of(session, saved))


@router.get("/memberships", response_model=list[s.MembershipOut], summary="任职列表 (list)", tags=[TAGS])
async def list_memberships(
    session: Session,
    reach: CallerReach,
    compound_id: OptionalId = None,
    body: Body | None = None,
    person_id: OptionalId = None,
    active: bool | None = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[s.MembershipOut]:
    return await m.list_memberships(
        session,
        reach,
        compound_id=compound_id,
        body=body,
        person_id=person_id,
        active=active,
        limit=limit,
        offset=offset,
    )


@router.get("/memberships/{entity_id}", response_model=s.MembershipOut, summary="任职详情 (one)", tags=[TAGS])
async def get_membership(entity_id: int, session: Session, reach: CallerReach) -> s.MembershipOut:
    membership = await get_visible_or_404(session, m.MEMBERSHIP, entity_id, m.membership_readable(reach))
    return m.show_membership(membership, await m.name_of(session, membership))


@router.patch(
    "/memberships/{entity_id}",
    response_model=s.MembershipOut,
    summary="修改职务或卸任 (change role, or end the term)",
    tags=[TAGS],
)
async def update_membership(
    entity_id: int, body: s.MembershipUpdate, session: Session, principal: CurrentPrincipal
) -> s.MembershipOut:
    saved = await m.update_membership(session, entity_id, body, principal)
    return m.show_membership(saved, await m.name_of(session, saved))


@router.delete(
    "/memberships/{entity_id}", status_code=status.HTTP_204_NO_CONTENT, summary="删除任职 (remove)", tags=[TAGS]
)
async def remove_membership(
    entity_id: int,
    session: Session,
    principal: CurrentPrincipal,
    version: Annotated[int, Query(description="你看到的版本号 (the version you read)")],
) -> None:
    await m.remove_membership(session, entity_id, version, principal)
