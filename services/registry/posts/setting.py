"""Setting a post (设岗): the compound's staff name it, its duty and how many it takes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.people.staff import require_area_staff
from services.registry.posts import schemas as s
from services.registry.posts.models import ServicePost
from services.registry.posts.reading import post_of
from services.registry.scope import compound_area
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict


async def create_post(session: AsyncSession, principal: Principal, body: s.ServicePostCreate) -> s.ServicePostOut:
    require_area_staff(principal, await compound_area(session, body.compound_id), "设置服务岗位", "set a post")
    clash = await session.scalar(
        select(ServicePost.id).where(ServicePost.compound_id == body.compound_id, ServicePost.name == body.name)
    )
    if clash is not None:
        raise Conflict(
            f"本小区已有岗位「{body.name}」",
            f"The compound already has a post named {body.name!r}",
            code=ErrorCode.duplicate,
            details={"field": "name", "existing_id": clash},
        )
    post = ServicePost(compound_id=body.compound_id, name=body.name, duty=body.duty.strip(), seats=body.seats)
    session.add(post)
    await session.flush()
    await session.refresh(post)
    return await post_of(session, post)
