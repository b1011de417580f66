"""With OTEL_EXPORTER_OTLP_ENDPOINT set, the spans behind the log lines reach an OpenTelemetry
collector: here a real OTLP/HTTP receiver on loopback that decodes what the SDK's exporter
sends (protobuf ExportTraceServiceRequest), as a collector would."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.api.conftest import Platform

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


@dataclass(frozen=True)
class Received:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, Any]


class Collector(ThreadingHTTPServer):
    def __init__(self) -> None:
        self.spans: list[Received] = []
        self.paths: list[str] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                collector.paths.append(f"{self.path} {self.headers['Content-Type']}")
                request = ExportTraceServiceRequest.FromString(body)
                for resource_spans in request.resource_spans:
                    resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
                    for scope_spans in resource_spans.scope_spans:
                        for span in scope_spans.spans:
                            attributes = {a.key: a.value.string_value or a.value.int_value for a in span.attributes}
                            collector.spans.append(
                                Received(
                                    resource["service.name"],
                                    span.name,
                                    span.trace_id.hex(),
                                    span.span_id.hex(),
                                    span.parent_span_id.hex(),
                                    attributes,
                                )
                            )
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()
                self.wfile.write(b"")

            def log_message(self, *_: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings_overrides(collector: Collector) -> dict[str, Any]:
    return {"otel_exporter_otlp_endpoint": f"http://127.0.0.1:{collector.server_address[1]}"}


async def test_a_request_and_the_consumers_it_reaches_are_one_trace_at_the_collector(
    platform: Platform, community: int, collector: Collector
) -> None:
    registry = platform.clients["registry"]
    answer = await registry.post(
        "/api/v1/registry/compounds",
        json={"name": "杏花岭小区", "kind": "old", "management_model": "self_managed", "community_id": community},
        headers={**platform.street_admin, "traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"},
    )
    assert answer.status_code == 201, answer.text

    async def projected_in_billing() -> bool:
        seen = await platform.clients["billing"].get(
            f"/api/v1/billing/compounds/{answer.json()['id']}", headers=platform.street_admin
        )
        return seen.status_code == 200

    await platform.eventually(projected_in_billing)

    def exported() -> list[Received]:
        for app in platform.apps.values():
            app.state.runtime.tracer.flush()
        return [s for s in collector.spans if s.trace_id == TRACE_ID]

    async def both_exported() -> list[Received] | None:
        spans = await asyncio.to_thread(exported)
        services = {s.service for s in spans}
        return spans if {"linli-registry", "linli-billing"} <= services else None

    spans = await platform.eventually(both_exported)
    (request,) = [s for s in spans if s.name == "POST /api/v1/registry/compounds"]
    assert (request.service, request.parent_span_id) == ("linli-registry", CALLER_SPAN)
    assert request.attributes["http.response.status_code"] == 201
    assert request.attributes["linli.request_id"] == answer.headers["x-request-id"]
    applied = [
        s for s in spans if s.service == "linli-billing" and s.name == "apply linli.registry.compound.created.v1"
    ]
    assert len(applied) == 1, spans
    # Billing's work is a child of the registry request that caused it.
    assert applied[0].parent_span_id == request.span_id
    assert all(p.startswith("/v1/traces application/x-protobuf") for p in collector.paths)
