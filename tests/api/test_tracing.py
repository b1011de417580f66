"""One request followed through every service: the W3C traceparent a caller sends (or one the
platform starts) and the request id travel into the events the request causes (CloudEvents'
distributed-tracing extension) and into the log lines of the consumers that apply them."""

from __future__ import annotations

import json
import logging

from sqlalchemy import select

from shared.events.envelope import CloudEvent
from shared.events.outbox import outbox
from shared.observability import JsonFormatter
from shared.tracing import TraceContext, trace_var
from tests.api.conftest import Platform

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


async def _last_event_headers(platform: Platform) -> dict[str, str]:
    async with platform.apps["registry"].state.runtime.db.sessionmaker() as session:
        row = (await session.execute(select(outbox.c.headers).order_by(outbox.c.id.desc()).limit(1))).one()
    return dict(json.loads(row.headers))


async def test_the_compound_a_request_registers_carries_its_trace_and_request_id(
    platform: Platform, community: int
) -> None:
    registry = platform.clients["registry"]
    answer = await registry.post(
        "/api/v1/registry/compounds",
        json={"name": "杏花岭小区", "kind": "old", "management_model": "self_managed", "community_id": community},
        headers={**platform.street_admin, "traceparent": CALLER},
    )
    assert answer.status_code == 201, answer.text
    headers = await _last_event_headers(platform)
    assert headers["ce_type"] == "linli.registry.compound.created.v1"
    assert headers["ce_requestid"] == answer.headers["x-request-id"]
    event_trace = TraceContext.parse(headers["ce_traceparent"])
    assert event_trace is not None
    # Same trace; the registry's own span under the caller's.
    assert event_trace.trace_id == TRACE_ID
    assert event_trace.span_id != "00f067aa0ba902b7"


async def test_a_malformed_traceparent_starts_a_new_trace_instead_of_failing(
    platform: Platform, community: int
) -> None:
    answer = await platform.clients["registry"].post(
        "/api/v1/registry/compounds",
        json={
            "name": "邛崍集中居住区",
            "kind": "resettlement",
            "management_model": "self_managed",
            "community_id": community,
        },
        headers={**platform.street_admin, "traceparent": "00-" + "0" * 32 + "-00f067aa0ba902b7-01"},
    )
    assert answer.status_code == 201, answer.text
    event_trace = TraceContext.parse((await _last_event_headers(platform))["ce_traceparent"])
    assert event_trace is not None
    assert event_trace.trace_id != "0" * 32


def test_a_consumer_log_line_names_the_event_the_request_and_the_trace() -> None:
    from shared.events.consumer import applying

    event = CloudEvent(
        type="linli.registry.compound.created.v1",
        source="/linli/registry",
        subject="7",
        data={},
        extensions={"requestid": "req-1", "traceparent": CALLER},
    )
    record = logging.LogRecord("linli.consumer", logging.INFO, __file__, 1, "applied", None, None)
    with applying(event):
        line = json.loads(JsonFormatter("dispatch").format(record))
    assert (line["event_id"], line["request_id"], line["trace_id"]) == (event.id, "req-1", TRACE_ID)
    assert line["span_id"] != "00f067aa0ba902b7"
    assert trace_var.get() is None  # nothing leaks into the next event


def test_an_access_line_has_its_fields() -> None:
    record = logging.LogRecord("linli.access", logging.INFO, __file__, 1, "GET /x 200 1.5ms", None, None)
    record.__dict__.update(method="GET", path="/x", route="/x", status=200, duration_ms=1.5)
    line = json.loads(JsonFormatter("gateway").format(record))
    assert {k: line[k] for k in ("service", "method", "path", "status", "duration_ms")} == {
        "service": "gateway",
        "method": "GET",
        "path": "/x",
        "status": 200,
        "duration_ms": 1.5,
    }


async def test_the_metrics_say_what_was_published_how_old_it_was_when_applied_and_what_lags(
    platform: Platform, community: int
) -> None:
    """An operator's view of one compound registered: the registry counts the event it published
    by type (the business measure), billing how old it was when applied and its lag per topic
    and consumer group."""
    compound = {"name": "杏花岭小区", "kind": "old", "management_model": "self_managed", "community_id": community}
    created = await platform.clients["registry"].post(
        "/api/v1/registry/compounds", json=compound, headers=platform.street_admin
    )
    assert created.status_code == 201, created.text

    applied = 'linli_event_age_seconds_count{type="linli.registry.compound.created.v1"} 1.0'
    # The lag is measured after the batch commits, a moment after the event was applied.
    caught_up = 'linli_consumer_lag{group="billing",topic="registry.events"} 0.0'

    async def applied_in_billing() -> bool:
        text = (await platform.clients["billing"].get("/metrics")).text
        return applied in text and caught_up in text

    assert await platform.eventually(applied_in_billing)
    registry = (await platform.clients["registry"].get("/metrics")).text
    assert 'linli_relay_published_total{type="linli.registry.compound.created.v1"} 1.0' in registry
