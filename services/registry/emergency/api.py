"""Routes of emergency plans and mobilisation (应急动员预案)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status
from fastapi.responses import Response

from services.registry.emergency import activation, answering, closing, escalation, planning, reading, record
from services.registry.emergency import schemas as s
from services.registry.emergency.access import get_activation, get_plan, require_compound_staff
from services.registry.notifications.api import Routing
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.error_codes import ErrorCode
from shared.http import Session, service_router
from shared.openapi import errors
from shared.pagination import DEFAULT_LIMIT, Cursor, Limit
from shared.spreadsheets import XLSX_RESPONSES, xlsx_response

router = service_router("/api/v1/registry", tags=["应急动员 (emergency mobilisation)"])
CompoundId = Annotated[int, Query(gt=0, description="小区 id (compound id)")]


@router.post(
    "/emergency/plans",
    status_code=status.HTTP_201_CREATED,
    response_model=s.PlanOut,
    summary="制定应急预案：小区及以上工作人员 (write a compound's plan for one kind of incident)",
    openapi_extra=errors(ErrorCode.duplicate),
)
async def create_plan(body: s.PlanCreate, session: Session, principal: CurrentPrincipal) -> s.PlanOut:
    return await planning.create_plan(session, principal, body)


@router.get(
    "/emergency/plans",
    response_model=s.PlanPage,
    summary="小区的应急预案 (a compound's plans, for its staff)",
)
async def list_plans(
    compound_id: CompoundId,
    session: Session,
    principal: CurrentPrincipal,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.PlanPage:
    return await reading.list_plans(session, principal, compound_id, cursor, limit)


@router.get(
    "/emergency/plans/{plan_id}", response_model=s.PlanOut, summary="应急预案及呼叫名单 (a plan with its call list)"
)
async def get_plan_detail(plan_id: int, session: Session, principal: CurrentPrincipal) -> s.PlanOut:
    plan = await get_plan(session, plan_id)
    await require_compound_staff(session, principal, plan.compound_id, "查看应急预案")
    return await reading.plan_detail(session, plan)


@router.get(
    "/emergency/plans/{plan_id}/callable",
    response_model=list[s.CallableOut],
    summary="可列入呼叫名单的人：本小区党员、志愿者、楼栋长 (who the plan may call)",
)
async def list_callable(plan_id: int, session: Session, principal: CurrentPrincipal) -> list[s.CallableOut]:
    return await planning.list_callable(session, principal, plan_id)


@router.post(
    "/emergency/plans/{plan_id}/callees",
    status_code=status.HTTP_201_CREATED,
    response_model=s.PlanOut,
    summary="编入呼叫名单，各人定岗 (put people on the call list, each at a post)",
    openapi_extra=errors(ErrorCode.duplicate),
)
async def add_callees(plan_id: int, body: s.CallListAdd, session: Session, principal: CurrentPrincipal) -> s.PlanOut:
    return await planning.add_callees(session, principal, plan_id, body)


@router.post(
    "/emergency/plans/{plan_id}/activate",
    status_code=status.HTTP_201_CREATED,
    response_model=s.ActivationDetail,
    summary="启动预案（或演练），向呼叫名单发出点名 (activate: a roll call to the call list)",
    openapi_extra=errors(ErrorCode.already_active),
)
async def activate(
    plan_id: int, body: s.ActivationCreate, now: Now, session: Session, principal: CurrentPrincipal, routing: Routing
) -> s.ActivationDetail:
    started = await activation.activate(session, principal, routing, plan_id, body, now)
    return await reading.detail(session, started)


@router.get(
    "/emergency/activations",
    response_model=s.ActivationPage,
    summary="小区的应急响应记录，演练可单独筛选 (a compound's activations; drills filterable)",
)
async def list_activations(
    compound_id: CompoundId,
    session: Session,
    principal: CurrentPrincipal,
    drill: bool | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.ActivationPage:
    return await reading.list_activations(session, principal, compound_id, drill, cursor, limit)


@router.get(
    "/emergency/activations/counts",
    response_model=s.ActivationCounts,
    summary="应急响应次数：实战与演练分开计数 (real responses and drills counted apart)",
)
async def activation_counts(
    compound_id: CompoundId, session: Session, principal: CurrentPrincipal
) -> s.ActivationCounts:
    return await reading.counts(session, principal, compound_id)


@router.get(
    "/emergency/my-calls",
    response_model=list[s.MyCall],
    summary="我的应急点名 (the caller's own roll calls, newest first)",
)
async def my_calls(session: Session, principal: CurrentPrincipal, limit: Limit = DEFAULT_LIMIT) -> list[s.MyCall]:
    return await reading.my_calls(session, principal, limit)


@router.get(
    "/emergency/activations/{activation_id}",
    response_model=s.ActivationDetail,
    summary="应急响应实况：点名、确认、到岗与时间线 (the roll call and timeline, live)",
)
async def get_activation_detail(
    activation_id: int, session: Session, principal: CurrentPrincipal
) -> s.ActivationDetail:
    return await reading.readable_detail(session, principal, await get_activation(session, activation_id))


@router.get(
    "/emergency/activations/{activation_id}/record.xlsx",
    response_class=Response,
    responses=XLSX_RESPONSES,
    summary="应急响应记录导出 Excel (the record of a response as .xlsx)",
)
async def activation_record(activation_id: int, session: Session, principal: CurrentPrincipal) -> Response:
    detail = await reading.readable_detail(session, principal, await get_activation(session, activation_id))
    name = f"{'演练' if detail.drill else '应急响应'}记录-{detail.id}.xlsx"
    return xlsx_response(record.record_xlsx(detail), name)


@router.post(
    "/emergency/activations/{activation_id}/acknowledge",
    response_model=list[s.MyCall],
    summary="被点名人确认收到 (the called person acknowledges)",
    openapi_extra=errors(ErrorCode.illegal_transition),
)
async def acknowledge(activation_id: int, now: Now, session: Session, principal: CurrentPrincipal) -> list[s.MyCall]:
    await answering.acknowledge(session, principal, activation_id, now)
    return await reading.my_calls(session, principal, DEFAULT_LIMIT)


@router.post(
    "/emergency/activations/{activation_id}/at-post",
    response_model=list[s.MyCall],
    summary="被点名人到岗报到 (the called person reports at their post)",
    openapi_extra=errors(ErrorCode.illegal_transition),
)
async def report_at_post(
    activation_id: int, body: s.AtPostReport, now: Now, session: Session, principal: CurrentPrincipal
) -> list[s.MyCall]:
    await answering.report_at_post(session, principal, activation_id, body, now)
    return await reading.my_calls(session, principal, DEFAULT_LIMIT)


@router.post(
    "/emergency/activations/{activation_id}/escalate",
    response_model=s.ActivationDetail,
    summary="响应升级：小区→社区→街道，通知上一级工作人员 (raise the level; the next level's staff are told)",
    openapi_extra=errors(ErrorCode.top_level, ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def escalate(
    activation_id: int,
    body: s.ActivationEscalate,
    now: Now,
    session: Session,
    principal: CurrentPrincipal,
    routing: Routing,
) -> s.ActivationDetail:
    raised = await escalation.escalate(session, principal, routing, activation_id, body, now)
    return await reading.detail(session, raised)


@router.post(
    "/emergency/activations/{activation_id}/close",
    response_model=s.ActivationDetail,
    summary="结束响应并形成记录 (close the response with its summary)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def close(
    activation_id: int, body: s.ActivationClose, now: Now, session: Session, principal: CurrentPrincipal
) -> s.ActivationDetail:
    return await reading.detail(session, await closing.close(session, principal, activation_id, body, now))
