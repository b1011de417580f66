"""The compound slice, distributed: five processes on PostgreSQL and a Kafka-protocol broker.

The street office registers 杏花岭小区 through the gateway; dispatch, billing and deliberation
each learn of it from the same event. It is renamed; the new name and version reach all three.
Dispatch is redeployed (SIGTERM, exit 0, start again) and 滨河花园 registered meanwhile still
reaches it, while what it knew before the restart is kept.
"""

from __future__ import annotations

import asyncio
import time
from functools import partial

import httpx
import pytest

from tests.integration.conftest import (
    Cluster,
    Service,
    create_compound,
    eventually,
    pg_fetch,
    projected,
    rename_compound,
    seed_community,
)

pytestmark = pytest.mark.integration

CONSUMERS = ("dispatch", "billing", "deliberation")


@pytest.fixture(scope="module")
def services(cluster: Cluster) -> dict[str, Service]:
    procs = {name: cluster.service(name) for name in ("registry", *CONSUMERS)}
    cluster.start(*procs.values())
    gateway = cluster.service("gateway", env=cluster.gateway_env(*procs.values()))
    cluster.start(gateway)
    procs["gateway"] = gateway
    return procs


async def test_compound_reaches_every_projection_and_survives_a_dispatch_restart(
    cluster: Cluster, services: dict[str, Service], http: httpx.AsyncClient
) -> None:
    gateway = services["gateway"]
    headers = cluster.auth()
    ready = await http.get(f"{gateway.url}/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == dict.fromkeys(("registry", *CONSUMERS), "ok")

    community = await seed_community(http, gateway.url, headers, "杏花岭街道", "杏花岭社区")
    xinghua = await create_compound(http, gateway.url, headers, community, "杏花岭小区", "old", "community_custody")

    # One event, three projections, each carrying the id of the event that fed it.
    views = {}
    for name in CONSUMERS:
        views[name] = await eventually(
            partial(projected, http, services[name], xinghua["id"], headers, version=1),
            what=f"{name} projects 杏花岭小区",
        )
    outbox = await pg_fetch(
        cluster.database("registry"),
        "SELECT event_id, type FROM outbox WHERE type LIKE 'linli.registry.compound.%' ORDER BY id",
    )
    assert [r["type"] for r in outbox] == ["linli.registry.compound.created.v1"]
    for name, view in views.items():
        assert view["name"] == "杏花岭小区", name
        assert view["community_id"] == community
        assert view["kind"] == "old"
        assert view["management_model"] == "community_custody"
        assert view["event_id"] == outbox[0]["event_id"], name
    # The gateway routes reads to each projection too.
    through_gateway = await http.get(f"{gateway.url}/api/v1/billing/compounds/{xinghua['id']}", headers=headers)
    assert through_gateway.status_code == 200
    assert through_gateway.json()["event_id"] == outbox[0]["event_id"]

    renamed = await rename_compound(http, gateway.url, headers, xinghua, "杏花岭小区（北院）")
    for name in CONSUMERS:
        view = await eventually(
            partial(projected, http, services[name], xinghua["id"], headers, version=2),
            what=f"{name} sees the new name",
        )
        assert view["name"] == "杏花岭小区（北院）"
        assert view["event_id"] != outbox[0]["event_id"]
    for name in CONSUMERS:
        # Only the compound's events: billing also keeps communities (street-wide bill runs).
        inbox = await pg_fetch(
            cluster.database(name),
            "SELECT event_type FROM inbox WHERE event_type LIKE 'linli.registry.compound.%' ORDER BY applied_at",
        )
        assert [r["event_type"] for r in inbox] == [
            "linli.registry.compound.created.v1",
            "linli.registry.compound.updated.v1",
        ], name

    # Redeploy dispatch: SIGTERM must drain and exit 0 well within the pod's grace period.
    dispatch = services["dispatch"]
    started = time.monotonic()
    dispatch.terminate()
    code = await asyncio.to_thread(dispatch.wait_exit, 30)
    assert code == 0, dispatch.tail()
    assert time.monotonic() - started < 30

    # While dispatch is away the street registers another compound.
    binhe = await create_compound(http, gateway.url, headers, community, "滨河花园", "commercial", "professional")
    await asyncio.to_thread(cluster.start, dispatch)
    view = await eventually(
        lambda: projected(http, dispatch, binhe["id"], headers, version=1),
        within=90,
        what="dispatch projects 滨河花园 after its restart",
    )
    assert view["name"] == "滨河花园"
    assert view["kind"] == "commercial"
    kept = await projected(http, dispatch, xinghua["id"], headers)
    assert kept is not None
    assert kept["name"] == "杏花岭小区（北院）"
    assert kept["version"] == renamed["version"]
    rows = await pg_fetch(
        cluster.database("dispatch"), "SELECT compound_id, name, version FROM compound_projection ORDER BY compound_id"
    )
    assert [(r["compound_id"], r["name"], r["version"]) for r in rows] == [
        (xinghua["id"], "杏花岭小区（北院）", 2),
        (binhe["id"], "滨河花园", 1),
    ]
    inbox_count = len(
        await pg_fetch(
            cluster.database("dispatch"), "SELECT event_id FROM inbox WHERE event_type LIKE 'linli.registry.compound.%'"
        )
    )
    assert inbox_count == 3  # created, updated, created: nothing applied twice across the restart
