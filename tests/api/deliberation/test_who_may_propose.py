"""Who may put a matter forward in a compound. A proposal enters the compound's permanent,
hash-chained audit log, so a stranger must not be able to write there: only the compound's
residents, owners and staff (or the community and street above it) may submit one."""

from __future__ import annotations

from typing import Any

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.deliberation.builders import count_rows
from tests.api.deliberation.flow import call
from tests.api.registry.builders import dwelling_in, resident, xinghualing_dwelling

OPS = Grant(Role.ops)


async def test_a_resident_of_another_compound_cannot_write_into_this_compounds_audit_log(platform: Platform) -> None:
    # 王秀英 lives in 杏花岭 (compound C); 李建国 lives in the compound next door, same grid.
    home = await xinghualing_dwelling(platform)
    next_door_id = (
        await platform.post(
            "/compounds",
            {
                "name": "杏花岭片区·新建小区",
                "community_id": home.community_id,
                "kind": "commercial",
                "management_model": "professional",
                "grid_id": home.grid_id,
            },
        )
    )["id"]
    next_door = await dwelling_in(
        platform,
        street_id=home.street_id,
        community_id=home.community_id,
        grid_id=home.grid_id,
        compound_id=next_door_id,
        building="1",
    )
    wang = (await resident(platform, "王秀英", household_id=home.household_id))["id"]
    li = (await resident(platform, "李建国", household_id=next_door.household_id))["id"]

    async def households_known() -> bool:
        sql = "SELECT count(*) FROM household_projection WHERE household_id IN (:a, :b)"
        return await count_rows(platform, sql, a=home.household_id, b=next_door.household_id) == 2

    await platform.eventually(households_known)
    c = home.compound_id
    as_wang = platform.token(Grant(Role.resident, "household", home.household_id), person=wang)
    as_li = platform.token(Grant(Role.resident, "household", next_door.household_id), person=li)
    property_next_door = platform.token(Grant(Role.property_staff, "compound", next_door_id), person=900)
    ops = platform.token(OPS, person=1)
    matter: dict[str, Any] = {"compound_id": c, "title": "楼道加装扶手", "description": "三单元老人多"}

    # 李建国, and the property company of his compound, are refused; C's log stays empty.
    for stranger in (as_li, property_next_door):
        refused = await call(platform, "POST", "/proposals", stranger, matter, expect=403)
        assert refused["error"]["code"] == "not_in_compound"
        assert "本小区居民" in refused["error"]["message"]
    assert await call(platform, "GET", f"/compounds/{c}/audit", ops) == []
    assert await call(platform, "GET", f"/proposals?compound_id={c}", ops) == []

    # 王秀英, who lives in C, puts the same matter forward; it is the first entry of C's log.
    proposal = await call(platform, "POST", "/proposals", as_wang, matter, expect=201)
    assert (proposal["compound_id"], proposal["title"], proposal["status"]) == (c, "楼道加装扶手", "submitted")
    [entry] = await call(platform, "GET", f"/compounds/{c}/audit", ops)
    assert (entry["seq"], entry["action"], entry["actor_person_id"]) == (1, "proposal_submitted", wang)

    # 李建国 may still put matters forward in his own compound.
    own = await call(platform, "POST", "/proposals", as_li, {**matter, "compound_id": next_door_id}, expect=201)
    assert own["compound_id"] == next_door_id
    assert [e["action"] for e in await call(platform, "GET", f"/compounds/{c}/audit", ops)] == ["proposal_submitted"]
