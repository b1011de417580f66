"""Residents' skills and volunteer teams (特长户, 红邻服务队, seed 001; seed 002's 设备维护、巡防检查、
矛盾调处 teams) and service posts (设岗定责, seed 002: 每名党员在小区认领1个服务岗位).

周阿姨 registers her skills and joins the compound's teams; her registration travels to dispatch.
The grid worker sets seed 002's posts; 赵师傅, checked in, claims 楼栋照明维护岗 and the wall shows
him there; he may not hold a second post; 李师傅, not checked in, may not claim; a full post
refuses the next member."""

from __future__ import annotations

from typing import Any

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.dispatch.builders import Cast, xinghualing_cast
from tests.api.registry.builders import dwelling_in, events, resident
from tests.helpers import ok, refused

API = "/api/v1/registry"


async def neighbour(platform: Platform, cast: Cast, name: str, building: str) -> tuple[int, dict[str, str]]:
    home = cast.home
    place = await dwelling_in(
        platform, street_id=home.street_id, community_id=home.community_id, grid_id=home.grid_id,
        compound_id=home.compound_id, building=building,
    )  # fmt: skip
    person = (await resident(platform, name, household_id=place.household_id))["id"]
    return person, platform.token(Grant(Role.resident, "household", place.household_id), person=person)


async def test_a_resident_registers_her_skills_and_joins_teams(platform: Platform) -> None:
    registry = platform.clients["registry"]
    cast = await xinghualing_cast(platform)
    compound = cast.home.compound_id
    zhang = cast.grid_worker(platform)
    teams = [
        ok(
            await registry.post(
                f"{API}/volunteer-teams", json={"compound_id": compound, "name": name, "focus": focus}, headers=zhang
            ),
            201,
        )
        for name, focus in (("设备维护队", "楼栋照明维护、水电小修"), ("巡防检查队", "夜间巡查、灭火器查验"))
    ]
    refused(
        await registry.post(
            f"{API}/volunteer-teams", json={"compound_id": compound, "name": "设备维护队"}, headers=zhang
        ),
        409,
        "duplicate",
    )
    # A resident sets up no team.
    refused(
        await registry.post(
            f"{API}/volunteer-teams", json={"compound_id": compound, "name": "我的队"}, headers=cast.resident(platform)
        ),
        403,
    )

    zhou, headers = await neighbour(platform, cast, "周阿姨", "6")
    before = ok(await registry.get(f"{API}/volunteers/me", headers=headers))
    assert before["volunteer"] is None
    assert [t["name"] for t in before["teams"]] == ["设备维护队", "巡防检查队"]
    mine = ok(
        await registry.put(
            f"{API}/volunteers/me",
            json={"skills": ["electrician", "repair"], "team_ids": [teams[0]["id"]], "note": "周末有空"},
            headers=headers,
        )
    )
    assert [s["label"] for s in mine["skills"]] == ["电工", "维修"]
    assert [(t["name"], t["members"]) for t in mine["teams"]] == [("设备维护队", 1)]
    # Another compound's team is not hers to join; nothing changes.
    refused(
        await registry.put(f"{API}/volunteers/me", json={"skills": ["repair"], "team_ids": [999]}, headers=headers), 422
    )
    changed = ok(
        await registry.put(
            f"{API}/volunteers/me",
            json={"skills": ["electrician"], "team_ids": [t["id"] for t in teams]},
            headers=headers,
        )
    )
    assert [t["name"] for t in changed["teams"]] == ["设备维护队", "巡防检查队"]

    # The staff's roll of the compound's volunteers; a neighbour does not read it.
    roll = ok(await registry.get(f"{API}/volunteers", params={"compound_id": compound}, headers=zhang))
    assert [(v["name"], [s["value"] for s in v["skills"]]) for v in roll["items"]] == [("周阿姨", ["electrician"])]
    refused(await registry.get(f"{API}/volunteers", params={"compound_id": compound}, headers=headers), 403)

    # Each change is announced for dispatch, with her name, skills and teams (never her mobile).
    announced = await events(platform, "linli.registry.volunteer.updated.v1")
    assert announced[-1]["person_id"] == zhou
    assert announced[-1]["skills"] == ["electrician"]
    assert announced[-1]["team_names"] == ["设备维护队", "巡防检查队"]
    assert "mobile" not in announced[-1]

    # She steps back: out of the teams, announced as removed.
    assert (await registry.delete(f"{API}/volunteers/me", headers=headers)).status_code == 204
    assert [t["members"] for t in ok(await registry.get(f"{API}/volunteers/me", headers=headers))["teams"]] == [0, 0]
    [removed] = await events(platform, "linli.registry.volunteer.removed.v1")
    assert removed["active"] is False

    # An erased resident volunteers no more: stepped back with her erasure, her name not sent.
    wu, wu_headers = await neighbour(platform, cast, "吴老师", "7")
    ok(await registry.put(f"{API}/volunteers/me", json={"skills": ["teacher"]}, headers=wu_headers))
    person = ok(await registry.get(f"{API}/residents/{wu}", headers=platform.street_admin))
    erased = await registry.delete(
        f"{API}/residents/{wu}", params={"version": person["version"]}, headers=platform.street_admin
    )
    assert erased.status_code == 204, erased.text
    gone = (await events(platform, "linli.registry.volunteer.removed.v1"))[-1]
    assert (gone["person_id"], gone["active"], gone["name"]) == (wu, False, "已注销居民")

    # A staff member with no home in a compound has nothing to register.
    refused(await registry.get(f"{API}/volunteers/me", headers=zhang), 403)


async def claim(platform: Platform, post: dict[str, Any], headers: dict[str, str], **body: Any) -> Any:
    return await platform.clients["registry"].post(
        f"{API}/service-posts/{post['id']}/claim", json=body, headers=headers
    )


async def test_checked_in_members_claim_one_post_each_and_the_wall_shows_them(platform: Platform) -> None:
    registry = platform.clients["registry"]
    cast = await xinghualing_cast(platform)
    compound = cast.home.compound_id
    zhang = cast.grid_worker(platform)
    posts = {
        name: ok(
            await registry.post(
                f"{API}/service-posts", json={"compound_id": compound, "name": name, "duty": duty}, headers=zhang
            ),
            201,
        )
        for name, duty in (
            ("楼栋照明维护岗", "每月检查楼道灯，坏了及时更换"),
            ("灭火器查验岗", "每季度查验楼内灭火器"),
        )
    }
    light, extinguisher = posts["楼栋照明维护岗"], posts["灭火器查验岗"]
    zhao, sun, li = (cast.member(platform, m) for m in (cast.zhao, cast.sun, cast.li))

    held = ok(await claim(platform, light, zhao))
    assert ([h["name"] for h in held["holders"]], held["free_seats"]) == (["赵师傅"], 0)
    refused(await claim(platform, extinguisher, zhao), 409, "already_holds_post")
    refused(await claim(platform, light, sun), 409, "post_full")
    refused(await claim(platform, extinguisher, li), 422, "not_checked_in")
    refused(await claim(platform, extinguisher, cast.resident(platform)), 404, "not_a_party_member")
    # The grid worker records 孙师傅's claim for him; a neighbour cannot claim in his name.
    refused(await claim(platform, extinguisher, cast.resident(platform), party_member_id=cast.sun["id"]), 403)
    ok(await claim(platform, extinguisher, zhang, party_member_id=cast.sun["id"]))

    wall = ok(await registry.get(f"{API}/compounds/{compound}/pairings/public", headers=cast.resident(platform)))
    assert [(p["name"], p["holders"]) for p in wall["posts"]] == [
        ("楼栋照明维护岗", ["赵师傅"]),
        ("灭火器查验岗", ["孙师傅"]),
    ]

    # Handing a post back frees its seat (and the member may claim another).
    released = ok(await registry.post(f"{API}/service-posts/{light['id']}/release", json={}, headers=zhao))
    assert released["holders"] == []
    listed = ok(await registry.get(f"{API}/service-posts", params={"compound_id": compound}, headers=zhao))
    assert [(p["name"], p["free_seats"]) for p in listed] == [("楼栋照明维护岗", 1), ("灭火器查验岗", 0)]
