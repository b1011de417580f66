"""Reads of the funds the routes answer with: public revenue, distributions, a fund's ledger
lines, shared-property visit charges."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.funds.models import distributions, revenues, visit_charges
from services.billing.ledger.domain import AccountKind
from services.billing.ledger.models import accounts, journal_entries, journal_lines


async def revenues_of(session: AsyncSession, compound_id: int) -> list[Any]:
    return list(
        await session.execute(select(revenues).where(revenues.c.compound_id == compound_id).order_by(revenues.c.id))
    )


async def distributions_of(session: AsyncSession, compound_id: int) -> list[Any]:
    return list(
        await session.execute(
            select(distributions).where(distributions.c.compound_id == compound_id).order_by(distributions.c.id)
        )
    )


async def fund_lines(session: AsyncSession, compound_id: int, account: AccountKind, ref: str | None) -> list[Any]:
    """(entry id, posted at, description, ref, debit, credit) of the fund's account lines, in order."""
    query = (
        select(
            journal_entries.c.id,
            journal_entries.c.posted_at,
            journal_entries.c.description,
            accounts.c.ref,
            journal_lines.c.debit_fen,
            journal_lines.c.credit_fen,
        )
        .join(journal_lines, journal_lines.c.entry_id == journal_entries.c.id)
        .join(accounts, accounts.c.id == journal_lines.c.account_id)
        .where(accounts.c.compound_id == compound_id, accounts.c.kind == account.value)
        .order_by(journal_entries.c.id, journal_lines.c.id)
    )
    if ref is not None:
        query = query.where(accounts.c.ref == ref)
    return list(await session.execute(query))


async def visit_charges_of(session: AsyncSession, compound_id: int) -> list[Any]:
    return list(
        await session.execute(
            select(visit_charges).where(visit_charges.c.compound_id == compound_id).order_by(visit_charges.c.created_at)
        )
    )
