"""Claiming a post (定责): an in-service member who checked in to the compound claims one post
(seed 002: 每名党员在小区认领1个服务岗位), while it has a free seat; the member, or the
compound's staff for them, may hand it back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.party.domain import PartyLedger
from services.registry.party.models import CheckIn, PartyMember
from services.registry.people.staff import is_area_staff
from services.registry.posts import schemas as s
from services.registry.posts.models import PostClaim, ServicePost
from services.registry.posts.reading import post_of
from services.registry.scope import compound_area
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound


async def get_post(session: AsyncSession, post_id: int) -> ServicePost:
    post = await session.get(ServicePost, post_id)
    if post is None:
        raise NotFound(f"服务岗位 {post_id} 不存在", f"Service post {post_id} not found", details={"id": post_id})
    return post


async def _member(session: AsyncSession, principal: Principal, post: ServicePost, named: int | None) -> PartyMember:
    """The member named (staff, or the member themself), else the caller's own membership."""
    if named is None:
        member = await session.scalar(select(PartyMember).where(PartyMember.person_id == principal.person_id))
        if member is None or principal.person_id is None:
            raise NotFound(code=ErrorCode.not_a_party_member)
        return member
    member = await session.get(PartyMember, named)
    if member is None:
        raise InvalidInput(
            f"party_member_id：党员 {named} 不存在",
            f"party_member_id: party member {named} not found",
            details=[{"field": "party_member_id", "value": named}],
        )
    if member.person_id != principal.person_id and not is_area_staff(
        principal, await compound_area(session, post.compound_id)
    ):
        raise Forbidden(
            "只有党员本人或本小区工作人员可以办理认领",
            "Only the member or the compound's staff may claim for the member",
        )
    return member


async def claim(
    session: AsyncSession, principal: Principal, post_id: int, body: s.PostClaimBody, now: datetime
) -> s.ServicePostOut:
    post = await get_post(session, post_id)
    member = await _member(session, principal, post, body.party_member_id)
    if member.ledger != PartyLedger.in_service.value:
        raise InvalidInput(
            f"岗位由在职党员认领，该党员在“{PartyLedger(member.ledger).label}”台账",
            f"Posts are claimed by in-service members; this member is {member.ledger}",
            code=ErrorCode.not_in_service,
            details=[{"field": "party_member_id", "value": member.id}],
        )
    checked_in = await session.scalar(
        select(CheckIn.id).where(
            CheckIn.party_member_id == member.id, CheckIn.compound_id == post.compound_id, CheckIn.ended_at.is_(None)
        )
    )
    if checked_in is None:
        raise InvalidInput(
            "尚未在本小区报到：报到后才能认领岗位（报到有岗位）",
            "The member has not checked in to the post's compound",
            code=ErrorCode.not_checked_in,
            details=[{"field": "party_member_id", "value": member.id}],
        )
    held = await session.scalar(
        select(PostClaim.post_id).where(PostClaim.party_member_id == member.id, PostClaim.released_at.is_(None))
    )
    if held is not None:
        raise Conflict(
            "每名党员认领一个岗位" + ("，已认领本岗位" if held == post.id else "，请先交还已认领的岗位"),
            "The member already holds a post",
            code=ErrorCode.already_holds_post,
            details={"post_id": held},
        )
    taken = await session.scalar(
        select(func.count()).where(PostClaim.post_id == post.id, PostClaim.released_at.is_(None))
    )
    if (taken or 0) >= post.seats:
        raise Conflict(
            f"岗位「{post.name}」已满员（{post.seats} 人）",
            f"Post {post.id} has no free seat",
            code=ErrorCode.post_full,
            details={"seats": post.seats},
        )
    session.add(PostClaim(post_id=post.id, party_member_id=member.id, claimed_at=now))
    await session.flush()
    return await post_of(session, post)


async def release(
    session: AsyncSession, principal: Principal, post_id: int, body: s.PostClaimBody, now: datetime
) -> s.ServicePostOut:
    post = await get_post(session, post_id)
    member = await _member(session, principal, post, body.party_member_id)
    held = await session.scalar(
        select(PostClaim).where(
            PostClaim.post_id == post.id, PostClaim.party_member_id == member.id, PostClaim.released_at.is_(None)
        )
    )
    if held is None:
        raise NotFound("该党员未认领此岗位", "The member does not hold this post", details={"post_id": post.id})
    held.released_at = now
    await session.flush()
    return await post_of(session, post)
