"""Dispatch: the grid worker assigns or offers an order (or sends the shared property company),
members accept or decline their offers, and a party member claims a wish."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.matching.domain import Candidate
from services.dispatch.orders import schemas as s
from services.dispatch.orders.access import require_area_staff
from services.dispatch.orders.domain import Action, OrderKind, OrderState, Provider, next_state
from services.dispatch.orders.models import Offer, Order
from services.dispatch.orders.reading import candidates, category_of
from services.dispatch.orders.transition import Change, grid_feed, transition
from services.dispatch.projections.models import MemberView
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden, InvalidInput


async def dispatch(
    session: AsyncSession, order: Order, body: s.DispatchBody, principal: Principal, now: datetime
) -> Order:
    """The grid worker assigns one member, offers the order to all eligible (grab), or sends
    the shared property company at its per-visit price."""
    require_area_staff(principal, order, "派单", "dispatch this order")
    category = await category_of(session, order)
    mode = body.mode or order.dispatch_mode
    if mode == "shared_property":
        if category.shared_property_price_fen is None:
            raise InvalidInput(
                f"类别「{category.name}」没有共享物业按次服务价格，不能派共享物业",
                f"Category {category.code} has no shared-property price",
                details=[{"field": "mode"}],
            )
        return await transition(
            session,
            order,
            Change(
                Action.assign_shared_property,
                principal.person_id,
                now,
                values={"provider": Provider.shared_property.value, "accepted_at": now, "dispatch_mode": mode},
                note=body.note,
                details={"provider": Provider.shared_property.value, "price_fen": category.shared_property_price_fen},
                recipients=grid_feed(order),
                expected_version=body.version,
            ),
        )
    ranked = await candidates(session, order)
    if mode == "assign":
        if body.party_member_id is None:
            raise InvalidInput(
                "指派须指定党员 (party_member_id)",
                "assign needs party_member_id",
                details=[{"field": "party_member_id"}],
            )
        chosen = next((c for c in ranked if c.member.party_member_id == body.party_member_id), None)
        if chosen is None or not chosen.eligible:
            why = "、".join(chosen.excluded_because) if chosen else "不是本小区党员"
            raise Conflict(
                f"不能指派给党员 {body.party_member_id}：{why}",
                f"Party member {body.party_member_id} is not eligible",
                code=ErrorCode.not_eligible,
                details={
                    "party_member_id": body.party_member_id,
                    "excluded_because": chosen.excluded_because if chosen else [],
                },
            )
        offered = [chosen]
    else:
        offered = [c for c in ranked if c.eligible]
        if not offered:
            raise Conflict(
                "没有符合条件的党员可以抢单（可改派共享物业或升级）",
                "No eligible party member to offer the order to",
                code=ErrorCode.no_candidates,
            )
    return await offer_to(session, order, offered, mode, principal.person_id, now, body.note, body.version)


async def offer_to(
    session: AsyncSession,
    order: Order,
    offered: list[Candidate],
    mode: str,
    actor_person_id: int | None,
    now: datetime,
    note: str | None = None,
    expected_version: int | None = None,
    restart_clock: bool = False,
) -> Order:
    """Offer the order to these members (a new round); each finds it on their stream."""
    round_ = order.offers_made + 1
    people = [c.member.person_id for c in offered]
    await transition(
        session,
        order,
        Change(
            Action.offer,
            actor_person_id,
            now,
            values={"offers_made": round_, "dispatch_mode": mode},
            note=note,
            details={
                "mode": mode,
                "round": round_,
                "party_member_ids": [c.member.party_member_id for c in offered],
                "person_ids": people,
            },
            recipients=[f"person:{p}" for p in people],
            expected_version=expected_version,
            restart_clock=restart_clock,
        ),
    )
    session.add_all(
        Offer(
            order_id=order.id,
            round=round_,
            party_member_id=c.member.party_member_id,
            person_id=c.member.person_id,
            status="open",
            offered_at=now,
        )
        for c in offered
    )
    await session.flush()
    return order


async def _open_offer(session: AsyncSession, order: Order, principal: Principal) -> Offer:
    offer = await session.scalar(
        select(Offer).where(
            Offer.order_id == order.id,
            Offer.round == order.offers_made,
            Offer.person_id == principal.person_id,
            Offer.status == "open",
        )
    )
    if offer is None:
        raise Forbidden("此工单未派给你或你已答复", "This order is not (or no longer) offered to you")
    return offer


async def accept(session: AsyncSession, order: Order, body: s.Versioned, principal: Principal, now: datetime) -> Order:
    """A party member accepts an order offered to them; under grab the first wins and the
    others' offers lapse (a concurrent second accept finds the order moved: 409)."""
    if order.state != OrderState.offered.value:
        next_state(OrderState(order.state), Action.accept)
    offer = await _open_offer(session, order, principal)
    await transition(
        session,
        order,
        Change(
            Action.accept,
            principal.person_id,
            now,
            values={
                "provider": Provider.party_member.value,
                "assignee_member_id": offer.party_member_id,
                "assignee_person_id": offer.person_id,
                "accepted_at": now,
            },
            details={"party_member_id": offer.party_member_id, "round": offer.round},
            recipients=[
                *grid_feed(order),
                *([f"person:{order.requester_person_id}"] if order.requester_person_id else []),
            ],
            expected_version=body.version,
        ),
    )
    await close_offers(session, order.id, now, winner=offer.id)
    return order


async def close_offers(session: AsyncSession, order_id: str, now: datetime, winner: int | None = None) -> None:
    await session.execute(
        update(Offer)
        .where(Offer.order_id == order_id, Offer.status == "open")
        .values(status="lapsed", answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if winner is not None:
        await session.execute(
            update(Offer)
            .where(Offer.id == winner)
            .values(status="accepted")
            .execution_options(synchronize_session=False)
        )


async def decline(
    session: AsyncSession, order: Order, body: s.ReasonBody, principal: Principal, now: datetime
) -> Order:
    """A member declines with a reason; when no open offer is left the order goes back to the
    grid worker to be offered again."""
    if order.state != OrderState.offered.value:
        next_state(OrderState(order.state), Action.decline)
    offer = await _open_offer(session, order, principal)
    offer.status, offer.reason, offer.answered_at = "declined", body.reason.strip(), now
    await session.flush()
    others = await session.scalar(
        select(func.count()).where(Offer.order_id == order.id, Offer.round == order.offers_made, Offer.status == "open")
    )
    return await transition(
        session,
        order,
        Change(
            Action.decline,
            principal.person_id,
            now,
            choice=OrderState.offered if others else OrderState.awaiting_dispatch,
            note=body.reason.strip(),
            details={"party_member_id": offer.party_member_id, "open_offers_left": int(others or 0)},
            recipients=grid_feed(order),
            expected_version=body.version,
        ),
    )


async def claim_wish(session: AsyncSession, order: Order, principal: Principal, now: datetime) -> Order:
    """A party member of the compound claims a micro-wish (微心愿) directly."""
    if order.kind != OrderKind.wish.value:
        raise Conflict("只有微心愿可以认领", "Only a wish can be claimed", code=ErrorCode.not_a_wish)
    member = await session.scalar(
        select(MemberView).where(MemberView.person_id == principal.person_id, MemberView.removed.is_(False))
    )
    ranked = await candidates(session, order)
    mine = next((c for c in ranked if member is not None and c.member.party_member_id == member.party_member_id), None)
    if mine is None or not mine.eligible:
        raise Forbidden(
            "只有本小区可接单的党员（在职党员须在本小区报到）在岗且未超上限时可以认领微心愿"
            + (f"（{'、'.join(mine.excluded_because)}）" if mine else ""),
            "Only an eligible party member of the compound can claim a wish",
        )
    await transition(
        session,
        order,
        Change(
            Action.claim,
            principal.person_id,
            now,
            values={
                "provider": Provider.party_member.value,
                "assignee_member_id": mine.member.party_member_id,
                "assignee_person_id": mine.member.person_id,
                "accepted_at": now,
            },
            details={"party_member_id": mine.member.party_member_id},
            recipients=[
                *grid_feed(order),
                *([f"person:{order.requester_person_id}"] if order.requester_person_id else []),
            ],
        ),
    )
    await close_offers(session, order.id, now)
    return order
