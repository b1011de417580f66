"""Random sequences of payments, refunds and reversals keep every invariant: each journal
entry balances, the receivable control account equals what bills still owe, no bill is paid
beyond its amount or below zero, and receipt numbers run 1, 2, 3 … without gaps.

Runs the service layer on one migrated SQLite database; each operation is its own savepoint,
as each request is its own transaction, so a refused operation changes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.bills import running
from services.billing.bills.models import bills
from services.billing.bills.schemas import BillRunCreate
from services.billing.ledger.check import check_books
from services.billing.payments import service
from services.billing.payments.domain import Channel
from services.billing.payments.models import payments
from services.billing.payments.schemas import RefundCreate, ReversalCreate
from services.billing.projections.models import (
    building_projection,
    compound_projection,
    dwelling_projection,
    household_projection,
)
from services.billing.rates.models import rate_cards
from shared.auth import Grant, Principal, Role
from shared.db import Database
from shared.errors import LinliError
from shared.migrate import upgrade_head

COMPOUND = 1
DWELLINGS = (11, 12)
OPS = Principal(person_id=1, grants=(Grant(Role.ops),))
NOW = datetime(2026, 7, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{Path(tmp_path_factory.mktemp('billing-props')) / 'billing.db'}"
    upgrade_head("billing", url)
    return url


async def seeded(session: AsyncSession) -> None:
    """One compound, two occupied 86.50 m² dwellings, 0.35 yuan, Q1 and Q2 billed."""
    await session.execute(
        compound_projection.insert().values(
            compound_id=COMPOUND,
            name="邛崃集中居住区",
            community_id=1,
            kind="resettlement",
            management_model="professional",
            version=1,
            event_id="e",
            projected_at=NOW,
        )
    )
    await session.execute(
        building_projection.insert().values(
            building_id=1, compound_id=COMPOUND, number="1", structure="multi_storey", active=True, version=1
        )
    )
    for d in DWELLINGS:
        await session.execute(
            dwelling_projection.insert().values(
                dwelling_id=d,
                compound_id=COMPOUND,
                building_id=1,
                room=str(d),
                area_c=8650,
                exclusive_area_c=8000,
                usage="residential",
                sale_status="sold",
                delivered=True,
                active=True,
                version=1,
            )
        )
        await session.execute(
            household_projection.insert().values(
                household_id=d * 10, dwelling_id=d, compound_id=COMPOUND, active=True, version=1
            )
        )
    await session.execute(
        rate_cards.insert().values(
            scope_kind="compound",
            scope_id=COMPOUND,
            structure="multi_storey",
            management_model="professional",
            rate_units=3500,
            vacancy_percent=100,
            effective_from=date(2026, 1, 1),
            created_at=NOW,
        )
    )
    for period in ("2026-Q1", "2026-Q2"):
        await running.start_run(session, OPS, BillRunCreate(scope_id=COMPOUND, period=period), NOW)


Op = tuple[str, int, int]
ops = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.sampled_from(DWELLINGS), st.integers(-100, 20_000)),
        st.tuples(st.just("refund"), st.integers(0, 5), st.integers(-10, 40_000)),
        st.tuples(st.just("reverse"), st.integers(0, 5), st.just(0)),
    ),
    min_size=1,
    max_size=12,
)


async def apply(session: AsyncSession, op: Op) -> None:
    kind, target, amount = op
    ids = list(await session.scalars(select(payments.c.id).order_by(payments.c.id)))
    try:
        async with session.begin_nested():
            if kind == "pay":
                await service.book_payment(
                    session,
                    dwelling_id=target,
                    channel=Channel.counter,
                    amount_fen=amount,
                    now=NOW,
                    booked_by=1,
                    allow_advance=target == DWELLINGS[1],
                )
            elif ids:
                payment_id = ids[target % len(ids)]
                if kind == "refund":
                    await service.refund(session, OPS, payment_id, RefundCreate(amount_fen=amount, reason="r"), NOW)
                else:
                    version = await session.scalar(select(payments.c.version).where(payments.c.id == payment_id))
                    await service.reverse(
                        session, OPS, payment_id, ReversalCreate(version=int(version or 0), reason="r"), NOW
                    )
    except LinliError:
        pass  # refused: the savepoint rolled back, nothing changed


async def invariants(session: AsyncSession) -> None:
    check = await check_books(session, COMPOUND)
    assert check.ok, check
    bad = await session.scalar(
        select(func.count()).where((bills.c.paid_fen < 0) | (bills.c.paid_fen > bills.c.amount_fen))
    )
    assert bad == 0
    seqs = list(await session.scalars(select(payments.c.receipt_seq).order_by(payments.c.receipt_seq)))
    assert seqs == list(range(1, len(seqs) + 1))
    refunded_beyond = await session.scalar(
        select(func.count()).where((payments.c.refunded_fen > payments.c.amount_fen) | (payments.c.unallocated_fen < 0))
    )
    assert refunded_beyond == 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=ops)
def test_random_payments_refunds_and_reversals_keep_the_books(database_url: str, sequence: list[Op]) -> None:
    async def run() -> None:
        db = Database(database_url)
        try:
            async with db.sessionmaker() as session:
                await session.begin()
                await seeded(session)
                for op in sequence:
                    await apply(session, op)
                    await invariants(session)
                await session.rollback()
        finally:
            await db.dispose()

    asyncio.run(run())
