"""Routes: bill-runs, bills, arrears, collection-rate."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from services.billing.bills import running, service
from services.billing.bills.domain import BillKind, BillStatus, PayerKind
from services.billing.bills.schemas import (
    ArrearsOut,
    BillOut,
    BillPage,
    BillReissue,
    BillRunCreate,
    BillRunOut,
    BillVoid,
    CollectionRateOut,
    RemindersCreate,
    RemindersOut,
)
from services.billing.keys import MONEY
from services.billing.rates.domain import RateScope
from shared.auth import CurrentPrincipal
from shared.clock import Now, Today
from shared.http import Session, service_router
from shared.pagination import DEFAULT_LIMIT, Limit
from shared.service_app import ServiceRuntime
from shared.spreadsheets import XLSX_RESPONSES, xlsx_response

router = service_router("/api/v1/billing", tags=["billing: bills"])


@router.post(
    "/bill-runs",
    status_code=201,
    response_model=BillRunOut,
    summary="开单 (issue a period's bills)",
    dependencies=MONEY,
)
async def create_bill_run(
    request: Request, body: BillRunCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> BillRunOut:
    # One compound per transaction of its own, so a street's run resumes where a crash stopped it.
    runtime: ServiceRuntime = request.app.state.runtime
    return await running.start_run(session, principal, body, now, transactions=runtime.transaction)


@router.get("/bill-runs/{run_id}", response_model=BillRunOut, summary="开单报告 (what a run issued)")
async def get_bill_run(run_id: int, session: Session, principal: CurrentPrincipal) -> BillRunOut:
    return await service.show_run(session, principal, run_id)


@router.get("/bills", response_model=BillPage, summary="账单 (bills by compound, household or dwelling)")
async def list_bills(
    session: Session,
    principal: CurrentPrincipal,
    compound_id: int | None = None,
    household_id: int | None = None,
    dwelling_id: int | None = None,
    kind: BillKind | None = None,
    status: BillStatus | None = None,
    period: str | None = None,
    unpaid_only: bool = False,
    limit: Limit = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0)] = 0,
    payer_kind: Annotated[
        PayerKind | None, Query(description="developer: the developer's bills (unsold, undelivered, before delivery)")
    ] = None,
) -> BillPage:
    return await service.list_bills(
        session,
        principal,
        compound_id=compound_id,
        household_id=household_id,
        dwelling_id=dwelling_id,
        kind=kind,
        status=status,
        period=period,
        unpaid_only=unpaid_only,
        limit=limit,
        offset=offset,
        payer_kind=payer_kind,
    )


@router.get("/bills/{bill_id}", response_model=BillOut, summary="账单及明细 (a bill with its lines)")
async def get_bill(bill_id: int, session: Session, principal: CurrentPrincipal) -> BillOut:
    return await service.show_bill(session, principal, bill_id)


@router.post("/bills/{bill_id}/void", response_model=BillOut, summary="作废未付账单 (void an unpaid bill)")
async def void_bill(bill_id: int, body: BillVoid, now: Now, session: Session, principal: CurrentPrincipal) -> BillOut:
    return await service.void_bill(session, principal, bill_id, body, now)


@router.post(
    "/bills/{bill_id}/reissue",
    status_code=201,
    response_model=BillOut,
    summary="重开已作废账单 (re-issue a voided fee bill after correction)",
    dependencies=MONEY,
)
async def reissue_bill(
    bill_id: int, body: BillReissue, now: Now, session: Session, principal: CurrentPrincipal
) -> BillOut:
    return await service.reissue_bill(session, principal, bill_id, body, now)


@router.get("/arrears", response_model=ArrearsOut, summary="欠费 (arrears per household, building or compound)")
async def get_arrears(
    today: Today,
    session: Session,
    principal: CurrentPrincipal,
    compound_id: int,
    by: str = "household",
    as_of: date | None = None,
) -> ArrearsOut:
    day = as_of or today
    return await service.arrears(session, principal, compound_id, by, day)


@router.get(
    "/arrears.xlsx",
    summary="欠费与账单表 (.xlsx: arrears by household and the bills)",
    response_class=Response,
    responses=XLSX_RESPONSES,
)
async def get_arrears_xlsx(
    today: Today, session: Session, principal: CurrentPrincipal, compound_id: int, as_of: date | None = None
) -> Response:
    day = as_of or today
    data = await service.arrears_workbook(session, principal, compound_id, day)
    name = f"arrears-{compound_id}-{day.isoformat()}.xlsx"
    return xlsx_response(data, name)


@router.get("/collection-rate", response_model=CollectionRateOut, summary="收取率 (collection rate of a period)")
async def get_collection_rate(
    session: Session,
    principal: CurrentPrincipal,
    scope_id: int,
    period: str,
    scope_kind: RateScope = RateScope.compound,
) -> CollectionRateOut:
    return await service.collection_rate(session, principal, scope_kind, scope_id, period)


@router.post(
    "/reminders",
    status_code=201,
    response_model=RemindersOut,
    summary="催缴提醒 (reminders as events, never a cut-off)",
)
async def send_reminders(
    body: RemindersCreate, today: Today, session: Session, principal: CurrentPrincipal
) -> RemindersOut:
    day = body.as_of or today
    return await service.remind(session, principal, body.compound_id, body.min_outstanding_fen, day)
