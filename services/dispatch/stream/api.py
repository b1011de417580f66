"""GET /api/v1/dispatch/stream: Server-Sent Events of the caller's live tasks (offers,
assignments, escalations, reminders), resumable with Last-Event-ID (shared/sse.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from services.dispatch.stream.service import frames_after, latest, parse_cursor, recipients_of
from shared.auth import CurrentPrincipal
from shared.openapi import operation_id
from shared.service_app import ServiceRuntime
from shared.sse import EVENT_STREAM_RESPONSES, FeedFrame, event_stream

router = APIRouter(prefix="/api/v1/dispatch", tags=["stream 实时任务"], generate_unique_id_function=operation_id)


@router.get(
    "/stream",
    summary="实时任务推送 SSE，支持 Last-Event-ID 续传 (live tasks as Server-Sent Events, resumable)",
    response_class=StreamingResponse,
    responses=EVENT_STREAM_RESPONSES,
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

    async def fetch(at: dict[str, int]) -> Sequence[FeedFrame]:
        async with runtime.db.sessionmaker() as session:
            return await frames_after(session, at)

    return event_stream(request, runtime, cursor, fetch, heartbeat_s)
