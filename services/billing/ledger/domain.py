"""Double-entry rules: accounts with their normal side, and the balance rule of an entry."""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import InvalidInput
from shared.labels import LabeledEnum


class AccountKind(LabeledEnum):
    """The kinds of account a compound's books hold (`ref` tells accounts of one kind apart)."""

    cash = "cash", "货币资金"  # ref: the channel (counter, wechat, alipay, bank)
    fee_receivable = "fee_receivable", "应收款"  # control account of every bill
    property_fee_income = "property_fee_income", "物业费收入"
    advance_receipts = "advance_receipts", "预收款"  # paid beyond what was billed
    shared_property_payable = "shared_property_payable", "应付共享物业服务费"
    levy_fund = "levy_fund", "出资专项资金"  # ref: the decision id
    fund_pool = "fund_pool", "资金池"  # ref: '' undistributed, else the distribution part
    public_revenue_costs = "public_revenue_costs", "公共收益成本"
    shared_development_fund = "shared_development_fund", "共享发展金"
    maintenance_fund = "maintenance_fund", "维修资金"  # ref: dwelling:<id>
    expenses = "expenses", "支出"


# Assets and expenses grow on the debit side; liabilities, funds and income on the credit side.
DEBIT_NORMAL = frozenset({AccountKind.cash, AccountKind.fee_receivable, AccountKind.expenses})


def normal_balance(kind: AccountKind, debit_fen: int, credit_fen: int) -> int:
    """An account's balance on its normal side (positive is the usual state)."""
    return debit_fen - credit_fen if kind in DEBIT_NORMAL else credit_fen - debit_fen


@dataclass(frozen=True)
class Leg:
    """One line of a journal entry: an account and a debit or a credit (never both)."""

    kind: AccountKind
    ref: str
    debit_fen: int = 0
    credit_fen: int = 0


def debit(kind: AccountKind, amount_fen: int, ref: str = "") -> Leg:
    """A debit leg."""
    return Leg(kind, ref, debit_fen=amount_fen)


def credit(kind: AccountKind, amount_fen: int, ref: str = "") -> Leg:
    """A credit leg."""
    return Leg(kind, ref, credit_fen=amount_fen)


def check_balanced(legs: list[Leg]) -> None:
    """Debits equal credits, every leg one-sided and positive, at least two legs."""
    if len(legs) < 2:
        raise InvalidInput("分录至少两行 (an entry needs two lines)", "A journal entry needs at least two lines")
    for leg in legs:
        if leg.debit_fen < 0 or leg.credit_fen < 0 or (leg.debit_fen > 0) == (leg.credit_fen > 0):
            raise InvalidInput(
                "分录行须为单边正数 (each line is a positive debit or credit)",
                "Each journal line is a positive debit or a positive credit",
                details={"account": leg.kind.value, "ref": leg.ref},
            )
    debits = sum(leg.debit_fen for leg in legs)
    credits = sum(leg.credit_fen for leg in legs)
    if debits != credits:
        raise InvalidInput(
            f"借贷不平：借 {debits} 分，贷 {credits} 分",
            f"Entry does not balance: debits {debits} fen, credits {credits} fen",
        )


def reversal_of(legs: list[Leg]) -> list[Leg]:
    """The legs of the entry that undoes `legs` (debits and credits swapped)."""
    return [Leg(leg.kind, leg.ref, debit_fen=leg.credit_fen, credit_fen=leg.debit_fen) for leg in legs]
