"""The governance dashboard's place and party-coverage figures: the old compound of
Xinghualing with its branch, a member checked in and a center household, drilled from the
street to the compound, every level summing to the coverage report."""

from __future__ import annotations

from typing import Any

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.registry.builders import API, build_old_compound, five_levels, register_resident


async def test_figures_drill_from_the_street_to_the_compound_and_agree_with_the_coverage_report(
    platform: Platform,
) -> None:
    registry = platform.clients["registry"]
    c = await build_old_compound(platform)
    branch = (await five_levels(platform, c))["compound_branch"]
    wang = await register_resident(platform, "王秀英", household_id=c.households[0])
    chen = await register_resident(platform, "陈志远", household_id=c.households[30])
    plumber = await platform.post("/party-members", {"person_id": wang, "ledger": "in_service", "party_org_id": branch})
    await platform.post("/party-members", {"person_id": chen, "ledger": "retired", "party_org_id": branch})
    await platform.post(
        "/check-ins", {"party_member_id": plumber["id"], "compound_id": c.compound_id, "post": "楼道岗"}
    )
    await platform.post(
        "/center-households",
        {
            "household_id": c.households[0],
            "party_member_id": plumber["id"],
            "mentored_household_ids": c.households[3:6],
        },
    )
    admin = platform.street_admin

    async def figures(level: str, place_id: int, headers: dict[str, str] = admin) -> dict[str, Any]:
        answer = await registry.get(f"{API}/figures", params={"level": level, "place_id": place_id}, headers=headers)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    street = await figures("street", c.street_id)
    report = (await registry.get(f"{API}/stats/coverage", params={"street_id": c.street_id}, headers=admin)).json()
    assert street["totals"] == report["totals"]
    assert street["name"] == "三桥街道"
    assert (street["center_households"], street["mentored_households"], street["check_ins_in_period"]) == (1, 3, 1)
    [community] = street["children"]
    assert (community["level"], community["name"], community["party_members"]) == ("community", "杏花岭社区", 2)

    down = await figures("community", community["place_id"])
    [grid] = down["children"]
    assert (grid["level"], grid["name"], grid["compound_ids"]) == ("grid", "第一网格", [c.compound_id])
    down = await figures("grid", grid["place_id"])
    [home] = down["children"]
    assert (home["level"], home["name"], home["in_service_checked_in"]) == ("compound", "北大街3号院", 1)
    leaf = await figures("compound", c.compound_id)
    assert [(p["level"], p["name"]) for p in leaf["path"]] == [
        ("street", "三桥街道"),
        ("community", "杏花岭社区"),
        ("grid", "第一网格"),
        ("compound", "北大街3号院"),
    ]
    assert leaf["children"] == []
    assert leaf["totals"] == report["totals"]

    # The grid worker reads his grid and what lies in it, not the community above it.
    worker = platform.token(Grant(Role.grid_worker, "grid", c.grid_id))
    await figures("compound", c.compound_id, worker)
    above = await registry.get(
        f"{API}/figures", params={"level": "community", "place_id": c.community_id}, headers=worker
    )
    assert above.status_code == 403, above.text
    resident = platform.token(Grant(Role.resident, "household", c.households[0]), person=wang)
    refused = await registry.get(
        f"{API}/figures", params={"level": "street", "place_id": c.street_id}, headers=resident
    )
    assert refused.status_code == 403, refused.text
    missing = await registry.get(f"{API}/figures", params={"level": "grid", "place_id": 99_999}, headers=admin)
    assert missing.status_code == 404, missing.text
    assert "网格" in missing.json()["error"]["message"]
