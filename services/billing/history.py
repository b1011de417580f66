"""A year of bills and payments for the demo street (embedded mode only), so the console's
dashboard has money to show: 滨河花园, the demo's high-rise, billed month by month for the last
twelve months at 2.20 yuan/m², paid near Qionglai's 88.14%, with parking and advertising revenue
and one 433 distribution approved by a second committee member. Booked through billing's own
use cases (same rules, same journal), by operators who stand in for the committee. The old
compound is left unbilled: the residents' story bills it itself."""

from __future__ import annotations

import asyncio
import random
from datetime import date, timedelta

from sqlalchemy import func, select, update

from services.billing.bills import running
from services.billing.bills.models import bill_runs, bills
from services.billing.bills.schemas import BillRunCreate
from services.billing.funds import approvals
from services.billing.funds import service as funds
from services.billing.funds.domain import RevenueSource
from services.billing.funds.schemas import DistributionCreate, RevenueCreate
from services.billing.payments import service as payments
from services.billing.payments.domain import Channel
from services.billing.payments.schemas import CounterPaymentCreate
from services.billing.projections.models import compound_projection, dwelling_projection
from services.billing.rates import service as rates
from services.billing.rates.domain import ManagementModel, Structure
from services.billing.rates.schemas import RateCardCreate
from shared.auth import Grant, Principal, Role
from shared.clock import LOCAL_TZ
from shared.service_app import ServiceRuntime, Ticker

DEMO_COMPOUND = "滨河花园"
DWELLINGS = 6
TREASURER = Principal(9_000_101, (Grant(Role.ops),))
SEED = 88_14
_done: set[int] = set()
_locks: dict[int, asyncio.Lock] = {}


def _months(today: date) -> list[str]:
    """The twelve months before this one, oldest first."""
    out = []
    year, month = today.year, today.month
    for _ in range(12):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        out.append(f"{year}-{month:02d}")
    return list(reversed(out))


async def seed_demo_bills(runtime: ServiceRuntime) -> int:
    # One at a time: the background ticker and a test's tick must not both book the year.
    async with _locks.setdefault(id(runtime), asyncio.Lock()):
        return await _seed_demo_bills(runtime)


async def _seed_demo_bills(runtime: ServiceRuntime) -> int:
    """Bill and collect the demo high-rise's year once its dwellings are known; bills issued."""
    settings = runtime.settings
    if not settings.seed_demo or settings.demo_size <= 0 or settings.environment == "production":
        return 0
    if id(runtime) in _done:
        return 0
    async with runtime.transaction() as session:
        compound_id = await session.scalar(
            select(compound_projection.c.compound_id).where(compound_projection.c.name == DEMO_COMPOUND)
        )
        if compound_id is None:
            return 0
        if await session.scalar(select(bill_runs.c.id).where(bill_runs.c.scope_id == compound_id).limit(1)):
            _done.add(id(runtime))
            return 0
        dwellings = list(
            await session.scalars(
                select(dwelling_projection.c.dwelling_id)
                .where(dwelling_projection.c.compound_id == compound_id)
                .order_by(dwelling_projection.c.dwelling_id)
            )
        )
        if len(dwellings) < DWELLINGS:
            return 0  # the registry's events have not all arrived yet
        now = runtime.clock()
        today = now.astimezone(LOCAL_TZ).date()
        months = _months(today)
        first = date.fromisoformat(f"{months[0]}-01")
        await rates.create_card(
            session,
            TREASURER,
            RateCardCreate(
                scope_id=compound_id,
                structure=Structure.high_rise,
                management_model=ManagementModel.professional,
                rate_yuan_per_m2_month="2.20",
                effective_from=first,
            ),
            now,
        )
        for month in months:
            await running.start_run(session, TREASURER, BillRunCreate(scope_id=compound_id, period=month), now)
        # Bills of past months fall due 30 days after their month starts, as if issued on time.
        for bill_id, starts in (
            await session.execute(select(bills.c.id, bills.c.period_start).where(bills.c.compound_id == compound_id))
        ).all():
            await session.execute(
                update(bills).where(bills.c.id == bill_id).values(due_date=starts + timedelta(days=30))
            )
        issued = int(await session.scalar(select(func.count()).where(bills.c.compound_id == compound_id)) or 0)
        # Months paid per dwelling: 63 of 72 (87.5%), with the gaps at the end as arrears are.
        rng = random.Random(SEED + settings.demo_size)
        paid_months = [12, 12, 11, 10, 9, 9]
        for dwelling_id, count in zip(dwellings, paid_months, strict=False):
            amounts = list(
                await session.scalars(
                    select(bills.c.amount_fen)
                    .where(bills.c.dwelling_id == dwelling_id)
                    .order_by(bills.c.period_start, bills.c.id)
                )
            )
            for amount in amounts[:count]:
                await payments.take_counter_payment(
                    session,
                    TREASURER,
                    CounterPaymentCreate(
                        dwelling_id=dwelling_id,
                        amount_fen=amount,
                        channel=rng.choice([Channel.counter, Channel.bank]),
                        payer_name="业主",
                    ),
                    now,
                )
        for i, (source, gross, what) in enumerate(
            (
                (RevenueSource.parking, 1_260_000, "地面停车位租金"),
                (RevenueSource.advertising, 480_000, "电梯广告"),
                (RevenueSource.venue, 120_000, "快递柜场地占用费"),
            )
        ):
            await funds.book_revenue(
                session,
                TREASURER,
                RevenueCreate(
                    compound_id=compound_id,
                    source=source,
                    gross_fen=gross,
                    cost_fen=gross // 10,
                    evidence=[f"DEMO-{i + 1:03d}"],
                    description=what,
                    received_on=first + timedelta(days=40 + 90 * i),
                ),
                now,
            )
        pool = (1_260_000 + 480_000 + 120_000) * 9 // 10
        asked = await approvals.request(
            session,
            TREASURER,
            approvals.ApprovalCreate(
                compound_id=compound_id, action=approvals.Action.distribution, amount_fen=pool, purpose="年度433分配"
            ),
            now,
        )
        second = Principal(9_000_102, (Grant(Role.owners_committee, "compound", compound_id),))
        await approvals.approve(session, second, asked.id, now)
        await funds.distribute(
            session, TREASURER, DistributionCreate(compound_id=compound_id, amount_fen=pool, approval_id=asked.id), now
        )
    _done.add(id(runtime))
    return issued


DEMO_BILLS_TICKER = Ticker("demo_bills", interval_s=3.0, step=seed_demo_bills)
