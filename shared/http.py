"""HTTP plumbing shared by every service: the unit-of-work route (one commit at the boundary,
idempotency keys in the same transaction) and the request middleware (request id, body limit,
metrics)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import idempotency, screening
from shared.auth import optional_principal
from shared.error_codes import ErrorCode
from shared.error_handlers import ERROR_RESPONSES, error_response
from shared.errors import LinliError
from shared.events.outbox import SESSION_FLAG
from shared.ids import uuid7
from shared.observability import Metrics, request_id_var, service_var
from shared.openapi import operation_id
from shared.tracing import Tracer, open_span, trace_var

access_log = logging.getLogger("linli.access")


class UnitOfWorkRoute(APIRoute):
    """Runs each endpoint in one database transaction, committed only when the response is a
    success, together with the Idempotency-Key record; nobody else commits."""

    # Whether a response may be kept under its Idempotency-Key and replayed.
    stores_responses: ClassVar[bool] = True

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # Every operation whose answer is kept under a key says so in OpenAPI, decided by the same
        # flag and methods that `run` below checks: the header is a parameter there, and the
        # `x-idempotency-key` extension says "honoured" or "required" (shared/openapi.py).
        methods = {m.upper() for m in kwargs.get("methods") or ()}
        if self.stores_responses and methods & idempotency.METHODS:
            dependencies = list(kwargs.get("dependencies") or ())
            declared = {getattr(d, "dependency", None) for d in dependencies}
            required = idempotency.required_key in declared
            if not required and idempotency.honoured_key not in declared:
                kwargs["dependencies"] = [*dependencies, Depends(idempotency.honoured_key)]
            kwargs["openapi_extra"] = {
                **(kwargs.get("openapi_extra") or {}),
                idempotency.OPENAPI_EXTENSION: "required" if required else "honoured",
            }
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Any]]:
        handler = super().get_route_handler()
        int_path = screening.int_parameter_names(_all_params(self.dependant, "path_params"))
        int_query = screening.int_parameter_names(_all_params(self.dependant, "query_params"))

        async def run(request: Request) -> Any:
            await screen_request(request, int_path, int_query)
            runtime = request.app.state.runtime
            sessionmaker = runtime.db.sessionmaker
            claim = await _idempotency_claim(request) if self.stores_responses else None
            if claim is not None:
                replay = await idempotency.claim_or_replay(
                    sessionmaker, claim, runtime.settings.idempotency_ttl_seconds
                )
                if replay is not None:
                    return replay
            async with sessionmaker() as session:
                request.state.session = session
                try:
                    response = await handler(request)
                    if response.status_code >= 400:
                        await session.rollback()
                    else:
                        if claim is not None:
                            await idempotency.complete(session, claim, response)
                        await session.commit()
                except BaseException:
                    await session.rollback()
                    if claim is not None:
                        # Shielded: a cancelled request must still free its key for the retry.
                        await asyncio.shield(idempotency.release(sessionmaker, claim))
                    raise
                if response.status_code >= 400:
                    if claim is not None:
                        # A refusal is not stored: the caller may fix the request and retry the key.
                        await idempotency.release(sessionmaker, claim)
                    return response
                if session.info.pop(SESSION_FLAG, False):
                    runtime.relay.wake()
                return response

        return run


class CredentialsRoute(UnitOfWorkRoute):
    """A route whose answers carry credentials (login, refresh, logout, password change): an
    Idempotency-Key is ignored, so no token is ever stored in plain text and replayed to whoever
    sends the same key again, and no cache may keep the answer (RFC 6749 5.1)."""

    stores_responses: ClassVar[bool] = False

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Any]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Any:
            response = await handler(request)
            response.headers["Cache-Control"] = "no-store"
            return response

        return run


def _all_params(dependant: Dependant, kind: str) -> list[Any]:
    """The route's parameters of one kind, its dependencies' included."""
    found: list[Any] = list(getattr(dependant, kind))
    for sub in dependant.dependencies:
        found.extend(_all_params(sub, kind))
    return found


async def screen_request(request: Request, int_path: set[str], int_query: set[str]) -> None:
    """Refuse, before any work, values no Linli field can hold (shared/screening.py)."""
    screening.screen_parameters({k: [v] for k, v in request.path_params.items()}, int_path, "path")
    query: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        query.setdefault(name, []).append(value)
    screening.screen_parameters(query, int_query, "query")
    content_type = request.headers.get("content-type", "")
    if request.method in ("POST", "PUT", "PATCH") and not content_type.startswith(
        ("multipart/", "application/x-www-form-urlencoded")
    ):
        body = await request.body()
        if body:
            screening.parse_json_body(body)


async def _idempotency_claim(request: Request) -> idempotency.Claim | None:
    key = request.headers.get(idempotency.HEADER)
    if request.method not in idempotency.METHODS or key is None:
        return None
    idempotency.validate_key(key)
    principal = optional_principal(request)
    caller = principal.caller_key if principal is not None else f"ip:{request.client.host if request.client else '-'}"
    return idempotency.Claim(caller, key, await idempotency.request_hash(request))


ProxyNetworks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def _is_trusted(address: str, trusted: ProxyNetworks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def forwarded_chain(request: Request, trusted: ProxyNetworks) -> list[str]:
    """The addresses a request passed through, client first, as far as they can be believed:
    X-Forwarded-For counts only when the direct peer is a trusted proxy (TRUSTED_PROXIES), and
    only from the right as long as each hop is itself trusted; anything a client wrote there
    itself is dropped."""
    peer = request.client.host if request.client else "-"
    if not _is_trusted(peer, trusted):
        return [peer]
    claimed = [
        hop.strip() for header in request.headers.getlist("x-forwarded-for") for hop in header.split(",") if hop.strip()
    ]
    chain = [peer]
    for hop in reversed(claimed):
        chain.insert(0, hop)
        if not _is_trusted(hop, trusted):
            break
    return chain


def client_address(request: Request, trusted: ProxyNetworks) -> str:
    """The real client's address (see forwarded_chain)."""
    return forwarded_chain(request, trusted)[0]


def service_router(prefix: str, tags: list[str], *, credentials: bool = False) -> APIRouter:
    """The router every service's api.py starts from; `credentials=True` for routes whose
    answers carry tokens (see CredentialsRoute)."""
    route_class = CredentialsRoute if credentials else UnitOfWorkRoute
    return APIRouter(
        prefix=prefix,
        tags=list(tags),
        route_class=route_class,
        responses=ERROR_RESPONSES,
        generate_unique_id_function=operation_id,
    )


def db_session(request: Request) -> AsyncSession:
    """The request's session, opened by UnitOfWorkRoute."""
    session: AsyncSession = request.state.session
    return session


Session = Annotated[AsyncSession, Depends(db_session)]


class RequestContextMiddleware:
    """Request id in and out, a cap on the body size, and request metrics (pure ASGI, so
    streamed responses pass through untouched)."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, max_body_bytes: int, max_upload_bytes: int, tracer: Tracer | None = None
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.tracer = tracer
        self.max_body = max_body_bytes
        self.max_upload = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = _refuse_request_line(scope)
        # Latin-1 never fails; a header that is not ASCII was refused just above.
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        # A refused request's own id may be the offending header: it gets a fresh one.
        request_id = (headers.get("x-request-id") if refusal is None else None) or str(uuid7())
        token = request_id_var.set(request_id)
        span = open_span(self.tracer, scope["method"], headers.get("traceparent"), server=True)
        trace_token = trace_var.set(span.context)
        service_token = service_var.set(self.metrics.service)
        start = time.perf_counter()
        status = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        limit = self.max_upload if headers.get("content-type", "").startswith("multipart/form-data") else self.max_body
        try:
            if refusal is not None:
                await error_response(
                    refusal.status_code, refusal.code, refusal.message, refusal.message_en, refusal.details
                )(scope, receive, send_with_id)
                return
            too_large = False
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > limit:
                too_large = True
            body_receive = receive
            if not too_large and length is None and scope["method"] in ("POST", "PUT", "PATCH"):
                # Chunked upload: read it here, bounded, and replay it to the app.
                chunks: list[bytes] = []
                size = 0
                more = True
                while more:
                    message = await receive()
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        too_large = True
                        break
                    chunks.append(chunk)
                    more = message.get("more_body", False)
                body = b"".join(chunks)
                sent = False

                async def replay() -> Message:
                    nonlocal sent
                    if sent:
                        return await receive()
                    sent = True
                    return {"type": "http.request", "body": body, "more_body": False}

                body_receive = replay
            if too_large:
                response = error_response(
                    413,
                    ErrorCode.payload_too_large,
                    f"请求体过大（上限 {limit} 字节）",
                    f"Request body too large (limit {limit} bytes)",
                )
                await response(scope, receive, send_with_id)
                return
            await self.app(scope, body_receive, send_with_id)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            self.metrics.requests.labels(scope["method"], path, str(status["code"])).inc()
            elapsed = time.perf_counter() - start
            self.metrics.latency.labels(scope["method"], path).observe(elapsed)
            duration_ms = round(elapsed * 1000, 1)
            access_log.info(
                "%s %s %d %.1fms",
                scope["method"],
                scope["path"],
                status["code"],
                duration_ms,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": path,
                    "status": status["code"],
                    "duration_ms": duration_ms,
                },
            )
            span.end(
                f"{scope['method']} {path}",
                {
                    "http.request.method": scope["method"],
                    "http.route": path,
                    "url.path": scope["path"],
                    "http.response.status_code": status["code"],
                    "linli.request_id": request_id,
                },
                failed=status["code"] >= 500,
            )
            trace_var.reset(trace_token)
            request_id_var.reset(token)
            service_var.reset(service_token)


# A control character other than tab (searched in C: a token is a few hundred bytes, every request).
_CONTROL_BYTE = re.compile(rb"[\x00-\x08\x0a-\x1f]")


def _refuse_request_line(scope: Scope) -> LinliError | None:
    """A request no route should see: a header that is not ASCII (RFC 9110 field values; the
    gateway could not forward it either), or a URL longer than any Linli link."""
    for name, value in scope["headers"]:
        if not (name.isascii() and value.isascii()) or _CONTROL_BYTE.search(value):
            shown = name.decode("latin-1")
            return screening.HeaderInvalid(
                f"请求头 {shown} 含有非 ASCII 字符或控制字符",
                f"Header {shown} holds a non-ASCII or control character",
                details={"header": shown.encode("ascii", "backslashreplace").decode()},
            )
    size = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b""))
    if size > screening.MAX_URL_BYTES:
        return screening.UrlTooLong(
            f"请求地址过长（上限 {screening.MAX_URL_BYTES} 字节）",
            f"URL too long (limit {screening.MAX_URL_BYTES} bytes)",
            details={"limit": screening.MAX_URL_BYTES, "size": size},
        )
    return None
