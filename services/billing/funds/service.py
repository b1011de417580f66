"""Public revenue, distributions, the shared development fund, expenses and the maintenance
fund: every movement one journal entry, and no fund ever below zero."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.access import place_of, require_manager
from services.billing.funds import approvals, domain
from services.billing.funds.models import (
    distribution_rules,
    distributions,
    fund_movements,
    maintenance_decisions,
    revenues,
)
from services.billing.funds.schemas import (
    DistributionCreate,
    DistributionOut,
    MaintenanceDeposit,
    MaintenanceWithdrawal,
    MovementCreate,
    MovementOut,
    RevenueCreate,
    RevenueOut,
    RuleIn,
    RuleOut,
)
from services.billing.ledger import service as ledger
from services.billing.ledger.domain import AccountKind, Leg, credit, debit
from services.billing.projections.models import dwelling_projection
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import InvalidInput, NotFound
from shared.locking import check_version

BANK = "bank"


async def book_revenue(session: AsyncSession, principal: Principal, body: RevenueCreate, now: datetime) -> RevenueOut:
    """Gross in the bank, evidenced costs set aside, the net into the undistributed pool."""
    require_manager(principal, await place_of(session, body.compound_id))
    net = domain.net_revenue(body.gross_fen, body.cost_fen, body.evidence)
    legs = [debit(AccountKind.cash, body.gross_fen, BANK), credit(AccountKind.fund_pool, net, domain.UNDISTRIBUTED)]
    if body.cost_fen:
        legs.append(credit(AccountKind.public_revenue_costs, body.cost_fen, body.source.value))
    revenue_id = (
        await session.execute(
            revenues.insert()
            .values(
                compound_id=body.compound_id,
                source=body.source.value,
                gross_fen=body.gross_fen,
                cost_fen=body.cost_fen,
                net_fen=net,
                evidence=json.dumps([e.strip() for e in body.evidence if e.strip()], ensure_ascii=False),
                description=body.description,
                received_on=body.received_on,
                entry_id=0,
                created_by=principal.person_id,
                created_at=now,
            )
            .returning(revenues.c.id)
        )
    ).scalar_one()
    entry_id = await ledger.post(
        session,
        compound_id=body.compound_id,
        source_kind="revenue",
        source_id=str(revenue_id),
        description=f"公共收益·{body.source.label}：{body.description}",
        legs=legs,
        posted_at=now,
        value_date=body.received_on,
    )
    await session.execute(update(revenues).where(revenues.c.id == revenue_id).values(entry_id=entry_id))
    return RevenueOut.model_validate((await session.execute(select(revenues).where(revenues.c.id == revenue_id))).one())


async def rule_of(session: AsyncSession, compound_id: int) -> RuleOut:
    """The compound's distribution rule (433 until it sets its own)."""
    row = (
        await session.execute(select(distribution_rules).where(distribution_rules.c.compound_id == compound_id))
    ).first()
    shares = json.loads(row.shares) if row is not None else dict(domain.DEFAULT_RULE)
    return RuleOut(
        compound_id=compound_id,
        shares=shares,
        labels={k: domain.PART_LABELS.get(k, k) for k in shares},
        is_default=row is None,
        version=row.version if row is not None else 0,
    )


async def set_rule(
    session: AsyncSession, principal: Principal, compound_id: int, body: RuleIn, now: datetime
) -> RuleOut:
    """Replace the rule (optimistic: the version last seen, 0 for the default)."""
    require_manager(principal, await place_of(session, compound_id))
    domain.check_rule(body.shares)
    current = await rule_of(session, compound_id)
    check_version("分配规则", "The rule", current.version, body.version)
    shares = json.dumps(body.shares, ensure_ascii=False)
    if current.is_default:
        await session.execute(
            distribution_rules.insert().values(compound_id=compound_id, shares=shares, version=1, updated_at=now)
        )
    else:
        await session.execute(
            update(distribution_rules)
            .where(distribution_rules.c.compound_id == compound_id)
            .values(shares=shares, version=distribution_rules.c.version + 1, updated_at=now)
        )
    return await rule_of(session, compound_id)


async def distribute(
    session: AsyncSession, principal: Principal, body: DistributionCreate, now: datetime
) -> DistributionOut:
    """Move undistributed pool money into the rule's parts; the parts add up exactly."""
    require_manager(principal, await place_of(session, body.compound_id))
    available = await ledger.balance_of(session, body.compound_id, AccountKind.fund_pool, domain.UNDISTRIBUTED)
    amount = available if body.amount_fen is None else body.amount_fen
    domain.check_positive(amount)
    domain.check_covers(available, amount, "资金池待分配", "The undistributed pool")
    approval = await approvals.use(
        session, body.approval_id, compound_id=body.compound_id, action=approvals.Action.distribution, amount_fen=amount
    )
    rule = await rule_of(session, body.compound_id)
    parts = domain.distribute(amount, rule.shares)
    legs = [debit(AccountKind.fund_pool, amount, domain.UNDISTRIBUTED)] + [
        credit(AccountKind.fund_pool, fen, name) for name, fen in parts.items() if fen
    ]
    distribution_id = (
        await session.execute(
            distributions.insert()
            .values(
                compound_id=body.compound_id,
                amount_fen=amount,
                shares=json.dumps(rule.shares),
                parts=json.dumps(parts),
                entry_id=0,
                created_by=principal.person_id,
                created_at=now,
            )
            .returning(distributions.c.id)
        )
    ).scalar_one()
    entry_id = await ledger.post(
        session,
        compound_id=body.compound_id,
        source_kind="distribution",
        source_id=str(distribution_id),
        description="资金池分配 "
        + "/".join(f"{domain.PART_LABELS.get(k, k)}{v}" for k, v in parts.items())
        + f"（申请 #{approval.requested_by}，复核 #{approval.approved_by}）",
        legs=legs,
        posted_at=now,
    )
    await session.execute(update(distributions).where(distributions.c.id == distribution_id).values(entry_id=entry_id))
    await approvals.mark_used(session, approval.id, f"distribution:{distribution_id}")
    return DistributionOut(
        id=distribution_id,
        compound_id=body.compound_id,
        amount_fen=amount,
        shares=rule.shares,
        parts=parts,
        created_at=now,
        requested_by=approval.requested_by,
        approved_by=approval.approved_by,
    )


async def _move(
    session: AsyncSession,
    principal: Principal,
    *,
    compound_id: int,
    fund: domain.FundKind,
    ref: str,
    direction: str,
    amount_fen: int,
    purpose: str,
    legs: list[Leg],
    now: datetime,
    counterparty: str | None = None,
    source: str | None = None,
    decision_id: str | None = None,
    emergency: bool = False,
) -> int:
    movement_id = (
        await session.execute(
            fund_movements.insert()
            .values(
                compound_id=compound_id,
                fund=fund.value,
                ref=ref,
                direction=direction,
                amount_fen=amount_fen,
                source=source,
                purpose=purpose,
                counterparty=counterparty,
                decision_id=decision_id,
                emergency=emergency,
                entry_id=0,
                created_by=principal.person_id,
                created_at=now,
            )
            .returning(fund_movements.c.id)
        )
    ).scalar_one()
    entry_id = await ledger.post(
        session,
        compound_id=compound_id,
        source_kind=f"{fund.value}_{direction}",
        source_id=str(movement_id),
        description=f"{fund.label}{'收入' if direction == 'in' else '支出'}：{purpose}",
        legs=legs,
        posted_at=now,
    )
    await session.execute(update(fund_movements).where(fund_movements.c.id == movement_id).values(entry_id=entry_id))
    return int(movement_id)


async def _movement(session: AsyncSession, movement_id: int) -> MovementOut:
    row = (await session.execute(select(fund_movements).where(fund_movements.c.id == movement_id))).one()
    return MovementOut.model_validate(row)


async def development_fund(
    session: AsyncSession, principal: Principal, body: MovementCreate, direction: str, now: datetime
) -> MovementOut:
    """共享发展金: deposits (with their source) and disbursements (with their purpose)."""
    require_manager(principal, await place_of(session, body.compound_id))
    domain.check_positive(body.amount_fen)
    kind = AccountKind.shared_development_fund
    if direction == "in":
        if body.source is None:
            raise InvalidInput("存入须注明来源", "A deposit names its source", details=[{"field": "source"}])
        legs = [debit(AccountKind.cash, body.amount_fen, BANK), credit(kind, body.amount_fen)]
    else:
        balance = await ledger.balance_of(session, body.compound_id, kind)
        domain.check_covers(balance, body.amount_fen, "共享发展金", "The shared development fund")
        legs = [debit(kind, body.amount_fen), credit(AccountKind.cash, body.amount_fen, BANK)]
    movement_id = await _move(
        session,
        principal,
        compound_id=body.compound_id,
        fund=domain.FundKind.shared_development_fund,
        ref="",
        direction=direction,
        amount_fen=body.amount_fen,
        purpose=body.purpose,
        legs=legs,
        now=now,
        counterparty=body.counterparty,
        source=body.source.value if body.source else None,
    )
    return await _movement(session, movement_id)


async def pool_expense(
    session: AsyncSession, principal: Principal, part: str, body: MovementCreate, now: datetime
) -> MovementOut:
    """Spend from one distributed part of the pool (livelihood, governance …), never below zero."""
    require_manager(principal, await place_of(session, body.compound_id))
    domain.check_positive(body.amount_fen)
    rule = await rule_of(session, body.compound_id)
    if part not in rule.shares:
        raise InvalidInput(
            f"分配规则中没有“{part}”这一份",
            f"The rule has no part {part!r}",
            details=[{"field": "part", "value": part}],
        )
    balance = await ledger.balance_of(session, body.compound_id, AccountKind.fund_pool, part)
    domain.check_covers(balance, body.amount_fen, f"资金池·{domain.PART_LABELS.get(part, part)}", f"Pool part {part}")
    movement_id = await _move(
        session,
        principal,
        compound_id=body.compound_id,
        fund=domain.FundKind.fund_pool,
        ref=part,
        direction="out",
        amount_fen=body.amount_fen,
        purpose=body.purpose,
        legs=[debit(AccountKind.fund_pool, body.amount_fen, part), credit(AccountKind.cash, body.amount_fen, BANK)],
        now=now,
        counterparty=body.counterparty,
    )
    return await _movement(session, movement_id)


async def maintenance_deposit(
    session: AsyncSession, principal: Principal, body: MaintenanceDeposit, now: datetime
) -> MovementOut:
    """按户核算: a dwelling's maintenance-fund deposit."""
    row = (
        await session.execute(select(dwelling_projection).where(dwelling_projection.c.dwelling_id == body.dwelling_id))
    ).first()
    if row is None:
        raise NotFound(f"收费服务尚无房屋 {body.dwelling_id}", f"Dwelling {body.dwelling_id} is not known to billing")
    require_manager(principal, await place_of(session, row.compound_id))
    domain.check_positive(body.amount_fen)
    ref = f"dwelling:{body.dwelling_id}"
    movement_id = await _move(
        session,
        principal,
        compound_id=row.compound_id,
        fund=domain.FundKind.maintenance_fund,
        ref=ref,
        direction="in",
        amount_fen=body.amount_fen,
        purpose=body.purpose,
        legs=[
            debit(AccountKind.cash, body.amount_fen, BANK),
            credit(AccountKind.maintenance_fund, body.amount_fen, ref),
        ],
        now=now,
    )
    return await _movement(session, movement_id)


async def maintenance_withdrawal(
    session: AsyncSession, principal: Principal, body: MaintenanceWithdrawal, now: datetime
) -> MovementOut:
    """按幢立账: a withdrawal for buildings, shared among their dwellings by area. It needs a
    decision the owners passed (within its amount and buildings) or the emergency flag, and
    no dwelling's balance may go below zero."""
    require_manager(principal, await place_of(session, body.compound_id))
    domain.check_positive(body.amount_fen)
    if body.decision_id is None and not body.emergency:
        raise InvalidInput(
            "动用维修资金须有业主表决通过的决定编号，或标明紧急情况",
            "A withdrawal needs a passed decision id or the emergency flag",
            details=[{"field": "decision_id"}],
            code=ErrorCode.decision_required,
        )
    approval = None
    if body.decision_id is None:
        # No owners' decision behind it: a second committee member must approve this very withdrawal.
        approval = await approvals.use(
            session,
            body.approval_id,
            compound_id=body.compound_id,
            action=approvals.Action.emergency_withdrawal,
            amount_fen=body.amount_fen,
            building_ids=body.building_ids,
        )
    if body.decision_id is not None:
        decision = (
            await session.execute(
                select(maintenance_decisions)
                .where(maintenance_decisions.c.decision_id == body.decision_id)
                .with_for_update()
            )
        ).first()
        if decision is None or decision.compound_id != body.compound_id:
            raise InvalidInput(
                f"没有本小区通过的维修资金使用决定 {body.decision_id}",
                f"No passed maintenance-fund decision {body.decision_id} for this compound",
                details=[{"field": "decision_id", "value": body.decision_id}],
                code=ErrorCode.decision_unknown,
            )
        allowed = set(json.loads(decision.building_ids))
        if not set(body.building_ids) <= allowed:
            raise InvalidInput(
                "决定未涵盖所列楼栋", "The decision does not cover these buildings", details=[{"field": "building_ids"}]
            )
        domain.check_covers(
            decision.amount_fen - decision.used_fen, body.amount_fen, "决定剩余额度", "The decision's remainder"
        )
        await session.execute(
            update(maintenance_decisions)
            .where(maintenance_decisions.c.decision_id == body.decision_id)
            .values(used_fen=maintenance_decisions.c.used_fen + body.amount_fen)
        )
    dwellings = list(
        await session.execute(
            select(dwelling_projection.c.dwelling_id, dwelling_projection.c.area_c)
            .where(
                dwelling_projection.c.building_id.in_(body.building_ids),
                dwelling_projection.c.compound_id == body.compound_id,
                dwelling_projection.c.active,
            )
            .order_by(dwelling_projection.c.dwelling_id)
        )
    )
    shares = domain.split_by_weights(body.amount_fen, [int(a) for _, a in dwellings])
    balances = {
        b.ref: b.balance_fen for b in await ledger.balances(session, body.compound_id, [AccountKind.maintenance_fund])
    }
    legs: list[Leg] = []
    for (dwelling_id, _), share in zip(dwellings, shares, strict=True):
        ref = f"dwelling:{dwelling_id}"
        domain.check_covers(
            balances.get(ref, 0), share, f"房屋 {dwelling_id} 的维修资金", f"Dwelling {dwelling_id}'s maintenance fund"
        )
        if share:
            legs.append(debit(AccountKind.maintenance_fund, share, ref))
    legs.append(credit(AccountKind.cash, body.amount_fen, BANK))
    movement_id = await _move(
        session,
        principal,
        compound_id=body.compound_id,
        fund=domain.FundKind.maintenance_fund,
        ref=",".join(f"building:{b}" for b in sorted(body.building_ids)),
        direction="out",
        amount_fen=body.amount_fen,
        purpose=body.purpose,
        legs=legs,
        now=now,
        decision_id=body.decision_id,
        emergency=body.emergency,
    )
    if approval is not None:
        await approvals.mark_used(session, approval.id, f"maintenance_withdrawal:{movement_id}")
    return await _movement(session, movement_id)


async def building_balances(session: AsyncSession, compound_id: int) -> dict[int, int]:
    """按幢立账: each building's maintenance fund, the sum of its dwellings'."""
    per_dwelling = {
        int(b.ref.split(":")[1]): b.balance_fen
        for b in await ledger.balances(session, compound_id, [AccountKind.maintenance_fund])
    }
    buildings = await session.execute(
        select(dwelling_projection.c.dwelling_id, dwelling_projection.c.building_id).where(
            dwelling_projection.c.dwelling_id.in_(per_dwelling)
        )
    )
    totals: dict[int, int] = {}
    for dwelling_id, building_id in buildings:
        totals[building_id] = totals.get(building_id, 0) + per_dwelling[dwelling_id]
    return totals


async def movements(session: AsyncSession, compound_id: int, fund: domain.FundKind) -> list[MovementOut]:
    rows = await session.execute(
        select(fund_movements)
        .where(fund_movements.c.compound_id == compound_id, fund_movements.c.fund == fund.value)
        .order_by(fund_movements.c.id)
    )
    return [MovementOut.model_validate(r) for r in rows]
