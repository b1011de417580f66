"""The consumer's batch path on PostgreSQL and on SQLite alike: the inbox claims a batch in one
statement and only what is new is applied, set-based handlers take runs of events, and one
poison event rolls its batch back so the rest land one by one and only it is parked.

Dispatch's real registry handlers (set-based compounds, buildings, dwellings, households; the
per-event pairing handler) on a database migrated to dispatch's head; no broker (the in-process
transport only receives what is parked)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import func, select

from services.dispatch.consumers import handlers as dispatch_handlers
from services.dispatch.models import compound_projection
from services.dispatch.projections.models import CompoundArea, HouseholdView, MemberHouseholdLink
from shared.contracts import registry as c
from shared.db import Database
from shared.events.consumer import DLQ_CONSUMER, DLQ_ERROR, ConsumerRunner, EventHandlers
from shared.events.envelope import CloudEvent, EventData, Message
from shared.events.inbox import inbox
from shared.events.inprocess import InProcessTransport
from shared.events.projection import newest, upsert_newest
from shared.migrate import upgrade_head
from shared.observability import Metrics
from tests.helpers import unavailable
from tests.integration.conftest import PG_HOST, PG_PORT, PG_USER

pytestmark = pytest.mark.integration

POISON = "坏数据小区"


@pytest.fixture(params=["sqlite", "postgresql"])
async def parts(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[Database, InProcessTransport]]:
    admin = None
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'dispatch.db'}"
    else:
        name = f"linli_it_batches_{secrets.token_hex(4)}"
        try:
            admin = await asyncpg.connect(f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres")
        except (OSError, asyncpg.PostgresError) as exc:
            unavailable(f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}: {exc}")
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    transport = InProcessTransport(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}")
    db: Database | None = None
    try:
        await asyncio.to_thread(upgrade_head, "dispatch", url)
        db = Database(url)
        await transport.start()
        yield db, transport
    finally:
        if db is not None:
            await db.dispose()
        await transport.close()
        if admin is not None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


def message(data: EventData, key: int) -> Message:
    return CloudEvent.of(data, subject=key, key=key).to_message(data.topic())


def compound(compound_id: int, name: str, version: int = 1) -> Message:
    contract = c.CompoundCreated if version == 1 else c.CompoundUpdated
    data = contract(
        compound_id=compound_id,
        name=name,
        community_id=1,
        street_id=1,
        grid_id=7,
        kind="old",
        management_model="self_managed",
        version=version,
    )
    return message(data, compound_id)


def household(household_id: int, compound_id: int, version: int = 1, *, removed: bool = False) -> Message:
    contract = c.HouseholdRemoved if removed else (c.HouseholdCreated if version == 1 else c.HouseholdUpdated)
    return message(
        contract(
            household_id=household_id, dwelling_id=household_id, compound_id=compound_id, needy=False, version=version
        ),
        compound_id,
    )


def pairing(pairing_id: int, household_id: int) -> Message:
    data = c.PairingCreated(
        pairing_id=pairing_id,
        kind="member",
        compound_id=1,
        cadre_person_id=None,
        party_member_id=5,
        center_household_id=None,
        household_id=household_id,
        public=False,
        version=1,
    )
    return message(data, 1)


def runner(db: Database, transport: InProcessTransport, handlers: EventHandlers = dispatch_handlers) -> ConsumerRunner:
    return ConsumerRunner(
        "dispatch", db, transport, handlers, Metrics("dispatch"), max_attempts=2, backoff_base_ms=1, backoff_max_ms=1
    )


async def rows(db: Database, statement: Any) -> list[tuple[Any, ...]]:
    async with db.sessionmaker() as session:
        return [tuple(r) for r in (await session.execute(statement)).all()]


async def inbox_count(db: Database) -> int:
    async with db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(inbox)) or 0)


async def test_the_same_event_twice_in_one_batch_is_applied_once(parts: tuple[Database, InProcessTransport]) -> None:
    db, transport = parts
    first, second = household(11, 1), household(12, 1)
    area = compound(1, "杏花岭小区")
    # A relay that crashed after publishing sends its batch again: the repeats arrive beside
    # the originals in one fetched batch, across two set-based runs and a per-event handler.
    await runner(db, transport).handle_batch([area, first, second, pairing(3, 11), first, area, second])
    assert await rows(db, select(HouseholdView.household_id, HouseholdView.version).order_by("household_id")) == [
        (11, 1),
        (12, 1),
    ]
    assert await rows(db, select(MemberHouseholdLink.household_id)) == [(11,)]
    assert await rows(db, select(CompoundArea.compound_id, CompoundArea.grid_id)) == [(1, 7)]
    assert await inbox_count(db) == 4  # area, two households, the pairing


async def test_a_redelivered_batch_changes_nothing_and_late_versions_are_dropped(
    parts: tuple[Database, InProcessTransport],
) -> None:
    db, transport = parts
    consumer = runner(db, transport)
    batch = [
        compound(1, "杏花岭小区"),
        household(11, 1),
        compound(1, "杏花岭片区", 2),
        household(11, 1, 2),
        household(12, 1),
        household(12, 1, 2, removed=True),
    ]
    await consumer.handle_batch(batch)
    expected_households = [(11, 2, False), (12, 2, True)]
    query = select(HouseholdView.household_id, HouseholdView.version, HouseholdView.removed).order_by("household_id")
    assert await rows(db, query) == expected_households
    await consumer.handle_batch(batch)  # offsets were not committed: the whole batch again
    await consumer.handle_batch([compound(1, "旧名字", 2), household(11, 9, 1)])  # new ids, old versions
    assert await rows(db, query) == expected_households
    names = select(compound_projection.c.name, compound_projection.c.version)
    assert await rows(db, names) == [("杏花岭片区", 2)]
    assert await rows(db, select(CompoundArea.name)) == [("杏花岭片区",)]
    assert await inbox_count(db) == 8


async def test_a_poison_event_in_a_set_based_batch_is_parked_and_the_rest_land(
    parts: tuple[Database, InProcessTransport],
) -> None:
    db, transport = parts
    handlers = EventHandlers()

    @handlers.on_batch(c.CompoundCreated)
    async def project(session: Any, items: list[tuple[CloudEvent, c.CompoundCreated]]) -> None:
        projected = [
            {
                "compound_id": d.compound_id,
                "name": d.name,
                "community_id": d.community_id,
                "kind": d.kind,
                "management_model": d.management_model,
                "version": d.version,
                "event_id": e.id,
                "projected_at": e.time,
            }
            for e, d in items
        ]
        await upsert_newest(session, compound_projection, "compound_id", newest(projected, "compound_id"))
        if any(d.name == POISON for _, d in items):
            raise RuntimeError(f"cannot take {POISON}")

    consumer = runner(db, transport, handlers)
    good = [compound(1, "杏花岭小区"), compound(3, "城东安置小区")]
    await consumer.handle_batch([good[0], compound(2, POISON), good[1]])
    assert await rows(db, select(compound_projection.c.name).order_by("compound_id")) == [
        ("杏花岭小区",),
        ("城东安置小区",),
    ]
    assert await inbox_count(db) == 2  # the poison event's claim rolled back with it
    dlq = transport.subscribe("inspector", ["registry.events.dlq"])
    await dlq.start()
    parked = await dlq.fetch(10, timeout_ms=100)
    assert len(parked) == 1
    assert parked[0].header(DLQ_CONSUMER) == "dispatch"
    assert f"cannot take {POISON}" in (parked[0].header(DLQ_ERROR) or "")
    await consumer.handle_batch(good)  # redelivered (the offsets were not committed): nothing new
    assert await inbox_count(db) == 2
