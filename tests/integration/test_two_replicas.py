"""Dispatch scaled to two replicas: one consumer group, the partitions shared between them.

The street registers forty compounds at once (keys spread over the six partitions of
registry.events). Both replicas take part, yet each compound is projected exactly once and
each event leaves exactly one inbox row in their shared database.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.integration.conftest import (
    Cluster,
    Service,
    create_compound,
    eventually,
    pg_fetch,
    pg_value,
    seed_community,
)

pytestmark = pytest.mark.integration

PARTITIONS = {f"registry.events/{p}" for p in range(6)}


def registry_partitions(replica: Service) -> set[str]:
    """The registry.events partitions a replica owns (dispatch also reads deliberation.events)."""
    return {p for p in replica.assignment() if p.startswith("registry.events/")}


COMPOUNDS = [f"{street}{n}号院" for street in ("柳巷", "钟楼街", "桥头街", "开化寺街") for n in range(1, 11)]


@pytest.fixture(scope="module")
def services(cluster: Cluster) -> dict[str, Service]:
    registry = cluster.service("registry")
    first = cluster.service("dispatch")
    cluster.start(registry, first)
    first.wait_assigned()
    assert registry_partitions(first) == PARTITIONS
    second = cluster.service("dispatch")  # same DATABASE_URL, same group, another port
    cluster.start(second)
    # The group rebalances: wait until the two replicas split the partitions between them.
    deadline = time.monotonic() + 120
    while True:
        a, b = registry_partitions(first), registry_partitions(second)
        if a and b and not a & b and a | b == PARTITIONS:
            break
        assert time.monotonic() < deadline, f"no split after 120s: {sorted(a)} / {sorted(b)}"
        time.sleep(0.25)
    return {"registry": registry, "dispatch-1": first, "dispatch-2": second}


async def test_two_replicas_share_the_work_and_apply_each_event_once(
    cluster: Cluster, services: dict[str, Service], http: httpx.AsyncClient
) -> None:
    registry = services["registry"]
    replicas = [services["dispatch-1"], services["dispatch-2"]]
    assert replicas[0].env["DATABASE_URL"] == replicas[1].env["DATABASE_URL"]
    headers = cluster.auth()
    community = await seed_community(http, registry.url, headers, "杏花岭街道", "敦化坊社区")

    created = [await create_compound(http, registry.url, headers, community, name) for name in COMPOUNDS]
    ids = sorted(c["id"] for c in created)
    assert len(set(ids)) == len(COMPOUNDS)
    db = cluster.database("dispatch")

    await eventually(
        lambda: pg_value(db, "SELECT count(*) = $1 FROM compound_projection", len(COMPOUNDS)),
        within=120,
        what="all forty compounds projected",
    )
    rows = await pg_fetch(db, "SELECT compound_id, name, version, event_id FROM compound_projection ORDER BY 1")
    assert [r["compound_id"] for r in rows] == ids
    assert {r["name"] for r in rows} == set(COMPOUNDS)
    assert {r["version"] for r in rows} == {1}

    events = await pg_fetch(
        cluster.database("registry"),
        "SELECT event_id FROM outbox WHERE type = 'linli.registry.compound.created.v1'",
    )
    inbox = await pg_fetch(db, "SELECT consumer, event_id FROM inbox")
    assert len(inbox) == len(events) == len(COMPOUNDS)
    assert {r["event_id"] for r in inbox} == {r["event_id"] for r in events}
    assert {r["consumer"] for r in inbox} == {"dispatch"}
    assert {r["event_id"] for r in rows} == {r["event_id"] for r in events}

    applied = [await replica.consumed("applied") for replica in replicas]
    assert all(n > 0 for n in applied), f"each replica should have applied some: {applied}"
    assert sum(applied) == len(COMPOUNDS), applied
    # Records keyed by compound id went to the partitions of whichever replica owned them.
    owned = [registry_partitions(replica) for replica in replicas]
    assert owned[0]
    assert owned[1]
    assert not owned[0] & owned[1]
