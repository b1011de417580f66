"""Open311 client keys: issue (the key is shown once), list, revoke, and find the client a
GeoReport `api_key` belongs to. A key files requests for one place (a compound, community or
street) under one identity; the community or street that owns the place manages its keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.open311 import schemas as s
from services.dispatch.open311.domain import PLACE_LABEL
from services.dispatch.open311.models import ClientKey
from services.dispatch.orders.models import Order
from services.dispatch.projections.models import CompoundArea
from shared.auth import Grant, Place, Principal, Role, require_staff_of
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden, NotFound, Unauthorized
from shared.responses import row_with

PREFIX_LENGTH = 12


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def _area_of(session: AsyncSession, kind: str, place_id: int) -> CompoundArea:
    """A compound of the place, which names its community and street."""
    column = {
        "compound": CompoundArea.compound_id,
        "community": CompoundArea.community_id,
        "street": CompoundArea.street_id,
    }[kind]
    area = await session.scalar(select(CompoundArea).where(column == place_id).order_by(CompoundArea.compound_id))
    if area is None:
        raise NotFound(
            f"{PLACE_LABEL[kind]} {place_id} 不存在（或尚未同步）",
            f"{kind} {place_id} is not known here",
            details={"place_kind": kind, "place_id": place_id},
        )
    return area


async def _require_place_admin(session: AsyncSession, principal: Principal, kind: str, place_id: int) -> None:
    """Admins of the community the place lies in, or of its street (a street key: the street's)."""
    area = await _area_of(session, kind, place_id)
    community_id = area.community_id if kind != "street" else None
    require_staff_of(principal, Place(street_id=area.street_id, community_id=community_id))


async def issue(session: AsyncSession, body: s.ClientKeyCreate, principal: Principal, now: datetime) -> s.IssuedKey:
    """A new key for a client application; the answer carries the key itself, once."""
    await _require_place_admin(session, principal, body.place_kind, body.place_id)
    key = secrets.token_urlsafe(32)
    row = ClientKey(
        client_name=body.client_name,
        prefix=key[:PREFIX_LENGTH],
        key_hash=_hash(key),
        person_id=body.person_id,
        place_kind=body.place_kind,
        place_id=body.place_id,
        issued_by_person_id=principal.person_id,
        issued_at=now,
    )
    session.add(row)
    await session.flush()
    return s.IssuedKey.model_validate(row_with(row, api_key=key))


async def list_keys(session: AsyncSession, principal: Principal, kind: str, place_id: int) -> list[s.ClientKeyOut]:
    await _require_place_admin(session, principal, kind, place_id)
    rows = await session.scalars(
        select(ClientKey).where(ClientKey.place_kind == kind, ClientKey.place_id == place_id).order_by(ClientKey.id)
    )
    return [s.ClientKeyOut.model_validate(r) for r in rows]


async def revoke(session: AsyncSession, key_id: int, principal: Principal, now: datetime) -> s.ClientKeyOut:
    row = await session.get(ClientKey, key_id)
    if row is None:
        raise NotFound(f"Open311 密钥 {key_id} 不存在", f"Open311 key {key_id} not found")
    await _require_place_admin(session, principal, row.place_kind, row.place_id)
    if row.revoked_at is not None:
        raise Conflict("该密钥已吊销", "The key is already revoked", code=ErrorCode.already_revoked)
    row.revoked_at, row.revoked_by_person_id = now, principal.person_id
    await session.flush()
    return s.ClientKeyOut.model_validate(row)


async def client_of(session: AsyncSession, api_key: str) -> ClientKey:
    """The live key `api_key` names; 401 for an unknown, wrong or revoked key (one answer, so
    a caller learns nothing from the difference)."""
    row = await session.scalar(select(ClientKey).where(ClientKey.prefix == api_key[:PREFIX_LENGTH]))
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.key_hash, _hash(api_key)):
        raise Unauthorized("api_key 无效或已吊销", "api_key is unknown or revoked", code=ErrorCode.api_key_invalid)
    return row


async def filer(session: AsyncSession, key: ClientKey) -> Principal:
    """Who a keyed request is filed as: the key's identity, recording for the key's place as
    staff record a phone call (this principal never leaves the one request)."""
    area = await _area_of(session, key.place_kind, key.place_id)
    if key.place_kind == "street":
        return Principal(key.person_id, (Grant(Role.street_admin, "street", key.place_id),))
    return Principal(key.person_id, (Grant(Role.community_admin, "community", area.community_id),))


def require_within(key: ClientKey, order: Order) -> None:
    """A key files only for its own place."""
    inside = {
        "compound": order.compound_id,
        "community": order.community_id,
        "street": order.street_id,
    }[key.place_kind] == key.place_id
    if not inside:
        raise Forbidden(
            f"该 Open311 密钥只能为{PLACE_LABEL[key.place_kind]} {key.place_id} 提交诉求",
            f"This key files requests for {key.place_kind} {key.place_id} only",
        )
