"""A year of orders for the demo street (embedded mode only), so the console's dashboard has
something to show: every compound of the demo street gets orders through the year, each with
its timeline (submitted, triaged, accepted, completed, closed), a rating and, now and then, a
missed deadline. Drawn from a seeded generator: the same `demo_size` gives the same orders.
They are recorded by the grid worker (no resident asked), so no resident's own list changes."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.demo import DEMO_COMPOUND
from services.dispatch.orders.domain import Channel, OrderKind, OrderState, Triage
from services.dispatch.orders.models import Order, OrderEntry
from services.dispatch.projections.models import CompoundArea, GridWorkerView
from shared.service_app import ServiceRuntime, Ticker

PREFIX = "demo:history:"
# (category, title, weight): what a street's year looks like, repairs first.
KINDS = [
    ("water_leak", "厨房水管漏水", 9),
    ("drain_clog", "下水道堵塞", 7),
    ("stairwell_lighting", "楼道灯不亮", 8),
    ("public_facility", "小区健身器材损坏", 5),
    ("cleaning", "楼道堆物清理", 6),
    ("electrical", "家中跳闸", 4),
    ("elderly_care", "独居老人助餐", 4),
    ("mediation", "邻里噪音纠纷", 3),
    ("legal_aid", "物业合同咨询", 2),
    ("home_repair", "门锁维修", 3),
]
SEED = 20_260_101
_done: set[int] = set()
_locks: dict[int, asyncio.Lock] = {}


def _triage(rng: random.Random) -> Triage:
    roll = rng.random()
    return Triage.minor if roll < 0.78 else Triage.major if roll < 0.88 else Triage.private


async def seed_demo_history(runtime: ServiceRuntime) -> int:
    # One at a time: the background ticker and a test's tick must not both book the year.
    async with _locks.setdefault(id(runtime), asyncio.Lock()):
        return await _seed_demo_history(runtime)


async def _seed_demo_history(runtime: ServiceRuntime) -> int:
    """Add the year of orders once the demo street's compounds are known here; how many added."""
    settings = runtime.settings
    size = settings.demo_size
    if not settings.seed_demo or size <= 0 or settings.environment == "production" or id(runtime) in _done:
        return 0
    async with runtime.transaction() as session:
        if await session.scalar(select(func.count()).where(Order.source_ref.like(f"{PREFIX}%"))):
            _done.add(id(runtime))
            return 0
        demo = await session.scalar(select(CompoundArea).where(CompoundArea.name == DEMO_COMPOUND))
        if demo is None:
            return 0
        areas = (
            await session.scalars(
                select(CompoundArea).where(CompoundArea.street_id == demo.street_id).order_by(CompoundArea.compound_id)
            )
        ).all()
        workers = (await session.scalars(select(GridWorkerView).where(GridWorkerView.removed.is_(False)))).all()
        if len(areas) < 3 or not workers:
            return 0  # the registry's events have not all arrived yet
        rng = random.Random(SEED + size)
        now = runtime.clock()
        categories = [k for k, _, w in KINDS for _ in range(w)]
        titles = {k: t for k, t, _ in KINDS}
        added = 0
        for area in areas:
            worker = next((w for w in workers if area.grid_id in w.grid_ids), workers[0])
            for n in range(24 * size):
                submitted = now - timedelta(days=rng.uniform(1, 364), hours=rng.uniform(0, 12))
                category = rng.choice(categories)
                added += 1
                _order(session, rng, area, worker.person_id, category, titles[category], submitted, now, n)
    _done.add(id(runtime))
    return added


def _order(
    session: AsyncSession,
    rng: random.Random,
    area: CompoundArea,
    recorder: int,
    category: str,
    title: str,
    submitted: datetime,
    now: datetime,
    n: int,
) -> None:
    triage = _triage(rng)
    triaged = submitted + timedelta(minutes=rng.uniform(10, 360))
    accepted = triaged + timedelta(minutes=rng.uniform(15, 60 * 20)) if triage == Triage.minor else None
    completed = (
        (accepted or triaged) + timedelta(hours=rng.lognormvariate(2.3, 0.8)) if triage != Triage.private else triaged
    )
    # The last fortnight is still being worked on; the rest is closed and rated.
    recent = now - submitted < timedelta(days=14)
    state = OrderState.in_progress if recent and accepted else OrderState.closed
    if recent and not accepted:
        state = OrderState.referred if triage == Triage.major else OrderState.closed
    done = state == OrderState.closed and completed < now
    rating = rng.choices([5, 4, 3, 2, 1], weights=[62, 26, 8, 3, 1])[0] if done and triage == Triage.minor else None
    order = Order(
        id=str(uuid.UUID(int=rng.getrandbits(128))),
        kind=OrderKind.order.value,
        channel=rng.choice([Channel.door_knocking, Channel.phone, Channel.open311]).value,
        state=state.value,
        version=1,
        compound_id=area.compound_id,
        grid_id=area.grid_id,
        community_id=area.community_id,
        street_id=area.street_id,
        household_id=None,
        dwelling_id=None,
        place=f"{area.name}",
        requester_person_id=None,
        recorded_by_person_id=recorder,
        category=category,
        title=title,
        description=f"{title}（走访记录）",
        fields={},
        photos=[],
        urgency="normal",
        dispatch_mode="assign",
        triage=triage.value,
        triage_note={},
        escalation_level="compound",
        co_handlers=[],
        summary="已处理" if done else None,
        rating=rating,
        source_ref=f"{PREFIX}{area.compound_id}:{n}",
        sla_breached=rng.random() < 0.07,
        triaged_at=triaged,
        accepted_at=accepted,
        completed_at=completed if done else None,
        closed_at=completed + timedelta(days=1) if done else None,
        submitted_at=submitted,
    )
    add = session.add
    add(order)
    how = {Triage.minor: "triage_dispatch", Triage.major: "triage_major", Triage.private: "triage_private"}[triage]
    after_triage = {
        Triage.minor: OrderState.awaiting_dispatch,
        Triage.major: OrderState.referred,
        Triage.private: OrderState.closed,
    }[triage]
    timeline = [("create", None, OrderState.submitted, submitted), (how, OrderState.submitted, after_triage, triaged)]
    if accepted:
        timeline.append(("accept", OrderState.offered, OrderState.accepted, accepted))
    if done and triage != Triage.private:
        timeline.append(("complete", OrderState.in_progress, OrderState.completed, completed))
        timeline.append(("rate", OrderState.confirmed, OrderState.closed, completed + timedelta(days=1)))
    for action, before, after, at in timeline:
        add(
            OrderEntry(
                order_id=order.id,
                at=at,
                action=action,
                from_state=before.value if before else None,
                to_state=after.value,
                actor_person_id=recorder,
                note=None,
                details={},
            )
        )


DEMO_HISTORY_TICKER = Ticker("demo_history", interval_s=3.0, step=seed_demo_history)
