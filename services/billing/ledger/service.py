"""Posting entries and deriving balances; nothing here updates or deletes a journal row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.ledger.domain import AccountKind, Leg, check_balanced, normal_balance
from services.billing.ledger.models import accounts, journal_entries, journal_lines
from services.billing.sql import insert_ignoring_duplicates
from shared.clock import LOCAL_TZ


async def account_ids(
    session: AsyncSession, compound_id: int, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Ids of the compound's accounts (kind, ref), opening the missing ones."""
    rows = [{"compound_id": compound_id, "kind": kind, "ref": ref} for kind, ref in sorted(keys)]
    await insert_ignoring_duplicates(session, accounts, rows, ["compound_id", "kind", "ref"])
    found = await session.execute(
        select(accounts.c.kind, accounts.c.ref, accounts.c.id).where(
            accounts.c.compound_id == compound_id,
            accounts.c.kind.in_({k for k, _ in keys}),
        )
    )
    return {(kind, ref): ident for kind, ref, ident in found if (kind, ref) in keys}


async def post(
    session: AsyncSession,
    *,
    compound_id: int,
    source_kind: str,
    source_id: str,
    description: str,
    legs: list[Leg],
    posted_at: datetime,
    reverses_entry_id: int | None = None,
    value_date: date | None = None,
) -> int:
    """Write one balanced entry in the caller's transaction and return its id; its value date
    is `value_date` when the money moved on another day, else the local day of posting."""
    check_balanced(legs)
    ids = await account_ids(session, compound_id, {(leg.kind.value, leg.ref) for leg in legs})
    entry_id = (
        await session.execute(
            journal_entries.insert()
            .values(
                compound_id=compound_id,
                source_kind=source_kind,
                source_id=source_id,
                description=description[:200],
                reverses_entry_id=reverses_entry_id,
                posted_at=posted_at,
                value_date=value_date or posted_at.astimezone(LOCAL_TZ).date(),
            )
            .returning(journal_entries.c.id)
        )
    ).scalar_one()
    await session.execute(
        journal_lines.insert(),
        [
            {
                "entry_id": entry_id,
                "account_id": ids[(leg.kind.value, leg.ref)],
                "debit_fen": leg.debit_fen,
                "credit_fen": leg.credit_fen,
            }
            for leg in legs
        ],
    )
    return int(entry_id)


async def legs_of(session: AsyncSession, entry_id: int) -> list[Leg]:
    """The legs of a posted entry (to reverse it)."""
    rows = await session.execute(
        select(accounts.c.kind, accounts.c.ref, journal_lines.c.debit_fen, journal_lines.c.credit_fen)
        .join(accounts, accounts.c.id == journal_lines.c.account_id)
        .where(journal_lines.c.entry_id == entry_id)
        .order_by(journal_lines.c.id)
    )
    return [Leg(AccountKind(k), ref, int(d), int(c)) for k, ref, d, c in rows]


@dataclass(frozen=True)
class Balance:
    kind: AccountKind
    ref: str
    debit_fen: int
    credit_fen: int

    @property
    def balance_fen(self) -> int:
        return normal_balance(self.kind, self.debit_fen, self.credit_fen)


async def balances(
    session: AsyncSession,
    compound_id: int,
    kinds: list[AccountKind] | None = None,
    until: datetime | None = None,
    since: datetime | None = None,
) -> list[Balance]:
    """Each account's totals, summed from its journal lines (optionally within a time window)."""
    query = (
        select(
            accounts.c.kind,
            accounts.c.ref,
            func.sum(journal_lines.c.debit_fen),
            func.sum(journal_lines.c.credit_fen),
        )
        .join(journal_lines, journal_lines.c.account_id == accounts.c.id)
        .join(journal_entries, journal_entries.c.id == journal_lines.c.entry_id)
        .where(accounts.c.compound_id == compound_id)
        .group_by(accounts.c.kind, accounts.c.ref)
        .order_by(accounts.c.kind, accounts.c.ref)
    )
    if until is not None:
        query = query.where(journal_entries.c.posted_at < until)
    if since is not None:
        query = query.where(journal_entries.c.posted_at >= since)
    if kinds is not None:
        query = query.where(accounts.c.kind.in_([k.value for k in kinds]))
    rows = await session.execute(query)
    return [Balance(AccountKind(k), ref, int(d), int(c)) for k, ref, d, c in rows]


async def balance_of(session: AsyncSession, compound_id: int, kind: AccountKind, ref: str = "") -> int:
    """One account's balance on its normal side (0 for an account never used)."""
    found = [b for b in await balances(session, compound_id, [kind]) if b.ref == ref]
    return found[0].balance_fen if found else 0


async def unbalanced_entries(session: AsyncSession, compound_id: int | None = None) -> list[dict[str, int]]:
    """Entries whose debits and credits differ (the check should always find none)."""
    query = (
        select(
            journal_lines.c.entry_id,
            func.sum(journal_lines.c.debit_fen),
            func.sum(journal_lines.c.credit_fen),
        )
        .join(journal_entries, journal_entries.c.id == journal_lines.c.entry_id)
        .group_by(journal_lines.c.entry_id)
        .having(func.sum(journal_lines.c.debit_fen) != func.sum(journal_lines.c.credit_fen))
    )
    if compound_id is not None:
        query = query.where(journal_entries.c.compound_id == compound_id)
    rows = await session.execute(query)
    return [{"entry_id": int(e), "debit_fen": int(d), "credit_fen": int(c)} for e, d, c in rows]
