"""Fee arithmetic, periods, rate cards and the collection rate: pure rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.billing.bills import domain
from services.billing.ledger.domain import AccountKind, check_balanced, credit, debit, reversal_of
from services.billing.rates import domain as rates
from shared.clock import LOCAL_TZ
from shared.errors import Conflict, InvalidInput
from shared.masking import mask_name
from shared.money import round_fen


def test_seed_check_one_dwelling_of_100_m2_at_half_a_yuan_is_600_yuan_a_year() -> None:
    year = domain.parse_period("2026")
    assert domain.line_fen(10_000, rates.parse_rate("0.50"), year.months, year.days, year.days, 100) == 60_000


def test_qionglai_high_rise_one_yuan_for_a_month_of_86_5_m2() -> None:
    march = domain.parse_period("2026-03")
    assert domain.line_fen(8_650, rates.parse_rate("1.00"), 1, 31, 31, 100) == 8_650
    assert march.months == 1
    assert march.days == 31


@given(
    area_c=st.integers(1, 10_000_000),
    rate_units=st.integers(1, 500_000),
    months=st.sampled_from([1, 3, 6, 12]),
    period_days=st.integers(28, 366),
    data=st.data(),
    vacancy=st.integers(0, 100),
)
def test_integer_rounding_is_the_one_half_up_rule_of_shared_money(
    area_c: int, rate_units: int, months: int, period_days: int, data: st.DataObject, vacancy: int
) -> None:
    days = data.draw(st.integers(1, period_days))
    num, den = domain.line_fraction(area_c, rate_units, months, days, period_days, vacancy)
    assert num < 2**62  # SQL integer arithmetic never overflows BIGINT
    exact = Decimal(area_c) / 100 * Decimal(rate_units) / 10_000 * 100 * months * days / period_days * vacancy / 100
    assert domain.line_fen(area_c, rate_units, months, days, period_days, vacancy) == round_fen(
        Decimal(num) / Decimal(den)
    )
    assert abs(Decimal(num) / Decimal(den) - exact) < Decimal("0.0000001")


@given(st.integers(0, 10**12), st.integers(1, 10**9))
def test_round_half_up_matches_decimal(numerator: int, denominator: int) -> None:
    assert domain.round_half_up(numerator, denominator) == round_fen(Decimal(numerator) / Decimal(denominator))


@pytest.mark.parametrize(
    ("label", "start", "end", "months"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31), 12),
        ("2026-H2", date(2026, 7, 1), date(2026, 12, 31), 6),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), 3),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29), 1),
    ],
)
def test_periods(label: str, start: date, end: date, months: int) -> None:
    period = domain.parse_period(label)
    assert (period.start, period.end, period.months) == (start, end, months)


@pytest.mark.parametrize("label", ["2026-13", "26", "2026-Q5", "1999", "2026/01", ""])
def test_bad_periods_are_refused(label: str) -> None:
    with pytest.raises(InvalidInput):
        domain.parse_period(label)


@pytest.mark.parametrize(("text", "units"), [("0.20", 2000), ("0.55", 5500), ("1", 10_000), ("0.3333", 3333)])
def test_rates_are_exact(text: str, units: int) -> None:
    assert rates.parse_rate(text) == units


@pytest.mark.parametrize("text", ["0", "-0.5", "abc", "0.12345", "51", "NaN", "Infinity"])
def test_bad_rates_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        rates.parse_rate(text)


def test_rate_text_round_trips() -> None:
    assert rates.rate_text(5000) == "0.50"
    assert rates.rate_text(3333) == "0.3333"
    assert rates.rate_text(10_000) == "1.00"


def test_overlapping_cards_conflict_and_adjacent_ones_do_not() -> None:
    existing = [(7, date(2026, 1, 1), date(2026, 6, 30))]
    rates.check_no_overlap(date(2026, 7, 1), None, existing)
    with pytest.raises(Conflict):
        rates.check_no_overlap(date(2026, 6, 30), None, existing)
    with pytest.raises(Conflict):
        rates.check_no_overlap(date(2025, 1, 1), None, [(8, date(2026, 1, 1), None)])


def test_collection_rate_of_qionglai() -> None:
    assert domain.collection_rate_text(8_814, 10_000) == "88.14%"
    assert domain.collection_rate_text(0, 0) is None
    assert domain.collection_rate_text(2, 3) == "66.67%"


def test_a_void_bill_stays_void() -> None:
    domain.BILL_MACHINE.check(domain.BillStatus.issued, domain.BillStatus.void)
    with pytest.raises(Conflict):
        domain.BILL_MACHINE.check(domain.BillStatus.void, domain.BillStatus.issued)


def test_entries_must_balance_and_reversals_swap_sides() -> None:
    legs = [debit(AccountKind.cash, 500, "counter"), credit(AccountKind.fee_receivable, 500)]
    check_balanced(legs)
    check_balanced(reversal_of(legs))
    assert reversal_of(legs)[0].credit_fen == 500
    with pytest.raises(InvalidInput):
        check_balanced([debit(AccountKind.cash, 500), credit(AccountKind.fee_receivable, 499)])
    with pytest.raises(InvalidInput):
        check_balanced([debit(AccountKind.cash, 0), credit(AccountKind.fee_receivable, 0)])


@pytest.mark.parametrize(
    ("label", "issued_utc", "due"),
    [
        ("2026", datetime(2026, 1, 3, 2, tzinfo=UTC), date(2026, 1, 31)),  # on time: 30 days after the start
        ("2026", datetime(2026, 12, 2, 2, tzinfo=UTC), date(2027, 1, 31)),  # a year billed in December
        ("2026-Q1", datetime(2026, 5, 10, 2, tzinfo=UTC), date(2026, 6, 30)),  # late: end of the next month
        ("2027", datetime(2026, 12, 2, 2, tzinfo=UTC), date(2027, 1, 31)),  # in advance
        # 31 January 17:00 UTC is 1 February in Chengdu: the local day counts.
        ("2026", datetime(2026, 1, 31, 17, tzinfo=UTC), date(2026, 3, 31)),
    ],
)
def test_a_bill_is_never_due_before_it_is_issued(label: str, issued_utc: datetime, due: date) -> None:
    assert domain.due_date(domain.parse_period(label), issued_utc.astimezone(LOCAL_TZ).date()) == due


@pytest.mark.parametrize(
    ("name", "masked"), [("王秀英", "王*英"), ("李明", "李*"), ("欧阳娜娜", "欧**娜"), ("A", "A"), ("", "*")]
)
def test_names_are_masked_before_billing_keeps_them(name: str, masked: str) -> None:
    assert mask_name(name) == masked
