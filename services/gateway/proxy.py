"""Forwarding a request to its service and streaming the answer back (SSE included).

The gateway forwards with an aiohttp session (`relay`): its C parser and lean pool cost about
0.3 ms of CPU per request where httpx cost about 2 ms (bench/README.md, bench/dispatch), and
the gateway does little else. `forward` does the same with an httpx client; the tests that run
the gateway in-process over ASGI transports (no sockets) use it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator
from urllib.parse import quote_from_bytes

import aiohttp
import httpx
import yarl
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from shared.error_codes import ErrorCode
from shared.error_handlers import error_response
from shared.observability import request_id_var
from shared.tracing import current_traceparent

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


# An answer with a Content-Length up to this size is read whole and sent on with its length (one
# plain response); longer ones, and those without a length (exports, SSE), stream through.
BUFFERED_UP_TO_BYTES = 256 * 1024


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


def _request_headers(
    request: Request, forwarded_for: list[str] | None, public_prefix: str | None
) -> list[tuple[str, str]]:
    """The client's headers less the hop-by-hop ones, with the gateway's request id, trace
    context, public prefix and believable forwarding chain in place of any the client sent."""
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED]
    headers.append(("x-request-id", request_id_var.get() or ""))
    # The service's span is a child of the gateway's (tracestate, if any, passes through as sent).
    if (traceparent := current_traceparent()) is not None:
        headers.append(("traceparent", traceparent))
    if public_prefix is not None:
        headers.append(("x-forwarded-prefix", f"{request.url.scheme}://{request.url.netloc}{public_prefix}"))
    chain = forwarded_for if forwarded_for is not None else ([request.client.host] if request.client else [])
    if chain:
        headers.append(("x-forwarded-for", ", ".join(chain)))
    return headers


async def relay(
    session: aiohttp.ClientSession,
    base_url: str,
    request: Request,
    timeout_s: float,
    prefix: str = "",
    forwarded_for: list[str] | None = None,
    public_prefix: str | None = None,
    draining: asyncio.Event | None = None,
) -> Response:
    """`forward`, through an aiohttp session (what the running gateway uses)."""
    headers = _request_headers(request, forwarded_for, public_prefix)
    body = await request.body()
    wants_stream = "text/event-stream" in request.headers.get("accept", "")
    url = yarl.URL(base_url.rstrip("/") + upstream_target(request, prefix).decode("ascii"), encoded=True)
    timeout = aiohttp.ClientTimeout(total=None, connect=timeout_s, sock_read=None if wants_stream else timeout_s)
    try:
        answer = await session.request(
            request.method,
            url,
            headers=headers,
            data=body or None,
            timeout=timeout,
            allow_redirects=False,
            # Sent as the client sent it: no Content-Type guessed for a body without one.
            skip_auto_headers=("Content-Type",),
        )
    except (aiohttp.ClientError, TimeoutError) as exc:
        return _upstream_failed(exc)
    out_headers: dict[str, str] = {}
    for key, value in answer.headers.items():
        if key.lower() not in _NOT_PASSED_BACK:
            out_headers[key] = f"{out_headers[key]}, {value}" if key in out_headers else value
    if not wants_stream and answer.content_length is not None and answer.content_length <= BUFFERED_UP_TO_BYTES:
        try:
            content = await answer.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            return _upstream_failed(exc)
        finally:
            answer.release()
        return Response(content, status_code=answer.status, headers=out_headers)
    body_chunks: AsyncIterator[bytes] = answer.content.iter_any()
    if wants_stream and draining is not None:
        body_chunks = until_set(body_chunks, draining)
    return StreamingResponse(
        body_chunks, status_code=answer.status, headers=out_headers, background=BackgroundTask(answer.release)
    )


async def forward(
    client: httpx.AsyncClient,
    base_url: str,
    request: Request,
    timeout_s: float,
    prefix: str = "",
    forwarded_for: list[str] | None = None,
    public_prefix: str | None = None,
    draining: asyncio.Event | None = None,
) -> Response:
    """Send `request` to `base_url` + `prefix` + its path; the body streams both ways.
    `forwarded_for` is the believable chain of addresses (client first, this gateway's peer
    last): whatever X-Forwarded-For the client sent is replaced by it, never passed on. With
    `public_prefix` the service learns the public root it is served under (Open311's
    discovery.json names it). A stream ends when `draining` is set, so an open SSE connection
    does not hold the gateway's shutdown."""
    headers = _request_headers(request, forwarded_for, public_prefix)
    body = await request.body()
    wants_stream = "text/event-stream" in request.headers.get("accept", "")
    base = _base_url(base_url)
    upstream = client.build_request(
        request.method,
        base.copy_with(raw_path=base.raw_path.rstrip(b"/") + upstream_target(request, prefix)),
        headers=headers,
        content=body,
        timeout=httpx.Timeout(timeout_s, read=None) if wants_stream else httpx.Timeout(timeout_s),
    )
    try:
        answer = await client.send(upstream, stream=True)
    except httpx.HTTPError as exc:
        return _upstream_failed(exc)
    out_headers = {k: v for k, v in answer.headers.items() if k.lower() not in _NOT_PASSED_BACK}
    length = answer.headers.get("content-length", "")
    if not wants_stream and length.isdigit() and int(length) <= BUFFERED_UP_TO_BYTES:
        # Most answers (JSON): read whole, sent as one response with its length, without the
        # streaming response's task group and chunked encoding.
        try:
            content = b"".join([chunk async for chunk in answer.aiter_raw()])
        except httpx.HTTPError as exc:
            return _upstream_failed(exc)
        finally:
            await answer.aclose()
        return Response(content, status_code=answer.status_code, headers=out_headers)
    body_chunks = answer.aiter_raw()
    if wants_stream and draining is not None:
        body_chunks = until_set(body_chunks, draining)
    return StreamingResponse(
        body_chunks,
        status_code=answer.status_code,
        headers=out_headers,
        background=BackgroundTask(answer.aclose),
    )


_NOT_FORWARDED = HOP_BY_HOP | {"x-request-id", "x-forwarded-for", "x-forwarded-prefix", "traceparent"}
_NOT_PASSED_BACK = HOP_BY_HOP | {"x-request-id"}


@functools.lru_cache(maxsize=16)
def _base_url(base_url: str) -> httpx.URL:
    """A service's base URL, parsed once (there are four)."""
    return httpx.URL(base_url)


def _upstream_failed(exc: Exception) -> Response:
    """504 when the service did not answer in time, 503 when it could not be reached."""
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return error_response(
            504, ErrorCode.upstream_timeout, "后端服务响应超时，请稍后重试", "Upstream service timed out"
        )
    return error_response(
        503,
        ErrorCode.upstream_unavailable,
        "后端服务暂不可用，请稍后重试",
        "Upstream service unavailable",
        headers={"Retry-After": "5"},
    )


async def until_set(chunks: AsyncIterator[bytes], stop: asyncio.Event) -> AsyncIterator[bytes]:
    """`chunks` until they end or `stop` is set, whichever comes first."""
    stopped = asyncio.ensure_future(stop.wait())
    try:
        while True:
            following = asyncio.ensure_future(anext(chunks))
            await asyncio.wait({following, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not following.done():
                following.cancel()
                with contextlib.suppress(
                    asyncio.CancelledError, StopAsyncIteration, httpx.HTTPError, aiohttp.ClientError
                ):
                    await following
                return
            try:
                chunk = following.result()
            except StopAsyncIteration:
                return
            yield chunk
    finally:
        stopped.cancel()
