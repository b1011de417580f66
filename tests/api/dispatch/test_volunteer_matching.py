"""Volunteer residents in matching (特长户, seed 001: the service chain 网格员—楼栋长—单元长—党员—
特长户 ends with them). 周阿姨, a plumber of the compound's 红邻服务队·设备维护队, is ranked after
the two plumbers who are party members, and her reasons say so; 吴老师, who volunteers to teach,
is excluded for want of the skill; the grab offer still goes to the party members only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.dispatch.projections.models import VolunteerView
from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, Cast, order_leak, xinghualing_cast
from tests.api.registry.builders import dwelling_in, resident
from tests.helpers import ok

REGISTRY = "/api/v1/registry"


async def volunteer(
    platform: Platform, cast: Cast, name: str, building: str, body: dict[str, Any]
) -> tuple[int, dict[str, str]]:
    home = cast.home
    place = await dwelling_in(
        platform, street_id=home.street_id, community_id=home.community_id, grid_id=home.grid_id,
        compound_id=home.compound_id, building=building,
    )  # fmt: skip
    person = int((await resident(platform, name, household_id=place.household_id))["id"])
    headers = platform.token(Grant(Role.resident, "household", place.household_id), person=person)
    ok(await platform.clients["registry"].put(f"{REGISTRY}/volunteers/me", json=body, headers=headers))
    return person, headers


async def projected(platform: Platform, active: int) -> bool:
    """Dispatch holds this many active volunteers."""
    async with platform.apps["dispatch"].state.runtime.db.sessionmaker() as session:
        return len((await session.scalars(select(VolunteerView).where(VolunteerView.active))).all()) == active


async def test_a_volunteer_plumber_is_ranked_after_the_party_members_and_says_why(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    grid_worker = cast.grid_worker(platform)
    team = await platform.post(
        "/volunteer-teams", {"compound_id": cast.home.compound_id, "name": "红邻服务队·设备维护队"}, grid_worker
    )
    zhou, zhou_headers = await volunteer(
        platform, cast, "周阿姨", "6", {"skills": ["plumber"], "team_ids": [team["id"]]}
    )
    await volunteer(platform, cast, "吴老师", "7", {"skills": ["teacher"]})
    await platform.eventually(lambda: projected(platform, 2))

    order = await order_leak(platform, cast)
    ranked = ok(await dispatch.get(f"{API}/orders/{order['id']}/candidates", headers=grid_worker))
    assert [(c["name"], c["rank"], c["kind_label"]) for c in ranked] == [
        ("赵师傅", 1, "党员"),
        ("孙师傅", 2, "党员"),
        ("周阿姨", 3, "志愿者居民"),
        ("钱老师", None, "党员"),
        ("李师傅", None, "党员"),
        ("吴老师", None, "志愿者居民"),
    ]
    zhou_ = ranked[2]
    assert (zhou_["person_id"], zhou_["party_member_id"], zhou_["eligible"]) == (zhou, None, True)
    assert zhou_["reasons"] == [
        "志愿者居民，排在党员之后（党员优先接单）",
        "技能匹配：水工/管道工",
        "服务队：红邻服务队·设备维护队",
    ]
    assert ranked[5]["excluded_because"] == [
        "技能不符（需要：水工/管道工）",
        "志愿者居民，排在党员之后（党员优先接单）",
    ]

    # 抢单 goes to the eligible party members; the volunteer is the grid worker's next call.
    ok(
        await dispatch.post(
            f"{API}/orders/{order['id']}/triage", json={"triage": "minor", "version": 1}, headers=grid_worker
        )
    )
    offered = ok(
        await dispatch.post(f"{API}/orders/{order['id']}/dispatch", json={"mode": "grab"}, headers=grid_worker)
    )
    assert sorted(o["person_id"] for o in offered["offers"]) == sorted([cast.zhao["person_id"], cast.sun["person_id"]])

    # She steps back in the registry: dispatch no longer asks her.
    await platform.clients["registry"].delete(f"{REGISTRY}/volunteers/me", headers=zhou_headers)
    await platform.eventually(lambda: projected(platform, 1))
    ranked = ok(await dispatch.get(f"{API}/orders/{order['id']}/candidates", headers=grid_worker))
    assert "周阿姨" not in [c["name"] for c in ranked]
