"""The one way a Linli service app is built: same middleware, errors, health, metrics, relay,
consumers and shutdown for every service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession

from shared import openapi
from shared.auth import TokenCodec
from shared.clock import Clock
from shared.db import Database
from shared.error_handlers import install_error_handlers
from shared.events.consumer import ConsumerRunner, EventHandlers, topics_to_create
from shared.events.outbox import SESSION_FLAG
from shared.events.relay import Relay
from shared.events.transport import Transport
from shared.http import RequestContextMiddleware
from shared.observability import Measure, Metrics, logging_as, read_measures
from shared.openapi import operation_id
from shared.settings import Settings
from shared.tracing import tracer_for
from shared.transports import transport_from_settings

log = logging.getLogger("linli.service")


@dataclass
class ServiceSpec:
    """What makes one service different from the others."""

    name: str
    title: str
    routers: Sequence[APIRouter]
    handlers: EventHandlers = field(default_factory=EventHandlers)
    # Runs once the app is up (e.g. the demo data of embedded mode).
    on_started: Callable[[ServiceRuntime], Awaitable[None]] | None = None
    # Periodic jobs (deadlines, re-queries): started with the relay, stopped with it.
    tickers: Sequence[Ticker] = ()
    # Business measures read from the service's tables at each scrape of /metrics.
    measures: Sequence[Measure] = ()


@dataclass(frozen=True)
class Ticker:
    """A periodic job of a service. `step` does one round (opening its own transactions, so
    work that is due lives in rows, not in memory: a restart loses none) and returns how many
    things it handled; an error is logged and the next round tries again."""

    name: str
    interval_s: float
    step: Callable[[ServiceRuntime], Awaitable[int]]


class ServiceRuntime:
    """A running service's parts, reachable from requests as request.app.state.runtime."""

    def __init__(self, spec: ServiceSpec, settings: Settings, transport: Transport | None) -> None:
        self.spec = spec
        self.name = spec.name
        self.settings = settings
        # The time every ticker, rule and session of this service sees; tests move it instead of sleeping.
        self.clock = Clock(timedelta(seconds=settings.clock_offset_seconds))
        self.db = Database(settings.database_url_for(spec.name), settings.db_pool_size, self.clock)
        self.owns_transport = transport is None
        self.transport = transport or transport_from_settings(settings, client_id=f"linli-{spec.name}")
        self.metrics = Metrics(spec.name)
        self.tracer = tracer_for(spec.name, settings.otel_exporter_otlp_endpoint)
        self.relay = Relay(
            spec.name, self.db, self.transport, self.metrics, settings.relay_batch_size, settings.relay_poll_interval_ms
        )
        self.consumer: ConsumerRunner | None = None
        if spec.handlers.topics():
            self.consumer = ConsumerRunner(
                spec.name,
                self.db,
                self.transport,
                spec.handlers,
                self.metrics,
                max_attempts=settings.consumer_max_attempts,
                backoff_base_ms=settings.consumer_backoff_base_ms,
                backoff_max_ms=settings.consumer_backoff_max_ms,
                batch_size=settings.consumer_batch_size,
                tracer=self.tracer,
            )
        self.draining = False
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        # One round of a ticker at a time in this process: a test's or a command's `tick()` can
        # land while the background loop runs the same step, and steps that check "done yet?"
        # before writing (the demo seeders) would both write.
        self._rounds = {t.name: asyncio.Lock() for t in spec.tickers}

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One transaction of background work (a ticker's round, a job's step): committed when
        the block ends, rolled back when it raises. If it emitted events, the relay is woken
        after the commit, so they leave now rather than at the next poll. (Requests have theirs
        from UnitOfWorkRoute, which does the same.)"""
        async with self.db.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        if session.info.pop(SESSION_FLAG, False):
            self.relay.wake()

    async def tick(self, name: str) -> int:
        """Run one round of the named ticker now (tests, and `linli` commands)."""
        ticker = next(t for t in self.spec.tickers if t.name == name)
        return await self._round(ticker)

    async def _round(self, ticker: Ticker) -> int:
        async with self._rounds[ticker.name]:
            return await ticker.step(self)

    async def _run_ticker(self, ticker: Ticker) -> None:
        while not self._stopping.is_set():
            try:
                await self._round(ticker)
            except Exception:
                log.exception("%s: ticker %s failed; retrying next round", self.name, ticker.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=ticker.interval_s)

    async def start(self) -> None:
        # The relay, consumer and tickers inherit the name: their log lines say which service.
        with logging_as(self.name):
            await self._start()

    async def _start(self) -> None:
        if self.owns_transport:
            await self.transport.start()
        await self.transport.ensure_topics(topics_to_create(self.name, self.spec.handlers))
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-relay"))
        if self.consumer is not None:
            self._tasks.append(asyncio.create_task(self.consumer.run(), name=f"{self.name}-consumer"))
        for ticker in self.spec.tickers:
            self._tasks.append(asyncio.create_task(self._run_ticker(ticker), name=f"{self.name}-{ticker.name}"))
        if self.spec.on_started is not None:
            await self.spec.on_started(self)

    def begin_draining(self) -> None:
        """From now on /readyz says not ready, so load balancers stop sending requests."""
        self.draining = True

    async def stop(self) -> None:
        """Finish the batch in hand, commit offsets, leave the group, then close."""
        with logging_as(self.name):
            await self._stop()

    async def _stop(self) -> None:
        self.begin_draining()
        self._stopping.set()
        if self.consumer is not None:
            self.consumer.stop()
        self.relay.stop()
        done, pending = (
            await asyncio.wait(self._tasks, timeout=self.settings.shutdown_timeout_seconds)
            if self._tasks
            else (set(), set())
        )
        for task in pending:
            task.cancel()
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.error("%s stopped with an error: %r", task.get_name(), task.exception())
        if self.owns_transport:
            await self.transport.stop()
        await self.db.dispose()
        if self.tracer is not None:
            # Blocks while the last batch of spans is sent (bounded by the exporter's timeout).
            await asyncio.to_thread(self.tracer.shutdown)

    def dead_tasks(self) -> list[str]:
        """Background tasks (relay, consumer, tickers) that have ended: they should run until stop()."""
        return [t.get_name() for t in self._tasks if t.done()]

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {"draining": "yes" if self.draining else "no"}
        for name, probe in (("database", self.db.ping), ("broker", self.transport.ping)):
            try:
                await asyncio.wait_for(probe(), timeout=3)
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"error: {type(exc).__name__}"
        if dead := self.dead_tasks():
            checks["background"] = "error: " + ", ".join(dead)
        return checks


def build_service_app(spec: ServiceSpec, settings: Settings, transport: Transport | None = None) -> FastAPI:
    """Create the FastAPI app of one service."""
    runtime = ServiceRuntime(spec, settings, transport)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=spec.title,
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        # `billing_post_payments`: stable ids for generated clients (shared/openapi.py).
        generate_unique_id_function=operation_id,
    )
    app.state.runtime = runtime
    # Token times follow the service clock (looked up at each call: tests replace runtime.clock).
    app.state.tokens = TokenCodec(settings, clock=lambda: runtime.clock())
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(
        RequestContextMiddleware,
        metrics=runtime.metrics,
        tracer=runtime.tracer,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    # The routers' routes themselves, not include_router: FastAPI builds an included router's
    # routes anew for every app that includes it (every field's validator, at the app's first
    # requests: seconds of CPU per app, paid by every test that starts a platform). The routes
    # are complete as their routers declare them (prefix, tags, error responses, operation ids),
    # so all the apps of a process share them.
    for router in (health_router(), *spec.routers):
        app.router.routes.extend(router.routes)
    openapi.install(app)
    return app


def health_router() -> APIRouter:
    """/healthz (alive), /readyz (database and broker reachable, not draining), /metrics."""
    router = APIRouter(tags=["ops"], generate_unique_id_function=operation_id)

    @router.get("/healthz", summary="存活检查 (liveness)")
    async def healthz(request: Request) -> JSONResponse:
        runtime: ServiceRuntime = request.app.state.runtime
        dead = runtime.dead_tasks()
        if dead and not runtime.draining:
            # The relay or consumer stopped for good: let the orchestrator restart the process.
            return JSONResponse({"status": "dead", "service": runtime.name, "stopped": dead}, status_code=503)
        return JSONResponse({"status": "ok", "service": runtime.name})

    @router.get("/readyz", summary="就绪检查 (readiness)")
    async def readyz(request: Request) -> JSONResponse:
        runtime: ServiceRuntime = request.app.state.runtime
        checks = await runtime.readiness()
        ready = not runtime.draining and all(v in ("ok", "no") for v in checks.values())
        body: dict[str, Any] = {"status": "ready" if ready else "not_ready", "service": runtime.name, "checks": checks}
        if runtime.consumer is not None:
            # Which partitions this replica owns now (empty until it has joined its group).
            body["consumer"] = {
                "group": runtime.name,
                "assignment": [f"{t}/{p}" for t, p in runtime.consumer.subscription.assignment()],
            }
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus 指标 (metrics)")
    async def metrics(request: Request) -> Response:
        runtime: ServiceRuntime = request.app.state.runtime
        with contextlib.suppress(Exception):
            runtime.metrics.outbox_backlog.set(await runtime.relay.backlog())
        if runtime.spec.measures:
            try:
                async with runtime.db.sessionmaker() as session:
                    await read_measures(runtime.metrics, runtime.spec.measures, session)
            except Exception:  # a scrape must answer even while the database is away
                log.warning("business measures not read", exc_info=True)
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
