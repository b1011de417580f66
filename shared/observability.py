"""Metrics (Prometheus, one registry per app), JSON logs with request and event ids, and the
/healthz, /readyz, /metrics endpoints."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy.ext.asyncio import AsyncSession

from shared.settings import SERVICES
from shared.tracing import trace_var

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
event_id_var: ContextVar[str | None] = ContextVar("event_id", default=None)
# The service a log line is written for. Embedded mode runs the gateway and four services in one
# process, so the name given to configure_logging ("linli") says nothing: each app's requests
# (RequestContextMiddleware) and each service's background tasks (relay, consumer, tickers: set
# in ServiceRuntime.start, inherited by the tasks it creates) set their own.
service_var: ContextVar[str | None] = ContextVar("service", default=None)


@contextlib.contextmanager
def logging_as(service: str) -> Iterator[None]:
    """Log lines written in this block, and by the tasks created in it, name `service`."""
    token = service_var.set(service)
    try:
        yield
    finally:
        service_var.reset(token)


def service_of(record: logging.LogRecord, default: str) -> str:
    """The service a record belongs to: the one in scope, else the one its logger is named
    after (`services.billing.…`, `linli.billing.…`), else the process's own name."""
    if (service := service_var.get()) is not None:
        return service
    parts = record.name.split(".")
    if len(parts) > 1 and parts[0] in ("services", "linli") and parts[1] in (*SERVICES, "gateway"):
        return parts[1]
    return default


class ServiceFilter(logging.Filter):
    """Stamps `record.service` for the formatters (JSON and plain text alike)."""

    def __init__(self, default: str) -> None:
        super().__init__()
        self.default = default

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = service_of(record, self.default)
        return True


class Metrics:
    """Every metric a Linli service exposes, in the app's own registry (embedded mode runs
    five apps in one process; a shared global registry would collide)."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "linli_http_requests_total", "HTTP requests handled", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "linli_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.outbox_backlog = Gauge("linli_outbox_backlog", "Outbox rows not yet published", registry=r)
        # By event type: the platform's business measures are its events (orders created and
        # escalated, offers lapsed, bills issued, payments booked, ballots cast …), so their rates
        # come from this counter with no instrumentation in the use cases.
        self.relay_published = Counter(
            "linli_relay_published_total", "Events published by the relay", ["type"], registry=r
        )
        self.relay_errors = Counter("linli_relay_errors_total", "Relay publish failures", registry=r)
        self.consumer_lag = Gauge(
            "linli_consumer_lag", "Records not yet consumed by this member", ["topic", "group"], registry=r
        )
        self.consumed = Counter("linli_events_consumed_total", "Events handled", ["type", "outcome"], registry=r)
        self.event_age = Histogram(
            "linli_event_age_seconds",
            "From an event's time to its application by this consumer",
            ["type"],
            registry=r,
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
        )
        self.dlq = Counter("linli_dlq_events_total", "Events parked on a dead-letter topic", ["topic"], registry=r)
        self.measures: dict[str, Gauge] = {}

    def measure(self, measure: Measure) -> Gauge:
        """The gauge of one of the service's business measures (made on first use)."""
        if measure.name not in self.measures:
            self.measures[measure.name] = Gauge(
                measure.name, measure.help, list(measure.labels), registry=self.registry
            )
        return self.measures[measure.name]


# A business measure's rows: label values (in the measure's label order) and the value.
MeasureRows = list[tuple[tuple[str, ...], float]]


@dataclass(frozen=True)
class Measure:
    """A business measure read from the service's own tables when /metrics is scraped (orders by
    state, bills by status, ballots cast, deliveries by channel and status …): what is true now,
    so a restart or a second replica changes nothing, where the event counter above gives rates.
    `read` is one aggregate query; keep it on indexed columns (it runs every scrape)."""

    name: str
    help: str
    labels: tuple[str, ...]
    read: Callable[[AsyncSession], Awaitable[MeasureRows]]


async def read_measures(metrics: Metrics, measures: Sequence[Measure], session: AsyncSession) -> None:
    for measure in measures:
        gauge = metrics.measure(measure)
        rows = await measure.read(session)
        if measure.labels:
            gauge.clear()  # a state no row is in any more shows no stale value
        for labels, value in rows:
            if labels:
                gauge.labels(*labels).set(value)
            else:
                gauge.set(value)


# What an access line carries as fields (RequestContextMiddleware passes them as `extra`), so a
# log pipeline can filter by status or route without parsing the message.
ACCESS_FIELDS = ("method", "path", "route", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, carrying the service, request id and event id in scope."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "service": getattr(record, "service", None) or service_of(record, self.service),
            "message": record.getMessage(),
        }
        if (rid := request_id_var.get()) is not None:
            out["request_id"] = rid
        if (eid := event_id_var.get()) is not None:
            out["event_id"] = eid
        if (trace := trace_var.get()) is not None:
            out["trace_id"] = trace.trace_id
            out["span_id"] = trace.span_id
        for name in ACCESS_FIELDS:
            if (value := record.__dict__.get(name)) is not None:
                out[name] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(service: str, level: str, as_json: bool) -> None:
    """Send logs to stderr, as JSON lines unless LOG_JSON=false."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ServiceFilter(service))
    if as_json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(service)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").setLevel("WARNING")
    logging.getLogger("aiokafka").setLevel("WARNING")
    logging.getLogger("httpx").setLevel("WARNING")  # the gateway logs its own access lines
