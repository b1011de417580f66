"""GET /api/v1/dispatch/stream: Server-Sent Events of the caller's live tasks (offers,
assignments, escalations, reminders), resumable with Last-Event-ID. Not a unit-of-work route:
a stream must not hold one transaction open, so each poll opens its own short session."""

from __future__ import annotations

import asyncio
import contextlib
import json
import weakref
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from services.dispatch.stream.service import (
    SESSION_FLAG,
    format_cursor,
    items_after,
    latest,
    parse_cursor,
    recipients_of,
)
from shared.auth import CurrentPrincipal
from shared.service_app import ServiceRuntime

router = APIRouter(prefix="/api/v1/dispatch", tags=["stream 实时任务"])

POLL_S = 0.25
# Open streams wait on these; a commit that wrote feed rows in this process wakes them at once.
_listeners: weakref.WeakSet[asyncio.Event] = weakref.WeakSet()


@event.listens_for(OrmSession, "after_commit")
def _wake_streams(session: OrmSession) -> None:
    if session.info.pop(SESSION_FLAG, False):
        for waiter in list(_listeners):
            waiter.set()


def _frame(event_id: str, kind: str, data: dict[str, Any]) -> str:
    return f"id: {event_id}\nevent: {kind}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


@router.get(
    "/stream",
    summary="实时任务推送 SSE，支持 Last-Event-ID 续传 (live tasks as Server-Sent Events, resumable)",
    response_class=StreamingResponse,
)
async def stream(
    request: Request,
    principal: CurrentPrincipal,
    last_event_id: Annotated[str | None, Header(max_length=2000)] = None,
    resume_from: Annotated[str | None, Query(alias="lastEventId", max_length=2000)] = None,
    heartbeat_s: Annotated[float, Query(ge=0.5, le=60)] = 15.0,
) -> StreamingResponse:
    runtime: ServiceRuntime = request.app.state.runtime
    recipients = recipients_of(principal)
    given = parse_cursor(last_event_id or resume_from)
    async with runtime.db.sessionmaker() as session:
        start = await latest(session, recipients)
    # Resume each feed where the client left it; feeds it never saw start from now.
    cursor = {r: given.get(r, start[r]) for r in recipients}

    async def frames() -> AsyncIterator[str]:
        waiter = asyncio.Event()
        _listeners.add(waiter)
        loop = asyncio.get_running_loop()
        last_beat = loop.time()
        yield f"retry: 3000\n: connected {format_cursor(cursor)}\n\n"
        try:
            # A draining service ends its streams itself: an open stream would otherwise hold the
            # shutdown until uvicorn's grace period runs out and is cancelled with a traceback.
            # The client reconnects after `retry` with its Last-Event-ID and resumes elsewhere.
            while not runtime.draining and not await request.is_disconnected():
                waiter.clear()
                async with runtime.db.sessionmaker() as session:
                    items = await items_after(session, cursor)
                for item in items:
                    cursor[item.recipient] = max(cursor[item.recipient], item.seq)
                    yield _frame(format_cursor(cursor), item.kind, {**item.payload, "recipient": item.recipient})
                if loop.time() - last_beat >= heartbeat_s:
                    last_beat = loop.time()
                    yield ": heartbeat\n\n"
                if not items:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(waiter.wait(), timeout=POLL_S)
            if runtime.draining:
                yield ": server restarting, reconnect with Last-Event-ID\n\n"
        finally:
            _listeners.discard(waiter)

    return StreamingResponse(
        frames(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
