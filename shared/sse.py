"""Server-Sent Events of per-recipient feeds, resumable with Last-Event-ID: the one idiom for a
live stream (dispatch's live tasks, the registry's inbox).

A feed is numbered per recipient in commit order: the writer bumps the recipient's counter row
with an upsert (`bump_counters`), which stays locked until its transaction ends, so numbers are
handed out in the order transactions commit and a cursor never skips a late commit. The event
id of a frame is the cursor over all the caller's feeds (`person:7=4,grid:3=12`); a client that
reconnects with it (header Last-Event-ID, or ?lastEventId= where a browser cannot set headers)
gets exactly what it missed. A stream is not a unit-of-work route: each poll opens its own short
session, and a commit that wrote feed rows in this process (`mark_written`) wakes the open
streams at once instead of at the next poll."""

from __future__ import annotations

import asyncio
import contextlib
import json
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session as OrmSession

from shared.service_app import ServiceRuntime

# What a stream route declares: its 200 is an event stream, not JSON, so a client generator or
# schemathesis reads it as one (the stream never ends; its status line is the answer).
EVENT_STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "服务器推送事件流：先 retry 与 connected 注释，再逐条推送 "
            "(Server-Sent Events: retry, a connected comment, then frames)"
        ),
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}

POLL_S = 0.25
SESSION_FLAG = "linli_sse_feed_written"
# Open streams wait on these; a commit that wrote feed rows in this process wakes them at once.
_listeners: weakref.WeakSet[asyncio.Event] = weakref.WeakSet()


@event.listens_for(OrmSession, "after_commit")
def _wake_streams(session: OrmSession) -> None:
    if session.info.pop(SESSION_FLAG, False):
        for waiter in list(_listeners):
            waiter.set()


def mark_written(session: AsyncSession) -> None:
    """This transaction wrote feed rows: its commit wakes the open streams."""
    session.info[SESSION_FLAG] = True


async def bump_counters(
    session: AsyncSession,
    key: InstrumentedAttribute[Any],
    last_seq: InstrumentedAttribute[Any],
    keys: Iterable[Any],
) -> dict[Any, int]:
    """The next number of each key's feed, from its counter row (`key` primary key, `last_seq`),
    in one upsert; the rows stay locked until the transaction ends (commit order). Keys are
    taken in sorted order, so two writers never lock each other's rows crosswise."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    table = key.class_
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(table)
        .values([{key.key: k, last_seq.key: 1} for k in wanted])
        .on_conflict_do_update(index_elements=[key], set_={last_seq.key: last_seq + 1})
        .returning(key, last_seq)
    )
    return {k: int(seq) for k, seq in (await session.execute(stmt)).all()}


def parse_cursor(last_event_id: str | None) -> dict[str, int]:
    """`grid:3=12,person:7=4` → {"grid:3": 12, "person:7": 4}; junk parts are ignored."""
    cursor: dict[str, int] = {}
    for part in (last_event_id or "").split(","):
        key, _, value = part.strip().rpartition("=")
        if key and value.isdigit():
            cursor[key] = int(value)
    return cursor


def format_cursor(cursor: dict[str, int]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(cursor.items()))


def frame(event_id: str, kind: str, data: dict[str, Any]) -> str:
    return f"id: {event_id}\nevent: {kind}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


@dataclass(frozen=True)
class FeedFrame:
    """One item of one recipient's feed, ready to send."""

    recipient: str
    seq: int
    kind: str
    data: dict[str, Any]


# Reads the items past a cursor (oldest first), in a session of its own.
Fetch = Callable[[dict[str, int]], Awaitable[Sequence[FeedFrame]]]
# Told what was just written to the client (e.g. to note that the app has shown it).
Sent = Callable[[Sequence[FeedFrame]], Awaitable[None]]


def event_stream(
    request: Request,
    runtime: ServiceRuntime,
    cursor: dict[str, int],
    fetch: Fetch,
    heartbeat_s: float,
    sent: Sent | None = None,
) -> StreamingResponse:
    """The SSE response: `retry` and a `connected` comment, then a frame per feed item as it is
    committed (event id = the cursor after it), a heartbeat comment when idle, and a word to
    reconnect when the service drains."""

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
                items = await fetch(cursor)
                for item in items:
                    cursor[item.recipient] = max(cursor[item.recipient], item.seq)
                    yield frame(format_cursor(cursor), item.kind, item.data)
                if items and sent is not None:
                    await sent(items)
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
