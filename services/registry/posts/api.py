"""Routes of service posts (设岗定责)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from services.registry.entities import get_visible_or_404
from services.registry.places.service import COMPOUND, compound_readable
from services.registry.posts import claiming, reading, setting
from services.registry.posts import schemas as s
from services.registry.scope import CallerReach
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.error_codes import ErrorCode
from shared.http import Session, service_router
from shared.openapi import errors

router = service_router("/api/v1/registry", tags=["设岗定责 (service posts)"])
CompoundId = Annotated[int, Query(gt=0, description="小区 id (compound id)")]


@router.post(
    "/service-posts",
    status_code=status.HTTP_201_CREATED,
    response_model=s.ServicePostOut,
    summary="设置服务岗位：小区及以上工作人员 (set a compound's service post)",
    openapi_extra=errors(ErrorCode.duplicate),
)
async def create_post(body: s.ServicePostCreate, session: Session, principal: CurrentPrincipal) -> s.ServicePostOut:
    return await setting.create_post(session, principal, body)


@router.get(
    "/service-posts",
    response_model=list[s.ServicePostOut],
    summary="小区的服务岗位及认领党员 (a compound's posts and who holds them)",
)
async def list_posts(compound_id: CompoundId, session: Session, reach: CallerReach) -> list[s.ServicePostOut]:
    await get_visible_or_404(session, COMPOUND, compound_id, compound_readable(reach))
    return await reading.posts_of(session, compound_id)


@router.post(
    "/service-posts/{post_id}/claim",
    response_model=s.ServicePostOut,
    summary="认领岗位：已在本小区报到的在职党员，每人一岗 (an in-service member claims a post)",
    openapi_extra=errors(
        ErrorCode.not_in_service,
        ErrorCode.not_checked_in,
        ErrorCode.already_holds_post,
        ErrorCode.post_full,
        ErrorCode.not_a_party_member,
    ),
)
async def claim(
    post_id: int, body: s.PostClaimBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.ServicePostOut:
    return await claiming.claim(session, principal, post_id, body, now)


@router.post(
    "/service-posts/{post_id}/release",
    response_model=s.ServicePostOut,
    summary="交还岗位 (hand a post back)",
    openapi_extra=errors(ErrorCode.not_a_party_member),
)
async def release(
    post_id: int, body: s.PostClaimBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.ServicePostOut:
    return await claiming.release(session, principal, post_id, body, now)
