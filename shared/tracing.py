"""W3C Trace Context (traceparent) carried through requests, events and log lines, so one
resident's request can be followed through the gateway, the service it reached, the events it
caused (CloudEvents' distributed-tracing extension) and every consumer that applied them.

Always on: each request or applied event is a span of its own (a new span id under the caller's
trace id); the ids appear in every JSON log line as `trace_id` and `span_id`, so no tracing
backend is needed to follow a trace through the logs. With OTEL_EXPORTER_OTLP_ENDPOINT set, the
same spans (same ids) are also exported to an OpenTelemetry collector over OTLP/HTTP."""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span as OtelSpan

# version 00: trace id (32 hex, not all zero), parent id (16 hex, not all zero), flags (2 hex).
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


@dataclass(frozen=True)
class TraceContext:
    trace_id: str
    span_id: str
    flags: str = "01"

    @classmethod
    def new(cls) -> TraceContext:
        """The root of a new trace (a request that came without one)."""
        return cls(secrets.token_hex(16), secrets.token_hex(8))

    @classmethod
    def parse(cls, header: str | None) -> TraceContext | None:
        """The context a `traceparent` names, or None when it is absent or malformed (the
        specification says to ignore such a header and start afresh)."""
        match = _TRACEPARENT.match((header or "").strip().lower())
        if match is None or set(match[1]) == {"0"} or set(match[2]) == {"0"}:
            return None
        return cls(match[1], match[2], match[3])

    def child(self) -> TraceContext:
        """A span of this trace, its parent being this one."""
        return TraceContext(self.trace_id, secrets.token_hex(8), self.flags)

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"


trace_var: ContextVar[TraceContext | None] = ContextVar("trace", default=None)


def continue_trace(header: str | None) -> TraceContext:
    """The span of work that `header` (a caller's traceparent) asked for: a child of the
    caller's span, or the root of a new trace."""
    parent = TraceContext.parse(header)
    return parent.child() if parent is not None else TraceContext.new()


@contextlib.contextmanager
def in_span(context: TraceContext) -> Iterator[TraceContext]:
    token = trace_var.set(context)
    try:
        yield context
    finally:
        trace_var.reset(token)


def current_traceparent() -> str | None:
    context = trace_var.get()
    return None if context is None else context.traceparent


class Tracer:
    """One service's exporter: spans batched and sent to `endpoint`/v1/traces (OTLP/HTTP, the
    collector's port 4318). One provider per service, not the global one: embedded mode runs
    five services in one process and each names itself."""

    def __init__(self, service: str, endpoint: str) -> None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        self.provider: TracerProvider = TracerProvider(resource=Resource.create({"service.name": f"linli-{service}"}))
        exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")
        self.provider.add_span_processor(BatchSpanProcessor(exporter))
        self.tracer = self.provider.get_tracer("linli")

    def flush(self) -> None:
        self.provider.force_flush()

    def shutdown(self) -> None:
        """Send what is batched and stop (at the service's stop)."""
        self.provider.shutdown()


def tracer_for(service: str, endpoint: str) -> Tracer | None:
    return Tracer(service, endpoint) if endpoint else None


class Span:
    """The work of one request or one applied event: its context (for logs and the events it
    emits) and, when exporting, the OpenTelemetry span carrying the same ids."""

    def __init__(self, context: TraceContext, otel: OtelSpan | None = None) -> None:
        self.context = context
        self._otel = otel

    def end(self, name: str, attributes: Mapping[str, Any], *, failed: bool = False) -> None:
        if self._otel is None:
            return
        from opentelemetry.trace import Status, StatusCode

        self._otel.update_name(name)
        self._otel.set_attributes(dict(attributes))
        if failed:
            self._otel.set_status(Status(StatusCode.ERROR))
        self._otel.end()


def open_span(tracer: Tracer | None, name: str, parent: str | None, *, server: bool) -> Span:
    """Start the span of work asked for by `parent` (a traceparent, possibly absent or bad)."""
    if tracer is None:
        return Span(continue_trace(parent))
    from opentelemetry import trace

    caller = TraceContext.parse(parent)
    context = None
    if caller is not None:
        remote = trace.SpanContext(
            int(caller.trace_id, 16),
            int(caller.span_id, 16),
            is_remote=True,
            trace_flags=trace.TraceFlags(int(caller.flags, 16)),
        )
        context = trace.set_span_in_context(trace.NonRecordingSpan(remote))
    kind = trace.SpanKind.SERVER if server else trace.SpanKind.CONSUMER
    otel = tracer.tracer.start_span(name, context=context, kind=kind)
    ids = otel.get_span_context()
    return Span(TraceContext(f"{ids.trace_id:032x}", f"{ids.span_id:016x}", f"{int(ids.trace_flags):02x}"), otel)
