"""Bills: billing periods, the fee of one bill line (exact, rounded once, half-up), the bill
state machine, and the collection-rate formula."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.labels import LabeledEnum


class PeriodKind(LabeledEnum):
    month = "month", "月"
    quarter = "quarter", "季度"
    half_year = "half_year", "半年"
    year = "year", "年"


class BillKind(LabeledEnum):
    property_fee = "property_fee", "物业费"
    levy = "levy", "出资"
    shared_property_visit = "shared_property_visit", "共享物业上门服务"


class PayerKind(LabeledEnum):
    owner = "owner", "业主"
    developer = "developer", "开发企业"  # unsold or undelivered dwellings
    household = "household", "住户"


class BillStatus(LabeledEnum):
    issued = "issued", "已开具"
    void = "void", "已作废"


# The bill state machine: a bill is issued, and may be voided while nothing is paid on it.
TRANSITIONS: dict[BillStatus, frozenset[BillStatus]] = {
    BillStatus.issued: frozenset({BillStatus.void}),
    BillStatus.void: frozenset(),
}


def check_transition(current: BillStatus, target: BillStatus) -> None:
    """409 unless the table allows current -> target."""
    if target not in TRANSITIONS[current]:
        raise Conflict(
            f"账单状态不能从“{current.label}”变为“{target.label}”",
            f"A bill cannot go from {current.value} to {target.value}",
            code=ErrorCode.illegal_transition,
        )


@dataclass(frozen=True)
class Period:
    """A billing period: its kind, label ('2026', '2026-Q1', '2026-H1', '2026-03') and days."""

    kind: PeriodKind
    label: str
    start: date
    end: date  # inclusive

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


_PATTERNS = {
    PeriodKind.year: re.compile(r"^(\d{4})$"),
    PeriodKind.half_year: re.compile(r"^(\d{4})-H([12])$"),
    PeriodKind.quarter: re.compile(r"^(\d{4})-Q([1-4])$"),
    PeriodKind.month: re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
}
_MONTHS = {PeriodKind.year: 12, PeriodKind.half_year: 6, PeriodKind.quarter: 3, PeriodKind.month: 1}


def parse_period(label: str) -> Period:
    """'2026' | '2026-H1' | '2026-Q2' | '2026-03' -> the Period; 422 for anything else."""
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(label.strip())
        if match is None:
            continue
        year = int(match.group(1))
        if not 2000 <= year <= 2100:
            break
        index = int(match.group(2)) if kind != PeriodKind.year else 1
        span = _MONTHS[kind]
        first_month = (index - 1) * span + 1
        last_month = first_month + span - 1
        end = date(year, last_month, calendar.monthrange(year, last_month)[1])
        return Period(kind, label.strip(), date(year, first_month, 1), end)
    raise InvalidInput(
        f"账期格式应为 2026、2026-H1、2026-Q1 或 2026-03：{label!r}",
        f"period must look like 2026, 2026-H1, 2026-Q1 or 2026-03, got {label!r}",
        details=[{"field": "period", "value": label}],
    )


# precise fen = area_c/100 m² × rate_units/10,000 yuan × 100 fen/yuan × months
#               × days/period_days × vacancy_percent/100
LINE_DENOMINATOR_PER_DAY = 10_000 * 100


def line_fraction(
    area_c: int, rate_units: int, months: int, days: int, period_days: int, vacancy_percent: int
) -> tuple[int, int]:
    """The exact fee of a line in fen as numerator/denominator (the 'precise amount')."""
    return area_c * rate_units * months * days * vacancy_percent, LINE_DENOMINATOR_PER_DAY * period_days


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator/denominator rounded half-up to whole fen (both non-negative): the same
    integer expression the bill run evaluates in SQL, and the same rule as shared.money."""
    return (2 * numerator + denominator) // (2 * denominator)


def line_fen(area_c: int, rate_units: int, months: int, days: int, period_days: int, vacancy_percent: int) -> int:
    """The fee of one bill line in whole fen, rounded once, half-up."""
    return round_half_up(*line_fraction(area_c, rate_units, months, days, period_days, vacancy_percent))


def precise_text(numerator: int, denominator: int) -> str:
    """The exact amount in fen as a decimal string (six places, half-up) for display."""
    return str((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))


COLLECTION_RATE_FORMULA = (
    "收取率 = 账期内物业费账单已收金额之和 ÷ 账期内未作废物业费账单应收金额之和 × 100%（四舍五入到 0.01%）; "
    "collection rate = Σ paid_fen ÷ Σ amount_fen over the period's non-void property-fee bills, "
    "as a percentage rounded half-up to two decimals"
)


def collection_rate_text(paid_fen: int, due_fen: int) -> str | None:
    """'88.14%' (half-up to 0.01%), or None when nothing was due."""
    if due_fen <= 0:
        return None
    percent = (Decimal(paid_fen) * 100 / Decimal(due_fen)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{percent}%"


def income_account(kind: BillKind, source_id: str) -> tuple[str, str]:
    """The (account kind, ref) a bill of this kind is credited to when it is issued."""
    if kind == BillKind.levy:
        return "levy_fund", source_id
    if kind == BillKind.shared_property_visit:
        return "shared_property_payable", ""
    return "property_fee_income", ""


def building_label(number: str) -> str:
    """'1' -> '1栋'; a number that already says 栋, 幢 or 楼 stays as it is."""
    return number if number.endswith(("栋", "幢", "楼")) else f"{number}栋"


# Fees are billed in advance and due within a month of the period's start (no late fee unless
# a compound's contract sets one).
DUE_AFTER_DAYS = 30


def due_date(period: Period, issued_on: date) -> date:
    """30 days after the period starts; a bill issued later than that (a year billed in
    December) is due at the end of the month after the (local) day it was issued, never
    before it exists."""
    usual = period.start + timedelta(days=DUE_AFTER_DAYS)
    if issued_on <= usual:
        return usual
    year, month = (issued_on.year + 1, 1) if issued_on.month == 12 else (issued_on.year, issued_on.month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])
