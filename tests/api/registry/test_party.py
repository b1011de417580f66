"""Xinghualing (seed 002): an old compound of 96 households is merged into a cluster, the
five-level party organisation is set up top to bottom, party members are registered on the
four ledgers with their skills, and in-service members check in where they live.

Its builders (`build_old_compound`, `register_resident`, `five_levels`, `events`) are in
tests/api/registry/builders.py, shared by the other registry story tests."""

from __future__ import annotations

import json
from typing import Any

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.registry.builders import (
    API,
    OldCompound,  # noqa: F401 (importable from here for stories written before builders.py held it)
    build_old_compound,
    events,
    five_levels,
    id_card,
    register_resident,
)
from tests.helpers import assert_error

# --- the organisation ----------------------------------------------------------------------


async def test_the_five_levels_are_set_up_top_to_bottom_and_a_skipped_level_is_refused(platform: Platform) -> None:
    registry = platform.clients["registry"]
    c = await build_old_compound(platform)
    tree = (await registry.get(f"{API}/compounds/{c.compound_id}/tree", headers=platform.street_admin)).json()
    assert tree["totals"]["households"] == 96
    assert tree["totals"]["area_m2"] == "7142.40"  # 48 × 86.50 + 48 × 62.30

    street_org = await platform.post(
        "/party-orgs", {"level": "street_committee", "name": "三桥街道党工委", "place_id": c.street_id}
    )
    assert (street_org["level_label"], street_org["place_kind"], street_org["parent_id"]) == (
        "街道党工委",
        "street",
        None,
    )
    community_org = await platform.post(
        "/party-orgs",
        {
            "level": "community_committee",
            "name": "杏花岭社区党委",
            "place_id": c.community_id,
            "parent_id": street_org["id"],
        },
    )

    # 小区党支部 straight under 社区党委 skips 网格党总支.
    skipped = await registry.post(
        f"{API}/party-orgs",
        json={
            "level": "compound_branch",
            "name": "北大街3号院党支部",
            "place_id": c.compound_id,
            "parent_id": community_org["id"],
        },
        headers=platform.street_admin,
    )
    error = assert_error(skipped, 422, "validation_error")
    assert "不能跳级" in error["message"]
    assert "网格党总支" in error["message"]
    assert "社区党委" in error["message"]
    assert error["details"] == [
        {"field": "parent_id", "level": "community_committee", "expected_level": "grid_branch_general"}
    ]
    assert len(await events(platform, "linli.registry.party_org.created.v1")) == 2  # nothing written

    grid_org = await platform.post(
        "/party-orgs",
        {
            "level": "grid_branch_general",
            "name": "第一网格党总支",
            "place_id": c.grid_id,
            "parent_id": community_org["id"],
        },
    )
    branch = await platform.post(
        "/party-orgs",
        {
            "level": "compound_branch",
            "name": " 北大街3号院党支部 ",
            "place_id": c.compound_id,
            "parent_id": grid_org["id"],
        },
    )
    assert (branch["name"], branch["level_label"], branch["place_kind"]) == (
        "北大街3号院党支部",
        "小区党支部",
        "compound",
    )
    group = await platform.post(
        "/party-orgs",
        {"level": "building_group", "name": "1号楼党小组", "place_id": c.buildings[0], "parent_id": branch["id"]},
    )
    assert group["level_label"] == "楼栋党小组"

    created = await events(platform, "linli.registry.party_org.created.v1")
    assert [e["level"] for e in created] == [
        "street_committee",
        "community_committee",
        "grid_branch_general",
        "compound_branch",
        "building_group",
    ]
    # Keyed by compound at and below compound level, by their own id above.
    assert [e["_key"] for e in created] == [
        str(street_org["id"]),
        str(community_org["id"]),
        str(grid_org["id"]),
        str(c.compound_id),
        str(c.compound_id),
    ]

    listed = await registry.get(f"{API}/party-orgs", params={"level": "compound_branch"}, headers=platform.street_admin)
    assert [o["id"] for o in listed.json()] == [branch["id"]]
    children = await registry.get(
        f"{API}/party-orgs", params={"parent_id": community_org["id"]}, headers=platform.street_admin
    )
    assert [o["name"] for o in children.json()] == ["第一网格党总支"]

    subtree = (await registry.get(f"{API}/party-orgs/{street_org['id']}/tree", headers=platform.street_admin)).json()
    levels = []
    node = subtree
    while node:
        levels.append(node["level_label"])
        node = node["children"][0] if node["children"] else None
    assert levels == ["街道党工委", "社区党委", "网格党总支", "小区党支部", "楼栋党小组"]
    assert subtree["members_in_subtree"] == 0


async def test_an_organisation_must_sit_inside_its_parents_place(platform: Platform) -> None:
    registry = platform.clients["registry"]
    c = await build_old_compound(platform, buildings=1, entrances=1, floors=1, per_floor=2)
    orgs = await five_levels(platform, c)
    second_grid = (await platform.post("/grids", {"community_id": c.community_id, "name": "第二网格"}))["id"]
    second_grid_org = await platform.post(
        "/party-orgs",
        {
            "level": "grid_branch_general",
            "name": "第二网格党总支",
            "place_id": second_grid,
            "parent_id": orgs["community_committee"],
        },
    )
    gridless = (
        await platform.post(
            "/compounds",
            {
                "name": "西羊市街5号楼",
                "community_id": c.community_id,
                "kind": "old",
                "management_model": "self_managed",
            },
        )
    )["id"]
    before = len(await events(platform, "linli.registry.party_org.created.v1"))

    no_grid = await registry.post(
        f"{API}/party-orgs",
        json={
            "level": "compound_branch",
            "name": "西羊市街5号楼党支部",
            "place_id": gridless,
            "parent_id": orgs["grid_branch_general"],
        },
        headers=platform.street_admin,
    )
    error = assert_error(no_grid, 422, "validation_error")
    assert "尚未划入网格" in error["message"]
    assert error["details"] == [{"field": "place_id", "value": gridless, "missing": "grid_id"}]

    wrong_grid = await registry.post(
        f"{API}/party-orgs",
        json={
            "level": "compound_branch",
            "name": "党支部",
            "place_id": c.compound_id,
            "parent_id": second_grid_org["id"],
        },
        headers=platform.street_admin,
    )
    error = assert_error(wrong_grid, 422, "validation_error")
    assert f"不在上级组织所在的网格 {second_grid} 内" in error["message"]

    top_with_parent = await registry.post(
        f"{API}/party-orgs",
        json={
            "level": "street_committee",
            "name": "党工委",
            "place_id": c.street_id,
            "parent_id": orgs["building_group"],
        },
        headers=platform.street_admin,
    )
    assert "最高一级" in assert_error(top_with_parent, 422, "validation_error")["message"]

    wrong_kind = await registry.post(
        f"{API}/party-orgs",
        json={"level": "building_group", "name": "x", "place_kind": "compound", "place_id": c.compound_id},
        headers=platform.street_admin,
    )
    assert "楼栋" in assert_error(wrong_kind, 422, "validation_error")["message"]

    twice = await registry.post(
        f"{API}/party-orgs",
        json={
            "level": "compound_branch",
            "name": "第二个党支部",
            "place_id": c.compound_id,
            "parent_id": orgs["grid_branch_general"],
        },
        headers=platform.street_admin,
    )
    assert assert_error(twice, 409, "duplicate")["details"] == {
        "field": "place_id",
        "value": c.compound_id,
        "level": "compound_branch",
    }
    assert len(await events(platform, "linli.registry.party_org.created.v1")) == before


async def test_moving_an_organisation_under_its_own_descendant_is_refused(platform: Platform) -> None:
    registry = platform.clients["registry"]
    c = await build_old_compound(platform, buildings=1, entrances=1, floors=1, per_floor=2)
    orgs = await five_levels(platform, c)
    community_org = orgs["community_committee"]

    cycle = await registry.patch(
        f"{API}/party-orgs/{community_org}",
        json={"version": 1, "parent_id": orgs["compound_branch"]},
        headers=platform.street_admin,
    )
    error = assert_error(cycle, 409, "cycle")
    assert "循环" in error["message"]
    assert error["details"]["path"] == [
        orgs["compound_branch"],
        orgs["grid_branch_general"],
        community_org,
        orgs["street_committee"],
    ]
    unchanged = (await registry.get(f"{API}/party-orgs/{community_org}", headers=platform.street_admin)).json()
    assert (unchanged["parent_id"], unchanged["version"]) == (orgs["street_committee"], 1)

    renamed = await registry.patch(
        f"{API}/party-orgs/{orgs['compound_branch']}",
        json={"version": 1, "name": "北大街3号院（片区）党支部"},
        headers=platform.street_admin,
    )
    assert (renamed.json()["name"], renamed.json()["version"]) == ("北大街3号院（片区）党支部", 2)
    updated = await events(platform, "linli.registry.party_org.updated.v1")
    assert [(e["name"], e["version"]) for e in updated] == [("北大街3号院（片区）党支部", 2)]

    # The compound moves to another grid; its branch follows to that grid's general branch.
    second_grid = (await platform.post("/grids", {"community_id": c.community_id, "name": "第二网格"}))["id"]
    second_grid_org = await platform.post(
        "/party-orgs",
        {"level": "grid_branch_general", "name": "第二网格党总支", "place_id": second_grid, "parent_id": community_org},
    )
    too_early = await registry.patch(
        f"{API}/party-orgs/{orgs['compound_branch']}",
        json={"version": 2, "parent_id": second_grid_org["id"]},
        headers=platform.street_admin,
    )
    assert_error(too_early, 422, "validation_error")
    compound = (await registry.get(f"{API}/compounds/{c.compound_id}", headers=platform.street_admin)).json()
    await registry.patch(
        f"{API}/compounds/{c.compound_id}",
        json={"version": compound["version"], "grid_id": second_grid},
        headers=platform.street_admin,
    )
    moved = await registry.patch(
        f"{API}/party-orgs/{orgs['compound_branch']}",
        json={"version": 2, "parent_id": second_grid_org["id"]},
        headers=platform.street_admin,
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["parent_id"], moved.json()["version"]) == (second_grid_org["id"], 3)


async def test_an_organisation_with_children_or_members_is_not_removed(platform: Platform) -> None:
    registry = platform.clients["registry"]
    c = await build_old_compound(platform, buildings=1, entrances=1, floors=1, per_floor=2)
    orgs = await five_levels(platform, c)
    member_person = await register_resident(platform, "王秀英", household_id=c.households[0])
    await platform.post(
        "/party-members",
        {"person_id": member_person, "ledger": "in_service", "party_org_id": orgs["building_group"], "skills": []},
    )

    with_children = await registry.delete(
        f"{API}/party-orgs/{orgs['compound_branch']}", params={"version": 1}, headers=platform.street_admin
    )
    error = assert_error(with_children, 409, "still_referenced")
    assert error["details"] == {"children": 1, "members": 0}
    with_member = await registry.delete(
        f"{API}/party-orgs/{orgs['building_group']}", params={"version": 1}, headers=platform.street_admin
    )
    assert assert_error(with_member, 409, "still_referenced")["details"] == {"children": 0, "members": 1}
    assert "1 名党员" in with_member.json()["error"]["message"]
    assert await events(platform, "linli.registry.party_org.removed.v1") == []

    subtree = (
        await registry.get(f"{API}/party-orgs/{orgs['compound_branch']}/tree", headers=platform.street_admin)
    ).json()
    assert (subtree["members"], subtree["members_in_subtree"]) == (0, 1)
    assert subtree["children"][0]["members"] == 1

    member = (await registry.get(f"{API}/party-members", headers=platform.street_admin)).json()[0]
    moved = await registry.patch(
        f"{API}/party-members/{member['id']}",
        json={"version": 1, "party_org_id": orgs["compound_branch"]},
        headers=platform.street_admin,
    )
    assert moved.json()["party_org_id"] == orgs["compound_branch"]
    removed = await registry.delete(
        f"{API}/party-orgs/{orgs['building_group']}", params={"version": 1}, headers=platform.street_admin
    )
    assert removed.status_code == 204
    gone = await registry.get(f"{API}/party-orgs/{orgs['building_group']}", headers=platform.street_admin)
    assert_error(gone, 404, "not_found")
    assert [e["party_org_id"] for e in await events(platform, "linli.registry.party_org.removed.v1")] == [
        orgs["building_group"]
    ]


async def test_only_the_areas_admins_set_up_organisations(platform: Platform) -> None:
    registry = platform.clients["registry"]
    c = await build_old_compound(platform, buildings=1, entrances=1, floors=1, per_floor=2)
    community_admin = platform.token(Grant(Role.community_admin, "community", c.community_id), person=40)
    street_level = await registry.post(
        f"{API}/party-orgs",
        json={"level": "street_committee", "name": "三桥街道党工委", "place_id": c.street_id},
        headers=community_admin,
    )
    assert_error(street_level, 403, "forbidden")
    street_org = await platform.post(
        "/party-orgs", {"level": "street_committee", "name": "三桥街道党工委", "place_id": c.street_id}
    )
    own = await registry.post(
        f"{API}/party-orgs",
        json={
            "level": "community_committee",
            "name": "杏花岭社区党委",
            "place_id": c.community_id,
            "parent_id": street_org["id"],
        },
        headers=community_admin,
    )
    assert own.status_code == 201, own.text
    # A resident of the community sees its party committee, and changes nothing.
    resident = platform.token(Grant(Role.resident, "household", c.households[0]), person=41)
    assert (await registry.get(f"{API}/party-orgs/{own.json()['id']}", headers=resident)).status_code == 200
    assert_error(
        await registry.patch(
            f"{API}/party-orgs/{own.json()['id']}", json={"version": 1, "name": "x"}, headers=resident
        ),
        403,
        "forbidden",
    )


# --- members and the four ledgers ----------------------------------------------------------


async def test_members_are_registered_on_the_four_ledgers_with_their_skills(platform: Platform) -> None:
    registry = platform.clients["registry"]
    c = await build_old_compound(platform, buildings=1, entrances=1)
    orgs = await five_levels(platform, c)
    branch = orgs["compound_branch"]
    mobile, card = "13912345678", id_card("14010719850312002")
    wang = await register_resident(platform, "王秀英", household_id=c.households[0], mobile=mobile, id_card=card)
    li = await register_resident(platform, "李建国", household_id=c.households[1])
    zhang = await register_resident(platform, "张敏", household_id=c.households[2])
    zhao = await register_resident(platform, "赵强", household_id=c.households[10])

    plumber = await platform.post(
        "/party-members",
        {
            "person_id": wang,
            "ledger": "in_service",
            "party_org_id": branch,
            "skills": ["plumber"],
            "max_open_orders": 2,
        },
    )
    assert plumber["name"] == "王秀英"
    assert (plumber["ledger"], plumber["ledger_label"]) == ("in_service", "在职党员")
    assert (plumber["skills"], plumber["skill_labels"]) == (["plumber"], ["水工/管道工"])
    assert (plumber["household_id"], plumber["compound_id"]) == (c.households[0], c.compound_id)
    assert (plumber["on_duty"], plumber["max_open_orders"]) == (True, 2)
    assert "mobile" not in plumber
    assert "id_card" not in plumber

    # The event carries what dispatch needs to match orders, and never a phone or ID number.
    [event] = await events(platform, "linli.registry.party_member.created.v1")
    assert event["skills"] == ["plumber"]
    assert (event["name"], event["ledger"], event["party_org_id"]) == ("王秀英", "in_service", branch)
    assert (event["household_id"], event["compound_id"], event["_key"]) == (
        c.households[0],
        c.compound_id,
        str(c.compound_id),
    )
    assert (event["on_duty"], event["max_open_orders"]) == (True, 2)
    assert not {"mobile", "id_card", "mobile_enc", "id_card_enc"} & set(event)
    assert mobile not in json.dumps(event)
    assert card not in json.dumps(event)

    # Skills come from the catalogue, by value or Chinese label; free text is refused.
    free_text = await registry.post(
        f"{API}/party-members",
        json={"person_id": li, "ledger": "retired", "party_org_id": branch, "skills": ["修水管"]},
        headers=platform.street_admin,
    )
    error = assert_error(free_text, 422, "validation_error")
    assert "修水管" in error["message"]
    assert "plumber（水工/管道工）" in error["message"]
    assert error["details"][0]["allowed"][:3] == ["lawyer", "doctor", "teacher"]
    assert len(await events(platform, "linli.registry.party_member.created.v1")) == 1

    retired = await platform.post(
        "/party-members",
        {"person_id": li, "ledger": "retired", "party_org_id": branch, "skills": ["矛盾调解", "teacher", "teacher"]},
    )
    assert retired["skills"] == ["teacher", "mediation"]
    await platform.post("/party-members", {"person_id": zhang, "ledger": "mobile", "party_org_id": branch})
    await platform.post(
        "/party-members",
        {
            "person_id": zhao,
            "ledger": "directly_managed",
            "party_org_id": orgs["community_committee"],
            "on_duty": False,
        },
    )

    again = await registry.post(
        f"{API}/party-members",
        json={"person_id": wang, "ledger": "retired", "party_org_id": branch},
        headers=platform.street_admin,
    )
    assert assert_error(again, 409, "duplicate")["details"] == {"field": "person_id", "value": wang}
    too_many = await registry.post(
        f"{API}/party-members",
        json={"person_id": 999_999, "ledger": "in_service", "party_org_id": branch, "max_open_orders": 21},
        headers=platform.street_admin,
    )
    assert assert_error(too_many, 422, "validation_error")["details"][0]["field"] == "body.max_open_orders"

    ledgers = (
        await registry.get(
            f"{API}/party-members/ledgers", params={"compound_id": c.compound_id}, headers=platform.street_admin
        )
    ).json()
    assert (ledgers["compound_name"], ledgers["total"]) == ("北大街3号院", 4)
    assert [(lg["label"], lg["count"]) for lg in ledgers["ledgers"]] == [
        ("在职党员", 1),
        ("离退休党员", 1),
        ("流动党员", 1),
        ("直管党员", 1),
    ]
    assert ledgers["ledgers"][0]["members"][0] | {"party_member_id": 0} == {
        "party_member_id": 0,
        "person_id": wang,
        "name": "王秀英",
        "household_id": c.households[0],
        "party_org_id": branch,
        "skills": ["plumber"],
        "skill_labels": ["水工/管道工"],
        "checked_in": False,
    }

    async def names(**params: Any) -> list[str]:
        answer = await registry.get(f"{API}/party-members", params=params, headers=platform.street_admin)
        return [m["name"] for m in answer.json()]

    assert await names(skill="plumber") == ["王秀英"]
    assert await names(ledger="retired") == ["李建国"]
    assert await names(compound_id=c.compound_id) == ["王秀英", "李建国", "张敏", "赵强"]
    assert await names(party_org_id=orgs["community_committee"]) == ["赵强"]
    bad_filter = await registry.get(f"{API}/party-members", params={"skill": "修水管"}, headers=platform.street_admin)
    assert_error(bad_filter, 422, "validation_error")

    # Skills replace the whole set, and the new set travels as a new version.
    changed = await registry.patch(
        f"{API}/party-members/{plumber['id']}",
        json={"version": 1, "skills": ["electrician", "plumber", "repair"], "max_open_orders": 5},
        headers=platform.street_admin,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["skills"], changed.json()["version"]) == (["plumber", "electrician", "repair"], 2)
    only_skills = await registry.patch(
        f"{API}/party-members/{plumber['id']}",
        json={"version": 2, "skills": ["plumber"]},
        headers=platform.street_admin,
    )
    assert (only_skills.json()["skills"], only_skills.json()["version"]) == (["plumber"], 3)
    stale = await registry.patch(
        f"{API}/party-members/{plumber['id']}", json={"version": 2, "skills": ["lawyer"]}, headers=platform.street_admin
    )
    assert_error(stale, 409, "stale_version")
    updated = await events(platform, "linli.registry.party_member.updated.v1")
    assert [(e["skills"], e["version"], e["max_open_orders"]) for e in updated] == [
        (["plumber", "electrician", "repair"], 2, 5),
        (["plumber"], 3, 5),
    ]
    one = (await registry.get(f"{API}/party-members/{plumber['id']}", headers=platform.street_admin)).json()
    assert (one["skills"], one["version"]) == (["plumber"], 3)

    removed = await registry.delete(
        f"{API}/party-members/{retired['id']}", params={"version": 1}, headers=platform.street_admin
    )
    assert removed.status_code == 204
    [gone] = await events(platform, "linli.registry.party_member.removed.v1")
    assert (gone["name"], gone["skills"]) == ("李建国", ["teacher", "mediation"])
    assert await names(compound_id=c.compound_id) == ["王秀英", "张敏", "赵强"]


# --- check-ins -----------------------------------------------------------------------------


async def test_an_in_service_plumber_checks_in_where_she_lives_and_a_retired_member_cannot(platform: Platform) -> None:
    registry = platform.clients["registry"]
    c = await build_old_compound(platform, buildings=1, entrances=1, floors=1)
    orgs = await five_levels(platform, c)
    branch = orgs["compound_branch"]
    wang = await register_resident(platform, "王秀英", household_id=c.households[0], mobile="13912345678")
    li = await register_resident(platform, "李建国", household_id=c.households[1])
    plumber = await platform.post(
        "/party-members", {"person_id": wang, "ledger": "in_service", "party_org_id": branch, "skills": ["plumber"]}
    )
    retired = await platform.post("/party-members", {"person_id": li, "ledger": "retired", "party_org_id": branch})
    herself = platform.token(
        Grant(Role.resident, "household", c.households[0]),
        Grant(Role.party_member, "compound", c.compound_id),
        person=wang,
    )

    checked_in = await registry.post(
        f"{API}/check-ins",
        json={"party_member_id": plumber["id"], "compound_id": c.compound_id, "post": "楼道卫生监督岗"},
        headers=herself,
    )
    assert checked_in.status_code == 201, checked_in.text
    first = checked_in.json()
    assert (first["name"], first["post"], first["active"], first["ended_at"]) == (
        "王秀英",
        "楼道卫生监督岗",
        True,
        None,
    )
    [event] = await events(platform, "linli.registry.check_in.created.v1")
    assert event | {"check_in_id": 0} == {
        "check_in_id": 0,
        "party_member_id": plumber["id"],
        "person_id": wang,
        "compound_id": c.compound_id,
        "post": "楼道卫生监督岗",
        "active": True,
        "version": 1,
        "_key": str(c.compound_id),
    }

    not_in_service = await registry.post(
        f"{API}/check-ins",
        json={"party_member_id": retired["id"], "compound_id": c.compound_id, "post": "文明劝导岗"},
        headers=platform.street_admin,
    )
    error = assert_error(not_in_service, 422, "not_in_service")
    assert "只有在职党员" in error["message"]
    assert "离退休党员" in error["message"]

    elsewhere = (
        await platform.post(
            "/compounds",
            {
                "name": "滨河花园",
                "community_id": c.community_id,
                "kind": "commercial",
                "management_model": "professional",
            },
        )
    )["id"]
    not_home = await registry.post(
        f"{API}/check-ins",
        json={"party_member_id": plumber["id"], "compound_id": elsewhere, "post": "管道维修岗"},
        headers=herself,
    )
    assert "居住地小区" in assert_error(not_home, 422, "not_home_compound")["message"]
    someone_else = platform.token(Grant(Role.resident), person=li)
    assert_error(
        await registry.post(
            f"{API}/check-ins",
            json={"party_member_id": plumber["id"], "compound_id": c.compound_id, "post": "冒名岗"},
            headers=someone_else,
        ),
        403,
        "forbidden",
    )
    assert len(await events(platform, "linli.registry.check_in.created.v1")) == 1

    # A new post ends the previous check-in: one active check-in per member.
    second = await registry.post(
        f"{API}/check-ins",
        json={"party_member_id": plumber["id"], "compound_id": c.compound_id, "post": "  管道维修岗 "},
        headers=herself,
    )
    assert second.json()["post"] == "管道维修岗"
    earlier = (await registry.get(f"{API}/check-ins/{first['id']}", headers=herself)).json()
    assert (earlier["active"], earlier["version"]) == (False, 2)
    assert earlier["ended_at"] is not None
    [ended] = await events(platform, "linli.registry.check_in.updated.v1")
    assert (ended["check_in_id"], ended["active"], ended["version"]) == (first["id"], False, 2)
    active = await registry.get(
        f"{API}/check-ins", params={"compound_id": c.compound_id, "active": True}, headers=herself
    )
    assert [(ci["post"], ci["name"]) for ci in active.json()] == [("管道维修岗", "王秀英")]

    # The four ledgers are the staff's; she sees her own check-ins, not the compound's ledgers.
    refused = await registry.get(f"{API}/party-members/ledgers", params={"compound_id": c.compound_id}, headers=herself)
    assert_error(refused, 403, "forbidden")
    ledgers = (
        await registry.get(
            f"{API}/party-members/ledgers", params={"compound_id": c.compound_id}, headers=platform.street_admin
        )
    ).json()
    assert ledgers["ledgers"][0]["members"][0]["checked_in"] is True

    done = await registry.post(f"{API}/check-ins/{second.json()['id']}/end", json={"version": 1}, headers=herself)
    assert (done.json()["active"], done.json()["version"]) == (False, 2)
    twice = await registry.post(f"{API}/check-ins/{second.json()['id']}/end", json={"version": 2}, headers=herself)
    assert_error(twice, 409, "already_ended")
    history = await registry.get(
        f"{API}/check-ins", params={"party_member_id": plumber["id"]}, headers=platform.street_admin
    )
    assert [ci["active"] for ci in history.json()] == [False, False]

    # A member who leaves in-service work has their check-in ended with the ledger change.
    third = await platform.post(
        "/check-ins", {"party_member_id": plumber["id"], "compound_id": c.compound_id, "post": "楼道卫生监督岗"}
    )
    await registry.patch(
        f"{API}/party-members/{plumber['id']}", json={"version": 1, "ledger": "retired"}, headers=platform.street_admin
    )
    assert (await registry.get(f"{API}/check-ins/{third['id']}", headers=herself)).json()["active"] is False


# --- center households ---------------------------------------------------------------------


async def test_a_center_household_is_the_members_own_home_and_mentors_up_to_ten(platform: Platform) -> None:
    registry = platform.clients["registry"]
    c = await build_old_compound(platform, buildings=1, entrances=1)
    orgs = await five_levels(platform, c)
    wang = await register_resident(platform, "王秀英", household_id=c.households[0])
    member = await platform.post(
        "/party-members", {"person_id": wang, "ledger": "in_service", "party_org_id": orgs["compound_branch"]}
    )
    other = await build_old_compound(platform, street="涧河街道", name="涧河小区", buildings=1, entrances=1, floors=1)

    async def refused(body: dict[str, object], code: str = "validation_error") -> dict[str, Any]:
        answer = await registry.post(f"{API}/center-households", json=body, headers=platform.street_admin)
        return assert_error(answer, 422, code)

    home = c.households[0]
    assert (
        "自己的家"
        in (
            await refused(
                {"household_id": c.households[5], "party_member_id": member["id"], "mentored_household_ids": []},
                "not_members_household",
            )
        )["message"]
    )
    assert (
        "最多帮带 10 户"
        in (
            await refused(
                {"household_id": home, "party_member_id": member["id"], "mentored_household_ids": c.households[1:12]}
            )
        )["message"]
    )
    assert (
        "不能帮带自己"
        in (await refused({"household_id": home, "party_member_id": member["id"], "mentored_household_ids": [home]}))[
            "message"
        ]
    )
    assert (
        "同一小区"
        in (
            await refused(
                {"household_id": home, "party_member_id": member["id"], "mentored_household_ids": [other.households[0]]}
            )
        )["message"]
    )
    assert await events(platform, "linli.registry.center_household.created.v1") == []

    center = await platform.post(
        "/center-households",
        {"household_id": home, "party_member_id": member["id"], "mentored_household_ids": c.households[3:0:-1]},
    )
    assert center["mentored_household_ids"] == c.households[1:4]
    [event] = await events(platform, "linli.registry.center_household.created.v1")
    assert (event["mentored_household_ids"], event["household_id"], event["_key"]) == (
        c.households[1:4],
        home,
        str(c.compound_id),
    )
    changed = await registry.patch(
        f"{API}/center-households/{center['id']}",
        json={"version": 1, "mentored_household_ids": [*c.households[1:3], c.households[20]]},
        headers=platform.street_admin,
    )
    assert (changed.json()["mentored_household_ids"], changed.json()["version"]) == (
        [*c.households[1:3], c.households[20]],
        2,
    )
    [updated] = await events(platform, "linli.registry.center_household.updated.v1")
    assert updated["mentored_household_ids"] == [*c.households[1:3], c.households[20]]
    twice = await registry.post(
        f"{API}/center-households",
        json={"household_id": home, "party_member_id": member["id"], "mentored_household_ids": []},
        headers=platform.street_admin,
    )
    assert_error(twice, 409, "duplicate")
    listed = await registry.get(
        f"{API}/center-households", params={"compound_id": c.compound_id}, headers=platform.street_admin
    )
    assert [ch["mentored_household_ids"] for ch in listed.json()] == [[*c.households[1:3], c.households[20]]]
    removed = await registry.delete(
        f"{API}/center-households/{center['id']}", params={"version": 2}, headers=platform.street_admin
    )
    assert removed.status_code == 204
    [gone] = await events(platform, "linli.registry.center_household.removed.v1")
    assert gone["mentored_household_ids"] == [*c.households[1:3], c.households[20]]
