"""Routes: the journal (read-only), balances and the book check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from sqlalchemy import func, select

from services.billing.access import place_of, require_reader
from services.billing.ledger import service as ledger
from services.billing.ledger.check import check_books
from services.billing.ledger.domain import AccountKind
from services.billing.ledger.models import accounts, journal_entries, journal_lines
from services.billing.ledger.schemas import (
    BalanceOut,
    BooksCheckOut,
    JournalEntryOut,
    JournalLineOut,
    JournalPage,
)
from shared.auth import CurrentPrincipal
from shared.http import Session, service_router
from shared.money import fen_to_yuan

router = service_router("/api/v1/billing", tags=["billing: journal"])


@router.get("/journal", response_model=JournalPage, summary="记账凭证 (the journal, read-only)")
async def list_journal(
    session: Session,
    principal: CurrentPrincipal,
    compound_id: int,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JournalPage:
    require_reader(principal, await place_of(session, compound_id))
    total = await session.scalar(select(func.count()).where(journal_entries.c.compound_id == compound_id))
    entries = list(
        await session.execute(
            select(journal_entries)
            .where(journal_entries.c.compound_id == compound_id)
            .order_by(journal_entries.c.id)
            .limit(limit)
            .offset(offset)
        )
    )
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


@router.get("/balances", response_model=list[BalanceOut], summary="科目余额 (balances derived from the journal)")
async def list_balances(session: Session, principal: CurrentPrincipal, compound_id: int) -> list[BalanceOut]:
    require_reader(principal, await place_of(session, compound_id))
    return [
        BalanceOut(
            account=b.kind,
            account_label=b.kind.label,
            ref=b.ref,
            debit_fen=b.debit_fen,
            credit_fen=b.credit_fen,
            balance_fen=b.balance_fen,
            balance_yuan=fen_to_yuan(b.balance_fen),
        )
        for b in await ledger.balances(session, compound_id)
    ]


@router.get("/journal/check", response_model=BooksCheckOut, summary="对账 (recompute the books)")
async def get_books_check(session: Session, principal: CurrentPrincipal, compound_id: int) -> BooksCheckOut:
    require_reader(principal, await place_of(session, compound_id))
    return await check_books(session, compound_id)
