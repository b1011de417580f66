"""Shared-property visits (共享物业) completed in dispatch: charged at the provider's price to
the household (a bill) or to the compound (an expense owed to the provider), with the market
price kept beside it to show the saving. `visit_id` is the primary key: charged once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.bills.domain import BillKind
from services.billing.bills.service import issue_one_off
from services.billing.funds.models import maintenance_decisions, visit_charges
from services.billing.ledger import service as ledger
from services.billing.ledger.domain import AccountKind, credit, debit
from services.billing.projections.models import household_projection
from shared.contracts.deliberation import MaintenanceFundUsePassed
from shared.contracts.dispatch import SharedPropertyVisitCompleted
from shared.errors import InvalidInput

VISIT_DUE_DAYS = 30


async def charge_visit(session: AsyncSession, data: SharedPropertyVisitCompleted, now: datetime) -> bool:
    """Charge one visit; False when it was charged before."""
    if await session.scalar(select(visit_charges.c.visit_id).where(visit_charges.c.visit_id == data.visit_id)):
        return False
    if data.price_fen < 0 or data.market_price_fen < 0:
        raise InvalidInput("上门服务价格不能为负", "Visit prices must not be negative")
    bill_id: int | None = None
    if data.charge_to == "household":
        dwelling_id = data.dwelling_id
        if dwelling_id is None and data.household_id is not None:
            dwelling_id = await session.scalar(
                select(func.max(household_projection.c.dwelling_id)).where(
                    household_projection.c.household_id == data.household_id
                )
            )
        if dwelling_id is None:
            # Registry events may still be on their way: the consumer retries this event.
            raise LookupError(f"household {data.household_id} not projected yet")
        legs = [
            debit(AccountKind.fee_receivable, data.price_fen),
            credit(AccountKind.shared_property_payable, data.price_fen),
        ]
        if data.price_fen:
            (bill_id,) = await issue_one_off(
                session,
                kind=BillKind.shared_property_visit,
                source_id=data.visit_id,
                description=f"共享物业·{data.category_label or data.category}（{data.provider}）",
                charges=[(dwelling_id, data.price_fen)],
                due_date=now.date() + timedelta(days=VISIT_DUE_DAYS),
                now=now,
            )
    else:
        legs = [
            debit(AccountKind.expenses, data.price_fen, "shared_property"),
            credit(AccountKind.shared_property_payable, data.price_fen),
        ]
    entry_id = 0
    if data.price_fen:
        entry_id = await ledger.post(
            session,
            compound_id=data.compound_id,
            source_kind="shared_property_visit",
            source_id=data.visit_id,
            description=f"共享物业上门服务 {data.category_label or data.category}：{data.provider}",
            legs=legs,
            posted_at=now,
        )
    await session.execute(
        visit_charges.insert().values(
            visit_id=data.visit_id,
            order_id=data.order_id,
            compound_id=data.compound_id,
            household_id=data.household_id,
            dwelling_id=data.dwelling_id,
            category=data.category,
            provider=data.provider,
            price_fen=data.price_fen,
            market_price_fen=data.market_price_fen,
            charge_to=data.charge_to,
            bill_id=bill_id,
            entry_id=entry_id,
            completed_at=data.completed_at,
            created_at=now,
        )
    )
    return True


async def record_maintenance_decision(session: AsyncSession, data: MaintenanceFundUsePassed, now: datetime) -> None:
    """Remember what the owners allowed, so a withdrawal can cite it (once per decision)."""
    if await session.scalar(
        select(maintenance_decisions.c.decision_id).where(maintenance_decisions.c.decision_id == data.decision_id)
    ):
        return
    await session.execute(
        maintenance_decisions.insert().values(
            decision_id=data.decision_id,
            proposal_id=data.proposal_id,
            compound_id=data.compound_id,
            building_ids=json.dumps(data.building_ids),
            amount_fen=data.amount_fen,
            used_fen=0,
            purpose=data.purpose,
            received_at=now,
        )
    )
