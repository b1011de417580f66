"""Routes: revenues, distribution rules and distributions, funds and their ledgers, the shared
development fund, expenses, the maintenance fund, shared-property visit charges."""

from __future__ import annotations

import json
from datetime import datetime

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from services.billing.access import place_of, require_reader
from services.billing.funds import approvals, domain, queries, service
from services.billing.funds.schemas import (
    DistributionCreate,
    DistributionOut,
    FundBalance,
    FundsOut,
    MaintenanceDeposit,
    MaintenanceWithdrawal,
    MovementCreate,
    MovementOut,
    RevenueCreate,
    RevenueOut,
    RuleIn,
    RuleOut,
    VisitChargeOut,
)
from services.billing.keys import MONEY
from services.billing.ledger import service as ledger
from services.billing.ledger.domain import AccountKind
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.http import Session, service_router
from shared.money import fen_to_yuan

router = service_router("/api/v1/billing", tags=["billing: funds"])


@router.post(
    "/revenues",
    status_code=201,
    response_model=RevenueOut,
    summary="公共收益入账 (book public revenue)",
    dependencies=MONEY,
)
async def book_revenue(body: RevenueCreate, now: Now, session: Session, principal: CurrentPrincipal) -> RevenueOut:
    return await service.book_revenue(session, principal, body, now)


@router.get("/revenues", response_model=list[RevenueOut], summary="公共收益 (a compound's public revenue)")
async def list_revenues(session: Session, principal: CurrentPrincipal, compound_id: int) -> list[RevenueOut]:
    require_reader(principal, await place_of(session, compound_id))
    rows = await queries.revenues_of(session, compound_id)
    return [RevenueOut.model_validate(r) for r in rows]


@router.get("/distribution-rules/{compound_id}", response_model=RuleOut, summary="分配规则 (433 by default)")
async def get_rule(compound_id: int, session: Session, principal: CurrentPrincipal) -> RuleOut:
    require_reader(principal, await place_of(session, compound_id))
    return await service.rule_of(session, compound_id)


@router.put("/distribution-rules/{compound_id}", response_model=RuleOut, summary="设置分配规则 (set the rule)")
async def put_rule(compound_id: int, body: RuleIn, now: Now, session: Session, principal: CurrentPrincipal) -> RuleOut:
    return await service.set_rule(session, principal, compound_id, body, now)


@router.post(
    "/distributions",
    status_code=201,
    response_model=DistributionOut,
    summary="资金池分配 (distribute)",
    dependencies=MONEY,
)
async def distribute(
    body: DistributionCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> DistributionOut:
    return await service.distribute(session, principal, body, now)


@router.post(
    "/fund-approvals",
    status_code=201,
    response_model=approvals.ApprovalOut,
    summary="申请审批 (ask a second committee member to approve a distribution or emergency withdrawal)",
)
async def request_approval(
    body: approvals.ApprovalCreate, request: Request, now: Now, session: Session, principal: CurrentPrincipal
) -> approvals.ApprovalOut:
    return await approvals.request(session, principal, body, now)


@router.post(
    "/fund-approvals/{approval_id}/approve",
    response_model=approvals.ApprovalOut,
    summary="复核批准 (a second committee member approves: four eyes)",
)
async def approve(approval_id: int, now: Now, session: Session, principal: CurrentPrincipal) -> approvals.ApprovalOut:
    return await approvals.approve(session, principal, approval_id, now)


@router.get("/fund-approvals", response_model=list[approvals.ApprovalOut], summary="审批记录 (who asked, who approved)")
async def list_approvals(
    session: Session, principal: CurrentPrincipal, compound_id: int
) -> list[approvals.ApprovalOut]:
    return await approvals.listing(session, principal, compound_id)


@router.get("/distributions", response_model=list[DistributionOut], summary="分配记录 (distributions)")
async def list_distributions(session: Session, principal: CurrentPrincipal, compound_id: int) -> list[DistributionOut]:
    require_reader(principal, await place_of(session, compound_id))
    rows = await queries.distributions_of(session, compound_id)
    return [
        DistributionOut(
            id=r.id,
            compound_id=r.compound_id,
            amount_fen=r.amount_fen,
            shares=json.loads(r.shares),
            parts=json.loads(r.parts),
            created_at=r.created_at,
        )
        for r in rows
    ]


FUND_ACCOUNTS = {
    domain.FundKind.fund_pool: AccountKind.fund_pool,
    domain.FundKind.shared_development_fund: AccountKind.shared_development_fund,
    domain.FundKind.maintenance_fund: AccountKind.maintenance_fund,
}


@router.get("/funds", response_model=FundsOut, summary="资金余额 (fund balances; maintenance per building)")
async def list_funds(session: Session, principal: CurrentPrincipal, compound_id: int) -> FundsOut:
    require_reader(principal, await place_of(session, compound_id))
    out: list[FundBalance] = []
    for b in await ledger.balances(session, compound_id, [AccountKind.fund_pool, AccountKind.shared_development_fund]):
        fund = domain.FundKind(b.kind.value)
        label = "待分配" if b.ref == domain.UNDISTRIBUTED else domain.PART_LABELS.get(b.ref, b.ref)
        out.append(
            FundBalance(
                fund=fund,
                fund_label=fund.label,
                ref=b.ref,
                ref_label=label if fund == domain.FundKind.fund_pool else "",
                balance_fen=b.balance_fen,
                balance_yuan=fen_to_yuan(b.balance_fen),
            )
        )
    for building_id, fen in sorted((await service.building_balances(session, compound_id)).items()):
        out.append(
            FundBalance(
                fund=domain.FundKind.maintenance_fund,
                fund_label=domain.FundKind.maintenance_fund.label,
                ref=f"building:{building_id}",
                ref_label=f"楼栋 {building_id}",
                balance_fen=fen,
                balance_yuan=fen_to_yuan(fen),
            )
        )
    return FundsOut(compound_id=compound_id, balances=out)


class LedgerLine(BaseModel):
    entry_id: int
    posted_at: datetime
    description: str
    ref: str
    debit_fen: int
    credit_fen: int
    balance_fen: int


@router.get("/funds/{fund}/ledger", response_model=list[LedgerLine], summary="资金明细账 (a fund's ledger)")
async def fund_ledger(
    fund: domain.FundKind, session: Session, principal: CurrentPrincipal, compound_id: int, ref: str | None = None
) -> list[LedgerLine]:
    require_reader(principal, await place_of(session, compound_id))
    lines, balance = [], 0
    for entry_id, posted_at, description, line_ref, debit_fen, credit_fen in await queries.fund_lines(
        session, compound_id, FUND_ACCOUNTS[fund], ref
    ):
        balance += credit_fen - debit_fen  # funds are credit-normal
        lines.append(
            LedgerLine(
                entry_id=entry_id,
                posted_at=posted_at,
                description=description,
                ref=line_ref,
                debit_fen=debit_fen,
                credit_fen=credit_fen,
                balance_fen=balance,
            )
        )
    return lines


@router.post(
    "/funds/shared-development/deposits",
    status_code=201,
    response_model=MovementOut,
    summary="共享发展金存入",
    dependencies=MONEY,
)
async def development_deposit(
    body: MovementCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> MovementOut:
    return await service.development_fund(session, principal, body, "in", now)


@router.post(
    "/funds/shared-development/disbursements",
    status_code=201,
    response_model=MovementOut,
    summary="共享发展金支出",
    dependencies=MONEY,
)
async def development_disbursement(
    body: MovementCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> MovementOut:
    return await service.development_fund(session, principal, body, "out", now)


class ExpenseCreate(MovementCreate):
    model_config = ConfigDict(extra="forbid")

    part: str = Field(min_length=1, max_length=30, description="the pool part paying, e.g. governance")


@router.post(
    "/expenses",
    status_code=201,
    response_model=MovementOut,
    summary="资金池支出 (an expense from a part)",
    dependencies=MONEY,
)
async def create_expense(body: ExpenseCreate, now: Now, session: Session, principal: CurrentPrincipal) -> MovementOut:
    return await service.pool_expense(session, principal, body.part, body, now)


@router.get("/expenses", response_model=list[MovementOut], summary="资金池支出 (expenses)")
async def list_expenses(session: Session, principal: CurrentPrincipal, compound_id: int) -> list[MovementOut]:
    require_reader(principal, await place_of(session, compound_id))
    return [m for m in await service.movements(session, compound_id, domain.FundKind.fund_pool) if m.direction == "out"]


@router.get("/funds/{fund}/movements", response_model=list[MovementOut], summary="资金收支 (a fund's movements)")
async def list_movements(
    fund: domain.FundKind, session: Session, principal: CurrentPrincipal, compound_id: int
) -> list[MovementOut]:
    require_reader(principal, await place_of(session, compound_id))
    return await service.movements(session, compound_id, fund)


@router.post(
    "/funds/maintenance/deposits",
    status_code=201,
    response_model=MovementOut,
    summary="维修资金缴存",
    dependencies=MONEY,
)
async def maintenance_deposit(
    body: MaintenanceDeposit, now: Now, session: Session, principal: CurrentPrincipal
) -> MovementOut:
    return await service.maintenance_deposit(session, principal, body, now)


@router.post(
    "/funds/maintenance/withdrawals",
    status_code=201,
    response_model=MovementOut,
    summary="维修资金使用",
    dependencies=MONEY,
)
async def maintenance_withdrawal(
    body: MaintenanceWithdrawal, now: Now, session: Session, principal: CurrentPrincipal
) -> MovementOut:
    return await service.maintenance_withdrawal(session, principal, body, now)


@router.get(
    "/shared-property-visits", response_model=list[VisitChargeOut], summary="共享物业上门服务收费 (with the saving)"
)
async def list_visits(session: Session, principal: CurrentPrincipal, compound_id: int) -> list[VisitChargeOut]:
    require_reader(principal, await place_of(session, compound_id))
    rows = await queries.visit_charges_of(session, compound_id)
    return [
        VisitChargeOut(
            visit_id=r.visit_id,
            order_id=r.order_id,
            compound_id=r.compound_id,
            household_id=r.household_id,
            category=r.category,
            provider=r.provider,
            price_fen=r.price_fen,
            market_price_fen=r.market_price_fen,
            saving_fen=r.market_price_fen - r.price_fen,
            charge_to=r.charge_to,
            bill_id=r.bill_id,
            completed_at=r.completed_at,
        )
        for r in rows
    ]
