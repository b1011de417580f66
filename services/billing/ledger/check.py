"""The book check: recompute what the journal says and compare it with the bills.

- every entry balances (debits = credits);
- the fee_receivable control account equals the bills' outstanding total;
- each bill's paid_fen equals the sum of its payment allocations;
- no fund account (pool, shared development fund, maintenance fund) is below zero.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.bills.domain import BillStatus
from services.billing.bills.models import bills
from services.billing.ledger import service as ledger
from services.billing.ledger.domain import AccountKind
from services.billing.ledger.models import journal_entries
from services.billing.ledger.schemas import BooksCheckOut
from services.billing.payments.models import payment_allocations

FUND_KINDS = (AccountKind.fund_pool, AccountKind.shared_development_fund, AccountKind.maintenance_fund)


async def check_books(session: AsyncSession, compound_id: int) -> BooksCheckOut:
    """Recompute the compound's books; `ok` is False if anything disagrees."""
    unbalanced = await ledger.unbalanced_entries(session, compound_id)
    entries = int(await session.scalar(select(func.count()).where(journal_entries.c.compound_id == compound_id)) or 0)
    receivable = await ledger.balance_of(session, compound_id, AccountKind.fee_receivable)
    outstanding = int(
        await session.scalar(
            select(func.coalesce(func.sum(bills.c.amount_fen - bills.c.paid_fen), 0)).where(
                bills.c.compound_id == compound_id, bills.c.status == BillStatus.issued.value
            )
        )
        or 0
    )
    allocated = (
        select(payment_allocations.c.bill_id, func.sum(payment_allocations.c.amount_fen).label("fen"))
        .group_by(payment_allocations.c.bill_id)
        .subquery()
    )
    mismatch_rows = await session.execute(
        select(bills.c.id, bills.c.paid_fen, func.coalesce(allocated.c.fen, 0))
        .outerjoin(allocated, allocated.c.bill_id == bills.c.id)
        .where(bills.c.compound_id == compound_id, bills.c.paid_fen != func.coalesce(allocated.c.fen, 0))
    )
    mismatch = [{"bill_id": int(b), "paid_fen": int(p), "allocated_fen": int(a)} for b, p, a in mismatch_rows]
    negative = [
        f"{b.kind.value}:{b.ref}"
        for b in await ledger.balances(session, compound_id, list(FUND_KINDS))
        if b.balance_fen < 0
    ]
    return BooksCheckOut(
        compound_id=compound_id,
        ok=not unbalanced and receivable == outstanding and not mismatch and not negative,
        entries=entries,
        unbalanced_entries=unbalanced,
        receivable_balance_fen=receivable,
        bills_outstanding_fen=outstanding,
        bills_paid_mismatch=mismatch,
        negative_fund_accounts=negative,
    )
