"""A consumer applies a fetched batch in one transaction, and when one event in it fails, the
others still land once each and only the failing one is parked with its error. The embedded
log's lag gauge counts what waits, and a reader that has read everything reports none without
counting the log again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from services.dispatch.models import compound_projection
from shared.contracts.registry import CompoundCreated
from shared.db import Database
from shared.events.consumer import DLQ_CONSUMER, DLQ_ERROR, ConsumerRunner, EventHandlers, replay_dead_letters
from shared.events.envelope import CloudEvent, Message
from shared.events.inbox import inbox
from shared.events.inprocess import InProcessTransport
from shared.migrate import upgrade_head
from shared.observability import Metrics


def created(compound_id: int, name: str) -> Message:
    data = CompoundCreated(
        compound_id=compound_id, name=name, community_id=1, kind="old", management_model="self_managed", version=1
    )
    return CloudEvent.of(data, subject=compound_id, key=compound_id).to_message("registry.events")


@pytest.fixture
async def parts(tmp_path: Path) -> AsyncIterator[tuple[Database, InProcessTransport]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'dispatch.db'}"
    await asyncio.to_thread(upgrade_head, "dispatch", url)
    db, transport = Database(url), InProcessTransport(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}")
    await transport.start()
    yield db, transport
    await db.dispose()
    await transport.close()


def runner_with(db: Database, transport: InProcessTransport, refuse: str | None = None) -> ConsumerRunner:
    handlers = EventHandlers()

    @handlers.on(CompoundCreated)
    async def remember(session: Any, event: CloudEvent, data: CompoundCreated) -> None:
        # The effect is a row in the handler's transaction, as in every real handler.
        await session.execute(
            compound_projection.insert().values(
                compound_id=data.compound_id,
                name=data.name,
                community_id=1,
                kind=data.kind,
                management_model=data.management_model,
                version=1,
                event_id=event.id,
                projected_at=datetime.now(UTC),
            )
        )
        if data.name == refuse:
            raise RuntimeError(f"cannot take {data.name}")

    return ConsumerRunner(
        "dispatch", db, transport, handlers, Metrics("dispatch"), max_attempts=2, backoff_base_ms=1, backoff_max_ms=1
    )


async def projected(db: Database) -> list[str]:
    async with db.sessionmaker() as session:
        return list(
            await session.scalars(select(compound_projection.c.name).order_by(compound_projection.c.compound_id))
        )


async def inbox_rows(db: Database) -> int:
    async with db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(inbox)) or 0)


async def test_a_batch_with_a_repeat_applies_each_event_once(parts: tuple[Database, InProcessTransport]) -> None:
    db, transport = parts
    runner = runner_with(db, transport)
    first, second = created(1, "杏花岭小区"), created(2, "滨河花园")
    await runner.handle_batch([first, second, first])  # the relay re-sent `first` after a crash
    assert await projected(db) == ["杏花岭小区", "滨河花园"]
    assert await inbox_rows(db) == 2
    await runner.handle_batch([second])
    assert await projected(db) == ["杏花岭小区", "滨河花园"]


async def test_one_failing_event_is_parked_and_the_rest_land(parts: tuple[Database, InProcessTransport]) -> None:
    db, transport = parts
    runner = runner_with(db, transport, refuse="坏数据小区")
    await runner.handle_batch([created(1, "杏花岭小区"), created(2, "坏数据小区"), created(3, "城东安置小区")])
    assert await projected(db) == ["杏花岭小区", "城东安置小区"]  # the bad one's row rolled back
    assert await inbox_rows(db) == 2
    dlq = transport.subscribe("inspector", ["registry.events.dlq"])
    await dlq.start()
    parked = await dlq.fetch(10, timeout_ms=100)
    assert len(parked) == 1
    assert parked[0].header(DLQ_CONSUMER) == "dispatch"
    assert "cannot take 坏数据小区" in (parked[0].header(DLQ_ERROR) or "")


async def test_replay_reads_to_the_end_of_what_was_parked_then_applies_it_once(
    parts: tuple[Database, InProcessTransport], tmp_path: Path
) -> None:
    """`linli dlq replay` stops once it is idle and nothing parked is left unread: an empty
    fetch alone does not say so (on Kafka a group still settling fetches nothing)."""
    db, transport = parts
    await runner_with(db, transport, refuse="坏数据小区").handle_batch([created(2, "坏数据小区")])
    reader = transport.subscribe("dispatch.dlq-replay", ["registry.events.dlq"])
    await reader.start()
    assert not await reader.at_end()
    assert len(await reader.fetch(10, timeout_ms=0)) == 1
    assert await reader.at_end()
    elsewhere = InProcessTransport(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}")  # another process parks one
    await elsewhere.start()
    try:
        billings = created(3, "城东安置小区")
        parked_by_billing = (*billings.headers, (DLQ_CONSUMER, b"billing"), (DLQ_ERROR, b"RuntimeError: fault"))
        await elsewhere.publish([replace(billings, topic="registry.events.dlq", headers=parked_by_billing)])
        assert not await reader.at_end()  # no wake here, but the log says one is unread
    finally:
        await elsewhere.close()

    fixed = runner_with(db, transport)
    assert await replay_dead_letters(fixed, transport, idle_timeout_ms=10) == {"applied": 1}
    assert await projected(db) == ["坏数据小区"]  # billing's parked record is billing's to replay
    assert await replay_dead_letters(fixed, transport, idle_timeout_ms=10) == {}


async def test_types_a_consumer_does_not_know_are_ignored(parts: tuple[Database, InProcessTransport]) -> None:
    db, transport = parts
    runner = runner_with(db, transport)
    unknown = CloudEvent(
        type="linli.registry.parking_space.created.v1", source="/linli/registry", subject="9", data={"space": "B2-017"}
    ).to_message("registry.events")
    await runner.handle_batch([unknown, created(4, "大东关小区")])
    assert await projected(db) == ["大东关小区"]
    assert await inbox_rows(db) == 1


async def test_the_projection_takes_a_run_of_creates_and_renames_in_one_go(
    parts: tuple[Database, InProcessTransport],
) -> None:
    from services.dispatch.consumers import handlers
    from shared.contracts.registry import CompoundUpdated

    db, transport = parts
    runner = ConsumerRunner("dispatch", db, transport, handlers, Metrics("dispatch"))

    def renamed(compound_id: int, name: str, version: int) -> Message:
        data = CompoundUpdated(
            compound_id=compound_id,
            name=name,
            community_id=1,
            kind="old",
            management_model="community_custody",
            version=version,
        )
        return CloudEvent.of(data, subject=compound_id, key=compound_id).to_message("registry.events")

    await runner.handle_batch(
        [created(1, "杏花岭小区"), renamed(1, "杏花岭片区", 2), created(2, "滨河花园"), renamed(1, "杏花岭片区一期", 3)]
    )
    await runner.handle_batch([renamed(1, "旧消息", 2)])  # a late, older rename changes nothing
    async with db.sessionmaker() as session:
        rows = (
            await session.execute(
                select(
                    compound_projection.c.compound_id, compound_projection.c.name, compound_projection.c.version
                ).order_by(compound_projection.c.compound_id)
            )
        ).all()
    assert [tuple(r) for r in rows] == [(1, "杏花岭片区一期", 3), (2, "滨河花园", 1)]
    assert await inbox_rows(db) == 5


async def test_lag_counts_what_waits_and_an_idle_reader_reports_none(
    parts: tuple[Database, InProcessTransport], tmp_path: Path
) -> None:
    _, here = parts
    elsewhere = InProcessTransport(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}")  # another process's
    await elsewhere.start()
    try:
        billing = here.subscribe("billing", ["registry.events"])
        await billing.start()
        await here.publish([created(1, "杏花岭小区"), created(2, "滨河花园"), created(3, "北大街3号院")])

        assert [m.offset for m in await billing.fetch(max_records=2, timeout_ms=0)] == [1, 2]
        assert await billing.lag_by_topic() == {"registry.events": 1}
        assert [m.offset for m in await billing.fetch(max_records=2, timeout_ms=0)] == [3]
        assert await billing.lag_by_topic() == {"registry.events": 0}
        assert await billing.fetch(max_records=2, timeout_ms=10) == []
        assert await billing.lag() == 0

        # Another process's append wakes no one here: the gauge says none until the next fetch
        # (at most consumer.IDLE_FETCH_MS later for a running consumer) reads it.
        await elsewhere.publish([created(4, "晋祠路小区")])
        assert await billing.lag() == 0
        assert [m.offset for m in await billing.fetch(max_records=2, timeout_ms=0)] == [4]
        await here.publish([created(5, "滨河花园"), created(6, "杏花岭小区"), created(7, "北大街3号院")])
        assert [m.offset for m in await billing.fetch(max_records=2, timeout_ms=0)] == [5, 6]
        assert await billing.lag_by_topic() == {"registry.events": 1}
    finally:
        await elsewhere.close()
