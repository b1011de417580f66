"""Idempotency-Key on POST: the first response is stored with the effect, in one transaction;
the same key from the same caller within the TTL returns it again and changes nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, LargeBinary, PrimaryKeyConstraint, String, Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from shared.db import plumbing_metadata
from shared.errors import Conflict, InvalidInput

idempotency_keys = Table(
    "idempotency_keys",
    plumbing_metadata,
    Column("caller", String(100), nullable=False),
    Column("key", String(200), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("content_type", String(200), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("caller", "key"),
)

MAX_KEY_LENGTH = 200
REPLAY_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class Claim:
    caller: str
    key: str
    request_hash: str


async def request_hash(request: Request) -> str:
    body = await request.body()
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.url.path.encode() + b"?" + request.url.query.encode())
    digest.update(b"\n" + body)
    return digest.hexdigest()


def validate_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(
            f"Idempotency-Key 须为 1–{MAX_KEY_LENGTH} 个可打印字符",
            f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable characters",
            code="idempotency_key_invalid",
            details={"field": "Idempotency-Key"},
        )


async def stored_response(session: AsyncSession, claim: Claim, ttl_seconds: int) -> Response | None:
    """The response stored for this caller and key, if any; Conflict if the body differs."""
    row = (
        await session.execute(
            select(idempotency_keys).where(
                idempotency_keys.c.caller == claim.caller, idempotency_keys.c.key == claim.key
            )
        )
    ).first()
    if row is None:
        return None
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    if created < datetime.now(UTC) - timedelta(seconds=ttl_seconds):
        # Expired: forget it inside the new request's transaction.
        await session.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.caller == claim.caller, idempotency_keys.c.key == claim.key
            )
        )
        return None
    if row.request_hash != claim.request_hash:
        raise Conflict(
            "同一 Idempotency-Key 已用于另一个不同的请求",
            "This Idempotency-Key was already used with a different request",
            code="idempotency_key_reused",
            details={"key": claim.key},
        )
    return Response(
        content=row.body, status_code=row.status_code, media_type=row.content_type, headers={REPLAY_HEADER: "true"}
    )


async def store_response(session: AsyncSession, claim: Claim, response: Response) -> None:
    """Save the response in the effect's transaction (before the one commit)."""
    await session.execute(
        idempotency_keys.insert().values(
            caller=claim.caller,
            key=claim.key,
            request_hash=claim.request_hash,
            status_code=response.status_code,
            content_type=response.headers.get("content-type", "application/json"),
            body=bytes(response.body),
            created_at=datetime.now(UTC),
        )
    )
