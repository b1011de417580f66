"""How an order ends: the requester confirms, reopens or rates it, the grid worker records the
follow-up visit, and an order is cancelled or dismissed as a duplicate or invalid."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.orders import schemas as s
from services.dispatch.orders.access import (
    deny,
    is_area_staff,
    is_requester_side,
    offered_person_ids,
    require_area_staff,
    require_requester,
)
from services.dispatch.orders.domain import Action, OrderState, after_rating
from services.dispatch.orders.models import Order
from services.dispatch.orders.offers import close_offers
from services.dispatch.orders.reading import get_order
from services.dispatch.orders.transition import Change, grid_feed, transition
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput


async def confirm(session: AsyncSession, order: Order, body: s.Versioned, principal: Principal, now: datetime) -> Order:
    require_requester(principal, order, "确认完成", "confirm")
    return await transition(
        session,
        order,
        Change(
            Action.confirm,
            principal.person_id,
            now,
            recipients=[f"person:{order.assignee_person_id}"] if order.assignee_person_id else [],
            expected_version=body.version,
        ),
    )


async def reopen(session: AsyncSession, order: Order, body: s.ReasonBody, principal: Principal, now: datetime) -> Order:
    require_requester(principal, order, "要求重新处理", "reopen")
    recipients = [f"person:{order.assignee_person_id}"] if order.assignee_person_id else grid_feed(order)
    return await transition(
        session,
        order,
        Change(
            Action.reopen,
            principal.person_id,
            now,
            values={"completed_at": None},
            note=body.reason.strip(),
            recipients=[*recipients, *grid_feed(order)],
            expected_version=body.version,
        ),
    )


async def rate(session: AsyncSession, order: Order, body: s.RateBody, principal: Principal, now: datetime) -> Order:
    """Rate 1–5 once; 1–2 schedules the grid worker's follow-up visit (回访) before closing."""
    require_requester(principal, order, "评价", "rate")
    if order.rating is not None:
        raise Conflict("该工单已评价过，不能重复评价", "Order already rated", code=ErrorCode.already_rated)
    outcome = after_rating(body.rating)
    follow_up = outcome == OrderState.follow_up
    return await transition(
        session,
        order,
        Change(
            Action.rate,
            principal.person_id,
            now,
            choice=outcome,
            values={"rating": body.rating, "rating_comment": body.comment, **({} if follow_up else {"closed_at": now})},
            note=body.comment,
            details={"rating": body.rating, "follow_up": follow_up},
            recipients=grid_feed(order) if follow_up else [],
            expected_version=body.version,
        ),
    )


async def follow_up_done(
    session: AsyncSession, order: Order, body: s.NoteBody, principal: Principal, now: datetime
) -> Order:
    require_area_staff(principal, order, "登记回访", "record the follow-up visit")
    return await transition(
        session,
        order,
        Change(
            Action.follow_up_done,
            principal.person_id,
            now,
            values={"closed_at": now},
            note=body.note,
            expected_version=body.version,
        ),
    )


async def cancel(session: AsyncSession, order: Order, body: s.ReasonBody, principal: Principal, now: datetime) -> Order:
    """The requester (or the grid worker) cancels before a member has accepted."""
    if not (is_requester_side(principal, order) or is_area_staff(principal, order)):
        raise deny("取消：只有点单居民或本网格网格员可以操作", "cancel (requester or grid worker)")
    people = await offered_person_ids(session, order.id)
    await transition(
        session,
        order,
        Change(
            Action.cancel,
            principal.person_id,
            now,
            values={"closed_at": now},
            note=body.reason.strip(),
            details={"reason_kind": "cancelled"},
            recipients=[f"person:{p}" for p in people] + grid_feed(order),
            expected_version=body.version,
        ),
    )
    await close_offers(session, order.id, now)
    return order


async def dismiss(
    session: AsyncSession, order: Order, body: s.DismissBody, principal: Principal, now: datetime
) -> Order:
    """The grid worker marks an order a duplicate (of another) or invalid, with a reason."""
    require_area_staff(principal, order, "标记重复或无效", "mark duplicate or invalid")
    if body.kind == "duplicate":
        if not body.duplicate_of or body.duplicate_of == order.id:
            raise InvalidInput(
                "标记重复须指明原工单 (duplicate_of)", "duplicate_of is required", details=[{"field": "duplicate_of"}]
            )
        await get_order(session, body.duplicate_of)
    action = Action.mark_duplicate if body.kind == "duplicate" else Action.mark_invalid
    return await transition(
        session,
        order,
        Change(
            action,
            principal.person_id,
            now,
            values={"closed_at": now},
            note=body.reason.strip(),
            details={"reason_kind": body.kind, "duplicate_of": body.duplicate_of},
            recipients=[f"person:{order.requester_person_id}"] if order.requester_person_id else [],
            expected_version=body.version,
        ),
    )
