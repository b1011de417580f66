"""Forwarding a request to its service and streaming the answer back (SSE included)."""

from __future__ import annotations

from urllib.parse import quote_from_bytes

import httpx
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from shared.error_handlers import error_response
from shared.observability import request_id_var

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}


# Everything printable in a URL except space: what the client percent-encoded stays encoded.
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


def upstream_target(request: Request, prefix: str = "") -> bytes:
    """The path and query to ask the service for, exactly as the client encoded them: the decoded
    path could hold control characters (%00, %1D) that are not allowed in a URL, and decoding
    and re-encoding would turn %2F into a separator."""
    raw_path: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
    target = prefix.encode() + quote_from_bytes(raw_path, safe=_URL_SAFE).encode()
    query: bytes = request.scope.get("query_string", b"")
    if query:
        target += b"?" + quote_from_bytes(query, safe=_URL_SAFE).encode()
    return target


async def forward(
    client: httpx.AsyncClient, base_url: str, request: Request, timeout_s: float, prefix: str = ""
) -> Response:
    """Send `request` to `base_url` + `prefix` + its path; the body streams both ways."""
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
    headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
    headers.append(("x-request-id", request_id_var.get() or ""))
    if request.client:
        headers.append(("x-forwarded-for", request.client.host))
    body = await request.body()
    wants_stream = "text/event-stream" in request.headers.get("accept", "")
    base = httpx.URL(base_url)
    upstream = client.build_request(
        request.method,
        base.copy_with(raw_path=base.raw_path.rstrip(b"/") + upstream_target(request, prefix)),
        headers=headers,
        content=body,
        timeout=httpx.Timeout(timeout_s, read=None) if wants_stream else httpx.Timeout(timeout_s),
    )
    try:
        answer = await client.send(upstream, stream=True)
    except httpx.TimeoutException:
        return error_response(504, "upstream_timeout", "后端服务响应超时，请稍后重试", "Upstream service timed out")
    except httpx.HTTPError:
        return error_response(
            503,
            "upstream_unavailable",
            "后端服务暂不可用，请稍后重试",
            "Upstream service unavailable",
            headers={"Retry-After": "5"},
        )
    out_headers = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP | {"x-request-id"}}
    return StreamingResponse(
        answer.aiter_raw(),
        status_code=answer.status_code,
        headers=out_headers,
        background=BackgroundTask(answer.aclose),
    )
