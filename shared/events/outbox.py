"""The transactional outbox: an event is a row written in the same transaction as the change."""

from __future__ import annotations

import json

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text, func, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import UTCDateTime, plumbing_metadata
from shared.events.envelope import CloudEvent, EventData, Message
from shared.observability import request_id_var
from shared.tracing import current_traceparent

BigId = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    plumbing_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("topic", String(200), nullable=False),
    Column("key", String(200)),
    Column("type", String(200), nullable=False),
    Column("headers", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, server_default=func.now()),
    Column("sent_at", UTCDateTime),
    Index("ix_outbox_unsent", "id", postgresql_where=text("sent_at IS NULL"), sqlite_where=text("sent_at IS NULL")),
)

SESSION_FLAG = "linli_outbox_written"


async def emit(session: AsyncSession, data: EventData, *, subject: str | int, key: str | int | None) -> CloudEvent:
    """Queue an event in the caller's transaction; it is published only if that commits."""
    event = CloudEvent.of(data, subject=subject, key=key, extensions=causation())
    message = event.to_message(data.topic())
    await session.execute(
        outbox.insert().values(
            event_id=event.id,
            topic=message.topic,
            key=message.key,
            type=event.type,
            headers=json.dumps([[k, v.decode()] for k, v in message.headers], ensure_ascii=False),
            value=message.value.decode(),
        )
    )
    session.info[SESSION_FLAG] = True
    return event


def causation() -> dict[str, str]:
    """CloudEvents extensions naming what caused an event: the request id and, per the
    distributed-tracing extension, the W3C traceparent of the request or event being handled."""
    extensions = {}
    if (request_id := request_id_var.get()) is not None:
        extensions["requestid"] = request_id
    if (traceparent := current_traceparent()) is not None:
        extensions["traceparent"] = traceparent
    return extensions


def row_to_message(row: object) -> Message:
    """Turn an outbox row back into the record a transport publishes."""
    headers = tuple((k, v.encode()) for k, v in json.loads(row.headers))  # type: ignore[attr-defined]
    return Message(topic=row.topic, key=row.key, value=row.value.encode(), headers=headers)  # type: ignore[attr-defined]
