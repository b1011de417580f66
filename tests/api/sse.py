"""Server-Sent Events in the stories: a running app on a loopback port (httpx's ASGI transport
buffers streams), an SSE body parsed into frames, and the next frame that carries an event."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """The running dispatch app on a loopback port (its lifespan is the platform's)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    task = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn offers no event for "listening"  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True
        await task


@dataclass
class Frame:
    id: str | None = None
    event: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)


async def frames(response: httpx.Response) -> AsyncIterator[Frame]:
    """Parse an SSE body into frames (comment-only frames too, so heartbeats are visible)."""
    frame = Frame()
    async for line in response.aiter_lines():
        if line == "":
            yield frame
            frame = Frame()
        elif line.startswith(":"):
            frame.comments.append(line[1:].strip())
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "id":
                frame.id = value
            elif name == "event":
                frame.event = value
            elif name == "data":
                frame.data = json.loads(value)


async def next_event(stream: AsyncIterator[Frame], within_s: float = 15.0) -> Frame:
    """The next frame that carries an event; the bound only keeps a broken stream from hanging."""

    async def first() -> Frame:
        async for frame in stream:
            if frame.event is not None:
                return frame
        raise AssertionError("stream ended")

    return await asyncio.wait_for(first(), timeout=within_s)
