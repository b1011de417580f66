"""The Open311 GeoReport v2 facade (JSON), so 12345 hotlines and civic-issue apps can file and
follow orders: discovery.json, services.json, services/{code}.json, requests.json (GET and
POST) and requests/{id}.json. Requests are Linli orders. An unmodified GeoReport client files
with the spec's `api_key` (a key the community or street issued to that client for one place);
a Linli Bearer token works too. Errors come in GeoReport's form, a list of {code, description}.
The gateway serves it at /open311/v2/; keys are managed at /api/v1/dispatch/open311-keys."""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import and_

from services.dispatch.catalogue import service as catalogue
from services.dispatch.catalogue.models import CategoryRow
from services.dispatch.open311 import queries
from services.dispatch.open311 import schemas as s
from services.dispatch.open311 import service as keys
from services.dispatch.open311.domain import states_for, status_of
from services.dispatch.open311.models import ClientKey
from services.dispatch.orders import access, intake, reading
from services.dispatch.orders import schemas as order_schemas
from services.dispatch.orders.domain import Channel, OrderState
from services.dispatch.orders.models import Order
from shared.auth import CurrentPrincipal, Principal, optional_principal
from shared.clock import Now
from shared.errors import InvalidInput, LinliError, NotFound, Unauthorized
from shared.http import Session, UnitOfWorkRoute, service_router

SPEC = "http://wiki.open311.org/GeoReport_v2"


def georeport_error(status_code: int, description: str) -> JSONResponse:
    # GeoReport names a bad request 400; Linli's 422 means the same thing here.
    code = 400 if status_code == 422 else status_code
    return JSONResponse([s.Error(code=code, description=description).model_dump()], status_code=code)


class GeoReportRoute(UnitOfWorkRoute):
    """A Linli route whose errors answer in GeoReport's form, as its clients parse them (the
    transaction still rolls back first)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        run = super().get_route_handler()

        async def georeport(request: Request) -> Response:
            try:
                response: Response = await run(request)
            except LinliError as exc:
                return georeport_error(exc.status_code, f"{exc.message} ({exc.message_en})")
            except RequestValidationError as exc:
                wrong = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
                return georeport_error(400, f"请求参数有误 (invalid request): {wrong}")
            return response

        return georeport


router = service_router("/api/v1/dispatch/open311/v2", tags=["open311 GeoReport v2"])
router.route_class = GeoReportRoute
keys_router = service_router("/api/v1/dispatch", tags=["open311 GeoReport v2"])


def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat()


@router.get("/discovery.json", response_model=s.Discovery, summary="GeoReport: 服务发现 (discovery)")
async def discovery(request: Request) -> s.Discovery:
    # Behind the gateway the public root comes in x-forwarded-prefix; called directly, it is this router's.
    root = request.headers.get("x-forwarded-prefix") or str(request.url).removesuffix("/discovery.json")
    return s.Discovery(
        changeset="2026-11-25T00:00:00Z",
        contact="所在社区或街道（发放 api_key 的单位）(the community or street that issued your api_key)",
        key_service="向小区所在社区或街道申请 api_key (ask the community or street for an api_key)",
        endpoints=[
            {
                "specification": SPEC,
                "url": root,
                "changeset": "2026-11-25T00:00:00Z",
                "type": "production",
                "formats": ["application/json"],
            }
        ],
    )


async def _service(session: Any, code: str) -> CategoryRow:
    """The active category a service code names; 404 for an unknown one, as the spec says."""
    row = await session.get(CategoryRow, code)
    if row is None or not row.active:
        raise NotFound(f"没有服务类别「{code}」", f"service_code {code!r} not found", details={"service_code": code})
    return row  # type: ignore[no-any-return]


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
    row = await _service(session, service_code)
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


def _coordinate(fields: dict[str, Any], name: str, bound: float) -> float | None:
    raw = fields.get(name)
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not -bound <= value <= bound:
        raise InvalidInput(
            f"{name} 须为 −{bound:g} 到 {bound:g} 之间的数", f"{name} must be a number within ±{bound:g}"
        )
    return value


async def _filer(request: Request, session: Any, fields: dict[str, Any]) -> tuple[Principal, ClientKey | None]:
    """The caller: a Linli token, else the client the GeoReport `api_key` names."""
    principal = optional_principal(request)
    if principal is not None:
        return principal, None
    api_key = str(fields.get("api_key") or request.query_params.get("api_key") or "")
    if not api_key:
        raise Unauthorized("需要 api_key（或 Bearer 令牌）", "api_key required (or a Bearer token)")
    key = await keys.client_of(session, api_key)
    return await keys.filer(session, key), key


@router.post(
    "/requests.json",
    status_code=status.HTTP_201_CREATED,
    response_model=list[s.Created],
    summary="GeoReport: 提交诉求 (create a service request; api_key or Bearer token)",
)
async def create_request(request: Request, now: Now, session: Session) -> list[s.Created]:
    fields = await _fields(request)
    principal, key = await _filer(request, session, fields)
    nested = fields.get("attribute")
    attributes: dict[str, Any] = dict(nested) if isinstance(nested, dict) else {}
    attributes.update({k[10:-1]: v for k, v in fields.items() if k.startswith("attribute[") and k.endswith("]")})
    code = str(fields.get("service_code") or "")
    await _service(session, code)
    lat, long = _coordinate(fields, "lat", 90), _coordinate(fields, "long", 180)
    description = str(fields.get("description") or "").strip()
    # GeoReport's address_id is the jurisdiction's own address id: Linli's household.
    address_id = str(fields.get("address_id") or "")
    household_id = fields.get("household_id") or (int(address_id) if address_id.isdigit() else None)
    compound_id = fields.get("compound_id") or None
    if household_id is None and compound_id is None and key is not None and key.place_kind == "compound":
        compound_id = key.place_id
    place = fields.get("address_string") or (f"坐标 {lat},{long}" if lat is not None and long is not None else None)
    try:
        body = order_schemas.OrderCreate(
            category=code,
            title=description[:40] or code or "诉求",
            description=description,
            household_id=household_id,
            compound_id=compound_id,
            place=place,
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
    order = await intake.create_order(session, body, principal, now, channel=Channel.open311)
    if key is not None:
        keys.require_within(key, order)
    order.lat, order.long = lat, long
    await session.flush()
    return [
        s.Created(
            service_request_id=order.id,
            service_notice="已受理，网格员将尽快分流处理 (received; the grid worker will triage it)",
            account_id=str(order.requester_person_id) if order.requester_person_id else None,
        )
    ]


async def _as_request(session: Any, order: Order, names: dict[str, str]) -> s.ServiceRequest:
    state = OrderState(order.state)
    due = await queries.next_due(session, order.id)
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
        lat=order.lat,
        long=order.long,
        media_url=order.photos[0] if order.photos else None,
    )


async def _visible(request: Request, session: Any) -> Any:
    """Which orders the caller may follow: a token's usual scope, or with an `api_key` the
    requests that client filed in its place."""
    principal = optional_principal(request)
    if principal is not None:
        return access.visible_to(principal)
    api_key = request.query_params.get("api_key")
    if not api_key:
        raise Unauthorized("需要 api_key（或 Bearer 令牌）", "api_key required (or a Bearer token)")
    key = await keys.client_of(session, api_key)
    column = {"compound": Order.compound_id, "community": Order.community_id, "street": Order.street_id}
    return and_(
        Order.channel == Channel.open311.value,
        Order.recorded_by_person_id == key.person_id,
        column[key.place_kind] == key.place_id,
    )


@router.get("/requests.json", response_model=list[s.ServiceRequest], summary="GeoReport: 查询诉求 (requests)")
async def list_requests(
    request: Request,
    session: Session,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: str | None = None,
    status_: Annotated[str | None, Query(alias="status", pattern="^(open|closed)$")] = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
) -> list[s.ServiceRequest]:
    orders = await queries.find_requests(
        session,
        await _visible(request, session),
        [i.strip() for i in service_request_id.split(",") if i.strip()] if service_request_id else None,
        service_code,
        states_for(status_) if status_ else None,
        start_date,
        end_date,
    )
    names = await reading.category_names(session)
    return [await _as_request(session, order, names) for order in orders]


@router.get("/requests/{service_request_id}.json", response_model=list[s.ServiceRequest], summary="GeoReport: 单个诉求")
async def get_request(service_request_id: str, request: Request, session: Session) -> list[s.ServiceRequest]:
    principal = optional_principal(request)
    if principal is not None:
        order = await reading.get_order(session, service_request_id)
        await access.require_view(session, principal, order)
    else:
        found = await queries.visible_request(session, await _visible(request, session), service_request_id)
        if found is None:
            raise NotFound(f"诉求 {service_request_id} 不存在", f"Request {service_request_id} not found")
        order = found
    return [await _as_request(session, order, await reading.category_names(session))]


# --- client keys: issued and revoked by the community or street that owns the place --------


@keys_router.post(
    "/open311-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=s.IssuedKey,
    summary="发放 Open311 密钥 (issue a client key; admins of the place)",
)
async def issue_key(body: s.ClientKeyCreate, now: Now, session: Session, principal: CurrentPrincipal) -> s.IssuedKey:
    return await keys.issue(session, body, principal, now)


@keys_router.get(
    "/open311-keys", response_model=list[s.ClientKeyOut], summary="Open311 密钥列表 (a place's client keys)"
)
async def list_keys(
    session: Session,
    principal: CurrentPrincipal,
    place_kind: Annotated[str, Query(pattern="^(compound|community|street)$")],
    place_id: Annotated[int, Query(gt=0)],
) -> list[s.ClientKeyOut]:
    return await keys.list_keys(session, principal, place_kind, place_id)


@keys_router.post(
    "/open311-keys/{key_id}/revoke", response_model=s.ClientKeyOut, summary="吊销 Open311 密钥 (revoke a client key)"
)
async def revoke_key(key_id: int, now: Now, session: Session, principal: CurrentPrincipal) -> s.ClientKeyOut:
    return await keys.revoke(session, key_id, principal, now)
