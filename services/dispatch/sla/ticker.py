"""The SLA ticker: claims due deadlines (FOR UPDATE SKIP LOCKED on PostgreSQL, so two replicas
never fire one twice), applies the breach and marks the row fired in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.catalogue.domain import DispatchMode
from services.dispatch.orders import escalation, lapsing, offers, reading, transition
from services.dispatch.orders.domain import Action, OrderState
from services.dispatch.orders.models import Offer, Order
from services.dispatch.sla.models import LAPSE_WARNING, Deadline
from services.dispatch.sla.service import STAGE_OF
from shared.errors import LinliError
from shared.service_app import ServiceRuntime, Ticker

log = logging.getLogger("linli.dispatch.sla")
BATCH = 50


async def breach(session: AsyncSession, deadline: Deadline, now: datetime) -> None:
    """What a clock running out does to its order: triage/start/resolve escalate one level and
    notify the owner; accept re-offers (grab) or returns it to the grid worker (assign), and
    escalates after the category's number of offers; confirm auto-confirms after 72 h."""
    order = await session.get(Order, deadline.order_id)
    if order is None:
        return
    if deadline.stage == LAPSE_WARNING:
        await lapsing.warn(session, order, now)
        return
    state = OrderState(order.state)
    if STAGE_OF.get(state) is None or STAGE_OF[state].value != deadline.stage:
        return  # the order moved on; its clock should have stopped
    why = f"超时：{deadline.stage}（{deadline.level}）"
    if deadline.stage == "confirm":
        await transition.transition(
            session,
            order,
            transition.Change(
                Action.auto_confirm,
                None,
                now,
                note="72 小时未确认，系统自动确认",
                recipients=[f"person:{order.assignee_person_id}"] if order.assignee_person_id else [],
            ),
        )
        return
    if deadline.stage == "accept":
        await _accept_timeout(session, order, now, why)
        return
    await escalation.escalate(session, order, None, now, why, breach=True)


async def _accept_timeout(session: AsyncSession, order: Order, now: datetime, why: str) -> None:
    expired = (
        await session.scalars(
            select(Offer).where(Offer.order_id == order.id, Offer.round == order.offers_made, Offer.status == "open")
        )
    ).all()
    for offer in expired:
        offer.status, offer.answered_at = "expired", now
    category = await reading.category_of(session, order)
    await transition.transition(
        session,
        order,
        transition.Change(
            Action.offer_expired,
            None,
            now,
            values={"sla_breached": True},
            note=why,
            details={
                "round": order.offers_made,
                "mode": order.dispatch_mode,
                "party_member_ids": [x.party_member_id for x in expired],
            },
            recipients=transition.grid_feed(order) + [f"person:{x.person_id}" for x in expired],
        ),
    )
    if order.offers_made >= category.max_offers:
        await escalation.escalate(session, order, None, now, f"{why}；已派 {order.offers_made} 次无人接单", breach=True)
        return
    if order.dispatch_mode == DispatchMode.grab.value:
        eligible = [c for c in await reading.candidates(session, order) if c.eligible]
        if eligible:
            await offers.offer_to(session, order, eligible, order.dispatch_mode, None, now, "超时未接，重新发布抢单")
            return
        await escalation.escalate(session, order, None, now, f"{why}；无符合条件的党员", breach=True)


async def fire_due(runtime: ServiceRuntime) -> int:
    """One round: fire every deadline due by the service clock; returns how many fired."""
    fired = 0
    while True:
        now = runtime.clock()
        async with runtime.transaction() as session:
            query = (
                select(Deadline)
                .where(Deadline.fired_at.is_(None), Deadline.cancelled_at.is_(None), Deadline.due_at <= now)
                .order_by(Deadline.due_at, Deadline.id)
                .limit(BATCH)
            )
            if not runtime.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            due = (await session.scalars(query)).all()
            for deadline in due:
                # Claim it: only the round whose UPDATE finds it unfired and running fires it
                # (SQLite has no FOR UPDATE; an earlier breach of this batch may have stopped it).
                claimed = await session.execute(
                    update(Deadline)
                    .where(Deadline.id == deadline.id, Deadline.fired_at.is_(None), Deadline.cancelled_at.is_(None))
                    .values(fired_at=now)
                    .execution_options(synchronize_session=False)
                )
                if claimed.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                fired += 1
                try:
                    async with session.begin_nested():
                        await breach(session, deadline, now)
                except LinliError as exc:
                    # The order moved in a way the breach cannot follow: the deadline is spent.
                    log.warning("deadline %s of order %s: %s", deadline.id, deadline.order_id, exc.message_en)
        if len(due) < BATCH:
            return fired


SLA_TICKER = Ticker("sla", interval_s=1.0, step=fire_due)
