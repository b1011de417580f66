"""The README's dispatch walk on the demo street: the demo order appears once the registry's
demo has reached dispatch, and the demo accounts carry a leak from 王秀英 to 赵师傅."""

from __future__ import annotations

from typing import Any

from services.registry.demo import add_demo_organisation, add_demo_people, build_demo_street
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, LEAK
from tests.api.registry.builders import demo_login
from tests.helpers import ok


async def test_the_demo_street_is_usable_for_dispatch(platform: Platform) -> None:
    registry_runtime = platform.apps["registry"].state.runtime
    async with registry_runtime.db.sessionmaker() as session:
        demo = await build_demo_street(session)
        await add_demo_people(session, platform.settings, demo)
        await add_demo_organisation(session, demo)
        await session.commit()
    registry_runtime.relay.wake()
    runtime = platform.apps["dispatch"].state.runtime
    runtime.settings = runtime.settings.model_copy(update={"seed_demo": True})
    dispatch = platform.clients["dispatch"]
    grid = await demo_login(platform, "13800000002")
    plumber = await demo_login(platform, "13800000003")
    resident = await demo_login(platform, "13800000004")

    async def demo_order() -> list[Any]:
        await runtime.tick("demo")
        return list(ok(await dispatch.get(f"{API}/orders", headers=grid))["items"])

    [stairwell] = await platform.eventually(demo_order)
    assert (stairwell["title"], stairwell["channel"], stairwell["state"]) == (
        "1号楼1单元楼道灯不亮",
        "door_knocking",
        "submitted",
    )
    assert await runtime.tick("demo") == 0  # added once

    order = ok(await dispatch.post(f"{API}/orders", json=LEAK, headers=resident), 201)
    ok(await dispatch.post(f"{API}/orders/{order['id']}/triage", json={"triage": "minor"}, headers=grid))
    ranked = ok(await dispatch.get(f"{API}/orders/{order['id']}/candidates", headers=grid))
    assert [(c["name"], c["rank"]) for c in ranked] == [("赵师傅", 1)]
    assign = {"mode": "assign", "party_member_id": ranked[0]["party_member_id"]}
    ok(await dispatch.post(f"{API}/orders/{order['id']}/dispatch", json=assign, headers=grid))
    for step, body in (("accept", {}), ("start", {}), ("complete", {"summary": "更换水管接头"})):
        ok(await dispatch.post(f"{API}/orders/{order['id']}/{step}", json=body, headers=plumber))
    ok(await dispatch.post(f"{API}/orders/{order['id']}/confirm", json={}, headers=resident))
    rated = ok(await dispatch.post(f"{API}/orders/{order['id']}/rate", json={"rating": 5}, headers=resident))
    assert rated["state"] == "closed"
