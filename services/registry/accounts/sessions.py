"""Sessions: a 15-minute access token and a refresh token that rotates at every use.

A refresh token is a random value the client keeps; the registry keeps only its SHA-256. Every
login starts a family; every refresh marks the presented token rotated and adds its successor to
the family. A rotated token presented again was copied (the thief or the owner used it first),
so the whole family is revoked and both must log in again. Logout, a password change, a
person's removal and a lost role end the family (or all of the person's families); the access
tokens already out run out within token_ttl_seconds.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.registry.accounts.models import RefreshToken
from shared.auth import Grant, TokenCodec
from shared.error_codes import ErrorCode
from shared.errors import Unauthorized
from shared.ids import uuid7

# Why a family was ended (refresh_tokens.revoked_reason).
LOGOUT = "logout"
REUSED = "reused"
PASSWORD_CHANGED = "password_changed"
ROLES_CHANGED = "roles_changed"
ACCOUNT_GONE = "account_gone"
ADMIN_GRANT_REMOVED = "admin_grant_removed"


def session_ended() -> Unauthorized:
    # One answer for an unknown, expired, rotated or revoked refresh token: the client logs in again.
    return Unauthorized(
        "登录已失效，请重新登录", "Session ended or refresh token invalid; log in again", code=ErrorCode.refresh_invalid
    )


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def roles_claim(grants: list[Grant]) -> str:
    return json.dumps([g.to_claim() for g in grants], ensure_ascii=False, sort_keys=True)


def grants_of(claim: str) -> set[Grant]:
    return {Grant.parse(r["role"], r.get("scope")) for r in json.loads(claim)}


async def start(
    session: AsyncSession,
    person_id: int,
    grants: list[Grant],
    now: datetime,
    ttl_seconds: int,
    family: str | None = None,
) -> str:
    """A new refresh token for the person (a new family unless one is given); its value."""
    value = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            token_hash=token_hash(value),
            family=family or str(uuid7()),
            person_id=person_id,
            roles=roles_claim(grants),
            issued_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds),
        )
    )
    await session.flush()
    return value


async def revoke_family(session: AsyncSession, family: str, reason: str, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


async def revoke_person(session: AsyncSession, person_id: int, reason: str, now: datetime) -> None:
    """End every session of the person (password changed, admin role removed)."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.person_id == person_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


async def forget_person(session: AsyncSession, person_id: int) -> None:
    """A removed person's sessions go with their account (nothing about them is kept)."""
    await session.execute(delete(RefreshToken).where(RefreshToken.person_id == person_id))


async def _end_in_own_transaction(
    sessionmaker: async_sessionmaker[AsyncSession], family: str, reason: str, now: datetime
) -> None:
    # The request's unit of work rolls back on an error response, and a refused refresh is one:
    # the revocation must survive it, so it commits in a session of its own.
    async with sessionmaker() as own:
        await revoke_family(own, family, reason, now)
        await own.commit()


async def _refuse(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], family: str, reason: str, now: datetime
) -> Unauthorized:
    # Let go of the request's transaction first: on SQLite it may hold the write lock.
    await session.rollback()
    await _end_in_own_transaction(sessionmaker, family, reason, now)
    return session_ended()


async def refresh(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    codec: TokenCodec,
    value: str,
    now: datetime,
    ttl_seconds: int,
    roles_now: Callable[[int], Awaitable[list[Grant] | None]],
) -> tuple[str, str, int, list[Grant]]:
    """Rotate the refresh token `value`: (access token, new refresh token, person id, roles).
    Unknown, expired or revoked: 401. Already rotated (a copy in someone else's hands): the
    family is revoked, then 401. `roles_now` gives the person's roles today (None: the account
    is gone); a role lost since login ends the session, roles gained arrive with the new token."""
    row = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash(value)))
    if row is None or row.revoked_at is not None:
        raise session_ended()
    family, person_id, held = row.family, row.person_id, grants_of(row.roles)
    if row.rotated_at is not None:
        raise await _refuse(session, sessionmaker, family, REUSED, now)
    expires = row.expires_at
    if expires is None or expires <= now:
        raise session_ended()
    # Claim it atomically: of two refreshes racing with one token, one rotates it and the other
    # is a re-use.
    claimed = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.rotated_at.is_(None), RefreshToken.revoked_at.is_(None))
        .values(rotated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise await _refuse(session, sessionmaker, family, REUSED, now)
    grants = await roles_now(person_id)
    if grants is None:
        raise await _refuse(session, sessionmaker, family, ACCOUNT_GONE, now)
    if not held <= set(grants):
        raise await _refuse(session, sessionmaker, family, ROLES_CHANGED, now)
    new_value = await start(session, person_id, grants, now, ttl_seconds, family=family)
    return codec.issue(person_id, grants), new_value, person_id, grants


async def end(session: AsyncSession, value: str, now: datetime) -> None:
    """Logout: the family of this refresh token ends (unknown tokens change nothing)."""
    row = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash(value)))
    if row is not None:
        await revoke_family(session, row.family, LOGOUT, now)
