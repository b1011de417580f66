"""The leaking pipe, distributed: registry, dispatch and the gateway as their own processes on
PostgreSQL and a Kafka-protocol broker. The registry's records reach dispatch as events; the
resident's order reaches the plumber's SSE stream through the gateway and ends in five stars.
Then dispatch is restarted an hour ahead (CLOCK_OFFSET_SECONDS): the untriaged order's
deadline, a row in PostgreSQL, fires once after the restart and escalates it to the community.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from shared.auth import Grant, Role
from tests.api.sse import frames
from tests.integration.conftest import Cluster, Service, clock_ahead, eventually, pg_fetch, pg_value

pytestmark = pytest.mark.integration

DISPATCH = "/api/v1/dispatch"
LEAK = {
    "category": "water_leak",
    "title": "厨房水管漏水",
    "description": "水槽下水管滴水",
    "urgency": "urgent",
    "fields": {"location": "厨房水槽下"},
}


@pytest.fixture(scope="module")
def services(cluster: Cluster) -> dict[str, Service]:
    procs = {name: cluster.service(name) for name in ("registry", "dispatch")}
    cluster.start(*procs.values())
    gateway = cluster.service("gateway", env=cluster.gateway_env(*procs.values()))
    cluster.start(gateway)
    procs["gateway"] = gateway
    return procs


class Registry:
    """Records posted through the gateway as the street office would."""

    def __init__(self, http: httpx.AsyncClient, base: str, headers: dict[str, str]) -> None:
        self.http, self.base, self.headers = http, base, headers

    async def post(self, path: str, body: dict[str, Any]) -> int:
        answer = await self.http.post(f"{self.base}/api/v1/registry{path}", json=body, headers=self.headers)
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    async def home(self, compound: int, building: str) -> int:
        b = await self.post(
            "/buildings", {"compound_id": compound, "number": building, "structure": "multi_storey", "floors": 6}
        )
        e = await self.post("/entrances", {"building_id": b, "number": "1"})
        d = await self.post("/dwellings", {"entrance_id": e, "room": "301", "area_m2": "86.50", "floor": 3})
        return await self.post("/households", {"dwelling_id": d})


async def sse_events(
    http: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    out: asyncio.Queue[dict[str, Any]],
    connected: asyncio.Event,
) -> None:
    """Read an SSE stream into `out` (each event's data with its name and arrival time); set
    `connected` at the stream's `connected` comment, sent once its starting position is taken."""
    async with http.stream("GET", url, headers={**headers, "Accept": "text/event-stream"}, timeout=None) as response:
        assert response.status_code == 200, await response.aread()
        async for frame in frames(response):
            if any(comment.startswith("connected") for comment in frame.comments):
                connected.set()
            if frame.event is not None:
                await out.put({"event": frame.event, **frame.data, "arrived": time.monotonic()})


@contextlib.asynccontextmanager
async def streaming(
    http: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    connected = asyncio.Event()
    task = asyncio.create_task(sse_events(http, url, headers, queue, connected))
    try:
        # What is committed after this reaches the stream: it has taken its starting position.
        await asyncio.wait_for(connected.wait(), timeout=30)
        yield queue
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_leaking_pipe_through_the_gateway_and_an_escalation_after_a_restart(
    cluster: Cluster, services: dict[str, Service], http: httpx.AsyncClient
) -> None:
    gateway, dispatch = services["gateway"], services["dispatch"]
    base = gateway.url
    registry = Registry(http, base, cluster.auth())
    street = await registry.post("/streets", {"name": "三桥街道"})
    community = await registry.post("/communities", {"street_id": street, "name": "杏花岭社区"})
    grid = await registry.post("/grids", {"community_id": community, "name": "第一网格"})
    compound = await registry.post(
        "/compounds",
        {
            "name": "杏花岭片区·老旧小区",
            "community_id": community,
            "kind": "old",
            "management_model": "community_custody",
            "grid_id": grid,
        },
    )
    home = await registry.home(compound, "3")
    wang = await registry.post("/residents", {"name": "王秀英", "household_id": home})
    zhang = await registry.post("/residents", {"name": "张丽", "compound_id": compound})
    await registry.post("/grid-workers", {"person_id": zhang, "kind": "full_time", "grid_ids": [grid]})
    parent = None
    for level, name, place in (
        ("street_committee", "三桥街道党工委", street),
        ("community_committee", "杏花岭社区党委", community),
        ("grid_branch_general", "第一网格党总支", grid),
        ("compound_branch", "小区党支部", compound),
    ):
        parent = await registry.post(
            "/party-orgs", {"level": level, "name": name, "place_id": place, "parent_id": parent}
        )
    zhao = await registry.post("/residents", {"name": "赵师傅", "household_id": await registry.home(compound, "1")})
    member = await registry.post(
        "/party-members", {"person_id": zhao, "ledger": "in_service", "party_org_id": parent, "skills": ["plumber"]}
    )
    await registry.post("/check-ins", {"party_member_id": member, "compound_id": compound, "post": "水电维修服务岗"})
    await registry.post(
        "/pairings",
        {"kind": "member_household", "compound_id": compound, "party_member_id": member, "household_id": home},
    )

    async def synced() -> bool:
        rows = await pg_fetch(
            cluster.database("dispatch"),
            "SELECT (SELECT count(*) FROM check_ins) AS c, (SELECT count(*) FROM member_household_links) AS l,"
            " (SELECT count(*) FROM households) AS h",
        )
        return (rows[0]["c"], rows[0]["l"], rows[0]["h"]) == (1, 1, 2)

    await eventually(synced, within=90, what="dispatch projects the cast")

    def bearer(*grants: Grant, person: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {cluster.token(*grants, person=person)}"}

    resident = bearer(Grant(Role.resident, "household", home), person=wang)
    grid_worker = bearer(Grant(Role.grid_worker, "grid", grid), person=zhang)
    plumber = bearer(Grant(Role.party_member, "compound", compound), person=zhao)

    async def call(
        method: str, path: str, headers: dict[str, str], body: dict[str, Any] | None = None, status: int = 200
    ) -> Any:
        answer = await http.request(method, f"{base}{DISPATCH}{path}", json=body, headers=headers)
        assert answer.status_code == status, answer.text
        return answer.json()

    async with (
        streaming(http, f"{base}{DISPATCH}/stream", grid_worker) as grid_feed,
        streaming(http, f"{base}{DISPATCH}/stream", plumber) as plumber_feed,
    ):
        order = await call("POST", "/orders", resident, LEAK, 201)
        created = await asyncio.wait_for(grid_feed.get(), timeout=5)
        assert (created["event"], created["order_id"]) == ("create", order["id"])
        await call("POST", f"/orders/{order['id']}/triage", grid_worker, {"triage": "minor"})
        [first, *_] = await call("GET", f"/orders/{order['id']}/candidates", grid_worker)
        assert (first["name"], first["rank"], first["paired_with_household"]) == ("赵师傅", 1, True)
        await call(
            "POST", f"/orders/{order['id']}/dispatch", grid_worker, {"mode": "assign", "party_member_id": member}
        )
        # Timed from the dispatch's answer (its commit), not from before the request: on a loaded
        # machine the request itself took a second (a full `make test`, 3 December 2026), which
        # is not the push's doing. How fast the push is under load is bench/dispatch.py's.
        answered = time.monotonic()
        offer = await asyncio.wait_for(plumber_feed.get(), timeout=5)
        assert (offer["event"], offer["order_id"], offer["title"]) == ("offer", order["id"], "厨房水管漏水")
        assert offer["arrived"] - answered < 1.0
        for step, body in (("accept", {}), ("start", {}), ("complete", {"summary": "更换水管接头"})):
            await call("POST", f"/orders/{order['id']}/{step}", plumber, body)
        await call("POST", f"/orders/{order['id']}/confirm", resident, {})
        rated = await call("POST", f"/orders/{order['id']}/rate", resident, {"rating": 5, "comment": "很满意"})
        assert (rated["state"], rated["rating"]) == ("closed", 5)
        assert [e["action"] for e in rated["timeline"]] == [
            "create", "triage_dispatch", "offer", "accept", "start", "complete", "confirm", "rate",
        ]  # fmt: skip

    # A second leak nobody triages; dispatch is redeployed an hour and a minute later.
    late = await call("POST", "/orders", resident, LEAK, 201)
    assert (
        await pg_value(cluster.database("dispatch"), "SELECT count(*) FROM deadlines WHERE order_id = $1", late["id"])
        == 1
    )
    await asyncio.to_thread(cluster.restart, dispatch, clock_ahead(timedelta(seconds=3660)))

    async def escalated() -> Any:
        body = await call("GET", f"/orders/{late['id']}", grid_worker)
        return body if body["escalation_level"] == "community" else None

    late_now = await eventually(escalated, within=30, what="the late order escalates after the restart")
    assert late_now["sla_breached"] is True
    await asyncio.sleep(2.5)  # more ticker rounds: nothing fires twice
    entries = await pg_fetch(
        cluster.database("dispatch"), "SELECT action FROM order_entries WHERE order_id = $1 ORDER BY id", late["id"]
    )
    assert [r["action"] for r in entries] == ["create", "escalate"]
    fired = await pg_value(
        cluster.database("dispatch"),
        "SELECT count(*) FROM deadlines WHERE order_id = $1 AND fired_at IS NOT NULL",
        late["id"],
    )
    assert fired == 1
    community_feed = await pg_value(
        cluster.database("dispatch"), "SELECT count(*) FROM feed_items WHERE recipient = $1", f"community:{community}"
    )
    assert community_feed == 1
