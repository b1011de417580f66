"""Points routes: a member's points, the compound's red and black lists, and the rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from services.dispatch.points import published
from services.dispatch.points import schemas as s
from services.dispatch.points import service as p
from services.dispatch.points.domain import period_of
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.http import Session, service_router
from shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = service_router("/api/v1/dispatch", tags=["points 积分与红黑榜"])
Period = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])]


@router.get(
    "/points/members/{party_member_id}", response_model=s.MemberPoints, summary="党员积分明细 (a member's points)"
)
async def member_points(
    party_member_id: int, session: Session, principal: CurrentPrincipal, period: Period = None
) -> s.MemberPoints:
    await p.require_member_reader(session, principal, party_member_id)
    return await p.member_points(session, party_member_id, period)


@router.get("/points/lists", response_model=s.ListsOut, summary="红黑榜 (honour roll and warning list)")
async def lists(
    now: Now, session: Session, principal: CurrentPrincipal, compound_id: int, period: Period = None
) -> s.ListsOut:
    await p.require_compound_reader(session, principal, compound_id)
    return await p.lists(session, compound_id, period or period_of(now))


@router.get(
    "/points/lists/published",
    response_model=s.ListsPage,
    summary="已公示的红黑榜，最近的月份在前 (the published lists, newest period first)",
)
async def published_lists(
    session: Session, principal: CurrentPrincipal, compound_id: int, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> s.ListsPage:
    await p.require_compound_reader(session, principal, compound_id)
    return await published.published_lists(session, compound_id, cursor, limit)


@router.post("/points/lists/publish", response_model=s.ListsOut, summary="公示红黑榜 (publish the lists of a period)")
async def publish(body: s.PublishBody, now: Now, session: Session, principal: CurrentPrincipal) -> s.ListsOut:
    return await p.publish(session, body, principal, now)


@router.get("/points/rules/{compound_id}", response_model=s.RulesOut, summary="积分规则 (points rules)")
async def get_rules(compound_id: int, session: Session, principal: CurrentPrincipal) -> s.RulesOut:
    await p.require_compound_reader(session, principal, compound_id)
    return await p.get_rules(session, compound_id)


@router.put("/points/rules/{compound_id}", response_model=s.RulesOut, summary="设置积分规则 (set a compound's rules)")
async def set_rules(compound_id: int, body: s.RulesUpdate, session: Session, principal: CurrentPrincipal) -> s.RulesOut:
    return await p.set_rules(session, compound_id, body, principal)
