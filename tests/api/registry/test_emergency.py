"""Emergency mobilisation (应急动员预案, seeds 002 and 004), told with 杏花岭's old compound: the
grid worker 张丽 writes the public-health plan with two posts and its call list (the checked-in
party members 赵师傅, 孙师傅, 钱老师, the volunteer 周阿姨 and the building head 王秀英; 李师傅 has
not checked in and cannot be called). Activating it calls everyone through the notifications;
赵师傅 acknowledges, 孙师傅 reports at the north gate; the response is raised to the community
(刘主任 is told) and the street (陈书记 is told), then closed with its record. A drill is marked
as one in every message and counted apart."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.dispatch.builders import Cast, xinghualing_cast
from tests.api.registry.builders import dwelling_in, resident
from tests.api.registry.notifying import MORNING, inbox_of
from tests.helpers import ok, refused

API = "/api/v1/registry"


async def admins(platform: Platform, cast: Cast) -> tuple[dict[str, str], dict[str, str]]:
    """刘主任, the community's admin, and 陈书记, the street's, with their grants on record."""
    home = cast.home
    liu = (await resident(platform, "刘主任"))["id"]
    chen = (await resident(platform, "陈书记"))["id"]
    await platform.post(
        "/admin-grants", {"person_id": liu, "role": "community_admin", "scope": f"community:{home.community_id}"}
    )
    await platform.post(
        "/admin-grants", {"person_id": chen, "role": "street_admin", "scope": f"street:{home.street_id}"}
    )
    return (
        platform.token(Grant(Role.community_admin, "community", home.community_id), person=liu),
        platform.token(Grant(Role.street_admin, "street", home.street_id), person=chen),
    )


async def zhou_volunteers(platform: Platform, cast: Cast) -> tuple[int, dict[str, str]]:
    """周阿姨 of 6-1-301 joins the compound's 红邻服务队 with her care skills."""
    home = cast.home
    registry = platform.clients["registry"]
    team = await platform.post(
        "/volunteer-teams", {"compound_id": home.compound_id, "name": "红邻服务队", "focus": "帮困助老"},
        cast.grid_worker(platform),
    )  # fmt: skip
    place = await dwelling_in(
        platform, street_id=home.street_id, community_id=home.community_id, grid_id=home.grid_id,
        compound_id=home.compound_id, building="6",
    )  # fmt: skip
    zhou = (await resident(platform, "周阿姨", household_id=place.household_id))["id"]
    headers = platform.token(Grant(Role.resident, "household", place.household_id), person=zhou)
    ok(
        await registry.put(
            f"{API}/volunteers/me", json={"skills": ["elderly_care"], "team_ids": [team["id"]]}, headers=headers
        )
    )
    return zhou, headers


async def public_health_plan(platform: Platform, cast: Cast, zhou: int) -> dict[str, Any]:
    registry = platform.clients["registry"]
    zhang = cast.grid_worker(platform)
    await platform.post("/heads", {"kind": "building", "place_id": cast.home.building_id, "person_id": cast.wang})
    plan = ok(
        await registry.post(
            f"{API}/emergency/plans",
            json={
                "compound_id": cast.home.compound_id, "incident_kind": "public_health",
                "name": "杏花岭片区公共卫生事件应急动员预案", "guidance": "封控卡口、入户排查、物资配送",
                "posts": [{"name": "北门卡口值守", "location": "小区北门"}, {"name": "入户排查", "location": ""}],
            },
            headers=zhang,
        ),
        201,
    )  # fmt: skip
    gate, rounds = (p["id"] for p in plan["posts"])
    callable_ = ok(await registry.get(f"{API}/emergency/plans/{plan['id']}/callable", headers=zhang))
    # 李师傅 has not checked in: an in-service member serves where he reported, so he is not callable.
    assert {(c["name"], c["role_label"]) for c in callable_} == {
        ("赵师傅", "党员"), ("孙师傅", "党员"), ("钱老师", "党员"), ("周阿姨", "志愿者"), ("王秀英", "楼栋长"),
    }  # fmt: skip
    refused(
        await registry.post(
            f"{API}/emergency/plans/{plan['id']}/callees",
            json={"callees": [{"person_id": cast.li["person_id"], "role": "party_member", "post_id": gate}]},
            headers=zhang,
        ),
        422,
    )
    listed: dict[str, Any] = ok(
        await registry.post(
            f"{API}/emergency/plans/{plan['id']}/callees",
            json={
                "callees": [
                    {"person_id": cast.zhao["person_id"], "role": "party_member", "post_id": gate},
                    {"person_id": cast.sun["person_id"], "role": "party_member", "post_id": gate},
                    {"person_id": cast.qian["person_id"], "role": "party_member", "post_id": rounds},
                    {"person_id": zhou, "role": "volunteer", "post_id": rounds},
                    {"person_id": cast.wang, "role": "building_head", "post_id": rounds},
                ]
            },
            headers=zhang,
        ),
        201,
    )
    return listed


def of_kind(messages: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in messages if m["kind"] == kind]


async def test_a_roll_call_reaches_the_call_list_escalates_to_the_street_and_ends_in_a_record(
    platform: Platform,
) -> None:
    platform.set_clock(MORNING)
    registry = platform.clients["registry"]
    cast = await xinghualing_cast(platform)
    liu, chen = await admins(platform, cast)
    zhou, zhou_headers = await zhou_volunteers(platform, cast)
    plan = await public_health_plan(platform, cast, zhou)
    zhang = cast.grid_worker(platform)
    zhao, sun, li = (cast.member(platform, m) for m in (cast.zhao, cast.sun, cast.li))
    assert [(c["name"], c["post_name"]) for c in plan["callees"]] == [
        ("赵师傅", "北门卡口值守"), ("孙师傅", "北门卡口值守"), ("钱老师", "入户排查"), ("周阿姨", "入户排查"),
        ("王秀英", "入户排查"),
    ]  # fmt: skip

    # A resident may not sound the alarm; the grid worker of the compound may.
    situation = {"situation": "3号楼发现发热病例，需封控楼栋"}
    activate = f"{API}/emergency/plans/{plan['id']}/activate"
    refused(await registry.post(activate, json=situation, headers=cast.resident(platform)), 403)
    started = ok(await registry.post(activate, json=situation, headers=zhang), 201)
    assert (started["state_label"], started["level_label"], started["drill_label"]) == (
        "响应中", "小区响应（小区发现）", "实战",
    )  # fmt: skip
    assert started["tally"] == {"called": 5, "acknowledged": 0, "at_post": 0}
    assert all(c["notification_id"] for c in started["roll_call"])

    # Each person called finds an urgent message naming their post; the grid worker hears the
    # compound level started; the community is not told yet.
    [message] = of_kind(await inbox_of(platform, zhao), "emergency_roll_call")
    assert (message["title"], message["urgent"], message["link"]) == (
        "应急动员：杏花岭片区公共卫生事件应急动员预案", True, f"/emergency/{started['id']}",
    )  # fmt: skip
    assert "前往「北门卡口值守」（小区北门）到岗报到" in message["body"]
    [zhou_message] = of_kind(await inbox_of(platform, zhou_headers), "emergency_roll_call")
    assert "前往「入户排查」到岗报到" in zhou_message["body"]
    assert of_kind(await inbox_of(platform, li), "emergency_roll_call") == []
    [heard] = of_kind(await inbox_of(platform, zhang), "emergency_response")
    assert heard["title"] == "小区响应（小区发现）：杏花岭片区公共卫生事件应急动员预案"
    assert of_kind(await inbox_of(platform, liu), "emergency_response") == []
    refused(await registry.post(activate, json=situation, headers=zhang), 409, "already_active")

    # 赵师傅 acknowledges on his phone; 孙师傅 comes straight to the gate; 李师傅 was not called.
    answer = f"{API}/emergency/activations/{started['id']}"
    [mine] = ok(await registry.post(f"{answer}/acknowledge", headers=zhao))
    assert (mine["post_name"], mine["acknowledged_at"] is not None, mine["at_post_at"]) == ("北门卡口值守", True, None)
    [at_gate] = ok(await registry.post(f"{answer}/at-post", json={"note": "已到北门"}, headers=sun))
    assert at_gate["acknowledged_at"] is not None
    assert at_gate["at_post_at"] is not None
    refused(await registry.post(f"{answer}/acknowledge", headers=li), 404)
    live = ok(await registry.get(answer, headers=zhang))
    assert live["tally"] == {"called": 5, "acknowledged": 2, "at_post": 1}

    # 社区呼叫: raised to the community, its admin is told; then to the street, its admin is told.
    raised = ok(
        await registry.post(
            f"{answer}/escalate", json={"version": live["version"], "note": "小区力量不足，请求社区支援"}, headers=zhang
        )
    )
    assert raised["level_label"] == "社区响应（社区呼叫）"
    [community] = of_kind(await inbox_of(platform, liu), "emergency_response")
    assert community["title"] == "社区响应（社区呼叫）：杏花岭片区公共卫生事件应急动员预案"
    assert "小区力量不足，请求社区支援" in community["body"]
    assert of_kind(await inbox_of(platform, chen), "emergency_response") == []
    refused(
        await registry.post(f"{answer}/escalate", json={"version": live["version"]}, headers=liu), 409, "stale_version"
    )
    top = ok(await registry.post(f"{answer}/escalate", json={"version": raised["version"]}, headers=liu))
    assert top["level_label"] == "街道响应（分级响应、协同处置）"
    assert len(of_kind(await inbox_of(platform, chen), "emergency_response")) == 1
    refused(await registry.post(f"{answer}/escalate", json={"version": top["version"]}, headers=chen), 409, "top_level")

    # Closed with its summary: nobody answers a closed response; its record is the timeline and who came.
    closed = ok(
        await registry.post(
            f"{answer}/close", json={"version": top["version"], "summary": "封控解除，全员撤岗"}, headers=chen
        )
    )
    assert (closed["state_label"], closed["summary"]) == ("已结束", "封控解除，全员撤岗")
    assert [e["step_label"] for e in closed["timeline"]] == [
        "启动预案", "确认收到", "到岗报到", "响应升级", "响应升级", "结束响应",
    ]  # fmt: skip
    assert closed["timeline"][0]["notified"] == 5
    refused(await registry.post(f"{answer}/at-post", json={}, headers=zhao), 409, "illegal_transition")
    sheet = await registry.get(f"{answer}/record.xlsx", headers=zhang)
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.content), read_only=True)
    assert book.sheetnames == ["概况", "时间线", "点名到岗"]
    rows = list(book["点名到岗"].iter_rows(values_only=True))
    assert rows[0] == ("姓名", "身份", "岗位", "通知时间", "确认时间", "到岗时间")
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["孙师傅"][5]  # at the gate
    assert by_name["赵师傅"][4]  # acknowledged ...
    assert not by_name["赵师傅"][5]  # ... but never reported at his post
    assert by_name["周阿姨"][1] == "志愿者"

    # A resident of the compound reads no one's response record.
    refused(await registry.get(answer, headers=cast.resident(platform)), 403)


async def test_a_drill_says_so_everywhere_and_is_counted_apart(platform: Platform) -> None:
    platform.set_clock(MORNING)
    registry = platform.clients["registry"]
    cast = await xinghualing_cast(platform)
    zhou, _ = await zhou_volunteers(platform, cast)
    plan = await public_health_plan(platform, cast, zhou)
    zhang = cast.grid_worker(platform)
    activate = f"{API}/emergency/plans/{plan['id']}/activate"
    real = ok(await registry.post(activate, json={"situation": "发热病例"}, headers=zhang), 201)
    ok(
        await registry.post(
            f"{API}/emergency/activations/{real['id']}/close",
            json={"version": real["version"], "summary": "解除"},
            headers=zhang,
        )
    )
    drill = ok(await registry.post(activate, json={"situation": "年度演练", "drill": True}, headers=zhang), 201)
    assert drill["drill_label"] == "演练"
    titles = [
        m["title"] for m in of_kind(await inbox_of(platform, cast.member(platform, cast.zhao)), "emergency_roll_call")
    ]
    assert titles == [
        "【演练】应急动员：杏花岭片区公共卫生事件应急动员预案",
        "应急动员：杏花岭片区公共卫生事件应急动员预案",
    ]

    compound = {"compound_id": cast.home.compound_id}
    counts = ok(await registry.get(f"{API}/emergency/activations/counts", params=compound, headers=zhang))
    assert (counts["real"], counts["drills"]) == (1, 1)
    assert counts["by_kind"] == {"public_health": {"real": 1, "drills": 1}}
    drills = ok(await registry.get(f"{API}/emergency/activations", params={**compound, "drill": True}, headers=zhang))
    assert [a["id"] for a in drills["items"]] == [drill["id"]]
    sheet = await registry.get(f"{API}/emergency/activations/{drill['id']}/record.xlsx", headers=zhang)
    assert load_workbook(io.BytesIO(sheet.content), read_only=True).sheetnames[0] == "【演练】概况"
