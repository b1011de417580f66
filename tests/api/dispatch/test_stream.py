"""Live tasks over Server-Sent Events: a new order reaches the grid worker's stream and an
offer the plumber's while their streams are open; a dropped connection resumes with
Last-Event-ID exactly where it stopped. Served by uvicorn on a real port (httpx's ASGI transport
buffers streams). How fast a frame arrives is measured in bench/, not here: a timed assertion
fails on a loaded CI machine, not on a slow platform."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
import pytest
import uvicorn

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, order_leak, xinghualing_cast
from tests.api.sse import frames, free_port, next_event, serving
from tests.helpers import ok


async def test_orders_and_offers_reach_the_streams_and_a_dropped_stream_resumes_exactly(platform: Platform) -> None:
    cast = await xinghualing_cast(platform)
    grid_worker = cast.grid_worker(platform)
    dispatch = platform.clients["dispatch"]
    async with serving(platform.apps["dispatch"]) as base, httpx.AsyncClient(base_url=base, timeout=10) as http:
        sse = {"Accept": "text/event-stream"}
        async with http.stream("GET", f"{API}/stream", headers={**grid_worker, **sse}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            stream = frames(response)
            hello = await anext(stream)
            assert hello.comments[0].startswith("connected")

            first = await order_leak(platform, cast)
            frame = await next_event(stream)
            assert (frame.event, frame.data["order_id"], frame.data["recipient"]) == (
                "create",
                first["id"],
                f"grid:{cast.home.grid_id}",
            )
            assert frame.data["state_label"] == "待分流"
            resume_at = frame.id
        assert resume_at is not None
        assert f"grid:{cast.home.grid_id}=" in resume_at

        # The phone loses its connection; meanwhile a second order comes in.
        second = await order_leak(platform, cast)
        async with http.stream(
            "GET", f"{API}/stream", headers={**grid_worker, **sse, "Last-Event-ID": resume_at}
        ) as response:
            stream = frames(response)
            missed = await next_event(stream)
            assert (missed.event, missed.data["order_id"]) == ("create", second["id"])
            # Nothing before it is sent again, nothing after it is invented.
            with contextlib.suppress(TimeoutError):
                extra = await next_event(stream, within_s=0.6)
                raise AssertionError(f"unexpected {extra}")

        # The plumber's stream gets the offer the moment the grid worker sends it.
        zhao = cast.member(platform, cast.zhao)
        ok(await dispatch.post(f"{API}/orders/{first['id']}/triage", json={"triage": "minor"}, headers=grid_worker))
        async with http.stream("GET", f"{API}/stream", headers={**zhao, **sse}) as response:
            stream = frames(response)
            await anext(stream)
            ok(
                await dispatch.post(
                    f"{API}/orders/{first['id']}/dispatch",
                    json={"mode": "assign", "party_member_id": cast.zhao["id"]},
                    headers=grid_worker,
                )
            )
            offer = await next_event(stream)
            assert (offer.event, offer.data["order_id"], offer.data["title"]) == ("offer", first["id"], "厨房水管漏水")
            assert offer.data["recipient"] == f"person:{cast.zhao['person_id']}"


async def test_an_idle_stream_sends_heartbeats_and_needs_a_token(platform: Platform) -> None:
    grid_worker = platform.token(Grant(Role.grid_worker, "grid", 1), person=2)
    async with serving(platform.apps["dispatch"]) as base, httpx.AsyncClient(base_url=base, timeout=10) as http:
        refused = await http.get(f"{API}/stream", headers={"Accept": "text/event-stream"})
        assert refused.status_code == 401
        async with http.stream("GET", f"{API}/stream", params={"heartbeat_s": 0.5}, headers=grid_worker) as response:
            stream = frames(response)
            await anext(stream)
            beat = await asyncio.wait_for(anext(stream), timeout=2)
            assert beat.comments == ["heartbeat"]


async def test_an_open_stream_ends_cleanly_when_the_service_shuts_down(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    """The grid worker's phone holds a stream open when the service is restarted: the stream
    ends at once with a word to reconnect, instead of holding shutdown for the whole grace
    period and being cancelled with a traceback."""
    app = platform.apps["dispatch"]
    grid_worker = platform.token(Grant(Role.grid_worker, "grid", 1), person=2)
    port = free_port()
    # As shared/server.py serves it: a 25-second grace period for requests in flight.
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    config.timeout_graceful_shutdown = 25
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    task = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn offers no event for "listening"  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    try:
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http,
            http.stream("GET", f"{API}/stream", headers=grid_worker) as response,
        ):
            stream = frames(response)
            connected = await anext(stream)
            assert connected.comments[0].startswith("connected")
            # SIGTERM, as serve_apps handles it: drain first, then stop accepting.
            app.state.runtime.begin_draining()
            server.should_exit = True
            rest = [frame async for frame in stream]
            assert rest[-1].comments == ["server restarting, reconnect with Last-Event-ID"]
        await asyncio.wait_for(task, timeout=5)
    finally:
        server.force_exit = server.should_exit = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(task, timeout=5)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
