"""What every service's OpenAPI says the same way, derived from the routes themselves:
operationIds, the Idempotency-Key header where a key is required."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from shared import idempotency

API_PREFIX = "/api/v1/"
# A path parameter, `{payment_id}` or `{path:path}`: `by_payment_id` in an operationId.
_PARAMETER = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")


def operation_id(route: APIRoute, default_service: str = "gateway") -> str:
    """`<service>_<verb>_<resource>`, from the method and the path alone:
    `POST /api/v1/billing/payments/{payment_id}/reverse` → `billing_post_payments_by_payment_id_reverse`.

    Paths are part of the public API (tests/contracts guards them), so ids built from them are
    stable by construction: renaming or moving a route's function never renames a generated
    client's method, and two operations can never share an id."""
    path = route.path
    service = default_service
    if path.startswith(API_PREFIX):
        service, _, path = path.removeprefix(API_PREFIX).partition("/")
    words = [service, "_".join(sorted(m.lower() for m in route.methods or ()))]
    words.extend(_PARAMETER.sub(r"by_\1", segment) for segment in path.split("/") if segment)
    return re.sub(r"[^0-9A-Za-z]+", "_", "_".join(words)).strip("_").lower()


def annotate(doc: dict[str, Any]) -> dict[str, Any]:
    """What FastAPI cannot say from signatures alone, added to `doc` in place from the
    extensions the routes declare: where `x-idempotency-key` is "required", the header is a
    required parameter and 428 an answer."""
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            if operation.get(idempotency.OPENAPI_EXTENSION) == "required":
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "header" and parameter.get("name") == idempotency.HEADER:
                        parameter["required"] = True
                operation.setdefault("responses", {})["428"] = {
                    "description": "缺少 Idempotency-Key (Idempotency-Key required)",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
                }
    return doc


def install(app: FastAPI) -> None:
    """The app's /openapi.json with `annotate` applied (once; FastAPI caches the document)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        return annotate(generate())

    app.openapi = openapi  # type: ignore[method-assign]
