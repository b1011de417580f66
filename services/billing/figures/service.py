"""Billing's figures for a street, community, grid or compound and a period: collection rate by
month, arrears and their age, public revenue and its 433 distribution, fund balances. Each sum
is the one the compound's own endpoints give (GET /collection-rate, /arrears, /funds), over
every compound of the place."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.bills import domain as bd
from services.billing.bills.models import bills
from services.billing.figures import schemas as s
from services.billing.funds import domain as fd
from services.billing.funds.models import distributions, revenues
from services.billing.ledger import service as ledger
from services.billing.ledger.domain import AccountKind
from services.billing.projections.models import compound_projection
from shared.auth import Principal, Role, require_staff_of
from shared.clock import LOCAL_TZ, day_span
from shared.figures import Level, area_of
from shared.money import fen_to_yuan

# Days past the due date: the buckets committees chase arrears by.
AGES: list[tuple[str, str, int, int | None]] = [
    ("0-30", "30天以内", 0, 30),
    ("31-90", "31–90天", 31, 90),
    ("91-180", "91–180天", 91, 180),
    ("181-365", "181天–1年", 181, 365),
    ("365+", "1年以上", 366, None),
]
FUNDS = [
    (AccountKind.fund_pool, fd.FundKind.fund_pool),
    (AccountKind.shared_development_fund, fd.FundKind.shared_development_fund),
    (AccountKind.maintenance_fund, fd.FundKind.maintenance_fund),
]


def _line(value: str, label: str, fen: int) -> s.AmountLine:
    return s.AmountLine(value=value, label=label, amount_fen=fen, amount_yuan=fen_to_yuan(fen))


async def figures(
    session: AsyncSession, principal: Principal, level: Level, place_id: int, date_from: date, date_to: date
) -> s.BillingFigures:
    area = await area_of(session, compound_projection, level, place_id)
    # Staff of the place or above, and who may read a compound's books (its committees, its
    # property staff, auditors) for their own compound.
    require_staff_of(
        principal,
        area.place,
        Role.owners_committee,
        Role.property_staff,
        Role.supervisory_committee,
        Role.auditor,
    )
    ids = area.compound_ids
    names: dict[int, str] = dict(
        (
            await session.execute(
                select(compound_projection.c.compound_id, compound_projection.c.name).where(
                    compound_projection.c.compound_id.in_(ids)
                )
            )
        ).all()
    )
    fees = [
        bills.c.compound_id.in_(ids),
        bills.c.kind == bd.BillKind.property_fee.value,
        bills.c.status == bd.BillStatus.issued.value,
        bills.c.period_start >= date_from,
        bills.c.period_end <= date_to,
    ]
    by_month: dict[str, tuple[int, int]] = {}
    per_compound: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    count = full = 0
    for compound_id, first_day, n, due, paid, whole in await session.execute(
        select(
            bills.c.compound_id,
            bills.c.period_start,
            func.count(),
            func.sum(bills.c.amount_fen),
            func.sum(bills.c.paid_fen),
            func.sum(case((bills.c.paid_fen >= bills.c.amount_fen, 1), else_=0)),
        )
        .where(*fees)
        .group_by(bills.c.compound_id, bills.c.period_start)
    ):
        label = first_day.isoformat()[:7]  # the month the bill's period starts in
        d, p = by_month.get(label, (0, 0))
        by_month[label] = (d + int(due), p + int(paid))
        per_compound[compound_id][0] += int(due)
        per_compound[compound_id][1] += int(paid)
        count += int(n)
        full += int(whole)
    due_total = sum(d for d, _ in by_month.values())
    paid_total = sum(p for _, p in by_month.values())

    ages: dict[str, list[int]] = {value: [0, 0] for value, *_ in AGES}
    open_due = [
        bills.c.compound_id.in_(ids),
        bills.c.status == bd.BillStatus.issued.value,
        bills.c.paid_fen < bills.c.amount_fen,
        bills.c.due_date <= date_to,
    ]
    for compound_id, due_date, outstanding in await session.execute(
        select(bills.c.compound_id, bills.c.due_date, bills.c.amount_fen - bills.c.paid_fen).where(*open_due)
    ):
        per_compound[compound_id][2] += int(outstanding)
        late = (date_to - due_date).days
        for value, _, low, high in AGES:
            if late >= low and (high is None or late <= high):
                ages[value][0] += int(outstanding)
                ages[value][1] += 1
                break

    by_source = dict(
        (
            await session.execute(
                select(revenues.c.source, func.sum(revenues.c.net_fen))
                .where(
                    revenues.c.compound_id.in_(ids),
                    revenues.c.received_on >= date_from,
                    revenues.c.received_on <= date_to,
                )
                .group_by(revenues.c.source)
            )
        ).all()
    )
    start, end = day_span(date_from, date_to, LOCAL_TZ)
    parts: dict[str, int] = defaultdict(int)
    for (stored,) in await session.execute(
        select(distributions.c.parts).where(
            distributions.c.compound_id.in_(ids),
            distributions.c.created_at >= start,
            distributions.c.created_at < end,
        )
    ):
        for part, fen in json.loads(stored).items():
            parts[part] += int(fen)
    balances: dict[AccountKind, int] = defaultdict(int)
    for compound_id in ids:
        for b in await ledger.balances(session, compound_id, [kind for kind, _ in FUNDS]):
            balances[b.kind] += b.balance_fen

    return s.BillingFigures(
        level=level,
        place_id=place_id,
        date_from=date_from,
        date_to=date_to,
        time_zone=LOCAL_TZ.key,
        compounds=len(ids),
        due_fen=due_total,
        paid_fen=paid_total,
        bill_count=count,
        paid_in_full_count=full,
        collection_rate=bd.collection_rate_text(paid_total, due_total),
        formula=bd.COLLECTION_RATE_FORMULA,
        by_month=[
            s.MonthCollection(month=m, due_fen=d, paid_fen=p, collection_rate=bd.collection_rate_text(p, d))
            for m, (d, p) in sorted(by_month.items())
        ],
        arrears_as_of=date_to,
        arrears_fen=sum(fen for fen, _ in ages.values()),
        arrears_by_age=[
            s.AgeBucket(value=value, label=label, outstanding_fen=ages[value][0], bills=ages[value][1])
            for value, label, *_ in AGES
        ],
        revenue_fen=sum(int(v) for v in by_source.values()),
        revenue_by_source=[
            _line(source.value, source.label, int(by_source.get(source.value, 0))) for source in fd.RevenueSource
        ],
        distributed_fen=sum(parts.values()),
        distribution_by_part=[_line(part, label, parts.get(part, 0)) for part, label in fd.PART_LABELS.items()],
        fund_balances=[_line(fund.value, fund.label, balances[kind]) for kind, fund in FUNDS],
        by_compound=[
            s.CompoundMoney(
                compound_id=c,
                compound_name=names.get(c, ""),
                due_fen=per_compound[c][0],
                paid_fen=per_compound[c][1],
                collection_rate=bd.collection_rate_text(per_compound[c][1], per_compound[c][0]),
                arrears_fen=per_compound[c][2],
            )
            for c in ids
        ],
    )
