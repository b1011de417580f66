"""The Open311 GeoReport v2 facade (JSON), so 12345 hotlines and civic-issue apps can file and
follow orders: services.json, services/{code}.json, requests.json (GET and POST) and
requests/{id}.json. Requests are Linli orders, filed with the caller's token like any other.
The gateway serves it at /open311/v2/."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Query, Request, status
from pydantic import ValidationError
from sqlalchemy import select

from services.dispatch.catalogue import service as catalogue
from services.dispatch.open311 import schemas as s
from services.dispatch.open311.domain import states_for, status_of
from services.dispatch.orders import access, intake, reading
from services.dispatch.orders import schemas as order_schemas
from services.dispatch.orders.domain import Channel, OrderState
from services.dispatch.orders.models import Order
from services.dispatch.sla.models import Deadline
from shared.auth import CurrentPrincipal
from shared.errors import InvalidInput
from shared.http import Session, service_router

router = service_router("/api/v1/dispatch/open311/v2", tags=["open311 GeoReport v2"])


def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


@router.get("/services.json", response_model=list[s.Service], summary="GeoReport: 服务类别列表 (service list)")
async def services(session: Session) -> list[s.Service]:
    return [
        s.Service(
            service_code=c.code,
            service_name=c.name,
            description=c.name + (f"（{'、'.join(c.skills)}）" if c.skills else ""),
            metadata=bool(c.fields),
            type="realtime",
            keywords=",".join(c.skills),
            group=c.dispatch_mode_label,
        )
        for c in await catalogue.list_categories(session, include_inactive=False)
    ]


@router.get(
    "/services/{service_code}.json", response_model=s.ServiceDefinition, summary="GeoReport: 类别字段定义 (definition)"
)
async def service_definition(service_code: str, session: Session) -> s.ServiceDefinition:
    row = await catalogue.get_row(session, service_code, for_new_order=True)
    return s.ServiceDefinition(
        service_code=row.code,
        attributes=[
            s.Attribute(
                variable=True,
                code=f["name"],
                datatype="string",
                required=bool(f.get("required")),
                datatype_description="",
                order=i,
                description=f["label"],
            )
            for i, f in enumerate(row.fields, start=1)
        ],
    )


async def _fields(request: Request) -> dict[str, Any]:
    """GeoReport posts form fields (attribute[code]=…); JSON bodies are accepted too."""
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.json()
        if not isinstance(body, dict):
            raise InvalidInput("请求体须为 JSON 对象", "Body must be a JSON object")
        return body
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post(
    "/requests.json",
    status_code=status.HTTP_201_CREATED,
    response_model=list[s.Created],
    summary="GeoReport: 提交诉求 (create a service request)",
)
async def create_request(request: Request, session: Session, principal: CurrentPrincipal) -> list[s.Created]:
    fields = await _fields(request)
    nested = fields.get("attribute")
    attributes: dict[str, Any] = dict(nested) if isinstance(nested, dict) else {}
    attributes.update({k[10:-1]: v for k, v in fields.items() if k.startswith("attribute[") and k.endswith("]")})
    description = str(fields.get("description") or "").strip()
    try:
        body = order_schemas.OrderCreate(
            category=str(fields.get("service_code") or ""),
            title=description[:40] or str(fields.get("service_code") or "诉求"),
            description=description,
            household_id=fields.get("household_id") or None,
            compound_id=fields.get("compound_id") or None,
            place=fields.get("address_string") or None,
            fields=attributes,
            photos=[fields["media_url"]] if fields.get("media_url") else [],
            urgency=fields.get("urgency") or "normal",
        )
    except ValidationError as exc:
        raise InvalidInput(
            "诉求字段有误：" + "；".join(f"{'.'.join(map(str, e['loc']))} {e['msg']}" for e in exc.errors()),
            "Invalid service request",
            details=[{"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()],
        ) from None
    order = await intake.create_order(
        session, body, principal, request.app.state.runtime.clock(), channel=Channel.open311
    )
    return [
        s.Created(
            service_request_id=order.id,
            service_notice="已受理，网格员将尽快分流处理 (received; the grid worker will triage it)",
            account_id=str(order.requester_person_id) if order.requester_person_id else None,
        )
    ]


async def _as_request(session: Any, order: Order, names: dict[str, str]) -> s.ServiceRequest:
    state = OrderState(order.state)
    due = await session.scalar(
        select(Deadline.due_at)
        .where(Deadline.order_id == order.id, Deadline.fired_at.is_(None), Deadline.cancelled_at.is_(None))
        .order_by(Deadline.due_at)
        .limit(1)
    )
    return s.ServiceRequest(
        service_request_id=order.id,
        status=status_of(state),
        status_notes=state.label,
        service_name=names.get(order.category, order.category),
        service_code=order.category,
        description=order.description or order.title,
        agency_responsible=str(order.triage_note.get("department") or "社区网格员（群众点单—网格员派单—党员接单）"),
        service_notice=order.summary,
        requested_datetime=_time(order.submitted_at) or "",
        updated_datetime=_time(order.updated_at) or _time(order.submitted_at) or "",
        expected_datetime=_time(due),
        address=order.place or (f"住户 {order.household_id}" if order.household_id else None),
        address_id=str(order.household_id) if order.household_id else None,
        zipcode=None,
        lat=None,
        long=None,
        media_url=order.photos[0] if order.photos else None,
    )


@router.get("/requests.json", response_model=list[s.ServiceRequest], summary="GeoReport: 查询诉求 (requests)")
async def list_requests(
    session: Session,
    principal: CurrentPrincipal,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: str | None = None,
    status_: Annotated[str | None, Query(alias="status", pattern="^(open|closed)$")] = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
) -> list[s.ServiceRequest]:
    query = select(Order).where(access.visible_to(principal))
    if service_request_id:
        query = query.where(Order.id.in_([i.strip() for i in service_request_id.split(",") if i.strip()]))
    if service_code:
        query = query.where(Order.category == service_code)
    if status_:
        query = query.where(Order.state.in_(states_for(status_)))
    if start_date:
        query = query.where(Order.submitted_at >= start_date)
    if end_date:
        query = query.where(Order.submitted_at <= end_date)
    orders = (await session.scalars(query.order_by(Order.id.desc()).limit(1000))).all()
    names = await reading.category_names(session)
    return [await _as_request(session, order, names) for order in orders]


@router.get("/requests/{service_request_id}.json", response_model=list[s.ServiceRequest], summary="GeoReport: 单个诉求")
async def get_request(service_request_id: str, session: Session, principal: CurrentPrincipal) -> list[s.ServiceRequest]:
    order = await reading.get_order(session, service_request_id)
    await access.require_view(session, principal, order)
    return [await _as_request(session, order, await reading.category_names(session))]
