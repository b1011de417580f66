"""The registry loses power between publishing an event and marking it sent.

柳巷小区 is registered; the relay hands its event to the broker and the process dies on the
spot (the failpoint relay.after_publish: exit 137, no cleanup). The outbox row is still unsent,
so the restarted registry publishes it again. Every consumer ends with the compound once and
one inbox row for the event, and says on /metrics that it dropped a duplicate.
"""

from __future__ import annotations

import asyncio
from functools import partial

import httpx
import pytest

from tests.integration.conftest import (
    Cluster,
    Service,
    eventually,
    pg_fetch,
    pg_value,
    projected,
    seed_community,
)

pytestmark = pytest.mark.integration

CONSUMERS = ("dispatch", "billing", "deliberation")


@pytest.fixture(scope="module")
def services(cluster: Cluster) -> dict[str, Service]:
    procs = {name: cluster.service(name) for name in ("registry", *CONSUMERS)}
    cluster.start(*procs.values())
    return procs


async def test_a_crash_after_publish_only_resends(
    cluster: Cluster, services: dict[str, Service], http: httpx.AsyncClient
) -> None:
    registry = services["registry"]
    headers = cluster.auth()
    community = await seed_community(http, registry.url, headers, "府东街道", "柳巷社区")
    # Everything so far is published and marked sent before the fault is switched on.
    await eventually(
        lambda: pg_value(cluster.database("registry"), "SELECT count(*) = 0 FROM outbox WHERE sent_at IS NULL"),
        what="street and community events sent",
    )
    code = await asyncio.to_thread(cluster.restart, registry, {"LINLI_FAILPOINTS": "relay.after_publish"})
    assert code == 0

    answer = await http.post(
        f"{registry.url}/api/v1/registry/compounds",
        json={"name": "柳巷小区", "community_id": community, "kind": "old", "management_model": "community_custody"},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    compound_id = answer.json()["id"]
    assert await asyncio.to_thread(registry.wait_exit, 60) == 137

    rows = await pg_fetch(
        cluster.database("registry"),
        "SELECT event_id, sent_at FROM outbox WHERE type = 'linli.registry.compound.created.v1' AND key = $1",
        str(compound_id),
    )
    assert len(rows) == 1
    event_id = rows[0]["event_id"]
    assert rows[0]["sent_at"] is None, "the crash came before the row was marked sent"
    # The first publish did reach the broker: the consumers have it already.
    for name in CONSUMERS:
        view = await eventually(
            partial(projected, http, services[name], compound_id, headers), what=f"{name} projects 柳巷小区"
        )
        assert view["event_id"] == event_id

    await asyncio.to_thread(cluster.restart, registry, drop=("LINLI_FAILPOINTS",))
    await eventually(
        lambda: pg_value(
            cluster.database("registry"), "SELECT sent_at IS NOT NULL FROM outbox WHERE event_id = $1", event_id
        ),
        what="the restarted relay publishes the row again and marks it sent",
    )
    for name in CONSUMERS:
        service = services[name]
        duplicates = await eventually(
            partial(service.consumed, "duplicate"), within=60, what=f"{name} drops the re-sent event"
        )
        assert duplicates >= 1
        assert await service.consumed("applied") == 1
        projection = await pg_fetch(
            cluster.database(name),
            "SELECT name, version, event_id FROM compound_projection WHERE compound_id = $1",
            compound_id,
        )
        assert [tuple(r) for r in projection] == [("柳巷小区", 1, event_id)]
        inbox = await pg_fetch(
            cluster.database(name), "SELECT consumer, event_type FROM inbox WHERE event_id = $1", event_id
        )
        assert [tuple(r) for r in inbox] == [(name, "linli.registry.compound.created.v1")]
    # Nothing was parked along the way.
    for name in CONSUMERS:
        samples = await services[name].metrics()
        assert not [v for (metric, _), v in samples.items() if metric == "linli_dlq_events_total" and v > 0], name
