"""create_app for the gateway: token check, rate limit, request ids, routing, one OpenAPI."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.gateway.openapi import DOCS_ASSETS, DOCS_ASSETS_URL, merge_openapi
from services.gateway.proxy import forward, relay
from services.gateway.ratelimit import RateLimiter
from services.gateway.webapp import DEFAULT_DIST, mount_webapp
from shared.auth import TokenCodec, optional_principal
from shared.clock import Clock
from shared.error_codes import ErrorCode
from shared.error_handlers import error_response, install_error_handlers
from shared.events.asyncapi import asyncapi_document
from shared.http import RequestContextMiddleware, client_address, forwarded_chain
from shared.observability import Metrics
from shared.openapi import operation_id
from shared.settings import SERVICES, Settings
from shared.tracing import tracer_for

OPENAPI_CACHE_SECONDS = 30.0


class GatewayRuntime:
    def __init__(self, settings: Settings) -> None:
        self.name = "gateway"
        self.settings = settings
        self.metrics = Metrics("gateway")
        self.tracer = tracer_for("gateway", settings.otel_exporter_otlp_endpoint)
        self.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
        self.trusted_proxies = settings.trusted_proxy_networks()
        # The same clock a service has (runtime.clock), so tokens expire alike everywhere.
        self.clock = Clock(timedelta(seconds=settings.clock_offset_seconds))
        self.upstreams = {s: settings.upstream_url(s) for s in SERVICES}
        # Probes and the OpenAPI merge use `client`; requests are forwarded through `session`
        # (services/gateway/proxy.py), or through `client` where no session was opened (tests
        # that put an in-process ASGI transport there).
        self.client: httpx.AsyncClient | None = None
        self.session: aiohttp.ClientSession | None = None
        self.draining = False
        self._openapi: tuple[float, dict[str, Any]] | None = None
        # Set with `draining`: open streams through the gateway end on it.
        self.drained = asyncio.Event()

    def begin_draining(self) -> None:
        self.draining = True
        self.drained.set()


def create_app(settings: Settings, web_dist: Path = DEFAULT_DIST) -> FastAPI:
    """The gateway: its own ops and documentation routes, the proxy to the four services, and
    the residents' web app behind everything else."""
    runtime = GatewayRuntime(settings)
    app = _app(runtime)
    _ops_routes(app, runtime)
    _doc_routes(app, runtime)
    _proxy_routes(app, runtime)
    # Last: the residents' web app answers every other GET (client routes fall back to index.html).
    mount_webapp(app, web_dist)
    return app


def _app(runtime: GatewayRuntime) -> FastAPI:
    """The bare app: lifespan (the upstream client, draining on shutdown), tokens, errors and
    the request context every service has."""
    settings = runtime.settings

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Idle upstream connections are dropped after 2 s, before the services' servers close them
        # (uvicorn: 5 s): reusing one the server is closing that instant fails the request (503).
        limits = httpx.Limits(max_connections=500, max_keepalive_connections=100, keepalive_expiry=2.0)
        runtime.client = httpx.AsyncClient(limits=limits)
        runtime.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=500, limit_per_host=0, keepalive_timeout=2.0),
            # The answer passes through as the service sent it (compressed or not), and no
            # caller's cookies are kept for the next one.
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        try:
            yield
        finally:
            runtime.begin_draining()
            await runtime.session.close()
            await runtime.client.aclose()
            if runtime.tracer is not None:
                await asyncio.to_thread(runtime.tracer.shutdown)

    app = FastAPI(
        title="Linli 邻里 API",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
        description="小区治理平台：登记 (registry)、派单 (dispatch)、收费 (billing)、议事 (deliberation)。\n\n"
        "事件（AsyncAPI 3.0）：[/asyncapi.json](/asyncapi.json) (the services' events). "
        "错误码见各接口的 `x-error-codes` (each operation's error codes).",
    )
    app.state.runtime = runtime
    app.state.tokens = TokenCodec(settings, clock=lambda: runtime.clock())
    install_error_handlers(app)
    app.add_middleware(
        RequestContextMiddleware,
        metrics=runtime.metrics,
        tracer=runtime.tracer,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    return app


def _ops_routes(app: FastAPI, runtime: GatewayRuntime) -> None:
    """Liveness, readiness (every service ready and not draining) and metrics."""

    @app.get("/healthz", tags=["ops"], summary="存活检查 (liveness)")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": "gateway"}

    @app.get("/readyz", tags=["ops"], summary="就绪检查：各服务均就绪 (readiness of every service)")
    async def readyz() -> JSONResponse:
        assert runtime.client is not None

        async def probe(service: str) -> str:
            try:
                answer = await runtime.client.get(runtime.upstreams[service] + "/readyz", timeout=5)  # type: ignore[union-attr]
            except httpx.HTTPError as exc:
                return f"error: {type(exc).__name__}"
            return "ok" if answer.status_code == 200 else f"not ready ({answer.status_code})"

        results = await asyncio.gather(*(probe(s) for s in SERVICES))
        checks = dict(zip(SERVICES, results, strict=True))
        ready = not runtime.draining and all(v == "ok" for v in checks.values())
        return JSONResponse(
            {
                "status": "ready" if ready else "not_ready",
                "service": "gateway",
                "draining": runtime.draining,
                "checks": checks,
            },
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def _doc_routes(app: FastAPI, runtime: GatewayRuntime) -> None:
    """One OpenAPI document merged from the gateway's and the services' (cached briefly), and its docs page."""

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        now = time.monotonic()
        if runtime._openapi is None or now - runtime._openapi[0] > OPENAPI_CACHE_SECONDS:
            runtime._openapi = (now, await _combined_openapi(app, runtime))
        return JSONResponse(runtime._openapi[1])

    # Swagger UI and ReDoc from the gateway itself, never a CDN: an intranet, an offline
    # rehearsal or a slow link to a foreign CDN still gets its docs.
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    events = asyncapi_document(app.version)

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> JSONResponse:
        # Generated from shared/contracts: the same for every replica, built once.
        return JSONResponse(events)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Linli 邻里 API",
            swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
            # No online validator badge: it would call a foreign host with the whole spec.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="Linli 邻里 API",
            redoc_js_url=f"{DOCS_ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )


def _over_limit(runtime: GatewayRuntime, request: Request) -> Response | None:
    """429 when the caller has used up their rate; refuses expired or forged tokens first
    (each service still authorises on its own)."""
    principal = optional_principal(request)
    caller = principal.caller_key if principal else f"ip:{client_address(request, runtime.trusted_proxies)}"
    wait = runtime.limiter.take(caller)
    if wait <= 0:
        return None
    retry = str(max(1, math.ceil(wait)))
    return error_response(
        429,
        ErrorCode.rate_limited,
        f"请求过于频繁，请 {retry} 秒后再试",
        f"Too many requests; retry in {retry}s",
        headers={"Retry-After": retry},
    )


def _proxy_routes(app: FastAPI, runtime: GatewayRuntime) -> None:
    """Every /api/v1/<service>/… request, and the Open311 root, forwarded to its service after the rate limit."""

    @app.api_route("/open311/v2/{path:path}", methods=["GET", "POST"], include_in_schema=False)
    async def open311(path: str, request: Request) -> Response:
        # Open311 GeoReport v2 clients (12345 hotlines, civic-issue apps) expect this root;
        # dispatch serves the facade under its own prefix.
        if refused := _over_limit(runtime, request):
            return refused
        return await _forward(
            runtime,
            runtime.upstreams["dispatch"],
            request,
            prefix="/api/v1/dispatch",
            forwarded_for=forwarded_chain(request, runtime.trusted_proxies),
            public_prefix="/open311/v2",
        )

    @app.api_route(
        "/api/v1/{area}/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
    )
    async def route(area: str, request: Request) -> Response:
        if area not in runtime.upstreams:
            return error_response(
                404,
                ErrorCode.not_found,
                f"没有名为 {area} 的服务",
                f"No service named {area!r}",
                {"services": list(SERVICES)},
            )
        if refused := _over_limit(runtime, request):
            return refused
        return await _forward(
            runtime,
            runtime.upstreams[area],
            request,
            forwarded_for=forwarded_chain(request, runtime.trusted_proxies),
            draining=runtime.drained,
        )


async def _forward(runtime: GatewayRuntime, base_url: str, request: Request, **options: Any) -> Response:
    """The request sent on to its service (proxy.py), through the session when there is one."""
    timeout_s = runtime.settings.upstream_timeout_seconds
    if runtime.session is not None:
        return await relay(runtime.session, base_url, request, timeout_s, **options)
    assert runtime.client is not None
    return await forward(runtime.client, base_url, request, timeout_s, **options)


async def _combined_openapi(app: FastAPI, runtime: GatewayRuntime) -> dict[str, Any]:
    from fastapi.openapi.utils import get_openapi

    own = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    assert runtime.client is not None

    async def fetch(service: str) -> tuple[str, dict[str, Any] | None]:
        try:
            answer = await runtime.client.get(runtime.upstreams[service] + "/openapi.json", timeout=5)  # type: ignore[union-attr]
            return service, answer.json() if answer.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return service, None

    docs = dict(await asyncio.gather(*(fetch(s) for s in SERVICES)))
    return merge_openapi(own, {s: d for s, d in docs.items() if d is not None})
