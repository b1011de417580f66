"""Levies from LevyPassed: one bill per household of the compound (or of the listed
buildings), linked to the decision; a redelivered decision bills nothing twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.bills.domain import BillKind
from services.billing.bills.service import issue_one_off
from services.billing.ledger import service as ledger
from services.billing.ledger.domain import AccountKind, credit, debit
from services.billing.levies.domain import levy_charges
from services.billing.levies.models import levies
from services.billing.projections.models import dwelling_projection, household_projection
from shared.clock import month_of
from shared.contracts.billing import BillsIssued
from shared.contracts.deliberation import LevyPassed
from shared.events.outbox import emit

LEVY_DUE_DAYS = 30


async def bill_levy(session: AsyncSession, data: LevyPassed, now: datetime) -> int:
    """Issue the levy's bills and post them; returns how many (0 if already billed)."""
    if await session.scalar(select(levies.c.decision_id).where(levies.c.decision_id == data.decision_id)):
        return 0
    d = dwelling_projection
    query = (
        select(d.c.dwelling_id, d.c.area_c)
        .where(
            d.c.compound_id == data.compound_id,
            d.c.active,
            d.c.dwelling_id.in_(select(household_projection.c.dwelling_id).where(household_projection.c.active)),
        )
        .order_by(d.c.dwelling_id)
    )
    if data.building_ids:
        query = query.where(d.c.building_id.in_(data.building_ids))
    dwellings = [(int(i), int(a)) for i, a in await session.execute(query)]
    charges = levy_charges(data.formula, dwellings, data.total_fen, data.per_household_fen) if dwellings else []
    due = date.fromisoformat(data.due_date) if data.due_date else now.date() + timedelta(days=LEVY_DUE_DAYS)
    await issue_one_off(
        session,
        kind=BillKind.levy,
        source_id=data.decision_id,
        description=f"出资：{data.title}",
        charges=charges,
        due_date=due,
        now=now,
    )
    amount = sum(f for _, f in charges)
    if amount:
        await ledger.post(
            session,
            compound_id=data.compound_id,
            source_kind="levy",
            source_id=data.decision_id,
            description=f"出资 {data.title}（决定 {data.decision_id}）",
            legs=[debit(AccountKind.fee_receivable, amount), credit(AccountKind.levy_fund, amount, data.decision_id)],
            posted_at=now,
        )
    await session.execute(
        levies.insert().values(
            decision_id=data.decision_id,
            proposal_id=data.proposal_id,
            compound_id=data.compound_id,
            title=data.title,
            formula=data.formula,
            total_fen=data.total_fen,
            per_household_fen=data.per_household_fen,
            bill_count=len(charges),
            amount_fen=amount,
            due_date=due.isoformat(),
            created_at=now,
        )
    )
    await emit(
        session,
        BillsIssued(
            compound_id=data.compound_id,
            kind=BillKind.levy.value,
            period_label=month_of(now),
            bill_run_id=None,
            source_id=data.decision_id,
            bill_count=len(charges),
            amount_fen=amount,
            dwelling_ids=sorted({dwelling_id for dwelling_id, _ in charges}),
        ),
        subject=f"levy-{data.decision_id}",
        key=data.compound_id,
    )
    return len(charges)
