"""Points follow the work: finished orders and good ratings earn; a lapse costs only the member
who let it happen (an assignment left unanswered), never everyone a grab was offered to; the
community publishes the compound's red and black lists for the month."""

from __future__ import annotations

from shared.auth import Grant, Role
from shared.clock import month_of
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, Clock, events_of, order_leak, runtime_of, xinghualing_cast
from tests.helpers import error, ok


async def test_points_follow_the_work_and_the_month_s_lists_are_published(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    runtime = runtime_of(platform.apps["dispatch"])
    clock = Clock(runtime)
    grid_worker, resident = cast.grid_worker(platform), cast.resident(platform)
    zhao, sun = cast.member(platform, cast.zhao), cast.member(platform, cast.sun)
    community = platform.token(Grant(Role.community_admin, "community", cast.home.community_id), person=800)
    compound = cast.home.compound_id

    # The community counts a single lapse as a warning in this compound.
    rules = ok(await dispatch.get(f"{API}/points/rules/{compound}", headers=resident))
    assert (rules["own"], rules["default_base"], rules["version"]) == (False, 10, 0)
    error(await dispatch.put(f"{API}/points/rules/{compound}", json={"warning_penalties": 1}, headers=resident), 403)
    error(
        await dispatch.put(
            f"{API}/points/rules/{compound}", json={"warning_penalties": 1, "rating_bonus": {"7": 1}}, headers=community
        ),
        422,
    )
    set_rules = ok(
        await dispatch.put(
            f"{API}/points/rules/{compound}", json={"warning_penalties": 1, "version": 0}, headers=community
        )
    )
    assert (set_rules["own"], set_rules["version"]) == (True, 1)

    # 赵师傅 fixes a leak and is rated five stars: 10 + 5.
    first = (await order_leak(platform, cast))["id"]
    ok(await dispatch.post(f"{API}/orders/{first}/triage", json={"triage": "minor"}, headers=grid_worker))
    assign = {"mode": "assign", "party_member_id": cast.zhao["id"]}
    ok(await dispatch.post(f"{API}/orders/{first}/dispatch", json=assign, headers=grid_worker))
    for step, body in (("accept", {}), ("start", {}), ("complete", {"summary": "修好了"})):
        ok(await dispatch.post(f"{API}/orders/{first}/{step}", json=body, headers=zhao))
    ok(await dispatch.post(f"{API}/orders/{first}/confirm", json={}, headers=resident))
    ok(await dispatch.post(f"{API}/orders/{first}/rate", json={"rating": 5}, headers=resident))

    # Nobody answers a grab in time: it was offered to both plumbers and asked neither of them in
    # particular, so it costs nobody anything; 孙师傅 takes the re-offer and finishes.
    second = (await order_leak(platform, cast))["id"]
    ok(await dispatch.post(f"{API}/orders/{second}/triage", json={"triage": "minor"}, headers=grid_worker))
    ok(await dispatch.post(f"{API}/orders/{second}/dispatch", json={"mode": "grab"}, headers=grid_worker))
    clock.advance(minutes=31)
    await runtime.tick("sla")
    for step, body in (("accept", {}), ("start", {}), ("complete", {"summary": "换了阀门"})):
        ok(await dispatch.post(f"{API}/orders/{second}/{step}", json=body, headers=sun))
    ok(await dispatch.post(f"{API}/orders/{second}/confirm", json={}, headers=resident))

    # The grid worker assigns a third leak to 孙师傅 by name, and he lets it lapse: −2, his alone.
    third = (await order_leak(platform, cast))["id"]
    ok(await dispatch.post(f"{API}/orders/{third}/triage", json={"triage": "minor"}, headers=grid_worker))
    assign_sun = {"mode": "assign", "party_member_id": cast.sun["id"]}
    ok(await dispatch.post(f"{API}/orders/{third}/dispatch", json=assign_sun, headers=grid_worker))
    clock.advance(minutes=31)
    await runtime.tick("sla")

    # A member reads his own points; the community reads any of its members'; a neighbour reads neither.
    zhao_points = ok(await dispatch.get(f"{API}/points/members/{cast.zhao['id']}", headers=zhao))
    assert [(e["reason"], e["points"]) for e in zhao_points["entries"]] == [("completed", 10), ("rating_bonus", 5)]
    assert zhao_points["total"] == 15
    error(await dispatch.get(f"{API}/points/members/{cast.sun['id']}", headers=resident), 404)
    sun_points = ok(await dispatch.get(f"{API}/points/members/{cast.sun['id']}", headers=community))
    assert [(e["reason_label"], e["points"]) for e in sun_points["entries"]] == [("完成工单", 10), ("超时未接单", -2)]
    assert sun_points["total"] == 8

    period = month_of(clock.now)
    live = ok(await dispatch.get(f"{API}/points/lists", params={"compound_id": compound}, headers=resident))
    assert (live["period"], live["published"]) == (period, False)
    # One lapse is a warning in this compound: 孙师傅 is warned, 赵师傅 is honoured.
    assert [(t["name"], t["points"], t["penalties"]) for t in live["warning_list"]] == [("孙师傅", 8, 1)]
    assert [(t["name"], t["points"]) for t in live["honor_roll"]] == [("赵师傅", 15)]

    publish = {"compound_id": compound, "period": period}
    error(await dispatch.post(f"{API}/points/lists/publish", json=publish, headers=grid_worker), 403)
    published = ok(await dispatch.post(f"{API}/points/lists/publish", json=publish, headers=community))
    assert published["published"] is True
    error(await dispatch.post(f"{API}/points/lists/publish", json=publish, headers=community), 409, "duplicate")
    [event] = [e for e in await events_of(platform) if e["type"].endswith("points_lists.published.v1")]
    assert (event["compound_id"], event["period"], len(event["warning_list"])) == (compound, period, 1)
