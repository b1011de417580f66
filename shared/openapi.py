"""What every service's OpenAPI says the same way, derived from the routes themselves:
operationIds, the Idempotency-Key header where a key is required, and the error codes each
operation can answer (`x-error-codes`, and in its 4xx responses' descriptions)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from shared import idempotency
from shared.error_codes import ErrorCode

API_PREFIX = "/api/v1/"
ERROR_CODES = "x-error-codes"
# What any operation may answer: a malformed request, a missing or expired token, a rate limit.
EVERY_OPERATION = (ErrorCode.validation_error, ErrorCode.unauthorized, ErrorCode.token_invalid, ErrorCode.rate_limited)
# What honouring an Idempotency-Key adds; what requiring one adds to that.
WITH_KEY = (ErrorCode.idempotency_key_invalid, ErrorCode.idempotency_key_reused, ErrorCode.idempotency_key_in_progress)
WITH_REQUIRED_KEY = (ErrorCode.idempotency_key_required,)
# The codes that go with each status the service routers declare (shared/http.py).
BY_STATUS = {403: (ErrorCode.forbidden,), 404: (ErrorCode.not_found,)}

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


def errors(*codes: ErrorCode) -> dict[str, Any]:
    """The codes an operation answers beyond those every operation may (`openapi_extra=`):

    @router.post("/payments/{payment_id}/refunds", ..., openapi_extra=errors(ErrorCode.payment_reversed))
    """
    return {ERROR_CODES: sorted(codes)}


def annotate(doc: dict[str, Any]) -> dict[str, Any]:
    """What FastAPI cannot say from signatures alone, added to `doc` in place from the
    extensions the routes declare: where `x-idempotency-key` is "required", the header is a
    required parameter and 428 an answer; `x-error-codes` lists every code the operation may
    answer (declared, implied by the key and by its error responses) and each 4xx response's
    description names its codes."""
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                _annotate_operation(operation)
    return doc


def _annotate_operation(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    key = operation.get(idempotency.OPENAPI_EXTENSION)
    if key == "required":
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "header" and parameter.get("name") == idempotency.HEADER:
                parameter["required"] = True
    codes = {ErrorCode(c) for c in operation.get(ERROR_CODES, [])} | set(EVERY_OPERATION)
    codes |= set(WITH_KEY) if key else set()
    codes |= set(WITH_REQUIRED_KEY) if key == "required" else set()
    for status, implied in BY_STATUS.items():
        if str(status) in responses:
            codes |= set(implied)
    operation[ERROR_CODES] = sorted(codes)
    by_status: dict[int, list[ErrorCode]] = {}
    for code in sorted(codes):
        by_status.setdefault(code.status, []).append(code)
    for status, listed in sorted(by_status.items()):
        if status >= 500:
            continue
        answer = responses.setdefault(
            str(status),
            {
                "description": listed[0].message,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
            },
        )
        lines = "\n".join(f"- `{c}`: {c.message} ({c.message_en})" for c in listed)
        answer["description"] = f"{answer.get('description', '')}\n\n{lines}".strip()


def install(app: FastAPI) -> None:
    """The app's /openapi.json with `annotate` applied (once; FastAPI caches the document)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        return annotate(generate())

    app.openapi = openapi  # type: ignore[method-assign]
