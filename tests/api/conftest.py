"""The four services in one event loop on SQLite files and the in-process log, as `make run`
has them, each reached with an httpx client on its ASGI app."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from linli.apps import SERVICE_FACTORIES
from shared.auth import Grant, Role, TokenCodec
from shared.events.inprocess import InProcessTransport, bus_log, bus_offsets
from shared.events.outbox import outbox
from shared.settings import SERVICES, Settings

# Stories move service clocks by days (notices, SLAs, vote windows); test tokens outlive that.
TEST_TOKEN_TTL = 5 * 365 * 86_400


@dataclass
class Platform:
    settings: Settings
    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]
    transport: InProcessTransport | None = field(default=None, repr=False)

    def set_clock(self, at: datetime) -> None:
        """Every service's clock runs on from `at`: a story that depends on the calendar names its day."""
        for app in self.apps.values():
            app.state.runtime.clock.set(at)

    def token(self, *grants: Grant, person: int = 1, ttl: int | None = None) -> dict[str, str]:
        """A bearer header for a test caller. It outlives any clock a story moves (real logins,
        with the 15-minute access token, are told in registry/test_sessions.py)."""
        ttl = TEST_TOKEN_TTL if ttl is None else ttl
        return {"Authorization": f"Bearer {TokenCodec(self.settings).issue(person, list(grants), ttl)}"}

    @property
    def street_admin(self) -> dict[str, str]:
        return self.token(Grant(Role.street_admin), person=1)

    async def outbox_rows(self, service: str = "registry", entity: str = "compound") -> int:
        """Events queued about one kind of entity (default: compounds)."""
        runtime = self.apps[service].state.runtime
        async with runtime.db.sessionmaker() as session:
            return int(
                await session.scalar(
                    select(func.count()).select_from(outbox).where(outbox.c.type.like(f"linli.{service}.{entity}.%"))
                )
                or 0
            )

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
        """POST to the registry and insist on 201 (for building a story's records)."""
        answer = await self.clients["registry"].post(
            f"/api/v1/registry{path}", json=body, headers=headers or self.street_admin
        )
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        return result

    async def community(self, street: str = "三桥街道", name: str = "杏花岭社区") -> int:
        """A street with one community; returns the community id."""
        street_id = (await self.post("/streets", {"name": street}))["id"]
        return int((await self.post("/communities", {"street_id": street_id, "name": name}))["id"])

    async def settled(self) -> bool:
        """Nothing in flight: every service's outbox is published and every consumer group has
        handled (committed) every record on its topics. `await platform.eventually(platform.settled)`
        is how a story waits for "a second delivery, if any" instead of sleeping."""
        for app in self.apps.values():
            async with app.state.runtime.db.sessionmaker() as session:
                unsent = await session.scalar(
                    select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
                )
            if unsent:
                return False
        if self.transport is None:
            return True
        async with self.transport.db.engine.connect() as conn:
            last = select(bus_log.c.topic, func.max(bus_log.c.offset)).group_by(bus_log.c.topic)
            ends: dict[str, int] = {row[0]: row[1] for row in await conn.execute(last)}
            rows = await conn.execute(select(bus_offsets.c.group_id, bus_offsets.c.topic, bus_offsets.c.position))
            committed = {(group, topic): position for group, topic, position in rows}
        for app in self.apps.values():
            consumer = app.state.runtime.consumer
            if consumer is None:
                continue
            subscription = consumer.subscription
            for topic in subscription.topics:
                if committed.get((subscription.group, topic), 0) < ends.get(topic, 0):
                    return False
        return True

    async def eventually(self, probe: Callable[[], Awaitable[Any]], within_s: float = 10.0) -> Any:
        """Poll until `probe` returns something truthy (events travel asynchronously)."""
        deadline = asyncio.get_running_loop().time() + within_s
        while True:
            result = await probe()
            if result:
                return result
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.05)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Settings a test module gives its platform (override this fixture, e.g. an SMTP server)."""
    return {}


@pytest.fixture
async def platform(tmp_path: Path, migrated: Path, settings_overrides: dict[str, Any]) -> AsyncIterator[Platform]:
    settings = Settings(
        **{
            "data_dir": tmp_path,
            "seed_demo": False,
            "demo_size": 0,
            # A commit that writes events wakes its relay; the poll is only the fallback, and at
            # 50 ms four relays' idle queries cost a tenth of the API tests' CPU.
            "relay_poll_interval_ms": 1000,
            "max_body_bytes": 65_536,
            "consumer_backoff_base_ms": 10,
            **settings_overrides,
        }
    )
    for service in SERVICES:
        shutil.copyfile(migrated / f"{service}.db", tmp_path / f"{service}.db")
    transport = InProcessTransport(settings.bus_url())
    apps = {s: SERVICE_FACTORIES[s](settings, transport) for s in SERVICES}
    async with contextlib.AsyncExitStack() as stack:
        for app in apps.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        clients = {
            s: await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{s}")
            )
            for s, app in apps.items()
        }
        yield Platform(settings, apps, clients, transport)
    await transport.close()


@pytest.fixture
async def community(platform: Platform) -> int:
    """三桥街道 / 杏花岭社区, the community most stories happen in."""
    return await platform.community()
