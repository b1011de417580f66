"""The figures of a disclosure, read from the journal up to fixed watermarks (the last entry,
allocation and bill ids at publication), so verification can recompute them exactly.

The accounting rule (README, "Accounting periods"): an entry belongs to the period of its
value date; a period closes with its disclosure; an entry whose value date falls in a period
already closed is shown in the next disclosure as an adjustment; balances are those at the
period's end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.bills.domain import COLLECTION_RATE_FORMULA, BillKind, BillStatus, Period, collection_rate_text
from services.billing.bills.models import bills
from services.billing.funds.domain import PART_LABELS, RevenueSource
from services.billing.funds.models import fund_movements, revenues
from services.billing.ledger.domain import AccountKind, normal_balance
from services.billing.ledger.models import accounts, journal_entries, journal_lines
from services.billing.payments.models import payment_allocations
from services.billing.projections.models import compound_projection


@dataclass(frozen=True)
class Watermarks:
    entry_id: int
    allocation_id: int
    bill_id: int


async def current_watermarks(session: AsyncSession) -> Watermarks:
    """The newest ids now: what a snapshot published now covers."""

    async def top(column: Any) -> int:
        return int(await session.scalar(select(func.coalesce(func.max(column), 0))) or 0)

    return Watermarks(await top(journal_entries.c.id), await top(payment_allocations.c.id), await top(bills.c.id))


@dataclass(frozen=True)
class Closed:
    """A period an earlier disclosure closed, and the last journal entry it covered."""

    start: date
    end: date
    entry_id: int


Flows = dict[tuple[str, str], tuple[int, int]]
"""Debits and credits of the period, by account kind and ref."""


async def compute(
    session: AsyncSession, compound_id: int, period: Period, marks: Watermarks, earlier: list[Closed]
) -> dict[str, Any]:
    """Income, expenses, fund balances at the period's end, collection rate, maintenance-fund
    use, and the late entries of earlier closed periods (`earlier`, in publication order)."""
    in_books = [journal_entries.c.compound_id == compound_id, journal_entries.c.id <= marks.entry_id]
    in_period = [journal_entries.c.value_date >= period.start, journal_entries.c.value_date <= period.end]
    name = await session.scalar(
        select(compound_projection.c.name).where(compound_projection.c.compound_id == compound_id)
    )
    flows = await _flows(session, in_books, in_period)
    return {
        "compound": {"id": compound_id, "name": name},
        "period": {
            "label": period.label,
            "kind": period.kind.value,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "as_of": {"journal_entry_id": marks.entry_id, "allocation_id": marks.allocation_id, "bill_id": marks.bill_id},
        "income": await _income(session, flows, in_books, in_period),
        "expenses": _expenses(flows),
        "fund_balances": await _fund_balances(session, in_books, period),
        "collection_rate": await _collection_rate(session, compound_id, period, marks),
        "maintenance_fund_use": await _maintenance_fund_use(session, in_books, in_period),
        "adjustments": await _late_entries(session, compound_id, period, marks, earlier),
    }


async def _flows(session: AsyncSession, in_books: list[Any], in_period: list[Any]) -> Flows:
    flows: Flows = {}
    for kind, ref, d, c in await session.execute(
        select(
            accounts.c.kind, accounts.c.ref, func.sum(journal_lines.c.debit_fen), func.sum(journal_lines.c.credit_fen)
        )
        .join(journal_lines, journal_lines.c.account_id == accounts.c.id)
        .join(journal_entries, journal_entries.c.id == journal_lines.c.entry_id)
        .where(*in_books, *in_period)
        .group_by(accounts.c.kind, accounts.c.ref)
    ):
        flows[(kind, ref)] = (int(d), int(c))
    return flows


def _credited(flows: Flows, kind: AccountKind, ref: str | None = None) -> int:
    return sum(c - d for (k, r), (d, c) in flows.items() if k == kind.value and (ref is None or r == ref))


def _debited(flows: Flows, kind: AccountKind, ref: str | None = None, exclude_ref: str | None = None) -> int:
    return sum(
        d for (k, r), (d, _) in flows.items() if k == kind.value and (ref is None or r == ref) and r != exclude_ref
    )


async def _income(
    session: AsyncSession, flows: Flows, in_books: list[Any], in_period: list[Any]
) -> list[dict[str, Any]]:
    """What was billed and received, public revenue by source, and money paid into the funds."""
    revenue_rows = await session.execute(
        select(
            revenues.c.source,
            func.sum(revenues.c.gross_fen),
            func.sum(revenues.c.cost_fen),
            func.sum(revenues.c.net_fen),
        )
        .join(journal_entries, journal_entries.c.id == revenues.c.entry_id)
        .where(*in_books, *in_period)
        .group_by(revenues.c.source)
        .order_by(revenues.c.source)
    )
    income: list[dict[str, Any]] = [
        {
            "item": "property_fee_billed",
            "label": "物业费（应收）",
            "amount_fen": _credited(flows, AccountKind.property_fee_income),
        },
        {"item": "levy_billed", "label": "出资（应收）", "amount_fen": _credited(flows, AccountKind.levy_fund)},
        {
            "item": "shared_property_billed",
            "label": "共享物业服务（应收）",
            "amount_fen": _credited(flows, AccountKind.shared_property_payable),
        },
        {
            "item": "payments_received",
            "label": "实收款项",
            "amount_fen": _debited(flows, AccountKind.cash, exclude_ref="bank"),
        },
    ]
    for source, gross, cost, net in revenue_rows:
        income.append(
            {
                "item": f"public_revenue:{source}",
                "label": f"公共收益·{RevenueSource(source).label}",
                "gross_fen": int(gross),
                "cost_fen": int(cost),
                "amount_fen": int(net),
            }
        )
    income.append(
        {
            "item": "shared_development_fund_in",
            "label": "共享发展金存入",
            "amount_fen": _credited(flows, AccountKind.shared_development_fund),
        }
    )
    income.append(
        {
            "item": "maintenance_fund_in",
            "label": "维修资金缴存",
            "amount_fen": _sum_side(flows, AccountKind.maintenance_fund, credit=True),
        }
    )
    return income


def _expenses(flows: Flows) -> list[dict[str, Any]]:
    """Spending from each part of the fund pool and from the funds, shared-property costs, refunds."""
    expenses: list[dict[str, Any]] = [
        {"item": f"fund_pool:{ref}", "label": f"资金池·{PART_LABELS.get(ref, ref)}支出", "amount_fen": d}
        for (k, ref), (d, _) in sorted(flows.items())
        if k == AccountKind.fund_pool.value and ref != "" and d
    ]
    expenses += [
        {
            "item": "shared_development_fund_out",
            "label": "共享发展金支出",
            "amount_fen": _debited(flows, AccountKind.shared_development_fund),
        },
        {
            "item": "maintenance_fund_out",
            "label": "维修资金使用",
            "amount_fen": _sum_side(flows, AccountKind.maintenance_fund, credit=False),
        },
        {
            "item": "shared_property_compound",
            "label": "共享物业服务（公共部分）",
            "amount_fen": _debited(flows, AccountKind.expenses, "shared_property"),
        },
        {"item": "refunds", "label": "退款", "amount_fen": _refunds(flows)},
    ]
    return expenses


async def _fund_balances(session: AsyncSession, in_books: list[Any], period: Period) -> list[dict[str, Any]]:
    """Balances at the period's end: each part of the fund pool, the shared development fund,
    and the maintenance fund in one total."""
    balances: list[dict[str, Any]] = []
    maintenance_total = 0
    for kind, ref, d, c in await session.execute(
        select(
            accounts.c.kind, accounts.c.ref, func.sum(journal_lines.c.debit_fen), func.sum(journal_lines.c.credit_fen)
        )
        .join(journal_lines, journal_lines.c.account_id == accounts.c.id)
        .join(journal_entries, journal_entries.c.id == journal_lines.c.entry_id)
        .where(
            *in_books,
            journal_entries.c.value_date <= period.end,
            accounts.c.kind.in_(
                [
                    AccountKind.fund_pool.value,
                    AccountKind.shared_development_fund.value,
                    AccountKind.maintenance_fund.value,
                ]
            ),
        )
        .group_by(accounts.c.kind, accounts.c.ref)
        .order_by(accounts.c.kind, accounts.c.ref)
    ):
        balance = normal_balance(AccountKind(kind), int(d), int(c))
        if kind == AccountKind.maintenance_fund.value:
            maintenance_total += balance
            continue
        label = AccountKind(kind).label + (
            f"·{PART_LABELS.get(ref, ref)}" if ref else ("·待分配" if kind == AccountKind.fund_pool.value else "")
        )
        balances.append({"fund": kind, "ref": ref, "label": label, "balance_fen": balance})
    balances.append(
        {
            "fund": AccountKind.maintenance_fund.value,
            "ref": "",
            "label": "维修资金（合计）",
            "balance_fen": maintenance_total,
        }
    )
    return balances


async def _collection_rate(
    session: AsyncSession, compound_id: int, period: Period, marks: Watermarks
) -> dict[str, Any]:
    """Property fees issued for the period and what has been paid against them."""
    period_bills = [
        bills.c.compound_id == compound_id,
        bills.c.id <= marks.bill_id,
        bills.c.kind == BillKind.property_fee.value,
        bills.c.status == BillStatus.issued.value,
        bills.c.period_start >= period.start,
        bills.c.period_end <= period.end,
    ]
    due = int(await session.scalar(select(func.coalesce(func.sum(bills.c.amount_fen), 0)).where(*period_bills)) or 0)
    paid = int(
        await session.scalar(
            select(func.coalesce(func.sum(payment_allocations.c.amount_fen), 0))
            .join(bills, bills.c.id == payment_allocations.c.bill_id)
            .where(*period_bills, payment_allocations.c.id <= marks.allocation_id)
        )
        or 0
    )
    return {
        "due_fen": due,
        "paid_fen": paid,
        "rate": collection_rate_text(paid, due),
        "formula": COLLECTION_RATE_FORMULA,
    }


async def _maintenance_fund_use(
    session: AsyncSession, in_books: list[Any], in_period: list[Any]
) -> list[dict[str, Any]]:
    uses = await session.execute(
        select(
            fund_movements.c.ref,
            fund_movements.c.amount_fen,
            fund_movements.c.purpose,
            fund_movements.c.decision_id,
            fund_movements.c.emergency,
        )
        .join(journal_entries, journal_entries.c.id == fund_movements.c.entry_id)
        .where(
            *in_books,
            fund_movements.c.fund == "maintenance_fund",
            fund_movements.c.direction == "out",
            *in_period,
        )
        .order_by(fund_movements.c.id)
    )
    return [
        {
            "buildings": ref,
            "amount_fen": int(fen),
            "purpose": purpose,
            "decision_id": decision,
            "emergency": bool(emergency),
        }
        for ref, fen, purpose, decision, emergency in uses
    ]


async def _late_entries(
    session: AsyncSession, compound_id: int, period: Period, marks: Watermarks, earlier: list[Closed]
) -> list[dict[str, Any]]:
    """Entries posted since the previous disclosure whose value date lies in a period an
    earlier disclosure already closed: that notice cannot change, so this one shows them."""
    since = earlier[-1].entry_id if earlier else 0
    rows = await session.execute(
        select(
            journal_entries.c.id,
            journal_entries.c.value_date,
            journal_entries.c.description,
            func.sum(journal_lines.c.debit_fen),
        )
        .join(journal_lines, journal_lines.c.entry_id == journal_entries.c.id)
        .where(
            journal_entries.c.compound_id == compound_id,
            journal_entries.c.id > since,
            journal_entries.c.id <= marks.entry_id,
            journal_entries.c.value_date < period.start,
        )
        .group_by(journal_entries.c.id, journal_entries.c.value_date, journal_entries.c.description)
        .order_by(journal_entries.c.value_date, journal_entries.c.id)
    )
    return [
        {"entry_id": int(entry), "value_date": day.isoformat(), "description": text, "amount_fen": int(fen)}
        for entry, day, text, fen in rows
        if any(c.start <= day <= c.end for c in earlier)
    ]


def _sum_side(flows: Flows, kind: AccountKind, *, credit: bool) -> int:
    return sum((c if credit else d) for (k, _), (d, c) in flows.items() if k == kind.value)


def _refunds(flows: Flows) -> int:
    # Refunds and reversals credit the payment channels (counter, wechat, …); fund money moves
    # through the bank account.
    return sum(c for (k, r), (_, c) in flows.items() if k == AccountKind.cash.value and r != "bank")
