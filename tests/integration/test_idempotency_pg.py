"""Concurrent requests with one Idempotency-Key on PostgreSQL: eight at once register one
compound, one answer is the original and the others replay it (or hear "in progress"), never a
500. The same story runs on SQLite in tests/api/test_hostile_input.py."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from linli.apps import SERVICE_FACTORIES
from shared.auth import Grant, Role, TokenCodec
from shared.events.inprocess import InProcessTransport
from shared.migrate import upgrade_head
from shared.settings import Settings
from tests.integration.conftest import PG_HOST, PG_PORT, PG_USER, PgDatabases

pytestmark = pytest.mark.integration

URL = "/api/v1/registry/compounds"


@pytest.fixture
async def registry(pg: PgDatabases, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    name = pg.create(f"linli_it_{uuid.uuid4().hex[:8]}_idem_registry")
    settings = Settings(
        data_dir=tmp_path,
        seed_demo=False,
        database_url=f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}",
        relay_poll_interval_ms=50,
    )
    await asyncio.to_thread(upgrade_head, "registry", settings.database_url_for("registry"))
    transport = InProcessTransport(settings.bus_url())
    app = SERVICE_FACTORIES["registry"](settings, transport)
    admin = {"Authorization": f"Bearer {TokenCodec(settings).issue(1, [Grant(Role.street_admin)])}"}
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registry") as client,
        ):
            yield client, admin
    finally:
        await transport.close()
        pg.drop([name])


async def test_eight_identical_registrations_at_once_on_postgresql(
    registry: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    client, admin = registry
    street = (await client.post("/api/v1/registry/streets", json={"name": "三桥街道"}, headers=admin)).json()
    community = (
        await client.post(
            "/api/v1/registry/communities", json={"street_id": street["id"], "name": "杏花岭社区"}, headers=admin
        )
    ).json()
    body = {"name": "城东安置小区", "kind": "resettlement", "management_model": "self_managed"}
    body["community_id"] = community["id"]
    headers = admin | {"Idempotency-Key": "reg-burst-pg-0001"}
    answers = await asyncio.gather(*(client.post(URL, json=body, headers=headers) for _ in range(8)))
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, [a.text for a in answers]
    originals = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a.headers]
    assert len(originals) == 1, statuses
    for answer in answers:
        if answer.status_code == 201:
            assert answer.json() == originals[0].json()
        else:
            assert answer.json()["error"]["code"] == "idempotency_key_in_progress"
            assert "处理中" in answer.json()["error"]["message"]
    listed = await client.get(URL, headers=admin)
    assert [c["name"] for c in listed.json()] == ["城东安置小区"]
    # A retry after the burst replays the same answer.
    again = await client.post(URL, json=body, headers=headers)
    assert again.status_code == 201
    assert again.json() == originals[0].json()
    assert again.headers["Idempotent-Replayed"] == "true"
