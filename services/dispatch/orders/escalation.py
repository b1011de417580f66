"""Escalation: one level up (compound → community → street), by the clock or by hand, each
level with its own clock and feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.orders import schemas as s
from services.dispatch.orders.access import deny, require_area_staff
from services.dispatch.orders.domain import Action, EscalationLevel, next_level
from services.dispatch.orders.models import Order
from services.dispatch.orders.reading import HELD
from services.dispatch.orders.transition import Change, grid_feed, transition
from shared.auth import Place, Principal, is_staff_of
from shared.error_codes import ErrorCode
from shared.errors import Conflict


def escalation_feed(order: Order, level: EscalationLevel) -> list[str]:
    """The feed of the level that now answers; a street not (yet) known here falls back to the
    community, the nearest level above the grid that is."""
    if level == EscalationLevel.street and order.street_id is not None:
        return [f"street:{order.street_id}"]
    if level in (EscalationLevel.community, EscalationLevel.street):
        return [f"community:{order.community_id}"]
    return grid_feed(order)


def owner_feed(order: Order) -> list[str]:
    """Who answers for the order now: the assignee once accepted, else the grid worker."""
    if order.assignee_person_id is not None and order.state in HELD:
        return [f"person:{order.assignee_person_id}"]
    return grid_feed(order)


async def escalate(
    session: AsyncSession,
    order: Order,
    actor_person_id: int | None,
    now: datetime,
    reason: str,
    *,
    breach: bool = False,
    co_handlers: list[int] | None = None,
    expected_version: int | None = None,
) -> Order:
    """One level up (compound → community → street), each level with its own clock; the street
    level may add co-handlers. At the street a breach only reminds (there is no level above)."""
    current = EscalationLevel(order.escalation_level)
    up = next_level(current)
    values: dict[str, Any] = {"sla_breached": True} if breach else {}
    if up is None:
        if co_handlers:
            values["co_handlers"] = sorted({*order.co_handlers, *co_handlers})
            return await transition(
                session,
                order,
                Change(
                    Action.escalate,
                    actor_person_id,
                    now,
                    values=values,
                    note=reason,
                    details={"level": current.value, "co_handlers": values["co_handlers"]},
                    recipients=[f"person:{p}" for p in co_handlers] + owner_feed(order),
                    expected_version=expected_version,
                ),
            )
        if not breach:
            raise Conflict(
                "工单已在街道层级，无法再升级", "Order is already at the street level", code=ErrorCode.top_level
            )
        return await transition(
            session,
            order,
            Change(
                Action.remind,
                actor_person_id,
                now,
                values=values,
                note=reason,
                details={"level": current.value},
                recipients=escalation_feed(order, current) + owner_feed(order),
            ),
        )
    values["escalation_level"] = up.value
    return await transition(
        session,
        order,
        Change(
            Action.escalate,
            actor_person_id,
            now,
            values=values,
            note=reason,
            details={"from_level": current.value, "level": up.value, "breach": breach},
            recipients=escalation_feed(order, up) + owner_feed(order),
            restart_clock=True,
            expected_version=expected_version,
        ),
    )


async def escalate_by_hand(
    session: AsyncSession, order: Order, body: s.EscalateBody, principal: Principal, now: datetime
) -> Order:
    require_area_staff(principal, order, "升级", "escalate")
    # Co-handlers are the street's to call in: its street admins (or ops), not the community's.
    if body.co_handler_person_ids and not is_staff_of(principal, Place(street_id=order.street_id)):
        raise deny("添加协办人：只有街道层级可以操作", "add co-handlers (street level only)")
    if body.co_handler_person_ids and order.escalation_level != EscalationLevel.street.value:
        order = await escalate(session, order, principal.person_id, now, body.reason, expected_version=body.version)
        if order.escalation_level != EscalationLevel.street.value:
            order = await escalate(session, order, principal.person_id, now, body.reason)
        return await escalate(
            session, order, principal.person_id, now, body.reason, co_handlers=body.co_handler_person_ids
        )
    return await escalate(
        session,
        order,
        principal.person_id,
        now,
        body.reason,
        co_handlers=body.co_handler_person_ids or None,
        expected_version=body.version,
    )
