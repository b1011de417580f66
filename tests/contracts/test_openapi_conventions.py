"""What a client generator relies on in the combined OpenAPI, beyond the baseline's surface:
one operationId per operation, derived from its method and path (so as stable as the paths the
baseline guards), and schema titles equal to their component names (a generator names classes
after titles: two `Channel`s became one class and a payment schema vanished)."""

from __future__ import annotations

import collections
import re
from typing import Any

import pytest

from tests.contracts.openapi_surface import METHODS, combined_openapi


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return combined_openapi(tmp_path_factory.mktemp("openapi"))


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, item[m]) for p, item in doc["paths"].items() for m in METHODS if m in item]


def expected_id(method: str, path: str) -> str:
    service = "gateway"
    if path.startswith("/api/v1/"):
        service, _, path = path.removeprefix("/api/v1/").partition("/")
    words = [service, method, *(re.sub(r"\{(\w+)\}", r"by_\1", s) for s in path.split("/") if s)]
    return re.sub(r"[^0-9a-z]+", "_", "_".join(words).lower()).strip("_")


def test_every_operation_has_a_unique_operation_id_made_of_service_verb_and_path(doc: dict[str, Any]) -> None:
    ops = operations(doc)
    ids = [op.get("operationId") for _, _, op in ops]
    assert None not in ids
    assert [i for i, n in collections.Counter(ids).items() if n > 1] == []
    wrong = {f"{m.upper()} {p}": op["operationId"] for m, p, op in ops if op["operationId"] != expected_id(m, p)}
    assert wrong == {}
    by_route = {f"{m.upper()} {p}": op["operationId"] for m, p, op in ops}
    assert by_route["POST /api/v1/billing/payments"] == "billing_post_payments"
    assert (
        by_route["POST /api/v1/billing/payments/{payment_id}/reverse"] == "billing_post_payments_by_payment_id_reverse"
    )
    assert by_route["GET /healthz"] == "gateway_get_healthz"


def test_every_schema_title_is_its_component_name(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert {n: s.get("title") for n, s in schemas.items() if s.get("title") != n} == {}
    # The schemas the merge renamed (two services, one name, two shapes) are told apart by title too.
    assert schemas["billing_Channel"]["title"] == "billing_Channel"
    assert len({s["title"] for s in schemas.values()}) == len(schemas)


def test_the_idempotency_key_is_a_parameter_of_every_operation_that_honours_it(doc: dict[str, Any]) -> None:
    """Every POST keeps its answer under an Idempotency-Key (shared/http.py), except the routes
    whose answers carry credentials; money routes require it and answer 428 without it."""
    kinds: dict[str | None, set[str]] = {"required": set(), "honoured": set(), None: set()}
    for method, path, op in operations(doc):
        header = [p for p in op.get("parameters", []) if p["in"] == "header" and p["name"] == "Idempotency-Key"]
        kind = op.get("x-idempotency-key")
        kinds[kind].add(f"{method.upper()} {path}")
        if kind is None:
            assert header == [], path
            continue
        assert method == "post"
        assert len(header) == 1, path
        assert header[0].get("required", False) is (kind == "required"), path
        assert ("428" in op["responses"]) is (kind == "required"), path
    assert "POST /api/v1/billing/payments" in kinds["required"]
    assert "POST /api/v1/billing/payments/{payment_id}/refunds" in kinds["required"]
    assert "POST /api/v1/dispatch/orders" in kinds["honoured"]
    # Credentials are never stored and replayed: login and refresh ignore a key.
    assert {"POST /api/v1/registry/auth/token", "POST /api/v1/registry/auth/refresh"} <= kinds[None]
    assert not any(
        r.startswith("POST /api/v1/")
        for r in kinds[None]
        - {
            "POST /api/v1/registry/auth/token",
            "POST /api/v1/registry/auth/refresh",
            "POST /api/v1/registry/auth/logout",
            "POST /api/v1/registry/auth/password",
        }
    )


def test_every_live_stream_says_its_answer_is_an_event_stream(doc: dict[str, Any]) -> None:
    """A client (or schemathesis) that is told reads the stream as one instead of waiting for
    the end of a JSON body that never comes (shared/sse.py, EVENT_STREAM_RESPONSES)."""
    streams = {
        f"{m.upper()} {p}": sorted(op["responses"]["200"].get("content", {}))
        for m, p, op in operations(doc)
        if p.endswith("/stream")
    }
    assert streams == {
        "GET /api/v1/dispatch/stream": ["text/event-stream"],
        "GET /api/v1/registry/notifications/stream": ["text/event-stream"],
    }
