"""Time (SLA) and graded escalation, by moving the service clock instead of sleeping:
小区发现、社区呼叫、分级响应. Deadlines are rows: a restart loses none and fires none twice."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from linli.apps import SERVICE_FACTORIES
from services.dispatch.stream.models import FeedItem
from shared.service_app import ServiceRuntime
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, Cast, Clock, order_leak, runtime_of, xinghualing_cast
from tests.helpers import ok


async def feed(platform: Platform, recipient: str) -> list[tuple[str, str]]:
    async with runtime_of(platform.apps["dispatch"]).db.sessionmaker() as session:
        rows = await session.scalars(select(FeedItem).where(FeedItem.recipient == recipient).order_by(FeedItem.seq))
        return [(r.kind, r.payload["escalation_level"]) for r in rows]


async def detail(platform: Platform, cast: Cast, order_id: str) -> Any:
    return ok(await platform.clients["dispatch"].get(f"{API}/orders/{order_id}", headers=cast.grid_worker(platform)))


async def test_an_untriaged_order_climbs_compound_community_street_each_on_its_own_clock(platform: Platform) -> None:
    cast = await xinghualing_cast(platform)
    runtime = runtime_of(platform.apps["dispatch"])
    clock = Clock(runtime)
    order_id = (await order_leak(platform, cast))["id"]  # urgent: one hour to triage

    clock.advance(minutes=59)
    await runtime.tick("sla")
    assert (await detail(platform, cast, order_id))["escalation_level"] == "compound"

    clock.advance(minutes=2)
    await runtime.tick("sla")
    order = await detail(platform, cast, order_id)
    assert (order["escalation_level"], order["sla_breached"], order["state"]) == ("community", True, "submitted")
    assert [(d["stage"], d["level"]) for d in order["deadlines"] if not d["fired"]] == [("triage", "community")]
    assert await feed(platform, f"community:{cast.home.community_id}") == [("escalate", "community")]
    # The grid worker, who owns it, is told too.
    assert ("escalate", "community") in await feed(platform, f"grid:{cast.home.grid_id}")

    clock.advance(hours=1, minutes=1)
    await runtime.tick("sla")
    assert (await detail(platform, cast, order_id))["escalation_level"] == "street"
    # The street's own feed carries it now; the community keeps only its own level.
    assert await feed(platform, f"street:{cast.home.street_id}") == [("escalate", "street")]
    assert await feed(platform, f"community:{cast.home.community_id}") == [("escalate", "community")]

    # At the street there is no level above: a breach reminds, and the street adds co-handlers.
    clock.advance(hours=1, minutes=1)
    await runtime.tick("sla")
    street = platform.street_admin
    added = ok(
        await platform.clients["dispatch"].post(
            f"{API}/orders/{order_id}/escalate",
            json={"reason": "协调区住建局共同处置", "co_handler_person_ids": [701, 702]},
            headers=street,
        )
    )
    assert added["co_handlers"] == [701, 702]
    actions = [e["action"] for e in added["timeline"]]
    assert actions == ["create", "escalate", "escalate", "remind", "escalate"]
    assert ("escalate", "street") in await feed(platform, "person:701")


async def test_an_unanswered_grab_is_offered_again_and_escalates_after_three_offers(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    runtime = runtime_of(platform.apps["dispatch"])
    clock = Clock(runtime)
    grid_worker = cast.grid_worker(platform)
    order_id = (await order_leak(platform, cast))["id"]
    ok(await dispatch.post(f"{API}/orders/{order_id}/triage", json={"triage": "minor"}, headers=grid_worker))
    ok(await dispatch.post(f"{API}/orders/{order_id}/dispatch", json={"mode": "grab"}, headers=grid_worker))

    for expected_round in (2, 3):
        clock.advance(minutes=31)  # urgent: half an hour to accept
        await runtime.tick("sla")
        order = await detail(platform, cast, order_id)
        assert (order["state"], order["offers_made"]) == ("offered", expected_round)
    clock.advance(minutes=31)
    await runtime.tick("sla")
    order = await detail(platform, cast, order_id)
    assert (order["state"], order["offers_made"], order["escalation_level"]) == ("awaiting_dispatch", 3, "community")
    assert [e["action"] for e in order["timeline"]][3:] == [
        "offer_expired",
        "offer",
        "offer_expired",
        "offer",
        "offer_expired",
        "escalate",
    ]
    assert {x["status"] for x in order["offers"]} == {"expired"}
    # 赵师傅 was offered it three times and told each time it lapsed.
    kinds = [k for k, _ in await feed(platform, f"person:{cast.zhao['person_id']}")]
    assert kinds == ["offer", "offer_expired", "offer", "offer_expired", "offer", "offer_expired"]


async def test_completed_work_is_confirmed_automatically_after_72_hours(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    runtime = runtime_of(platform.apps["dispatch"])
    clock = Clock(runtime)
    grid_worker, zhao = cast.grid_worker(platform), cast.member(platform, cast.zhao)
    order_id = (await order_leak(platform, cast))["id"]
    ok(await dispatch.post(f"{API}/orders/{order_id}/triage", json={"triage": "minor"}, headers=grid_worker))
    assign = {"mode": "assign", "party_member_id": cast.zhao["id"]}
    ok(await dispatch.post(f"{API}/orders/{order_id}/dispatch", json=assign, headers=grid_worker))
    ok(await dispatch.post(f"{API}/orders/{order_id}/accept", json={}, headers=zhao))
    ok(await dispatch.post(f"{API}/orders/{order_id}/start", json={}, headers=zhao))
    ok(await dispatch.post(f"{API}/orders/{order_id}/complete", json={"summary": "已修好"}, headers=zhao))

    clock.advance(hours=71)
    await runtime.tick("sla")
    assert (await detail(platform, cast, order_id))["state"] == "completed"
    clock.advance(hours=2)
    await runtime.tick("sla")
    order = await detail(platform, cast, order_id)
    assert (order["state"], order["timeline"][-1]["action"], order["timeline"][-1]["actor_person_id"]) == (
        "confirmed",
        "auto_confirm",
        None,
    )
    # The resident may still rate it.
    rated = ok(
        await dispatch.post(f"{API}/orders/{order_id}/rate", json={"rating": 4}, headers=cast.resident(platform))
    )
    assert rated["state"] == "closed"


async def test_after_a_restart_a_due_deadline_fires_once_and_none_is_lost(platform: Platform) -> None:
    cast = await xinghualing_cast(platform)
    old = platform.apps["dispatch"]
    first = (await order_leak(platform, cast))["id"]
    second = (await order_leak(platform, cast))["id"]
    start = runtime_of(old).clock()
    await runtime_of(old).stop()

    async with contextlib.AsyncExitStack() as stack:
        # A new process on the same database files, an hour and a minute later.
        app = SERVICE_FACTORIES["dispatch"](platform.settings, runtime_of(old).transport)
        await stack.enter_async_context(app.router.lifespan_context(app))
        runtime = runtime_of(app)
        clock = Clock(runtime)
        clock.now = start + timedelta(hours=1, minutes=1)
        await runtime.tick("sla")
        await runtime.tick("sla")
        assert await runtime.tick("sla") == 0
        async with runtime.db.sessionmaker() as session:
            from services.dispatch.orders.models import OrderEntry

            escalations = (
                await session.scalars(select(OrderEntry.order_id).where(OrderEntry.action == "escalate"))
            ).all()
        assert sorted(escalations) == sorted([first, second])
        assert await feed_count(runtime, f"community:{cast.home.community_id}") == 2


async def feed_count(runtime: ServiceRuntime, recipient: str) -> int:
    async with runtime.db.sessionmaker() as session:
        return len((await session.scalars(select(FeedItem.id).where(FeedItem.recipient == recipient))).all())
