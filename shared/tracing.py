"""W3C Trace Context (traceparent) carried through requests, events and log lines, so one
resident's request can be followed through the gateway, the service it reached, the events it
caused (CloudEvents' distributed-tracing extension) and every consumer that applied them.

Always on and dependency-free: each request or applied event is a span of its own (a new span
id under the caller's trace id); the ids appear in every JSON log line as `trace_id` and
`span_id`. A tracing backend is not required to follow a trace through the logs."""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

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
