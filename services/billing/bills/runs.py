"""The bill run's steps: a few set-based INSERT … SELECT statements over a scope (a compound, in
a run's chunk; `running.py` runs them one compound per transaction), whatever its size.

1. bills: one per active dwelling of the scope that has a rate card in force on the period's
   first day and no bill for the period yet (the unique key: a second run issues nothing),
   its amount the sum of its segments' rounded fees, its payer the current main owner (the
   developer for unsold or undelivered dwellings);
2. lines: one per payer segment: the developer for unsold or undelivered dwellings and for
   the days before the first owner's `since`, otherwise each owner (the largest share among
   co-owners) for the days they owned it inside the period; each the exact fraction and its
   half-up rounding, computed in SQL integers (the same expression as step 1);
3. the developer's share split off: a dwelling delivered (first owned) inside the period gets
   two bills, the developer's for the days before delivery and the owner's from delivery on,
   so an owner is never asked for the developer's days (split_developer_share);
4. one journal entry per compound (Dr fee_receivable, Cr property_fee_income).
On PostgreSQL a run's chunk does steps 1 and 2 in one statement (`insert_bills(with_lines=True)`:
the segments computed once for the amounts and the lines); SQLite and the re-issue run them apart.
The steps of one compound run in one transaction: a crash leaves no compound half-issued.
Running the same period again executes the run once more, and the unique key of step 1 makes
it issue only what is missing (dwellings projected since): idempotent; a run a crash cut off
resumes from its progress rows (running.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Select, Subquery

from services.billing.bills.domain import (
    LINE_DENOMINATOR_PER_DAY,
    BillKind,
    BillStatus,
    PayerKind,
    Period,
    due_date,
)
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
from services.billing.sql import is_postgres
from shared.clock import LOCAL_TZ

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


def in_scope(compound_id: ColumnElement[Any], scope: RunScope) -> ColumnElement[bool]:
    """The compound column is the scope's compound, or one of its street's."""
    if scope.kind == RateScope.compound:
        return compound_id == scope.scope_id
    return compound_id.in_(compounds_in(scope))


def _in_force(card: Any, scope_kind: RateScope, scope_id: ColumnElement[Any], period: Period) -> ColumnElement[bool]:
    return and_(
        card.c.scope_kind == scope_kind.value,
        card.c.scope_id == scope_id,
        card.c.structure == building_projection.c.structure,
        card.c.management_model == compound_projection.c.management_model,
        card.c.effective_from <= period.start,
        or_(card.c.effective_to.is_(None), card.c.effective_to >= period.start),
    )


def _households(scope: RunScope) -> Subquery:
    # One row per occupied dwelling of the scope (a join, not a correlated subquery per
    # dwelling; kept to the scope's compounds by their index, so a compound's chunk reads its
    # own households, not the street's).
    h = household_projection
    return (
        select(h.c.dwelling_id, func.max(h.c.household_id).label("household_id"))
        .where(h.c.active, in_scope(h.c.compound_id, scope))
        .group_by(h.c.dwelling_id)
        .subquery("occupant")
    )


def _priced_dwellings(scope: RunScope, period: Period) -> Select[Any]:
    """Each active dwelling of the scope with its rate (the compound's card, else the
    street's; NULL when neither is in force), its household and the vacancy percentage."""
    d, b, c, cm = dwelling_projection, building_projection, compound_projection, community_projection
    own = rate_cards.alias("own_card")
    street = rate_cards.alias("street_card")
    occupant = _households(scope)
    return (
        select(
            d.c.dwelling_id,
            d.c.compound_id,
            d.c.building_id,
            d.c.area_c,
            d.c.sale_status,
            d.c.delivered,
            occupant.c.household_id,
            func.coalesce(own.c.rate_units, street.c.rate_units).label("rate_units"),
            case(
                (occupant.c.household_id.is_not(None), 100),
                else_=func.coalesce(own.c.vacancy_percent, street.c.vacancy_percent),
            ).label("vacancy_percent"),
        )
        .join(b, b.c.building_id == d.c.building_id)
        .join(c, c.c.compound_id == d.c.compound_id)
        .outerjoin(cm, cm.c.community_id == c.c.community_id)
        .outerjoin(own, _in_force(own, RateScope.compound, d.c.compound_id, period))
        .outerjoin(street, _in_force(street, RateScope.street, cm.c.street_id, period))
        .outerjoin(occupant, occupant.c.dwelling_id == d.c.dwelling_id)
        .where(d.c.active, in_scope(d.c.compound_id, scope))
    )


async def overlapping_other_periods(session: AsyncSession, scope: RunScope, period: Period) -> int:
    """Live fee bills of the scope whose period overlaps this one without being it (a month
    run after the year was billed): the run refuses rather than bill those days twice."""
    found = await session.scalar(
        select(func.count()).where(
            in_scope(bills.c.compound_id, scope),
            bills.c.kind == BillKind.property_fee.value,
            bills.c.status != BillStatus.void.value,
            bills.c.period_start <= period.end,
            bills.c.period_end >= period.start,
            or_(bills.c.period_start != period.start, bills.c.period_end != period.end),
        )
    )
    return int(found or 0)


async def count_unpriced(session: AsyncSession, scope: RunScope, period: Period) -> int:
    """Dwellings the run leaves out because no rate card is in force for them."""
    unpriced, _ = await unpriced_and_unbilled(session, scope, period)
    return unpriced


async def unpriced_and_unbilled(session: AsyncSession, scope: RunScope, period: Period) -> tuple[int, int]:
    """Dwellings the run leaves out because no rate card is in force for them, and priced ones
    with no run bill for the period yet (none: the compound is fully billed, and a chunk skips
    computing amounts the unique key would throw away). One statement; the bill probe goes by
    the bills' unique key."""
    priced = _priced_dwellings(scope, period).subquery()
    billed = exists().where(
        bills.c.dwelling_id == priced.c.dwelling_id,
        bills.c.kind == BillKind.property_fee.value,
        bills.c.period_start == period.start,
        bills.c.source_id == "",
    )
    row = (
        await session.execute(
            select(
                func.count().filter(priced.c.rate_units.is_(None)),
                func.count().filter(priced.c.rate_units.is_not(None), ~billed),
            ).select_from(priced)
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


async def watermark(session: AsyncSession) -> int:
    """The highest bill id before this execution inserts (0 on an empty table)."""
    return int(await session.scalar(select(func.coalesce(func.max(bills.c.id), 0))) or 0)


def _segments(base: Subquery, period: Period, scope: RunScope | None) -> Subquery:
    """(key, payer_kind, payer_person_id, days) for each row of `base` (key, dwelling_id,
    sale_status, delivered), whose dwellings lie in `scope` (None: anywhere): who pays which
    days of the period."""
    ps, pe = day_number(period.start), day_number(period.end)
    o = ownership_projection
    sold = and_(base.c.sale_status == "sold", base.c.delivered.is_(True))

    developer_whole = select(
        base.c.key,
        literal(PayerKind.developer.value).label("payer_kind"),
        cast(literal(None), BigInteger).label("payer_person_id"),
        literal(pe - ps + 1).label("days"),
    ).where(~sold)

    lo = case((or_(o.c.since_day.is_(None), o.c.since_day < ps), ps), else_=o.c.since_day)
    hi = case((or_(o.c.until_day.is_(None), o.c.until_day > pe), pe), else_=o.c.until_day)
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
            base.c.key,
            literal(PayerKind.owner.value).label("payer_kind"),
            cast(o.c.person_id, BigInteger).label("payer_person_id"),
            (hi - lo + 1).label("days"),
        )
        .join(o, and_(o.c.dwelling_id == base.c.dwelling_id, o.c.active))
        .where(
            sold,
            func.coalesce(o.c.since_day, LONG_AGO) <= pe,
            func.coalesce(o.c.until_day, pe) >= ps,
            ~larger_co_owner,
            *([in_scope(o.c.compound_id, scope)] if scope is not None else []),
        )
    )

    # The first owner's first day, per dwelling by its ownership index (correlated): as a grouped
    # subquery joined to the chunk's bills, whose count the planner cannot know while it fills
    # the table, it was probed by a nested loop once per bill (52 of a chunk's 68 ms of lines).
    first_day = (
        select(func.min(func.coalesce(o.c.since_day, LONG_AGO)))
        .where(o.c.dwelling_id == base.c.dwelling_id, o.c.active, func.coalesce(o.c.until_day, pe) >= ps)
        .scalar_subquery()
    )
    developer_gap = select(
        base.c.key,
        literal(PayerKind.developer.value).label("payer_kind"),
        cast(literal(None), BigInteger).label("payer_person_id"),
        case((or_(first_day.is_(None), first_day > pe), pe - ps + 1), else_=first_day - ps).label("days"),
    ).where(sold, or_(first_day.is_(None), first_day > ps))
    return union_all(developer_whole, owners, developer_gap).subquery("segments")


def _line_numerator(area_c: Any, rate_units: Any, months: int, days: Any, vacancy_percent: Any) -> Any:
    return cast(area_c, BigInteger) * rate_units * months * days * vacancy_percent


def _rounded(numerator: Any, period: Period) -> Any:
    # Half-up in integers: (2n + d) // 2d, the same rule as shared.money.round_fen.
    den = LINE_DENOMINATOR_PER_DAY * period.days
    return (2 * numerator + den) // (2 * den)


async def insert_bills(
    session: AsyncSession,
    run_id: int,
    scope: RunScope,
    period: Period,
    now: datetime,
    *,
    dwelling_id: int | None = None,
    source_id: str = "",
    with_lines: bool = False,
) -> bool:
    """Step 1: one bill per priced dwelling not yet billed for the period, with its amount and
    current payer. With `dwelling_id`, that dwelling only, under its own `source_id` (the
    re-issue of a voided bill: the void keeps the run's slot, so a later run skips it).

    With `with_lines`, on PostgreSQL, step 2 in the same statement: the payer segments are
    computed once (a CTE) for the amounts and the lines of the bills inserted (`INSERT …
    RETURNING` as a CTE); returns True when it did so, False when the lines are still to be
    inserted (`insert_lines`)."""
    priced = _priced_dwellings(scope, period).subquery("priced")
    only = [priced.c.dwelling_id == dwelling_id] if dwelling_id is not None else []
    # A CTE, computed once (PostgreSQL materialises a CTE used more than once): the segments'
    # three branches, the amounts and the bills all read it; as a subquery it was planned and
    # evaluated once per reference.
    todo = select(priced).where(priced.c.rate_units.is_not(None), *only).cte("todo")
    keyed = select(todo.c.dwelling_id.label("key"), todo.c.dwelling_id, todo.c.sale_status, todo.c.delivered).subquery(
        "keyed"
    )
    combined = with_lines and is_postgres(session)
    seg: Any = _segments(keyed, period, scope)
    if combined:
        # The segments as a CTE of their own, read by the amounts and by the lines below.
        seg = select(seg).cte("seg").prefix_with("MATERIALIZED")
    amounts = (
        select(
            seg.c.key,
            func.sum(
                _rounded(
                    _line_numerator(
                        todo.c.area_c, todo.c.rate_units, period.months, seg.c.days, todo.c.vacancy_percent
                    ),
                    period,
                )
            ).label("amount_fen"),
        )
        .join(todo, todo.c.dwelling_id == seg.c.key)
        .group_by(seg.c.key)
        .subquery("amounts")
    )
    pe = day_number(period.end)
    o = ownership_projection
    ranked = (
        select(
            o.c.dwelling_id,
            o.c.person_id,
            func.row_number()
            .over(partition_by=o.c.dwelling_id, order_by=(o.c.share_bp.desc(), o.c.ownership_id))
            .label("rank"),
        )
        .where(
            o.c.active,
            func.coalesce(o.c.since_day, LONG_AGO) <= pe,
            func.coalesce(o.c.until_day, pe) >= pe,
            in_scope(o.c.compound_id, scope),
        )
        .subquery("ranked_owner")
    )
    developer_pays = or_(todo.c.sale_status != "sold", todo.c.delivered.is_(False), ranked.c.person_id.is_(None))
    source = (
        select(
            todo.c.compound_id,
            todo.c.building_id,
            todo.c.dwelling_id,
            todo.c.household_id,
            literal(BillKind.property_fee.value),
            literal(period.start),
            literal(period.end),
            literal(period.label),
            literal(run_id),
            literal(source_id),
            literal(f"{period.label} {BillKind.property_fee.label}"),
            case((developer_pays, PayerKind.developer.value), else_=PayerKind.owner.value),
            case((developer_pays, None), else_=ranked.c.person_id),
            todo.c.area_c,
            todo.c.rate_units,
            todo.c.vacancy_percent,
            func.coalesce(amounts.c.amount_fen, 0),
            literal(0),
            literal(BillStatus.issued.value),
            literal(due_date(period, now.astimezone(LOCAL_TZ).date())),
            literal(now),
            literal(1),
        )
        .outerjoin(amounts, amounts.c.key == todo.c.dwelling_id)
        .outerjoin(ranked, and_(ranked.c.dwelling_id == todo.c.dwelling_id, ranked.c.rank == 1))
        # SQLite needs a WHERE before an upsert's ON CONFLICT (its parser's join ambiguity).
        .where(todo.c.dwelling_id.is_not(None))
    )
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
    # A dwelling billed for this very period already is skipped by the unique key, not by an
    # anti-join: probing the table this statement fills made the planner scan it per row.
    insert = pg_insert if is_postgres(session) else sqlite_insert
    statement = (
        insert(bills)
        .from_select(columns, source)
        .on_conflict_do_nothing(index_elements=["dwelling_id", "kind", "period_start", "source_id"])
    )
    if not combined:
        await session.execute(statement)
        return False
    # Only the rows actually inserted come back (ON CONFLICT DO NOTHING returns none for the
    # skipped), so the lines are those of this execution's bills, as insert_lines finds them.
    ins = statement.returning(
        bills.c.id, bills.c.dwelling_id, bills.c.area_c, bills.c.rate_units, bills.c.vacancy_percent
    ).cte("ins")
    num = _line_numerator(ins.c.area_c, ins.c.rate_units, period.months, seg.c.days, ins.c.vacancy_percent)
    lines = select(
        ins.c.id,
        seg.c.payer_kind,
        seg.c.payer_person_id,
        ins.c.area_c,
        ins.c.rate_units,
        literal(period.months),
        seg.c.days,
        literal(period.days),
        ins.c.vacancy_percent,
        num,
        literal(LINE_DENOMINATOR_PER_DAY * period.days),
        _rounded(num, period),
    ).join(seg, seg.c.key == ins.c.dwelling_id)
    await session.execute(bill_lines.insert().from_select(LINE_COLUMNS, lines))
    return True


LINE_COLUMNS = [
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
]


def new_bills(run_id: int, after_id: int, compound_id: int | None = None) -> ColumnElement[bool]:
    # This execution's bills: the run's, above the id watermark taken before inserting. In a
    # chunk, the compound's, found by the compound's index or the id range; the run's own index
    # is kept out of it (coalesce): it covers the whole street's run, and each chunk would read
    # all the run's entries before it, while the statistics still think the table empty.
    if compound_id is None:
        return and_(bills.c.bill_run_id == run_id, bills.c.id > after_id)
    return and_(
        bills.c.compound_id == compound_id, bills.c.id > after_id, func.coalesce(bills.c.bill_run_id, 0) == run_id
    )


async def insert_lines(
    session: AsyncSession, run_id: int, after_id: int, period: Period, *, compound_id: int | None = None
) -> None:
    """Step 2: the lines of this execution's bills, each exact fraction beside its rounding."""
    d = dwelling_projection
    keyed = (
        select(bills.c.id.label("key"), bills.c.dwelling_id, d.c.sale_status, d.c.delivered)
        .join(d, d.c.dwelling_id == bills.c.dwelling_id)
        .where(new_bills(run_id, after_id, compound_id))
        .subquery("keyed")
    )
    chunk = RunScope(RateScope.compound, compound_id) if compound_id is not None else None
    seg = _segments(keyed, period, chunk)
    num = _line_numerator(bills.c.area_c, bills.c.rate_units, period.months, seg.c.days, bills.c.vacancy_percent)
    source = select(
        bills.c.id,
        seg.c.payer_kind,
        seg.c.payer_person_id,
        bills.c.area_c,
        bills.c.rate_units,
        literal(period.months),
        seg.c.days,
        literal(period.days),
        bills.c.vacancy_percent,
        num,
        literal(LINE_DENOMINATOR_PER_DAY * period.days),
        _rounded(num, period),
    ).join(seg, seg.c.key == bills.c.id)
    await session.execute(bill_lines.insert().from_select(LINE_COLUMNS, source))


async def split_developer_share(
    session: AsyncSession, run_id: int, after_id: int, *, compound_id: int | None = None
) -> None:
    """Step 3: an owner's new bill that carries developer lines (the days before the dwelling
    was delivered to its first owner) loses them to a bill of the developer's own, for the same
    dwelling and period, with no household (a resident neither sees nor is reminded of it).

    A re-issue recomputes the whole dwelling: the share whose live bill still stands (the one
    not voided) is dropped from the new bill instead, so nothing is billed twice.

    Set-based for a run's bills (a handful of statements whatever their number: in a street's
    run one dwelling in a hundred may be delivered inside the year); the re-issue cases, one
    bill at a time, go one by one."""
    mixed = (
        await session.execute(
            select(bills)
            .where(
                new_bills(run_id, after_id, compound_id),
                bills.c.payer_kind == PayerKind.owner.value,
                exists().where(
                    bill_lines.c.bill_id == bills.c.id, bill_lines.c.payer_kind == PayerKind.developer.value
                ),
            )
            .order_by(bills.c.id)
        )
    ).all()
    if not mixed:
        return
    ids = [bill.id for bill in mixed]
    developer_fen = {
        int(bill_id): int(total or 0)
        for bill_id, total in await session.execute(
            select(bill_lines.c.bill_id, func.sum(bill_lines.c.amount_fen))
            .where(bill_lines.c.bill_id.in_(ids), bill_lines.c.payer_kind == PayerKind.developer.value)
            .group_by(bill_lines.c.bill_id)
        )
    }
    others = (
        await session.execute(
            select(bills.c.id, bills.c.dwelling_id, bills.c.kind, bills.c.period_start, bills.c.payer_kind).where(
                bills.c.dwelling_id.in_({bill.dwelling_id for bill in mixed}),
                bills.c.status != BillStatus.void.value,
            )
        )
    ).all()
    plain = []
    for bill in mixed:
        live = {
            str(o.payer_kind)
            for o in others
            if o.id != bill.id
            and (o.dwelling_id, o.kind, o.period_start) == (bill.dwelling_id, bill.kind, bill.period_start)
        }
        if live & {PayerKind.owner.value, PayerKind.developer.value}:
            await _split_reissued(session, bill, developer_fen[bill.id], live)
        else:
            plain.append(bill)
    if not plain:
        return
    await session.execute(
        update(bills)
        .where(bills.c.id == bindparam("owner_bill"))
        .values(amount_fen=bills.c.amount_fen - bindparam("developer_fen")),
        [{"owner_bill": bill.id, "developer_fen": developer_fen[bill.id]} for bill in plain],
    )
    created = await session.execute(
        bills.insert().returning(bills.c.id, bills.c.source_id),
        [
            {
                **{c.name: getattr(bill, c.name) for c in bills.columns if c.name not in ("id", "description")},
                "household_id": None,
                "payer_kind": PayerKind.developer.value,
                "payer_person_id": None,
                "source_id": f"{DEVELOPER_SHARE_PREFIX}{bill.id}",
                "amount_fen": developer_fen[bill.id],
                "description": f"{bill.description}{DEVELOPER_SHARE_NOTE}",
            }
            for bill in plain
        ],
    )
    developer_bill = {source.removeprefix(DEVELOPER_SHARE_PREFIX): new_id for new_id, source in created}
    await session.execute(
        update(bill_lines)
        .where(bill_lines.c.bill_id == bindparam("owner_bill"), bill_lines.c.payer_kind == PayerKind.developer.value)
        .values(bill_id=bindparam("developer_bill")),
        [{"owner_bill": bill.id, "developer_bill": developer_bill[str(bill.id)]} for bill in plain],
    )


DEVELOPER_SHARE_PREFIX = "developer-share:"
DEVELOPER_SHARE_NOTE = "（交付前，开发企业承担）"


async def _split_reissued(session: AsyncSession, bill: Any, developer_fen: int, live: set[str]) -> None:
    """A re-issued bill whose other share's live bill still stands keeps only its own share."""
    developer_lines = and_(bill_lines.c.bill_id == bill.id, bill_lines.c.payer_kind == PayerKind.developer.value)
    if PayerKind.owner.value in live:
        # The developer's voided bill is re-issued: the owner's bill stands, keep only the
        # developer's days in the new one.
        await session.execute(
            delete(bill_lines).where(
                bill_lines.c.bill_id == bill.id, bill_lines.c.payer_kind != PayerKind.developer.value
            )
        )
        await session.execute(
            update(bills)
            .where(bills.c.id == bill.id)
            .values(
                payer_kind=PayerKind.developer.value,
                payer_person_id=None,
                household_id=None,
                amount_fen=developer_fen,
                description=f"{bill.description}{DEVELOPER_SHARE_NOTE}",
            )
        )
        return
    # The owner's voided bill is re-issued: the developer's bill stands.
    await session.execute(
        update(bills).where(bills.c.id == bill.id).values(amount_fen=bills.c.amount_fen - developer_fen)
    )
    await session.execute(delete(bill_lines).where(developer_lines))


async def post_receivables(
    session: AsyncSession, run_id: int, after_id: int, period: Period, now: datetime, *, compound_id: int | None = None
) -> list[CompoundIssue]:
    """Step 3: one journal entry per compound for what this execution issued there."""
    rows = await session.execute(
        select(bills.c.compound_id, func.count(), func.sum(bills.c.amount_fen))
        .where(new_bills(run_id, after_id, compound_id))
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
