"""The gateway streams a service's answer through as it comes (dispatch will push live tasks as
Server-Sent Events), propagates request ids and idempotency keys, and verifies tokens."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

from services.gateway.app import create_app as gateway_app
from shared.auth import Grant, Role, TokenCodec
from shared.settings import Settings


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fake_dispatch(release: asyncio.Event, seen: list[dict[str, str]]) -> FastAPI:
    """Stands in for the dispatch service: one SSE stream that waits before its second event."""
    app = FastAPI()

    @app.get("/api/v1/dispatch/stream")
    async def stream(request: Request) -> StreamingResponse:
        seen.append(dict(request.headers))

        async def events() -> AsyncIterator[bytes]:
            yield b'id: 1\nevent: offer\ndata: {"order_id": 17, "category": "plumbing"}\n\n'
            await release.wait()
            yield b"id: 2\nevent: reminder\ndata: {}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.post("/api/v1/dispatch/orders")
    async def order(request: Request) -> dict[str, str]:
        seen.append(dict(request.headers))
        return {"ok": "yes"}

    @app.api_route("/api/v1/dispatch/open311/v2/{path:path}", methods=["GET", "POST"])
    async def open311(path: str, request: Request) -> dict[str, str]:
        seen.append({**request.headers, "path": path, "query": request.url.query})
        return {"root": request.headers.get("x-forwarded-prefix", "")}

    return app


@contextlib.asynccontextmanager
async def serving(app: FastAPI, port: int) -> AsyncIterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    task = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn offers no event for "listening"  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def gateway_and_dispatch() -> AsyncIterator[tuple[str, asyncio.Event, list[dict[str, str]], Settings]]:
    release, seen = asyncio.Event(), list[dict[str, str]]()
    dispatch_port, gateway_port = _port(), _port()
    # billing points at a port nobody listens on, to show a service that is down.
    settings = Settings(dispatch_url=f"http://127.0.0.1:{dispatch_port}", billing_url=f"http://127.0.0.1:{_port()}")
    async with serving(fake_dispatch(release, seen), dispatch_port), serving(gateway_app(settings), gateway_port):
        yield f"http://127.0.0.1:{gateway_port}", release, seen, settings
        release.set()


async def test_an_sse_event_arrives_before_the_stream_ends(gateway_and_dispatch) -> None:  # type: ignore[no-untyped-def]
    base, release, seen, settings = gateway_and_dispatch
    token = TokenCodec(settings).issue(7, [Grant(Role.grid_worker, "grid", 12)])
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream", "X-Request-ID": "sse-1"}
    async with (
        httpx.AsyncClient(timeout=10) as client,
        client.stream("GET", f"{base}/api/v1/dispatch/stream", headers=headers) as answer,
    ):
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        lines = answer.aiter_lines()
        first = [await asyncio.wait_for(anext(lines), 5) for _ in range(3)]
        # The first event came through while the upstream is still holding the stream open.
        assert first == ["id: 1", "event: offer", 'data: {"order_id": 17, "category": "plumbing"}']
        assert not release.is_set()
        release.set()
        rest = [line async for line in lines]
        assert "id: 2" in rest
    assert seen[0]["x-request-id"] == "sse-1"
    assert seen[0]["authorization"] == f"Bearer {token}"  # services authorise on their own


async def test_idempotency_key_and_request_id_reach_the_service(gateway_and_dispatch) -> None:  # type: ignore[no-untyped-def]
    base, _, seen, _ = gateway_and_dispatch
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{base}/api/v1/dispatch/orders", json={}, headers={"Idempotency-Key": "order-0001"})
    assert answer.json() == {"ok": "yes"}
    assert seen[-1]["idempotency-key"] == "order-0001"
    assert seen[-1]["x-request-id"] == answer.headers["x-request-id"]  # generated at the gateway


async def test_forged_token_stops_at_the_gateway(gateway_and_dispatch) -> None:  # type: ignore[no-untyped-def]
    base, _, seen, _ = gateway_and_dispatch
    forged = TokenCodec(Settings(jwt_secret="someone-else-s-secret-of-32-chars!!")).issue(1, [Grant(Role.ops)])
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{base}/api/v1/dispatch/orders", json={}, headers={"Authorization": f"Bearer {forged}"}
        )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "token_invalid"
    assert seen == []  # never forwarded


async def test_a_service_that_is_down_gives_503_not_500(gateway_and_dispatch) -> None:  # type: ignore[no-untyped-def]
    base, _, _, _ = gateway_and_dispatch
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{base}/api/v1/billing/compounds/1")  # nothing listens on billing's port
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "upstream_unavailable"
    assert answer.headers["retry-after"] == "5"


async def test_an_open311_client_reaches_dispatch_with_its_api_key_and_learns_the_public_root(  # type: ignore[no-untyped-def]
    gateway_and_dispatch,
) -> None:
    base, _, seen, _ = gateway_and_dispatch
    async with httpx.AsyncClient() as client:
        # A spoofed prefix is replaced by the gateway's own public root.
        found = await client.get(f"{base}/open311/v2/discovery.json", headers={"X-Forwarded-Prefix": "http://evil"})
        filed = await client.post(f"{base}/open311/v2/requests.json", data={"api_key": "k" * 43, "service_code": "x"})
    assert found.json() == {"root": f"{base}/open311/v2"}
    assert filed.status_code == 200  # no Bearer token needed at the gateway: dispatch checks the key
    assert (seen[-1]["path"], seen[-1]["content-type"]) == ("requests.json", "application/x-www-form-urlencoded")


async def test_a_stream_through_the_gateway_ends_when_the_gateway_drains() -> None:
    """The gateway is restarted while a grid worker's stream runs through it (dispatch stays up
    and would hold the stream open for good): the gateway ends the stream itself."""
    release, seen = asyncio.Event(), list[dict[str, str]]()
    dispatch_port, gateway_port = _port(), _port()
    settings = Settings(dispatch_url=f"http://127.0.0.1:{dispatch_port}")
    gateway = gateway_app(settings)
    token = TokenCodec(settings).issue(7, [Grant(Role.grid_worker, "grid", 12)])
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    async with (
        serving(fake_dispatch(release, seen), dispatch_port),
        serving(gateway, gateway_port),
        httpx.AsyncClient(timeout=10) as client,
        client.stream("GET", f"http://127.0.0.1:{gateway_port}/api/v1/dispatch/stream", headers=headers) as answer,
    ):
        lines = answer.aiter_lines()
        assert await asyncio.wait_for(anext(lines), 5) == "id: 1"
        gateway.state.runtime.begin_draining()
        rest = await asyncio.wait_for(_drain(lines), 5)
        assert "id: 2" not in rest
        assert not release.is_set()
        release.set()


async def _drain(lines: AsyncIterator[str]) -> list[str]:
    return [line async for line in lines]
