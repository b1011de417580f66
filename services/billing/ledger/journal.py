"""Reading the journal: a compound's entries with their lines, oldest first, a page at a time."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.ledger.domain import AccountKind
from services.billing.ledger.models import accounts, journal_entries, journal_lines
from services.billing.ledger.schemas import JournalEntryOut, JournalLineOut, JournalPage
from shared.pagination import int_cursor, keyset_page


async def journal_page(
    session: AsyncSession, compound_id: int, limit: int, offset: int, cursor: str | None
) -> JournalPage:
    """`total` counts every entry of the compound; `cursor` (the last entry id seen) and
    `offset` both start the page later."""
    total = await session.scalar(select(func.count()).where(journal_entries.c.compound_id == compound_id))
    query = select(journal_entries).where(journal_entries.c.compound_id == compound_id)
    after = int_cursor(cursor)
    if after is not None:
        query = query.where(journal_entries.c.id > after)
    rows = list(await session.execute(query.order_by(journal_entries.c.id).limit(limit + 1).offset(offset)))
    entries, next_cursor = keyset_page(rows, limit, lambda e: e.id)
    lines = await session.execute(
        select(
            journal_lines.c.entry_id,
            accounts.c.kind,
            accounts.c.ref,
            journal_lines.c.debit_fen,
            journal_lines.c.credit_fen,
        )
        .join(accounts, accounts.c.id == journal_lines.c.account_id)
        .where(journal_lines.c.entry_id.in_([e.id for e in entries]))
        .order_by(journal_lines.c.id)
    )
    by_entry: dict[int, list[JournalLineOut]] = {}
    for entry_id, kind, ref, debit_fen, credit_fen in lines:
        account = AccountKind(kind)
        by_entry.setdefault(entry_id, []).append(
            JournalLineOut(
                account=account, account_label=account.label, ref=ref, debit_fen=debit_fen, credit_fen=credit_fen
            )
        )
    return JournalPage(
        total=int(total or 0),
        next_cursor=next_cursor,
        items=[
            JournalEntryOut(
                id=e.id,
                compound_id=e.compound_id,
                source_kind=e.source_kind,
                source_id=e.source_id,
                description=e.description,
                reverses_entry_id=e.reverses_entry_id,
                posted_at=e.posted_at,
                lines=by_entry.get(e.id, []),
            )
            for e in entries
        ],
    )
