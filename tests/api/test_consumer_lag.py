"""The consumer-lag gauge of the embedded log: records fetched past are no longer lag, records
still waiting are, and a consumer that has read everything reports none without counting the
log again; a record another process appends (`linli replay`) is read at the next fetch."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.contracts.registry import CompoundCreated
from shared.events.envelope import CloudEvent, Message
from shared.events.inprocess import InProcessTransport

TOPIC = "registry.events"


def created(compound_id: int) -> Message:
    data = CompoundCreated(
        compound_id=compound_id,
        name="杏花岭小区",
        community_id=1,
        kind="old",
        management_model="self_managed",
        version=1,
    )
    return CloudEvent.of(data, subject=compound_id, key=compound_id).to_message(TOPIC)


@pytest.fixture
def log_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}"


async def test_lag_counts_what_waits_and_an_idle_reader_reports_none(log_url: str) -> None:
    here, elsewhere = InProcessTransport(log_url), InProcessTransport(log_url)
    await here.start()
    await elsewhere.start()
    try:
        billing = here.subscribe("billing", [TOPIC])
        await billing.start()
        await here.publish([created(1), created(2), created(3)])

        first = await billing.fetch(max_records=2, timeout_ms=0)
        assert [m.offset for m in first] == [1, 2]
        assert await billing.lag_by_topic() == {TOPIC: 1}

        assert [m.offset for m in await billing.fetch(max_records=2, timeout_ms=0)] == [3]
        assert await billing.lag_by_topic() == {TOPIC: 0}
        assert await billing.fetch(max_records=2, timeout_ms=10) == []
        assert await billing.lag() == 0

        # Another process's append wakes no one here: the gauge says none until the next fetch
        # (at most consumer.IDLE_FETCH_MS later for a running consumer) reads it.
        await elsewhere.publish([created(4)])
        assert await billing.lag() == 0
        assert [m.offset for m in await billing.fetch(max_records=2, timeout_ms=0)] == [4]
        await here.publish([created(5), created(6), created(7)])
        assert [m.offset for m in await billing.fetch(max_records=2, timeout_ms=0)] == [5, 6]
        assert await billing.lag_by_topic() == {TOPIC: 1}
    finally:
        await here.close()
        await elsewhere.close()
