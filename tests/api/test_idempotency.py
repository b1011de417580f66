"""Idempotency-Key: a mobile app retrying a POST gets the first answer and no second effect,
in every service alike."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shared.events.inbox import inbox
from shared.http import Session, service_router
from shared.ids import uuid7
from shared.settings import SERVICES
from tests.api.conftest import Platform

URL = "/api/v1/registry/compounds"
GOOD = {"name": "城东安置小区", "kind": "resettlement", "management_model": "self_managed"}


async def test_retrying_a_registration_with_the_same_key_registers_once(platform: Platform, community: int) -> None:
    registry = platform.clients["registry"]
    headers = platform.street_admin | {"Idempotency-Key": "reg-2026-11-25-0001"}
    first = await registry.post(URL, json=GOOD | {"community_id": community}, headers=headers)
    again = await registry.post(URL, json=GOOD | {"community_id": community}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    listed = await registry.get(URL, headers=platform.street_admin)
    assert len(listed.json()) == 1
    assert await platform.outbox_rows() == 1


async def test_the_same_key_with_another_body_is_refused(platform: Platform, community: int) -> None:
    registry = platform.clients["registry"]
    headers = platform.street_admin | {"Idempotency-Key": "reg-0002"}
    await registry.post(URL, json=GOOD | {"community_id": community}, headers=headers)
    other = await registry.post(URL, json=GOOD | {"community_id": community} | {"name": "滨河花园"}, headers=headers)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in other.json()["error"]["message"]
    assert len((await registry.get(URL, headers=platform.street_admin)).json()) == 1


async def test_keys_belong_to_their_caller(platform: Platform, community: int) -> None:
    from shared.auth import Grant, Role

    registry = platform.clients["registry"]
    key = {"Idempotency-Key": "shared-key"}
    first = await registry.post(URL, json=GOOD | {"community_id": community}, headers=platform.street_admin | key)
    second = await registry.post(
        URL,
        json=GOOD | {"community_id": community} | {"name": "滨河花园"},
        headers=platform.token(Grant(Role.street_admin), person=2) | key,
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]


async def test_a_failed_request_stores_no_key_so_the_retry_can_succeed(platform: Platform, community: int) -> None:
    registry = platform.clients["registry"]
    headers = platform.street_admin | {"Idempotency-Key": "reg-0003"}
    bad = await registry.post(URL, json=GOOD | {"community_id": community} | {"kind": "castle"}, headers=headers)
    assert bad.status_code == 422
    fixed = await registry.post(
        URL, json=GOOD | {"community_id": community} | {"kind": "castle"} | {"kind": "old"}, headers=headers
    )
    assert fixed.status_code == 201


@pytest.mark.parametrize("service", SERVICES)
async def test_every_service_applies_idempotency_keys_in_the_effect_transaction(
    platform: Platform, service: str
) -> None:
    # A probe endpoint on the service's own router class and database: its effect is a row.
    router = service_router(f"/api/v1/{service}/probe", tags=["probe"])

    @router.post("/effects", status_code=201)
    async def make_effect(session: Session) -> dict[str, str]:
        event_id = str(uuid7())
        await session.execute(inbox.insert().values(consumer="probe", event_id=event_id, event_type="probe"))
        return {"effect": event_id}

    platform.apps[service].include_router(router)
    client = platform.clients[service]
    headers = platform.street_admin | {"Idempotency-Key": f"{service}-retry"}
    first = await client.post(f"/api/v1/{service}/probe/effects", json={}, headers=headers)
    again = await client.post(f"/api/v1/{service}/probe/effects", json={}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    runtime = platform.apps[service].state.runtime
    async with runtime.db.sessionmaker() as session:
        effects = await session.scalar(select(func.count()).select_from(inbox).where(inbox.c.consumer == "probe"))
    assert effects == 1
    refused = await client.post(f"/api/v1/{service}/probe/effects", json={"other": 1}, headers=headers)
    assert refused.status_code == 409
