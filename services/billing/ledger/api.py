"""Routes: the journal (read-only), balances and the book check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from services.billing.access import place_of, require_reader
from services.billing.ledger import service as ledger
from services.billing.ledger.check import check_books
from services.billing.ledger.journal import journal_page
from services.billing.ledger.schemas import (
    BalanceOut,
    BooksCheckOut,
    JournalPage,
)
from shared.auth import CurrentPrincipal
from shared.http import Session, service_router
from shared.money import fen_to_yuan
from shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = service_router("/api/v1/billing", tags=["billing: journal"])


@router.get("/journal", response_model=JournalPage, summary="记账凭证 (the journal, read-only)")
async def list_journal(
    session: Session,
    principal: CurrentPrincipal,
    compound_id: int,
    limit: Limit = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0)] = 0,
    cursor: Cursor = None,
) -> JournalPage:
    require_reader(principal, await place_of(session, compound_id))
    return await journal_page(session, compound_id, limit, offset, cursor)


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
