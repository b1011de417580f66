"""Journal and book-check bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from services.billing.ledger.domain import AccountKind
from shared.pagination import Page


class JournalLineOut(BaseModel):
    account: AccountKind
    account_label: str
    ref: str
    debit_fen: int
    credit_fen: int


class JournalEntryOut(BaseModel):
    id: int
    compound_id: int
    source_kind: str
    source_id: str
    description: str
    reverses_entry_id: int | None
    posted_at: datetime
    lines: list[JournalLineOut]


class JournalPage(Page[JournalEntryOut]):
    """A compound's journal entries, oldest first; `total` counts them all."""

    total: int


class BalanceOut(BaseModel):
    account: AccountKind
    account_label: str
    ref: str
    debit_fen: int
    credit_fen: int
    balance_fen: int
    balance_yuan: str


class BooksCheckOut(BaseModel):
    """Everything the check recomputes from the journal and the bills; `ok` when all agree."""

    compound_id: int
    ok: bool
    entries: int
    unbalanced_entries: list[dict[str, int]]
    receivable_balance_fen: int
    bills_outstanding_fen: int
    bills_paid_mismatch: list[dict[str, int]]
    negative_fund_accounts: list[str]
