"""The broker stops answering for ten seconds in the middle of a working day.

The registry keeps taking writes: ten compounds of 坝陵桥社区 are registered and 迎泽苑 is
renamed five times while the broker is frozen (SIGSTOP). /readyz says the broker is away, the
events wait unsent in the outbox, and once the broker is back (SIGCONT) every event reaches
dispatch and billing, 迎泽苑's renames in the order they were made, nothing parked.
"""

from __future__ import annotations

import asyncio
import time
from functools import partial
from typing import Any

import httpx
import pytest

from tests.integration.conftest import (
    Cluster,
    Service,
    create_compound,
    eventually,
    pg_fetch,
    pg_value,
    projected,
    rename_compound,
    seed_community,
)

pytestmark = pytest.mark.integration

CONSUMERS = ("dispatch", "billing")
OUTAGE_SECONDS = 10
NEW_COMPOUNDS = [
    ("坝陵桥小区", "old"),
    ("桃园小区", "old"),
    ("双塔西街小区", "resettlement"),
    ("南华门小区", "old"),
    ("新建南路小区", "commercial"),
    ("五一路小区", "old"),
    ("解放北路小区", "resettlement"),
    ("青年路小区", "commercial"),
    ("起凤街小区", "old"),
    ("后小河小区", "super_large"),
]
RENAMES = ["迎泽苑（一期）", "迎泽苑（一期·东）", "迎泽苑东区", "迎泽苑东区（改造中）", "迎泽苑东区（已改造）"]


@pytest.fixture(scope="module")
def services(cluster: Cluster) -> dict[str, Service]:
    procs = {name: cluster.service(name) for name in ("registry", *CONSUMERS)}
    cluster.start(*procs.values())
    return procs


async def timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    result = await call
    return result, time.monotonic() - started


async def test_writes_during_a_broker_outage_are_delivered_in_order_afterwards(
    cluster: Cluster, services: dict[str, Service], http: httpx.AsyncClient
) -> None:
    registry = services["registry"]
    db = cluster.database("registry")
    headers = cluster.auth()
    community = await seed_community(http, registry.url, headers, "迎泽街道", "坝陵桥社区")
    yingze = await create_compound(http, registry.url, headers, community, "迎泽苑", "commercial", "professional")
    for name in CONSUMERS:
        await eventually(partial(projected, http, services[name], yingze["id"], headers), what=f"{name} warm")

    cluster.broker.pause()
    try:
        outage_started = time.monotonic()
        created: list[dict[str, Any]] = []
        latencies: list[float] = []
        for name, kind in NEW_COMPOUNDS:
            body, took = await timed(create_compound(http, registry.url, headers, community, name, kind))
            created.append(body)
            latencies.append(took)
        current = yingze
        for new_name in RENAMES:
            current, took = await timed(rename_compound(http, registry.url, headers, current, new_name))
            latencies.append(took)
        # The write path never waits for the broker: the events are rows in the outbox.
        assert max(latencies) < 10, latencies
        unsent = await pg_fetch(
            db, "SELECT type, key FROM outbox WHERE sent_at IS NULL AND type LIKE 'linli.registry.compound.%'"
        )
        assert len(unsent) == len(NEW_COMPOUNDS) + len(RENAMES)
        assert sorted(r["key"] for r in unsent if r["type"].endswith(".updated.v1")) == [str(yingze["id"])] * len(
            RENAMES
        )
        ready = await http.get(f"{registry.url}/readyz", timeout=30)
        assert ready.status_code == 503
        assert ready.json()["checks"]["broker"].startswith("error"), ready.text
        assert ready.json()["checks"]["database"] == "ok"
        listed = await http.get(f"{registry.url}/api/v1/registry/compounds?community_id={community}", headers=headers)
        assert listed.status_code == 200
        assert len(listed.json()) == 1 + len(NEW_COMPOUNDS)
        await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_started)))
    finally:
        cluster.broker.resume()

    await eventually(
        lambda: pg_value(db, "SELECT count(*) = 0 FROM outbox WHERE sent_at IS NULL"),
        within=120,
        what="the relay catches up after the outage",
    )
    for name in CONSUMERS:
        service = services[name]
        for compound in created:
            view = await eventually(
                partial(projected, http, service, compound["id"], headers),
                within=120,
                what=f"{name} projects {compound['name']}",
            )
            assert view["name"] == compound["name"]
            assert view["version"] == 1
        final = await eventually(
            partial(projected, http, service, yingze["id"], headers, version=current["version"]),
            within=120,
            what=f"{name} sees 迎泽苑's last rename",
        )
        assert final["name"] == RENAMES[-1]
        assert current["version"] == 1 + len(RENAMES)

        # Applied in the order made: the inbox, by time applied, lists 迎泽苑's events v1..v6.
        outbox = await pg_fetch(
            db,
            "SELECT event_id, (value::json->>'version')::int AS version FROM outbox "
            "WHERE type LIKE 'linli.registry.compound.%' AND key = $1 ORDER BY id",
            str(yingze["id"]),
        )
        assert [r["version"] for r in outbox] == list(range(1, 2 + len(RENAMES)))
        version_of = {r["event_id"]: r["version"] for r in outbox}
        assert final["event_id"] == outbox[-1]["event_id"]
        applied = await pg_fetch(
            cluster.database(name),
            "SELECT event_id FROM inbox WHERE event_id = ANY($1::text[]) ORDER BY applied_at, event_id",
            list(version_of),
        )
        assert [version_of[r["event_id"]] for r in applied] == list(range(1, 2 + len(RENAMES))), name
        total = await pg_value(
            cluster.database(name), "SELECT count(*) FROM inbox WHERE event_type LIKE 'linli.registry.compound.%'"
        )
        assert total == 1 + len(NEW_COMPOUNDS) + len(RENAMES)
        assert await pg_value(cluster.database(name), "SELECT count(*) FROM compound_projection") == 1 + len(
            NEW_COMPOUNDS
        )
        samples = await service.metrics()
        parked = [v for (metric, _), v in samples.items() if metric == "linli_dlq_events_total" and v > 0]
        assert parked == [], f"{name} parked events"
        assert await service.consumed("parked") == 0
