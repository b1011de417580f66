"""Seed 002's heart: 群众点单—网格员派单—党员接单. A resident's leaking pipe goes from her order
to the plumber party member paired with her household, and ends in a 5-star rating."""

from __future__ import annotations

import asyncio

from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, LEAK, Cast, events_of, order_leak, xinghualing_cast
from tests.helpers import error, ok


async def test_a_leaking_pipe_goes_from_order_to_the_paired_plumber_and_a_five_star_rating(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    resident, grid_worker = cast.resident(platform), cast.grid_worker(platform)
    zhao = cast.member(platform, cast.zhao)

    # 群众点单: 王秀英 orders help for her own home; the order knows her compound and grid.
    order = await order_leak(platform, cast)
    assert (order["state"], order["state_label"]) == ("submitted", "待分流")
    assert (order["household_id"], order["compound_id"], order["grid_id"]) == (
        cast.home.household_id,
        cast.home.compound_id,
        cast.home.grid_id,
    )
    assert (order["requester_person_id"], order["channel"], order["category_name"]) == (cast.wang, "app", "水管漏水")
    assert order["fields"] == {"location": "厨房水槽下"}
    assert [d["stage"] for d in order["deadlines"]] == ["triage"]
    order_id = order["id"]

    # 三事分流: the grid worker of that grid calls it a minor matter to dispatch.
    triaged = ok(
        await dispatch.post(
            f"{API}/orders/{order_id}/triage", json={"triage": "minor", "version": 1}, headers=grid_worker
        )
    )
    assert (triaged["state"], triaged["triage"], triaged["triage_label"]) == (
        "awaiting_dispatch",
        "minor",
        "小事（社区与居民协商解决）",
    )

    # 派单推荐: the paired plumber first, then the other plumber; the rest excluded with reasons.
    ranked = ok(await dispatch.get(f"{API}/orders/{order_id}/candidates", headers=grid_worker))
    assert [(c["name"], c["rank"]) for c in ranked] == [
        ("赵师傅", 1),
        ("孙师傅", 2),
        ("钱老师", None),
        ("李师傅", None),
    ]
    first = ranked[0]
    assert (first["eligible"], first["paired_with_household"]) == (True, True)
    assert first["reasons"][:2] == ["技能匹配：水工/管道工", "与点单户结对包联"]
    assert "在办工单 0/3" in first["reasons"]
    assert ranked[2]["excluded_because"] == ["技能不符（需要：水工/管道工）"]
    assert ranked[3]["excluded_because"] == ["未在本小区报到"]

    # 网格员派单 → 党员接单 → work → done.
    offered = ok(
        await dispatch.post(
            f"{API}/orders/{order_id}/dispatch",
            json={"mode": "assign", "party_member_id": cast.zhao["id"]},
            headers=grid_worker,
        )
    )
    assert (offered["state"], offered["offers_made"]) == ("offered", 1)
    assert [(x["person_id"], x["status"]) for x in offered["offers"]] == [(cast.zhao["person_id"], "open")]
    # 孙师傅 was not offered it: he cannot accept.
    error(await dispatch.post(f"{API}/orders/{order_id}/accept", json={}, headers=cast.member(platform, cast.sun)), 403)

    accepted = ok(await dispatch.post(f"{API}/orders/{order_id}/accept", json={}, headers=zhao))
    assert (accepted["state"], accepted["assignee_person_id"], accepted["provider"]) == (
        "accepted",
        cast.zhao["person_id"],
        "party_member",
    )
    ok(await dispatch.post(f"{API}/orders/{order_id}/start", json={"note": "已到现场"}, headers=zhao))
    ok(await dispatch.post(f"{API}/orders/{order_id}/notes", json={"note": "更换了老化的水管接头"}, headers=zhao))
    done = ok(
        await dispatch.post(
            f"{API}/orders/{order_id}/complete", json={"summary": "更换水管接头两处，已不漏水"}, headers=zhao
        )
    )
    assert (done["state"], done["summary"]) == ("completed", "更换水管接头两处，已不漏水")
    assert [d["stage"] for d in done["deadlines"]] == ["confirm"]

    # The resident confirms and gives five stars; a second rating is refused and changes nothing.
    ok(await dispatch.post(f"{API}/orders/{order_id}/confirm", json={}, headers=resident))
    rated = ok(
        await dispatch.post(
            f"{API}/orders/{order_id}/rate", json={"rating": 5, "comment": "赵师傅手艺好，来得快"}, headers=resident
        )
    )
    assert (rated["state"], rated["rating"], rated["closed_at"] is not None) == ("closed", 5, True)
    again = await dispatch.post(f"{API}/orders/{order_id}/rate", json={"rating": 1}, headers=resident)
    assert "不能重复评价" in error(again, 409, "already_rated")["message"]
    final = ok(await dispatch.get(f"{API}/orders/{order_id}", headers=resident))
    assert (final["rating"], final["version"]) == (5, rated["version"])

    # The timeline tells the whole story, state by state, with who did what.
    assert [(e["action"], e["to_state"], e["actor_person_id"]) for e in final["timeline"]] == [
        ("create", "submitted", cast.wang),
        ("triage_dispatch", "awaiting_dispatch", cast.zhang),
        ("offer", "offered", cast.zhang),
        ("accept", "accepted", cast.zhao["person_id"]),
        ("start", "in_progress", cast.zhao["person_id"]),
        ("note", "in_progress", cast.zhao["person_id"]),
        ("complete", "completed", cast.zhao["person_id"]),
        ("confirm", "confirmed", cast.wang),
        ("rate", "closed", cast.wang),
    ]
    assert final["timeline"][5]["note"] == "更换了老化的水管接头"
    assert final["deadlines"] == [] or all(d["fired"] is False for d in final["deadlines"])

    # Every transition is an event, keyed by compound, in order.
    types = [e["type"].split(".")[3] for e in await events_of(platform)]
    assert types == [
        "created",
        "triaged",
        "offered",
        "assigned",
        "started",
        "noted",
        "completed",
        "confirmed",
        "rated",
    ]


async def check_two_members_grabbing_at_once_one_wins_and_the_other_gets_409(platform: Platform, cast: Cast) -> None:
    dispatch = platform.clients["dispatch"]
    grid_worker = cast.grid_worker(platform)
    order_id = (await order_leak(platform, cast))["id"]
    ok(await dispatch.post(f"{API}/orders/{order_id}/triage", json={"triage": "minor"}, headers=grid_worker))
    offered = ok(await dispatch.post(f"{API}/orders/{order_id}/dispatch", json={"mode": "grab"}, headers=grid_worker))
    assert sorted(x["person_id"] for x in offered["offers"]) == sorted([cast.zhao["person_id"], cast.sun["person_id"]])

    answers = await asyncio.gather(
        dispatch.post(f"{API}/orders/{order_id}/accept", json={}, headers=cast.member(platform, cast.zhao)),
        dispatch.post(f"{API}/orders/{order_id}/accept", json={}, headers=cast.member(platform, cast.sun)),
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    winner = next(a.json() for a in answers if a.status_code == 200)
    loser = next(a.json() for a in answers if a.status_code == 409)
    assert loser["error"]["code"] in ("stale_version", "illegal_transition")
    final = ok(await dispatch.get(f"{API}/orders/{order_id}", headers=grid_worker))
    assert final["assignee_person_id"] == winner["assignee_person_id"]
    assert sorted(x["status"] for x in final["offers"]) == ["accepted", "lapsed"]
    assert [e["action"] for e in final["timeline"]].count("accept") == 1
    assert [e["type"] for e in await events_of(platform)].count("linli.dispatch.order.assigned.v1") == 1


async def check_a_duplicate_post_with_the_same_idempotency_key_makes_one_order(platform: Platform, cast: Cast) -> None:
    dispatch = platform.clients["dispatch"]
    headers = {**cast.resident(platform), "Idempotency-Key": "leak-3-1-301-20261125"}
    first = await dispatch.post(f"{API}/orders", json=LEAK, headers=headers)
    second = await dispatch.post(f"{API}/orders", json=LEAK, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    page = ok(await dispatch.get(f"{API}/orders", headers=cast.resident(platform)))
    assert [o["id"] for o in page["items"]] == [first.json()["id"]]


async def test_races_two_grabbing_at_once_and_a_repeated_post(platform: Platform) -> None:
    """Two members accepting at once: one wins, one gets 409; a repeated POST makes one order."""
    cast = await xinghualing_cast(platform)
    await check_a_duplicate_post_with_the_same_idempotency_key_makes_one_order(platform, cast)
    await check_two_members_grabbing_at_once_one_wins_and_the_other_gets_409(platform, cast)
