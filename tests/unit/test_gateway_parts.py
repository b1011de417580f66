"""Gateway pieces that need no network: rate limiting and the OpenAPI merge."""

from services.gateway.openapi import merge_openapi
from services.gateway.ratelimit import RateLimiter


def test_rate_limiter_allows_a_burst_then_says_how_long_to_wait() -> None:
    limiter = RateLimiter(per_minute=60, burst=3)
    assert [limiter.take("person:1", now=100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("person:1", now=100.0)
    assert 0.9 < wait <= 1.0
    assert limiter.take("person:2", now=100.0) == 0.0  # callers do not share a bucket
    assert limiter.take("person:1", now=101.5) == 0.0  # refilled at one a second


def test_openapi_merge_keeps_every_service_path_and_renames_clashing_schemas() -> None:
    gateway = {"openapi": "3.1.0", "info": {"title": "Linli"}, "paths": {"/healthz": {}}}
    registry = {
        "info": {"title": "registry"},
        "paths": {"/api/v1/registry/compounds": {"post": {"$ref": "#/components/schemas/CompoundOut"}}, "/healthz": {}},
        "components": {"schemas": {"CompoundOut": {"title": "r"}, "ErrorBody": {"title": "e"}}},
    }
    billing = {
        "info": {"title": "billing"},
        "paths": {"/api/v1/billing/compounds/{compound_id}": {"get": {"$ref": "#/components/schemas/CompoundOut"}}},
        "components": {"schemas": {"CompoundOut": {"title": "b"}, "ErrorBody": {"title": "e"}}},
    }
    doc = merge_openapi(gateway, {"registry": registry, "billing": billing})
    assert set(doc["paths"]) == {"/healthz", "/api/v1/registry/compounds", "/api/v1/billing/compounds/{compound_id}"}
    assert (
        doc["paths"]["/api/v1/billing/compounds/{compound_id}"]["get"]["$ref"]
        == "#/components/schemas/billing_CompoundOut"
    )
    # Titles are the merged names, so a client generator keeps both (it names classes by title).
    assert doc["components"]["schemas"]["CompoundOut"] == {"title": "CompoundOut"}
    assert doc["components"]["schemas"]["billing_CompoundOut"] == {"title": "billing_CompoundOut"}
    assert "billing_ErrorBody" not in doc["components"]["schemas"]  # identical shapes are shared
