"""Idempotency-Key on POST: the first response is stored with the effect, in one transaction;
the same key from the same caller within the TTL returns it again and changes nothing.

Concurrent requests with one key: the first to insert the key's row (a claim, committed before
the work starts) does the work; the others wait for its answer and replay it, or get 409
"in progress" when it takes longer than they wait. The claim and the answer share one row, so
this holds across processes and replicas, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from shared.clock import clock_of
from shared.db import UTCDateTime, plumbing_metadata
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput, LinliError

idempotency_keys = Table(
    "idempotency_keys",
    plumbing_metadata,
    Column("caller", String(100), nullable=False),
    Column("key", String(200), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("content_type", String(200), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("caller", "key"),
)

HEADER = "Idempotency-Key"
# The methods whose answers UnitOfWorkRoute keeps under a key and replays (shared/http.py).
METHODS = frozenset({"POST"})
# On each operation that honours a key: "honoured", or "required" (428 without one).
OPENAPI_EXTENSION = "x-idempotency-key"
MAX_KEY_LENGTH = 200
REPLAY_HEADER = "Idempotent-Replayed"
# status_code of a claimed key whose request is still running.
PENDING = 0
# How long a second request waits for the first one's answer before hearing "in progress".
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05
# A claim this old belongs to a request whose process died mid-way: the key is free again.
ABANDONED_AFTER = timedelta(minutes=5)


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
            code=ErrorCode.idempotency_key_invalid,
            details={"field": "Idempotency-Key"},
        )


def _conflict_reused(claim: Claim) -> Conflict:
    return Conflict(
        "同一 Idempotency-Key 已用于另一个不同的请求",
        "This Idempotency-Key was already used with a different request",
        code=ErrorCode.idempotency_key_reused,
        details={"key": claim.key},
    )


def _in_progress(claim: Claim) -> Conflict:
    return Conflict(
        "使用同一 Idempotency-Key 的请求仍在处理中，请稍后重试",
        "A request with this Idempotency-Key is still in progress; retry later",
        code=ErrorCode.idempotency_key_in_progress,
        details={"key": claim.key},
    )


def _this_key(claim: Claim) -> ColumnElement[bool]:
    return (idempotency_keys.c.caller == claim.caller) & (idempotency_keys.c.key == claim.key)


async def claim_or_replay(
    sessionmaker: async_sessionmaker[AsyncSession], claim: Claim, ttl_seconds: int, wait_seconds: float | None = None
) -> Response | None:
    """None when this request now owns the key and must do the work (then `complete` or
    `release`); the stored response when an earlier request with the key finished; Conflict when
    the key was used with another body, or its first request is still running after the wait."""
    deadline = time.monotonic() + (WAIT_SECONDS if wait_seconds is None else wait_seconds)
    while True:
        async with sessionmaker() as session:
            now = clock_of(session)()
            try:
                await session.execute(
                    idempotency_keys.insert().values(
                        caller=claim.caller,
                        key=claim.key,
                        request_hash=claim.request_hash,
                        status_code=PENDING,
                        content_type="",
                        body=b"",
                        created_at=now,
                    )
                )
                await session.commit()
                return None
            except IntegrityError:
                await session.rollback()
            row = (await session.execute(select(idempotency_keys).where(_this_key(claim)))).first()
            if row is None:
                continue  # released between our insert and our read: try to claim it again
            created = row.created_at
            stale = created < now - timedelta(seconds=ttl_seconds) or (
                row.status_code == PENDING and created < now - ABANDONED_AFTER
            )
            if stale:
                # Expired answer, or a claim whose request died: forget it and claim afresh.
                await session.execute(
                    delete(idempotency_keys).where(_this_key(claim), idempotency_keys.c.created_at == row.created_at)
                )
                await session.commit()
                continue
            if row.request_hash != claim.request_hash:
                raise _conflict_reused(claim)
            if row.status_code != PENDING:
                return Response(
                    content=row.body,
                    status_code=row.status_code,
                    media_type=row.content_type,
                    headers={REPLAY_HEADER: "true"},
                )
        if time.monotonic() >= deadline:
            raise _in_progress(claim)
        await asyncio.sleep(POLL_SECONDS)


async def complete(session: AsyncSession, claim: Claim, response: Response) -> None:
    """Save the response on the claimed key in the effect's transaction (before the one commit)."""
    await session.execute(
        update(idempotency_keys)
        .where(_this_key(claim))
        .values(
            status_code=response.status_code,
            content_type=response.headers.get("content-type", "application/json"),
            body=bytes(response.body),
            created_at=clock_of(session)(),
        )
    )


async def release(sessionmaker: async_sessionmaker[AsyncSession], claim: Claim) -> None:
    """Free a claimed key whose request failed, so a retry can do the work."""
    async with sessionmaker() as session:
        await session.execute(
            delete(idempotency_keys).where(_this_key(claim), idempotency_keys.c.status_code == PENDING)
        )
        await session.commit()


class KeyRequired(LinliError):
    status_code = 428
    code = ErrorCode.idempotency_key_required


async def honoured_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            description="可选：每笔操作一个新值（如 UUID），重试时沿用同一值，重试不会重复执行 "
            "(optional: a fresh value per operation, the same on every retry of it; a retry changes nothing)",
        ),
    ] = None,
) -> None:
    """Declares the header on every operation that honours it (UnitOfWorkRoute adds it to each
    POST it stores answers of); the route reads the header itself."""


async def required_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            description="必填：每笔操作一个新值（如 UUID），重试时沿用同一值；缺少时答 428 "
            "(required: a fresh value per operation, the same on every retry of it; 428 without it)",
        ),
    ] = None,
) -> None:
    """For operations a retry must never repeat (money): 428 without a key. Declared `None` by
    default so a missing key is a 428 saying why, not a 422; the OpenAPI still marks it required
    (shared/openapi.py)."""
    if idempotency_key is None or not idempotency_key.strip():
        raise KeyRequired(
            "涉及资金的操作须带 Idempotency-Key 请求头（每笔操作一个新值，重试时沿用同一值），以免重复扣款或退款",
            "This request moves money: send an Idempotency-Key header (a new value per operation, the same value "
            "on every retry of it) so a retry cannot book it twice",
            details={"header": HEADER},
        )


# `dependencies=KEY_REQUIRED` on a route: the key is mandatory there.
KEY_REQUIRED = [Depends(required_key)]
