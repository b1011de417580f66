"""Mediation routes: file a case, the parties choose a mediator, sessions, the agreement, the
follow-up visit; the list, one case, the ledger as .xlsx and the figures of a place."""

from __future__ import annotations

from fastapi import Response, status

from services.dispatch.base import compound_projection
from services.dispatch.mediation import choosing, filing, follow_up, reading, sessions, settling, withdrawal
from services.dispatch.mediation import figures as f
from services.dispatch.mediation import schemas as s
from services.dispatch.mediation.domain import CaseState
from shared.auth import CurrentPrincipal, Role, require_staff_of
from shared.clock import Now
from shared.error_codes import ErrorCode
from shared.figures import Asked, area_of
from shared.http import Session, service_router
from shared.openapi import errors
from shared.pagination import DEFAULT_LIMIT, Cursor, Limit, int_cursor
from shared.spreadsheets import XLSX_RESPONSES, xlsx_response

router = service_router("/api/v1/dispatch", tags=["mediation 矛盾纠纷调解"])
STEP = errors(ErrorCode.illegal_transition, ErrorCode.stale_version)


@router.post(
    "/mediation/cases",
    status_code=status.HTTP_201_CREATED,
    response_model=s.MediationCaseDetail,
    summary="登记调解案件 (file a mediation case)",
)
async def file_case(
    body: s.MediationCaseCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> s.MediationCaseDetail:
    return await reading.detail(session, await filing.file_case(session, body, principal, now))


@router.get(
    "/mediation/cases", response_model=s.MediationCasePage, summary="调解案件列表，游标分页 (cases, newest first)"
)
async def list_cases(
    session: Session,
    principal: CurrentPrincipal,
    compound_id: int | None = None,
    state: CaseState | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.MediationCasePage:
    return await reading.list_cases(session, principal, compound_id, state, int_cursor(cursor), limit)


@router.get(
    "/mediation/cases.xlsx",
    summary="调解台账导出 Excel (the mediation ledger of a place as .xlsx)",
    response_class=Response,
    responses=XLSX_RESPONSES,
)
async def ledger(asked: Asked, session: Session, principal: CurrentPrincipal) -> Response:
    area = await area_of(session, compound_projection, asked.level, asked.place_id)
    require_staff_of(principal, area.place, Role.grid_worker)
    body = await f.ledger_xlsx(session, asked.level, asked.place_id, asked.start, asked.end)
    name = f"mediation-{asked.level}-{asked.place_id}-{asked.start}-{asked.end}.xlsx"
    return xlsx_response(body, name)


@router.get(
    "/mediation/figures",
    response_model=s.MediationFigures,
    summary="调解统计（默认近一年）(mediation figures of a place, the last year by default)",
)
async def mediation_figures(asked: Asked, session: Session, principal: CurrentPrincipal) -> s.MediationFigures:
    area = await area_of(session, compound_projection, asked.level, asked.place_id)
    require_staff_of(principal, area.place, Role.grid_worker)
    return await f.figures(session, asked.level, asked.place_id, asked.start, asked.end)


@router.get("/mediation/cases/{case_id}", response_model=s.MediationCaseDetail, summary="调解案件详情 (one case)")
async def read_case(case_id: int, session: Session, principal: CurrentPrincipal) -> s.MediationCaseDetail:
    return await reading.read_one(session, case_id, principal)


@router.post(
    "/mediation/cases/{case_id}/choices",
    response_model=s.MediationCaseDetail,
    summary="当事人选择调解人 (a party chooses the mediator)",
    openapi_extra=STEP,
)
async def choose(
    case_id: int, body: s.MediationChoiceIn, now: Now, session: Session, principal: CurrentPrincipal
) -> s.MediationCaseDetail:
    return await reading.detail(session, await choosing.choose(session, case_id, body, principal, now))


@router.post(
    "/mediation/cases/{case_id}/sessions",
    response_model=s.MediationCaseDetail,
    summary="记录调解会 (record a mediation session)",
    openapi_extra=STEP,
)
async def record_session(
    case_id: int, body: s.MediationSessionIn, now: Now, session: Session, principal: CurrentPrincipal
) -> s.MediationCaseDetail:
    return await reading.detail(session, await sessions.record_session(session, case_id, body, principal, now))


@router.post(
    "/mediation/cases/{case_id}/settlement",
    response_model=s.MediationCaseDetail,
    summary="记录调解协议或调解未成 (an agreement, or none reached)",
    openapi_extra=STEP,
)
async def settle(
    case_id: int, body: s.MediationSettleIn, now: Now, session: Session, principal: CurrentPrincipal
) -> s.MediationCaseDetail:
    return await reading.detail(session, await settling.settle(session, case_id, body, principal, now))


@router.post(
    "/mediation/cases/{case_id}/follow-up",
    response_model=s.MediationCaseDetail,
    summary="回访并结案 (the follow-up visit closes the case)",
    openapi_extra=STEP,
)
async def visit(
    case_id: int, body: s.MediationFollowUpIn, now: Now, session: Session, principal: CurrentPrincipal
) -> s.MediationCaseDetail:
    return await reading.detail(session, await follow_up.follow_up(session, case_id, body, principal, now))


@router.post(
    "/mediation/cases/{case_id}/withdrawal",
    response_model=s.MediationCaseDetail,
    summary="撤回调解申请 (withdraw the case)",
    openapi_extra=STEP,
)
async def withdraw(
    case_id: int, body: s.MediationWithdrawIn, now: Now, session: Session, principal: CurrentPrincipal
) -> s.MediationCaseDetail:
    return await reading.detail(session, await withdrawal.withdraw(session, case_id, body, principal, now))
