"""Bill runs, bills, voids, arrears and the collection rate."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.access import (
    place_of,
    require_household_or_reader,
    require_manager,
    require_reader,
    require_street_manager,
    resident_households,
)
from services.billing.bills import domain, running, runs
from services.billing.bills.export import workbook
from services.billing.bills.models import bill_lines, bill_runs, bills
from services.billing.bills.schemas import (
    ArrearsOut,
    ArrearsRow,
    BillLineOut,
    BillOut,
    BillPage,
    BillReissue,
    BillRunOut,
    BillVoid,
    CollectionRateOut,
    RemindersOut,
)
from services.billing.ledger import service as ledger
from services.billing.ledger.domain import AccountKind, Leg
from services.billing.projections.domain import day_number
from services.billing.projections.models import (
    building_projection,
    dwelling_projection,
    household_projection,
    ownership_projection,
    person_projection,
)
from services.billing.rates.domain import RateScope, rate_text
from shared.auth import Place, Principal
from shared.clock import month_of
from shared.contracts.billing import ArrearsReminder, BillsIssued
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.outbox import emit
from shared.locking import update_versioned
from shared.money import fen_to_yuan


async def show_run(session: AsyncSession, principal: Principal, run_id: int) -> BillRunOut:
    run = (await session.execute(select(bill_runs).where(bill_runs.c.id == run_id))).first()
    if run is None:
        raise NotFound(f"开单批次 {run_id} 不存在", f"Bill run {run_id} not found")
    if run.scope_kind == RateScope.compound.value:
        require_reader(principal, await place_of(session, run.scope_id))
    else:
        require_street_manager(principal, run.scope_id)
    return await running.run_out(session, run_id)


def bill_out(row: Any, lines: list[Any] | None = None) -> BillOut:
    """The bill from its row; its lines (when asked for) say how each amount was reached, in the
    units a payer reads (m² and yuan from the stored hundredths, the exact fraction as text)."""
    bill = BillOut.model_validate(row)
    if lines is None:
        return bill
    return bill.model_copy(update={"lines": [_line_out(line) for line in lines]})


def _line_out(line: Any) -> BillLineOut:
    payer = domain.PayerKind(line.payer_kind)
    return BillLineOut(
        payer_kind=payer,
        payer_kind_label=payer.label,
        payer_person_id=line.payer_person_id,
        area_m2=fen_to_yuan(line.area_c),
        rate_yuan_per_m2_month=rate_text(line.rate_units),
        months=line.months,
        days=line.days,
        period_days=line.period_days,
        vacancy_percent=line.vacancy_percent,
        precise_fen=domain.precise_text(line.precise_num, line.precise_den),
        amount_fen=line.amount_fen,
    )


async def list_bills(
    session: AsyncSession,
    principal: Principal,
    *,
    compound_id: int | None,
    household_id: int | None,
    dwelling_id: int | None,
    kind: domain.BillKind | None,
    status: domain.BillStatus | None,
    period: str | None,
    unpaid_only: bool,
    limit: int,
    offset: int,
    payer_kind: domain.PayerKind | None = None,
) -> BillPage:
    """Bills by compound, household or dwelling; residents only their own household's.
    `payer_kind=developer` is the developer's view: what it owes for unsold and undelivered
    dwellings and for the days before each delivery."""
    if compound_id is None and household_id is None:
        raise InvalidInput(
            "请指定 compound_id 或 household_id", "Give compound_id or household_id", details=[{"field": "compound_id"}]
        )
    query: Select[Any] = select(bills)
    if household_id is not None:
        query = query.where(bills.c.household_id == household_id)
        if household_id not in resident_households(principal):
            owner_compound = await session.scalar(
                select(bills.c.compound_id).where(bills.c.household_id == household_id).limit(1)
            )
            if owner_compound is None:
                return BillPage(total=0, items=[])
            require_reader(principal, await place_of(session, owner_compound))
    if compound_id is not None:
        query = query.where(bills.c.compound_id == compound_id)
        if household_id is None:
            require_reader(principal, await place_of(session, compound_id))
    if dwelling_id is not None:
        query = query.where(bills.c.dwelling_id == dwelling_id)
    if kind is not None:
        query = query.where(bills.c.kind == kind.value)
    if status is not None:
        query = query.where(bills.c.status == status.value)
    if period is not None:
        p = domain.parse_period(period)
        query = query.where(bills.c.period_start >= p.start, bills.c.period_end <= p.end)
    if payer_kind is not None:
        query = query.where(bills.c.payer_kind == payer_kind.value)
    if unpaid_only:
        query = query.where(bills.c.status == domain.BillStatus.issued.value, bills.c.paid_fen < bills.c.amount_fen)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(query.order_by(bills.c.period_start, bills.c.id).limit(limit).offset(offset))
    return BillPage(total=int(total or 0), items=[bill_out(row) for row in rows])


async def _bill_row(session: AsyncSession, bill_id: int) -> Any:
    row = (await session.execute(select(bills).where(bills.c.id == bill_id))).first()
    if row is None:
        raise NotFound(f"账单 {bill_id} 不存在", f"Bill {bill_id} not found", details={"bill_id": bill_id})
    return row


async def show_bill(session: AsyncSession, principal: Principal, bill_id: int) -> BillOut:
    row = await _bill_row(session, bill_id)
    require_household_or_reader(principal, await place_of(session, row.compound_id), row.household_id)
    lines = await session.execute(select(bill_lines).where(bill_lines.c.bill_id == bill_id).order_by(bill_lines.c.id))
    return bill_out(row, list(lines))


async def void_bill(
    session: AsyncSession, principal: Principal, bill_id: int, body: BillVoid, now: datetime
) -> BillOut:
    """Void an unpaid bill with a reversing entry (the bill itself stays, marked void)."""
    row = await _bill_row(session, bill_id)
    require_manager(principal, await place_of(session, row.compound_id))
    domain.BILL_MACHINE.check(domain.BillStatus(row.status), domain.BillStatus.void)
    if row.paid_fen > 0:
        raise Conflict(
            f"账单已收 {fen_to_yuan(row.paid_fen)} 元，请先退款再作废",
            "The bill has payments on it: refund them before voiding",
            code=ErrorCode.bill_has_payments,
        )
    await update_versioned(
        session,
        bills,
        (bills.c.id == bill_id) & (bills.c.paid_fen == 0),
        body.version,
        {"status": domain.BillStatus.void.value},
        "账单",
        "The bill",
    )
    if row.amount_fen > 0:
        income_kind, income_ref = domain.income_account(domain.BillKind(row.kind), row.source_id)
        await ledger.post(
            session,
            compound_id=row.compound_id,
            source_kind="bill_void",
            source_id=str(bill_id),
            description=f"作废账单 {bill_id}：{body.reason}",
            legs=[
                Leg(AccountKind(income_kind), income_ref, debit_fen=row.amount_fen),
                Leg(AccountKind.fee_receivable, "", credit_fen=row.amount_fen),
            ],
            posted_at=now,
        )
    return bill_out(await _bill_row(session, bill_id))


REISSUE_PREFIX = "reissue:"


async def reissue_bill(
    session: AsyncSession, principal: Principal, bill_id: int, body: BillReissue, now: datetime
) -> BillOut:
    """Issue a voided property-fee bill again, computed afresh from the dwelling's record and
    the rate card as they stand now (after the correction that caused the void)."""
    row = await _bill_row(session, bill_id)
    require_manager(principal, await place_of(session, row.compound_id))
    if row.status != domain.BillStatus.void.value:
        raise Conflict(
            "只有已作废的账单可以重开：请先作废原账单",
            "Only a voided bill can be re-issued: void it first",
            code=ErrorCode.bill_not_void,
        )
    if row.kind != domain.BillKind.property_fee.value or row.bill_run_id is None:
        raise Conflict(
            "只有物业费账单可以重开；出资和共享物业服务账单随其决定或服务重新发出",
            "Only property-fee bills can be re-issued; levy and visit bills follow their decision or visit",
            code=ErrorCode.not_reissuable,
        )
    source_id = f"{REISSUE_PREFIX}{bill_id}"
    if await session.scalar(select(bills.c.id).where(bills.c.kind == row.kind, bills.c.source_id == source_id)):
        raise Conflict(
            f"账单 {bill_id} 已重开过", f"Bill {bill_id} has already been re-issued", code=ErrorCode.already_reissued
        )
    period = domain.parse_period(row.period_label)
    after_id = await runs.watermark(session)
    scope = runs.RunScope(RateScope.compound, row.compound_id)
    await runs.insert_bills(
        session, row.bill_run_id, scope, period, now, dwelling_id=row.dwelling_id, source_id=source_id
    )
    new_id = await session.scalar(select(bills.c.id).where(bills.c.kind == row.kind, bills.c.source_id == source_id))
    if new_id is None:
        raise Conflict(
            "该房屋当前没有适用的收费标准或已停用，无法重开",
            "The dwelling has no rate card in force for the period (or is inactive): nothing to re-issue",
            code=ErrorCode.no_rate,
        )
    await runs.insert_lines(session, row.bill_run_id, after_id, period)
    await runs.split_developer_share(session, row.bill_run_id, after_id)
    issued = await runs.post_receivables(session, row.bill_run_id, after_id, period, now)
    for item in issued:
        await emit(
            session,
            BillsIssued(
                compound_id=item.compound_id,
                kind=domain.BillKind.property_fee.value,
                period_label=period.label,
                bill_run_id=row.bill_run_id,
                source_id=source_id,
                bill_count=item.bill_count,
                amount_fen=item.amount_fen,
                dwelling_ids=[row.dwelling_id],
            ),
            subject=f"bill-{new_id}",
            key=item.compound_id,
        )
    # The new bill says what it replaces and why, on paper and in the app.
    note = f"（重开，原账单 {bill_id}：{body.reason}）"
    await session.execute(
        update(bills).where(bills.c.id == new_id).values(description=func.substr(bills.c.description + note, 1, 200))
    )
    lines = await session.execute(select(bill_lines).where(bill_lines.c.bill_id == new_id).order_by(bill_lines.c.id))
    return bill_out(await _bill_row(session, int(new_id)), list(lines))


ARREARS_GROUPS = {"household": bills.c.household_id, "building": bills.c.building_id, "dwelling": bills.c.dwelling_id}


async def arrears(session: AsyncSession, principal: Principal, compound_id: int, by: str, as_of: date) -> ArrearsOut:
    """What is owed on bills due by `as_of`, per household, building, dwelling or compound."""
    place: Place = await place_of(session, compound_id)
    require_reader(principal, place)
    outstanding = bills.c.amount_fen - bills.c.paid_fen
    open_due = [
        bills.c.compound_id == compound_id,
        bills.c.status == domain.BillStatus.issued.value,
        bills.c.paid_fen < bills.c.amount_fen,
        bills.c.due_date <= as_of,
    ]
    if by not in (*ARREARS_GROUPS, "compound"):
        raise InvalidInput(
            "by 须为 household、building、dwelling 或 compound",
            "by must be household, building, dwelling or compound",
            details=[{"field": "by", "value": by}],
        )
    group = ARREARS_GROUPS.get(by, bills.c.compound_id)
    # Every open bill lands in exactly one row, so the rows always add up to the total: bills of
    # a dwelling without a household (vacant, unsold, undelivered) are that dwelling's own row.
    passes: list[tuple[str, Any, list[Any]]] = [(by, group, [group.is_not(None)])]
    if by == "household":
        passes.append(("dwelling", bills.c.dwelling_id, [group.is_(None), bills.c.dwelling_id.is_not(None)]))
        passes.append(("compound", bills.c.compound_id, [group.is_(None), bills.c.dwelling_id.is_(None)]))
    elif by != "compound":
        passes.append(("compound", bills.c.compound_id, [group.is_(None)]))
    found: list[tuple[str, Any]] = []
    for kind, key, where in passes:
        for row in await session.execute(
            select(
                key,
                func.count(),
                func.sum(outstanding),
                func.min(bills.c.period_label),
                func.max(bills.c.dwelling_id),
                func.max(bills.c.building_id),
                func.max(bills.c.payer_person_id),
                func.min(bills.c.payer_kind),
            )
            .where(*open_due, *where)
            .group_by(key)
        ):
            found.append((kind, row))
    found.sort(key=lambda f: (-int(f[1][2]), f[0], int(f[1][0])))
    labels = await _arrears_labels(session, [r for _, r in found])
    items = [
        ArrearsRow(
            group=kind,
            id=int(g),
            bill_count=n,
            outstanding_fen=int(owed),
            outstanding_yuan=fen_to_yuan(int(owed)),
            oldest_period=p,
            **labels(kind, dwelling, building, person, payer_kind),
        )
        for kind, (g, n, owed, p, dwelling, building, person, payer_kind) in found
    ]
    total = int(await session.scalar(select(func.coalesce(func.sum(outstanding), 0)).where(*open_due)) or 0)
    return ArrearsOut(
        compound_id=compound_id,
        by=by,
        as_of=as_of,
        total_outstanding_fen=total,
        total_outstanding_yuan=fen_to_yuan(total),
        rows=items,
    )


async def _arrears_labels(session: AsyncSession, rows: list[Any]) -> Any:
    """Room, masked payer and the reason a dwelling has no household, for arrears rows."""
    dwelling_ids = {int(r[4]) for r in rows if r[4] is not None}
    building_ids = {int(r[5]) for r in rows if r[5] is not None}
    person_ids = {int(r[6]) for r in rows if r[6] is not None}
    dwellings = {
        int(d.dwelling_id): d
        for d in await session.execute(
            select(
                dwelling_projection.c.dwelling_id,
                dwelling_projection.c.room,
                dwelling_projection.c.sale_status,
                dwelling_projection.c.delivered,
            ).where(dwelling_projection.c.dwelling_id.in_(dwelling_ids))
        )
    }
    numbers = {
        int(b): str(n)
        for b, n in await session.execute(
            select(building_projection.c.building_id, building_projection.c.number).where(
                building_projection.c.building_id.in_(building_ids)
            )
        )
    }
    names = {
        int(p): str(m)
        for p, m in await session.execute(
            select(person_projection.c.person_id, person_projection.c.masked_name).where(
                person_projection.c.person_id.in_(person_ids)
            )
        )
    }

    def labels(kind: str, dwelling: Any, building: Any, person: Any, payer_kind: Any) -> dict[str, str | None]:
        if kind in ("compound",):
            return {"room": None, "payer": None, "note": None}
        block = domain.building_label(numbers.get(int(building), "?")) if building is not None else ""
        if kind == "building":
            return {"room": block, "payer": None, "note": None}
        d = dwellings.get(int(dwelling)) if dwelling is not None else None
        room = f"{block}{d.room}" if d is not None else block or None
        if payer_kind == domain.PayerKind.developer.value:
            payer: str | None = "开发商"
        else:
            payer = names.get(int(person)) if person is not None else None
        note = None
        if d is not None and not d.delivered:
            note = "未交付"
        elif d is not None and d.sale_status != "sold":
            note = "未售"
        elif kind == "dwelling":
            note = "空置"  # sold and delivered, but no household lives there
        return {"room": room, "payer": payer, "note": note}

    return labels


async def collection_rate(
    session: AsyncSession, principal: Principal, scope_kind: RateScope, scope_id: int, period_label: str
) -> CollectionRateOut:
    """The collection rate of the period's property-fee bills (formula in the answer)."""
    if scope_kind == RateScope.compound:
        require_reader(principal, await place_of(session, scope_id))
    else:
        require_street_manager(principal, scope_id)
    period = domain.parse_period(period_label)
    row = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(bills.c.amount_fen), 0),
                func.coalesce(func.sum(bills.c.paid_fen), 0),
                func.coalesce(func.sum(case((bills.c.paid_fen >= bills.c.amount_fen, 1), else_=0)), 0),
            ).where(
                bills.c.compound_id.in_(runs.compounds_in(runs.RunScope(scope_kind, scope_id))),
                bills.c.kind == domain.BillKind.property_fee.value,
                bills.c.status == domain.BillStatus.issued.value,
                bills.c.period_start >= period.start,
                bills.c.period_end <= period.end,
            )
        )
    ).one()
    count, due, paid, full = (int(v) for v in row)
    return CollectionRateOut(
        scope_kind=scope_kind,
        scope_id=scope_id,
        period_label=period.label,
        due_fen=due,
        paid_fen=paid,
        due_yuan=fen_to_yuan(due),
        paid_yuan=fen_to_yuan(paid),
        bill_count=count,
        paid_in_full_count=full,
        collection_rate=domain.collection_rate_text(paid, due),
        formula=domain.COLLECTION_RATE_FORMULA,
    )


async def payer_of(session: AsyncSession, dwelling_id: int, today: date) -> tuple[str, int | None]:
    """Who pays a dwelling's one-off bill today: its main current owner, else the developer."""
    o = ownership_projection
    day = day_number(today)
    sold = await session.scalar(
        select(dwelling_projection.c.sale_status == "sold").where(dwelling_projection.c.dwelling_id == dwelling_id)
    )
    person = await session.scalar(
        select(o.c.person_id)
        .where(
            o.c.dwelling_id == dwelling_id,
            o.c.active,
            func.coalesce(o.c.since_day, day) <= day,
            func.coalesce(o.c.until_day, day) >= day,
        )
        .order_by(o.c.share_bp.desc(), o.c.ownership_id)
        .limit(1)
    )
    if not sold or person is None:
        return domain.PayerKind.developer.value, None
    return domain.PayerKind.owner.value, int(person)


async def issue_one_off(
    session: AsyncSession,
    *,
    kind: domain.BillKind,
    source_id: str,
    description: str,
    charges: list[tuple[int, int]],
    due_date: date,
    now: datetime,
) -> list[int]:
    """Bills for (dwelling id, fen) outside bill runs (levies, visits), one multi-row insert;
    the caller posts the journal entry. Returns the new bill ids in order."""
    if not charges:
        return []
    ids = [d for d, _ in charges]
    places = {
        int(d): (int(c), int(b))
        for d, c, b in await session.execute(
            select(
                dwelling_projection.c.dwelling_id, dwelling_projection.c.compound_id, dwelling_projection.c.building_id
            ).where(dwelling_projection.c.dwelling_id.in_(ids))
        )
    }
    households = {
        int(d): int(h)
        for d, h in await session.execute(
            select(household_projection.c.dwelling_id, func.max(household_projection.c.household_id))
            .where(household_projection.c.dwelling_id.in_(ids), household_projection.c.active)
            .group_by(household_projection.c.dwelling_id)
        )
    }
    rows = []
    for dwelling_id, fen in charges:
        compound_id, building_id = places[dwelling_id]
        payer_kind, payer_person = await payer_of(session, dwelling_id, now.date())
        rows.append(
            {
                "compound_id": compound_id,
                "building_id": building_id,
                "dwelling_id": dwelling_id,
                "household_id": households.get(dwelling_id),
                "kind": kind.value,
                "period_start": now.date(),
                "period_end": now.date(),
                "period_label": month_of(now),
                "bill_run_id": None,
                "source_id": source_id,
                "description": description[:200],
                "payer_kind": payer_kind,
                "payer_person_id": payer_person,
                "area_c": 0,
                "rate_units": 0,
                "vacancy_percent": 100,
                "amount_fen": fen,
                "paid_fen": 0,
                "status": domain.BillStatus.issued.value,
                "due_date": due_date,
                "issued_at": now,
                "version": 1,
            }
        )
    await session.execute(bills.insert(), rows)
    found = await session.execute(
        select(bills.c.id, bills.c.dwelling_id).where(bills.c.kind == kind.value, bills.c.source_id == source_id)
    )
    by_dwelling = {int(d): int(i) for i, d in found}
    return [by_dwelling[d] for d in ids]


async def remind(
    session: AsyncSession, principal: Principal, compound_id: int, min_outstanding_fen: int, as_of: date
) -> RemindersOut:
    """One ArrearsReminder event per dwelling owing at least the threshold on bills due by
    `as_of`: a polite notice for the app to deliver. Reminders never cut water or power."""
    require_manager(principal, await place_of(session, compound_id))
    outstanding = func.sum(bills.c.amount_fen - bills.c.paid_fen)
    rows = await session.execute(
        select(bills.c.dwelling_id, func.max(bills.c.household_id), outstanding, func.min(bills.c.period_label))
        .where(
            bills.c.compound_id == compound_id,
            bills.c.status == domain.BillStatus.issued.value,
            bills.c.paid_fen < bills.c.amount_fen,
            bills.c.due_date <= as_of,
        )
        .group_by(bills.c.dwelling_id)
        .having(outstanding >= max(1, min_outstanding_fen))
        .order_by(bills.c.dwelling_id)
    )
    sent = 0
    total = 0
    for dwelling_id, household_id, owed, oldest in rows:
        await emit(
            session,
            ArrearsReminder(
                compound_id=compound_id,
                dwelling_id=dwelling_id,
                household_id=household_id,
                outstanding_fen=int(owed),
                oldest_period=oldest,
            ),
            subject=f"dwelling-{dwelling_id}",
            key=compound_id,
        )
        sent += 1
        total += int(owed)
    return RemindersOut(compound_id=compound_id, as_of=as_of, reminded=sent, outstanding_fen=total)


async def arrears_workbook(session: AsyncSession, principal: Principal, compound_id: int, as_of: date) -> bytes:
    """The compound's bills and its arrears by household as one .xlsx, amounts as numbers in yuan
    (so a committee can sum and filter them), rooms and masked names rather than ids."""
    owed = await arrears(session, principal, compound_id, "household", as_of)
    rows = list(
        await session.execute(
            select(bills)
            .where(bills.c.compound_id == compound_id, bills.c.status != domain.BillStatus.void.value)
            .order_by(bills.c.building_id, bills.c.dwelling_id, bills.c.period_start, bills.c.id)
        )
    )
    labels = await _arrears_labels(
        session, [(None, 0, 0, "", r.dwelling_id, r.building_id, r.payer_person_id, r.payer_kind) for r in rows]
    )
    listed = [
        (labels("dwelling", r.dwelling_id, r.building_id, r.payer_person_id, r.payer_kind), bill_out(r)) for r in rows
    ]
    return workbook(owed, listed)
