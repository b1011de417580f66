"""Xinghualing's pairings (包联): a community cadre takes the merged old compound, an in-service
member pairs with a household, a party center household mentors three neighbours (1+N) and
takes on a needy household; the pairings go up on the compound's wall (上墙公示)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.registry.builders import API, OldCompound, build_old_compound, events, five_levels, register_resident
from tests.helpers import assert_error


async def _cast(platform: Platform, c: OldCompound) -> dict[str, Any]:
    """The people of the story: a cadre, two in-service members, a retired member."""
    orgs = await five_levels(platform, c)
    branch = orgs["compound_branch"]
    cadre = await register_resident(platform, "刘书记", compound_id=c.compound_id, mobile="13700001111")
    wang = await register_resident(platform, "王秀英", household_id=c.households[0], mobile="13912345678")
    chen = await register_resident(platform, "陈志远", household_id=c.households[20])
    li = await register_resident(platform, "李建国", household_id=c.households[1])
    plumber = await platform.post(
        "/party-members", {"person_id": wang, "ledger": "in_service", "party_org_id": branch, "skills": ["plumber"]}
    )
    teacher = await platform.post(
        "/party-members", {"person_id": chen, "ledger": "in_service", "party_org_id": branch, "skills": ["teacher"]}
    )
    retired = await platform.post("/party-members", {"person_id": li, "ledger": "retired", "party_org_id": branch})
    return {"cadre": cadre, "plumber": plumber, "teacher": teacher, "retired": retired, "orgs": orgs}


async def test_pairings_are_published_on_the_wall_with_chinese_labels(platform: Platform) -> None:
    # 18:30 UTC on the 25th is already the 26th in the compound's time zone (Asia/Shanghai):
    # "today" on every record below is that day, whatever the calendar says when this runs.
    platform.set_clock(datetime(2026, 11, 25, 18, 30, tzinfo=UTC))
    registry = platform.clients["registry"]
    c = await build_old_compound(platform)
    assert len(c.households) == 96
    assert len(c.needy) == 6
    cast = await _cast(platform, c)
    needy = c.needy[0]

    # 1+N: 王秀英's home mentors three neighbours.
    center = await platform.post(
        "/center-households",
        {
            "household_id": c.households[0],
            "party_member_id": cast["plumber"]["id"],
            "mentored_household_ids": c.households[2:5],
        },
    )
    assert center["mentored_household_ids"] == c.households[2:5]

    cadre_pairing = await platform.post(
        "/pairings", {"kind": "cadre_compound", "compound_id": c.compound_id, "cadre_person_id": cast["cadre"]}
    )
    assert (cadre_pairing["kind_label"], cadre_pairing["public"], cadre_pairing["since"]) == (
        "干部包联小区",
        True,
        "2026-11-26",
    )
    member_pairing = await platform.post(
        "/pairings",
        {
            "kind": "member_household",
            "compound_id": c.compound_id,
            "party_member_id": cast["teacher"]["id"],
            "household_id": c.households[40],
        },
    )
    center_pairing = await platform.post(
        "/pairings",
        {
            "kind": "center_needy",
            "compound_id": c.compound_id,
            "center_household_id": center["id"],
            "household_id": needy,
        },
    )
    assert center_pairing["kind_label"] == "党员中心户包联困难户"
    created = await events(platform, "linli.registry.pairing.created.v1")
    assert [(e["kind"], e["household_id"], e["public"], e["_key"]) for e in created] == [
        ("cadre_compound", None, True, str(c.compound_id)),
        ("member_household", c.households[40], True, str(c.compound_id)),
        ("center_needy", needy, True, str(c.compound_id)),
    ]

    # Any resident of the compound reads its wall.
    resident = platform.token(Grant(Role.resident, "household", c.households[0]), person=cast["cadre"])
    wall = (await registry.get(f"{API}/compounds/{c.compound_id}/pairings/public", headers=resident)).json()
    assert (wall["compound_name"], wall["as_of"]) == ("北大街3号院", "2026-11-26")
    assert wall["counts"] == {"cadre_compound": 1, "member_household": 1, "center_needy": 1}
    lines = [(p["kind_label"], p["pairer_label"], p["pairer_name"], p["target"]) for p in wall["pairings"]]
    # 16th household: building 1, entrance 1, floor 4, position 4 → 1-1-404.
    assert lines == [
        ("干部包联小区", "包联干部", "刘书记", "北大街3号院"),
        ("党员中心户包联困难户", "党员中心户", "王秀英家（1-1-101）", "1-1-404"),
        ("在职党员包联住户", "在职党员", "陈志远", "1-2-501"),
    ]
    assert "13912345678" not in json.dumps(wall, ensure_ascii=False)
    assert "13700001111" not in json.dumps(wall, ensure_ascii=False)

    # Taken off the wall: a pairing made private, and one that has ended.
    hidden = await registry.patch(
        f"{API}/pairings/{member_pairing['id']}", json={"version": 1, "public": False}, headers=platform.street_admin
    )
    assert (hidden.json()["public"], hidden.json()["version"]) == (False, 2)
    yesterday = "2026-11-25"
    bad_end = await registry.patch(
        f"{API}/pairings/{cadre_pairing['id']}", json={"version": 1, "until": yesterday}, headers=platform.street_admin
    )
    assert "早于开始日期" in assert_error(bad_end, 422, "validation_error")["message"]
    ended = await registry.patch(
        f"{API}/pairings/{cadre_pairing['id']}",
        json={"version": 1, "until": "2026-11-26"},
        headers=platform.street_admin,
    )
    assert ended.status_code == 200, ended.text
    wall = (await registry.get(f"{API}/compounds/{c.compound_id}/pairings/public", headers=resident)).json()
    assert [p["kind"] for p in wall["pairings"]] == ["cadre_compound", "center_needy"]  # ends at day's end
    assert [e["public"] for e in await events(platform, "linli.registry.pairing.updated.v1")] == [False, True]

    listed = await registry.get(
        f"{API}/pairings", params={"center_household_id": center["id"]}, headers=platform.street_admin
    )
    assert [p["household_id"] for p in listed.json()] == [needy]
    missing = await registry.get(f"{API}/compounds/999999/pairings/public", headers=resident)
    assert_error(missing, 404, "not_found")


async def test_each_kind_names_its_own_parties_and_duplicates_are_refused(platform: Platform) -> None:
    registry = platform.clients["registry"]
    c = await build_old_compound(platform, buildings=1, entrances=1)
    cast = await _cast(platform, c)
    center = await platform.post(
        "/center-households",
        {"household_id": c.households[0], "party_member_id": cast["plumber"]["id"], "mentored_household_ids": []},
    )
    other = await build_old_compound(platform, street="涧河街道", name="涧河小区", buildings=1, entrances=1, floors=1)

    async def refused(body: dict[str, object], status: int = 422, code: str = "validation_error") -> dict[str, Any]:
        answer = await registry.post(f"{API}/pairings", json=body, headers=platform.street_admin)
        return assert_error(answer, status, code)

    cadre_with_household = await refused(
        {
            "kind": "cadre_compound",
            "compound_id": c.compound_id,
            "cadre_person_id": cast["cadre"],
            "household_id": c.households[5],
        }
    )
    assert "干部包联小区不能填写" in cadre_with_household["message"]
    assert cadre_with_household["details"][0]["field"] == "household_id"
    no_household = await refused(
        {"kind": "member_household", "compound_id": c.compound_id, "party_member_id": cast["teacher"]["id"]}
    )
    assert "住户 (household_id)" in no_household["message"]
    retired = await refused(
        {
            "kind": "member_household",
            "compound_id": c.compound_id,
            "party_member_id": cast["retired"]["id"],
            "household_id": c.households[6],
        },
        code="not_in_service",
    )
    assert "在职党员" in retired["message"]
    not_needy = await refused(
        {
            "kind": "center_needy",
            "compound_id": c.compound_id,
            "center_household_id": center["id"],
            "household_id": c.households[6],
        },
        code="not_needy",
    )
    assert "困难户" in not_needy["message"]
    elsewhere = await refused(
        {
            "kind": "member_household",
            "compound_id": c.compound_id,
            "party_member_id": cast["teacher"]["id"],
            "household_id": other.households[0],
        }
    )
    assert "不在小区" in elsewhere["message"]
    unknown = await refused({"kind": "friendship", "compound_id": c.compound_id})
    assert unknown["details"][0]["field"] == "body.kind"
    assert await events(platform, "linli.registry.pairing.created.v1") == []

    body = {
        "kind": "center_needy",
        "compound_id": c.compound_id,
        "center_household_id": center["id"],
        "household_id": c.needy[0],
    }
    first = await platform.post("/pairings", body)
    twice = await refused(body, 409, "duplicate")
    assert twice["details"]["existing_id"] == first["id"]
    assert len(await events(platform, "linli.registry.pairing.created.v1")) == 1

    # The center household cannot go while it is paired.
    still_paired = await registry.delete(
        f"{API}/center-households/{center['id']}", params={"version": 1}, headers=platform.street_admin
    )
    assert "包联" in assert_error(still_paired, 409, "still_referenced")["message"]
    removed = await registry.delete(
        f"{API}/pairings/{first['id']}", params={"version": 1}, headers=platform.street_admin
    )
    assert removed.status_code == 204
    [gone] = await events(platform, "linli.registry.pairing.removed.v1")
    assert gone["pairing_id"] == first["id"]

    outsider = platform.token(Grant(Role.community_admin, "community", other.community_id), person=50)
    forbidden = await registry.post(f"{API}/pairings", json=body, headers=outsider)
    assert_error(forbidden, 403, "forbidden")
