"""The bill run: one set-based INSERT … SELECT per step, whatever the number of dwellings.

1. bills: one per active dwelling of the scope that has a rate card in force on the period's
   first day and no bill of its own overlapping the period (so a second run issues nothing);
2. lines: one per payer segment: the developer for unsold or undelivered dwellings and for
   the days before the first owner's `since`, otherwise each owner (the largest share among
   co-owners) for the days they owned it inside the period; each rounded once, half-up;
3. each bill's amount is the sum of its lines;
4. one journal entry per compound (Dr fee_receivable, Cr property_fee_income).
Each execution is one transaction: a crash leaves nothing half-issued. Running the same period
again executes the same run once more, and the NOT EXISTS of step 1 makes it issue only what
is missing (dwellings projected since, or everything after a crash): idempotent and resumable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, and_, case, cast, exists, func, literal, or_, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Select, Subquery

from services.billing.bills.domain import LINE_DENOMINATOR_PER_DAY, BillKind, BillStatus, PayerKind, Period
from services.billing.bills.models import bill_lines, bills
from services.billing.ledger import service as ledger
from services.billing.ledger.domain import AccountKind, credit, debit
from services.billing.projections.domain import day_number
from services.billing.projections.models import (
    building_projection,
    community_projection,
    compound_projection,
    dwelling_projection,
    household_projection,
    ownership_projection,
)
from services.billing.rates.domain import RateScope
from services.billing.rates.models import rate_cards

# Fees are billed in advance and due within a month of the period's start (no late fee unless
# a compound's contract sets one).
DUE_AFTER_DAYS = 30
# A day number before any ownership: "owned since before the period".
LONG_AGO = -1_000_000


@dataclass(frozen=True)
class RunScope:
    """Either one compound or every compound of a street."""

    kind: RateScope
    scope_id: int


@dataclass(frozen=True)
class CompoundIssue:
    compound_id: int
    bill_count: int
    amount_fen: int


def compounds_in(scope: RunScope) -> Select[Any]:
    """The compound ids a run covers."""
    if scope.kind == RateScope.compound:
        return select(literal(scope.scope_id))
    return (
        select(compound_projection.c.compound_id)
        .join(community_projection, community_projection.c.community_id == compound_projection.c.community_id)
        .where(community_projection.c.street_id == scope.scope_id)
    )


def _in_force(card: Any, scope_kind: RateScope, scope_id: ColumnElement[Any], period: Period) -> ColumnElement[bool]:
    return and_(
        card.c.scope_kind == scope_kind.value,
        card.c.scope_id == scope_id,
        card.c.structure == building_projection.c.structure,
        card.c.management_model == compound_projection.c.management_model,
        card.c.effective_from <= period.start,
        or_(card.c.effective_to.is_(None), card.c.effective_to >= period.start),
    )


def _priced_dwellings(scope: RunScope, period: Period) -> Select[Any]:
    """Each active dwelling of the scope with its rate (the compound's card, else the
    street's; NULL when neither is in force) and the vacancy percentage that applies."""
    d, b, c, cm = dwelling_projection, building_projection, compound_projection, community_projection
    own = rate_cards.alias("own_card")
    street = rate_cards.alias("street_card")
    occupied = exists().where(household_projection.c.dwelling_id == d.c.dwelling_id, household_projection.c.active)
    return (
        select(
            d.c.dwelling_id,
            d.c.compound_id,
            d.c.building_id,
            d.c.area_c,
            d.c.sale_status,
            d.c.delivered,
            func.coalesce(own.c.rate_units, street.c.rate_units).label("rate_units"),
            case((occupied, 100), else_=func.coalesce(own.c.vacancy_percent, street.c.vacancy_percent)).label(
                "vacancy_percent"
            ),
        )
        .join(b, b.c.building_id == d.c.building_id)
        .join(c, c.c.compound_id == d.c.compound_id)
        .outerjoin(cm, cm.c.community_id == c.c.community_id)
        .outerjoin(own, _in_force(own, RateScope.compound, d.c.compound_id, period))
        .outerjoin(street, _in_force(street, RateScope.street, cm.c.street_id, period))
        .where(d.c.active, d.c.compound_id.in_(compounds_in(scope)))
    )


def _already_billed(dwelling_id: ColumnElement[Any], period: Period) -> ColumnElement[bool]:
    return exists().where(
        bills.c.dwelling_id == dwelling_id,
        bills.c.kind == BillKind.property_fee.value,
        bills.c.status != BillStatus.void.value,
        bills.c.period_start <= period.end,
        bills.c.period_end >= period.start,
    )


async def count_unpriced(session: AsyncSession, scope: RunScope, period: Period) -> int:
    """Dwellings the run leaves out because no rate card is in force for them."""
    priced = _priced_dwellings(scope, period).subquery()
    found = await session.scalar(select(func.count()).select_from(priced).where(priced.c.rate_units.is_(None)))
    return int(found or 0)


async def watermark(session: AsyncSession) -> int:
    """The highest bill id before this execution inserts (0 on an empty table)."""
    return int(await session.scalar(select(func.coalesce(func.max(bills.c.id), 0))) or 0)


async def insert_bills(session: AsyncSession, run_id: int, scope: RunScope, period: Period, now: datetime) -> None:
    """Step 1: one bill per priced, not yet billed dwelling, with its current payer."""
    priced = _priced_dwellings(scope, period).subquery("priced")
    pe = day_number(period.end)
    o = ownership_projection
    current_owner = (
        select(o.c.person_id)
        .where(
            o.c.dwelling_id == priced.c.dwelling_id,
            o.c.active,
            func.coalesce(o.c.since_day, LONG_AGO) <= pe,
            func.coalesce(o.c.until_day, pe) >= pe,
        )
        .order_by(o.c.share_bp.desc(), o.c.ownership_id)
        .limit(1)
        .scalar_subquery()
    )
    household = (
        select(func.max(household_projection.c.household_id))
        .where(household_projection.c.dwelling_id == priced.c.dwelling_id, household_projection.c.active)
        .scalar_subquery()
    )
    developer_pays = or_(priced.c.sale_status != "sold", priced.c.delivered.is_(False), current_owner.is_(None))
    source = select(
        priced.c.compound_id,
        priced.c.building_id,
        priced.c.dwelling_id,
        household,
        literal(BillKind.property_fee.value),
        literal(period.start),
        literal(period.end),
        literal(period.label),
        literal(run_id),
        literal(""),
        literal(f"{period.label} {BillKind.property_fee.label}"),
        case((developer_pays, PayerKind.developer.value), else_=PayerKind.owner.value),
        case((developer_pays, None), else_=current_owner),
        priced.c.area_c,
        priced.c.rate_units,
        priced.c.vacancy_percent,
        literal(0),
        literal(0),
        literal(BillStatus.issued.value),
        literal(period.start + timedelta(days=DUE_AFTER_DAYS)),
        literal(now),
        literal(1),
    ).where(priced.c.rate_units.is_not(None), ~_already_billed(priced.c.dwelling_id, period))
    columns = [
        "compound_id",
        "building_id",
        "dwelling_id",
        "household_id",
        "kind",
        "period_start",
        "period_end",
        "period_label",
        "bill_run_id",
        "source_id",
        "description",
        "payer_kind",
        "payer_person_id",
        "area_c",
        "rate_units",
        "vacancy_percent",
        "amount_fen",
        "paid_fen",
        "status",
        "due_date",
        "issued_at",
        "version",
    ]
    await session.execute(bills.insert().from_select(columns, source))


def _new_bills(run_id: int, after_id: int) -> ColumnElement[bool]:
    # This execution's bills: the run's, above the id watermark taken before inserting.
    return and_(bills.c.bill_run_id == run_id, bills.c.id > after_id)


def _segments(run_id: int, after_id: int, period: Period) -> Subquery:
    """(bill_id, payer_kind, payer_person_id, days) for every new bill of the run."""
    ps, pe = day_number(period.start), day_number(period.end)
    d, o = dwelling_projection, ownership_projection
    run_bills = select(bills.c.id, bills.c.dwelling_id).where(_new_bills(run_id, after_id)).subquery("rb")
    sold = and_(d.c.sale_status == "sold", d.c.delivered.is_(True))

    developer_whole = (
        select(
            run_bills.c.id.label("bill_id"),
            literal(PayerKind.developer.value).label("payer_kind"),
            cast(literal(None), BigInteger).label("payer_person_id"),
            literal(pe - ps + 1).label("days"),
        )
        .join(d, d.c.dwelling_id == run_bills.c.dwelling_id)
        .where(~sold)
    )

    lo = case((func.coalesce(o.c.since_day, LONG_AGO) < ps, ps), else_=o.c.since_day)
    hi = case((func.coalesce(o.c.until_day, pe) > pe, pe), else_=o.c.until_day)
    o2 = o.alias("co_owner")
    larger_co_owner = exists().where(
        o2.c.dwelling_id == o.c.dwelling_id,
        o2.c.active,
        o2.c.ownership_id != o.c.ownership_id,
        func.coalesce(o2.c.since_day, LONG_AGO) <= hi,
        func.coalesce(o2.c.until_day, pe) >= lo,
        or_(
            o2.c.share_bp > o.c.share_bp,
            and_(o2.c.share_bp == o.c.share_bp, o2.c.ownership_id < o.c.ownership_id),
        ),
    )
    owners = (
        select(
            run_bills.c.id.label("bill_id"),
            literal(PayerKind.owner.value).label("payer_kind"),
            cast(o.c.person_id, BigInteger).label("payer_person_id"),
            (hi - lo + 1).label("days"),
        )
        .join(d, d.c.dwelling_id == run_bills.c.dwelling_id)
        .join(o, and_(o.c.dwelling_id == run_bills.c.dwelling_id, o.c.active))
        .where(
            sold,
            func.coalesce(o.c.since_day, LONG_AGO) <= pe,
            func.coalesce(o.c.until_day, pe) >= ps,
            ~larger_co_owner,
        )
    )

    first_owned = (
        select(o.c.dwelling_id, func.min(func.coalesce(o.c.since_day, LONG_AGO)).label("first_day"))
        .where(o.c.active, func.coalesce(o.c.until_day, pe) >= ps)
        .group_by(o.c.dwelling_id)
        .subquery("first_owned")
    )
    developer_gap = (
        select(
            run_bills.c.id.label("bill_id"),
            literal(PayerKind.developer.value).label("payer_kind"),
            cast(literal(None), BigInteger).label("payer_person_id"),
            case(
                (or_(first_owned.c.first_day.is_(None), first_owned.c.first_day > pe), pe - ps + 1),
                else_=first_owned.c.first_day - ps,
            ).label("days"),
        )
        .join(d, d.c.dwelling_id == run_bills.c.dwelling_id)
        .outerjoin(first_owned, first_owned.c.dwelling_id == run_bills.c.dwelling_id)
        .where(sold, or_(first_owned.c.first_day.is_(None), first_owned.c.first_day > ps))
    )
    return union_all(developer_whole, owners, developer_gap).subquery("segments")


async def insert_lines(session: AsyncSession, run_id: int, after_id: int, period: Period) -> None:
    """Step 2: the lines, each the exact fraction and its half-up rounding, in SQL integers."""
    seg = _segments(run_id, after_id, period)
    months, period_days = period.months, period.days
    den = LINE_DENOMINATOR_PER_DAY * period_days
    num = cast(bills.c.area_c, BigInteger) * bills.c.rate_units * months * seg.c.days * bills.c.vacancy_percent
    source = select(
        bills.c.id,
        seg.c.payer_kind,
        seg.c.payer_person_id,
        bills.c.area_c,
        bills.c.rate_units,
        literal(months),
        seg.c.days,
        literal(period_days),
        bills.c.vacancy_percent,
        num,
        literal(den),
        (2 * num + den) // (2 * den),
    ).join(seg, seg.c.bill_id == bills.c.id)
    await session.execute(
        bill_lines.insert().from_select(
            [
                "bill_id",
                "payer_kind",
                "payer_person_id",
                "area_c",
                "rate_units",
                "months",
                "days",
                "period_days",
                "vacancy_percent",
                "precise_num",
                "precise_den",
                "amount_fen",
            ],
            source,
        )
    )


async def total_bills(session: AsyncSession, run_id: int, after_id: int) -> None:
    """Step 3: a bill's amount is the sum of its rounded lines."""
    line_sum = (
        select(func.coalesce(func.sum(bill_lines.c.amount_fen), 0))
        .where(bill_lines.c.bill_id == bills.c.id)
        .scalar_subquery()
    )
    await session.execute(update(bills).where(_new_bills(run_id, after_id)).values(amount_fen=line_sum))


async def post_receivables(
    session: AsyncSession, run_id: int, after_id: int, period: Period, now: datetime
) -> list[CompoundIssue]:
    """Step 4: one journal entry per compound for what this execution issued there."""
    rows = await session.execute(
        select(bills.c.compound_id, func.count(), func.sum(bills.c.amount_fen))
        .where(_new_bills(run_id, after_id))
        .group_by(bills.c.compound_id)
        .order_by(bills.c.compound_id)
    )
    issued = [CompoundIssue(int(c), int(n), int(s or 0)) for c, n, s in rows]
    for item in issued:
        if item.amount_fen == 0:
            continue
        await ledger.post(
            session,
            compound_id=item.compound_id,
            source_kind="bill_run",
            source_id=f"{run_id}:{after_id}",
            description=f"{period.label} 物业费 {item.bill_count} 户",
            legs=[
                debit(AccountKind.fee_receivable, item.amount_fen),
                credit(AccountKind.property_fee_income, item.amount_fen),
            ],
            posted_at=now,
        )
    return issued
