"""Coverage figures as seed 002 reports them: 270 clusters, each with a party organisation;
members registered on the four ledgers; in-service members checked in; pairings. Here one
street, one community, the old compound of 96 households, then a second compound."""

from __future__ import annotations

from typing import Any

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.registry.builders import API, build_old_compound, five_levels, register_resident
from tests.helpers import assert_error


async def test_coverage_reports_the_old_compounds_branch_heads_committee_check_ins_and_pairings(
    platform: Platform,
) -> None:
    registry = platform.clients["registry"]
    c = await build_old_compound(platform)
    orgs = await five_levels(platform, c)
    branch = orgs["compound_branch"]
    wang = await register_resident(platform, "王秀英", household_id=c.households[0])
    chen = await register_resident(platform, "陈志远", household_id=c.households[30])
    li = await register_resident(platform, "李建国", household_id=c.households[1])
    zhou = await register_resident(platform, "周桂兰", household_id=c.households[2])
    plumber = await platform.post(
        "/party-members", {"person_id": wang, "ledger": "in_service", "party_org_id": branch, "skills": ["plumber"]}
    )
    await platform.post("/party-members", {"person_id": chen, "ledger": "in_service", "party_org_id": branch})
    await platform.post("/party-members", {"person_id": li, "ledger": "retired", "party_org_id": branch})
    await platform.post(
        "/check-ins", {"party_member_id": plumber["id"], "compound_id": c.compound_id, "post": "楼道卫生监督岗"}
    )
    await platform.post("/heads", {"kind": "building", "place_id": c.buildings[0], "person_id": zhou})
    await platform.post(
        "/memberships", {"person_id": zhou, "body": "property_committee", "compound_id": c.compound_id, "role": "chair"}
    )
    center = await platform.post(
        "/center-households",
        {
            "household_id": c.households[0],
            "party_member_id": plumber["id"],
            "mentored_household_ids": c.households[3:6],
        },
    )
    await platform.post(
        "/pairings",
        {
            "kind": "center_needy",
            "compound_id": c.compound_id,
            "center_household_id": center["id"],
            "household_id": c.needy[0],
        },
    )
    await platform.post(
        "/pairings",
        {
            "kind": "member_household",
            "compound_id": c.compound_id,
            "party_member_id": plumber["id"],
            "household_id": c.households[7],
        },
    )

    # The street's admin reads the street; the community's admin reads the community.
    street_admin = platform.token(Grant(Role.street_admin, "street", c.street_id), person=wang)
    report = (
        await registry.get(f"{API}/stats/coverage", params={"street_id": c.street_id}, headers=street_admin)
    ).json()
    expected = {
        "compounds": 1,
        "compounds_with_party_branch": 1,
        "party_branch_rate": "100.00",
        "compounds_with_building_heads": 1,
        "building_head_rate": "100.00",
        "compounds_with_committee": 1,
        "committee_rate": "100.00",
        "party_members": 3,
        "party_members_by_ledger": {"in_service": 2, "retired": 1, "mobile": 0, "directly_managed": 0},
        "in_service_members": 2,
        "in_service_checked_in": 1,
        "check_in_rate": "50.00",
        "pairings": 2,
        "pairings_by_kind": {"cadre_compound": 0, "member_household": 1, "center_needy": 1},
    }
    assert report["totals"] == expected
    assert report["communities"] == [expected | {"community_id": c.community_id, "community_name": "杏花岭社区"}]
    assert (report["street_id"], report["community_id"]) == (c.street_id, None)

    # A second compound, high-rise and still without a branch, heads or committee.
    await platform.post(
        "/compounds",
        {
            "name": "滨河花园",
            "community_id": c.community_id,
            "kind": "commercial",
            "management_model": "professional",
            "grid_id": c.grid_id,
        },
    )
    # A supervisory committee alone does not count as a committee that decides.
    await platform.post(
        "/memberships", {"person_id": li, "body": "supervisory_committee", "compound_id": c.compound_id}
    )
    by_community = (
        await registry.get(
            f"{API}/stats/coverage",
            params={"community_id": c.community_id},
            headers=platform.token(Grant(Role.community_admin, "community", c.community_id), person=li),
        )
    ).json()
    totals = by_community["totals"]
    assert (totals["compounds"], totals["compounds_with_party_branch"], totals["party_branch_rate"]) == (2, 1, "50.00")
    assert (totals["building_head_rate"], totals["committee_rate"]) == ("50.00", "50.00")
    assert (by_community["street_id"], by_community["community_id"]) == (c.street_id, c.community_id)


async def test_an_empty_street_reports_zero_rates_and_bad_requests_are_named(platform: Platform) -> None:
    registry = platform.clients["registry"]
    street = await platform.post("/streets", {"name": "涧河街道"})
    empty = await platform.post("/communities", {"street_id": street["id"], "name": "新建社区"})
    report = (
        await registry.get(f"{API}/stats/coverage", params={"street_id": street["id"]}, headers=platform.street_admin)
    ).json()
    [row] = report["communities"]
    assert (row["community_id"], row["compounds"], row["party_branch_rate"], row["check_in_rate"]) == (
        empty["id"],
        0,
        "0.00",
        "0.00",
    )
    assert report["totals"]["pairings_by_kind"] == {"cadre_compound": 0, "member_household": 0, "center_needy": 0}

    both = await registry.get(
        f"{API}/stats/coverage",
        params={"street_id": street["id"], "community_id": empty["id"]},
        headers=platform.street_admin,
    )
    assert "其中之一" in assert_error(both, 422, "validation_error")["message"]
    neither = await registry.get(f"{API}/stats/coverage", headers=platform.street_admin)
    assert_error(neither, 422, "validation_error")
    missing = await registry.get(f"{API}/stats/coverage", params={"street_id": 999}, headers=platform.street_admin)
    assert "街道 999 不存在" in assert_error(missing, 404, "not_found")["message"]
    anonymous = await registry.get(f"{API}/stats/coverage", params={"street_id": street["id"]})
    assert_error(anonymous, 401, "unauthorized")


async def test_coverage_is_read_by_the_staff_of_the_place_asked_about_and_no_one_else(platform: Platform) -> None:
    """李建国 admins 三桥街道: he reads his street's coverage, not 涧河街道's; the admin of 涧河's
    community reads hers, not her street's; a resident and a grid worker read neither."""
    registry = platform.clients["registry"]
    c = await build_old_compound(platform)
    other_street = await platform.post("/streets", {"name": "涧河街道"})
    other_community = await platform.post("/communities", {"street_id": other_street["id"], "name": "涧河社区"})
    li = platform.token(Grant(Role.street_admin, "street", c.street_id), person=11)
    jianhe = platform.token(Grant(Role.community_admin, "community", other_community["id"]), person=12)
    resident = platform.token(Grant(Role.resident, "household", c.households[0]), person=13)
    grid_worker = platform.token(Grant(Role.grid_worker, "grid", c.grid_id), person=14)
    auditor = platform.token(Grant(Role.auditor, "street", c.street_id), person=15)

    async def coverage(headers: dict[str, str], **place: int) -> Any:
        return await registry.get(f"{API}/stats/coverage", params=place, headers=headers)

    mine = await coverage(li, street_id=c.street_id)
    assert mine.status_code == 200, mine.text
    assert mine.json()["totals"]["compounds"] == 1
    assert (await coverage(li, community_id=c.community_id)).status_code == 200
    assert (await coverage(auditor, street_id=c.street_id)).status_code == 200
    assert_error(await coverage(li, street_id=other_street["id"]), 403, "forbidden")
    assert_error(await coverage(li, community_id=other_community["id"]), 403, "forbidden")
    assert (await coverage(jianhe, community_id=other_community["id"])).status_code == 200
    assert_error(await coverage(jianhe, street_id=other_street["id"]), 403, "forbidden")
    assert_error(await coverage(resident, street_id=c.street_id), 403, "forbidden")
    assert_error(await coverage(grid_worker, community_id=c.community_id), 403, "forbidden")
