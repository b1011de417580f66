"""The assignee's work: start, notes along the way, and completion."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.orders import schemas as s
from services.dispatch.orders.access import deny, is_area_staff, is_assignee, require_assignee
from services.dispatch.orders.domain import Action, Provider
from services.dispatch.orders.models import Order
from services.dispatch.orders.reading import category_of, iso
from services.dispatch.orders.transition import Change, grid_feed, transition
from shared.auth import Principal
from shared.contracts import dispatch as events
from shared.events.outbox import emit


async def start(
    session: AsyncSession, order: Order, body: s.OptionalNoteBody, principal: Principal, now: datetime
) -> Order:
    require_assignee(principal, order, "开工", "start")
    return await transition(
        session, order, Change(Action.start, principal.person_id, now, note=body.note, expected_version=body.version)
    )


async def add_note(session: AsyncSession, order: Order, body: s.NoteBody, principal: Principal, now: datetime) -> Order:
    if not (is_assignee(principal, order) or is_area_staff(principal, order)):
        raise deny("记录进展：只有接单人或本网格网格员可以操作", "add a note (assignee or grid worker)")
    return await transition(
        session, order, Change(Action.note, principal.person_id, now, note=body.note, expected_version=body.version)
    )


async def complete(
    session: AsyncSession, order: Order, body: s.CompleteBody, principal: Principal, now: datetime
) -> Order:
    """The assignee finishes with a summary; a shared-property visit is announced for billing."""
    require_assignee(principal, order, "完工", "complete")
    await transition(
        session,
        order,
        Change(
            Action.complete,
            principal.person_id,
            now,
            values={"summary": body.summary.strip(), "completed_at": now},
            note=body.summary.strip(),
            recipients=[
                *([f"person:{order.requester_person_id}"] if order.requester_person_id else []),
                *grid_feed(order),
            ],
            expected_version=body.version,
        ),
    )
    if order.provider == Provider.shared_property.value:
        category = await category_of(session, order)
        await emit(
            session,
            events.SharedPropertyVisitCompleted(
                visit_id=f"{order.id}:v{order.version}",
                order_id=order.id,
                compound_id=order.compound_id,
                household_id=order.household_id,
                dwelling_id=order.dwelling_id,
                category=order.category,
                provider="共享物业",
                price_fen=category.shared_property_price_fen or 0,
                market_price_fen=category.market_price_fen or category.shared_property_price_fen or 0,
                charge_to="household"
                if order.household_id is not None and category.charge_to.value == "household"
                else "compound_fund",
                completed_at=iso(now),
            ),
            subject=order.id,
            key=order.compound_id,
        )
    return order
