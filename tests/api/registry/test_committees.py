"""The old compound's residents set up their bodies (seed 002: 物管会/业委会 beside the branch;
seed 003's 131 model: 议事会, 业委会, 监委会): members take seats, a body has one chair, and a
chair who steps down makes room for the next."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.registry.builders import API, build_old_compound, events, register_resident
from tests.helpers import assert_error


async def test_a_property_committee_has_one_chair_at_a_time(platform: Platform) -> None:
    # 18:30 UTC on the 25th is already the 26th in the compound's time zone (Asia/Shanghai):
    # "today" on every record below is that day, whatever the calendar says when this runs.
    platform.set_clock(datetime(2026, 11, 25, 18, 30, tzinfo=UTC))
    registry = platform.clients["registry"]
    c = await build_old_compound(platform, buildings=1, entrances=1, floors=2)
    zhou = await register_resident(platform, "周桂兰", household_id=c.households[0])
    sun = await register_resident(platform, "孙德明", household_id=c.households[1])
    wu = await register_resident(platform, "吴春燕", household_id=c.households[2])

    chair = await platform.post(
        "/memberships",
        {"person_id": zhou, "body": "property_committee", "compound_id": c.compound_id, "role": "chair"},
    )
    assert (chair["name"], chair["body_label"], chair["role_label"], chair["active"]) == (
        "周桂兰",
        "物管会",
        "主任",
        True,
    )
    assert chair["since"] == "2026-11-26"
    member = await platform.post(
        "/memberships",
        {"person_id": sun, "body": "property_committee", "compound_id": c.compound_id, "since": "2024-07-01"},
    )
    assert (member["role"], member["role_label"]) == ("member", "委员")
    await platform.post(
        "/memberships",
        {"person_id": wu, "body": "supervisory_committee", "compound_id": c.compound_id, "role": "chair"},
    )

    second_chair = await registry.post(
        f"{API}/memberships",
        json={"person_id": wu, "body": "property_committee", "compound_id": c.compound_id, "role": "chair"},
        headers=platform.street_admin,
    )
    error = assert_error(second_chair, 409, "chair_taken")
    assert "物管会已有主任" in error["message"]
    assert error["details"]["existing_id"] == chair["id"]
    promote = await registry.patch(
        f"{API}/memberships/{member['id']}", json={"version": 1, "role": "chair"}, headers=platform.street_admin
    )
    assert_error(promote, 409, "chair_taken")
    twice = await registry.post(
        f"{API}/memberships",
        json={"person_id": sun, "body": "property_committee", "compound_id": c.compound_id},
        headers=platform.street_admin,
    )
    assert "孙德明已在该小区物管会任职" in assert_error(twice, 409, "duplicate")["message"]
    assert len(await events(platform, "linli.registry.membership.created.v1")) == 3

    early = await registry.patch(
        f"{API}/memberships/{member['id']}", json={"version": 1, "until": "2024-01-01"}, headers=platform.street_admin
    )
    assert_error(early, 422, "validation_error")

    # The chair steps down; the member takes the chair.
    stepped_down = await registry.patch(
        f"{API}/memberships/{chair['id']}",
        json={"version": 1, "until": "2026-11-26"},
        headers=platform.street_admin,
    )
    assert (stepped_down.json()["active"], stepped_down.json()["version"]) == (False, 2)
    promoted = await registry.patch(
        f"{API}/memberships/{member['id']}", json={"version": 1, "role": "chair"}, headers=platform.street_admin
    )
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["role_label"] == "主任"
    updated = await events(platform, "linli.registry.membership.updated.v1")
    assert [(e["person_id"], e["role"], e["active"], e["version"]) for e in updated] == [
        (zhou, "chair", False, 2),
        (sun, "chair", True, 2),
    ]
    assert {e["_key"] for e in updated} == {str(c.compound_id)}

    async def seats(**params: Any) -> list[tuple[str, str]]:
        answer = await registry.get(f"{API}/memberships", params=params, headers=platform.street_admin)
        return [(m["name"], m["role"]) for m in answer.json()]

    assert await seats(compound_id=c.compound_id, body="property_committee") == [
        ("周桂兰", "chair"),
        ("孙德明", "chair"),
    ]
    assert await seats(body="property_committee", active=True) == [("孙德明", "chair")]
    assert await seats(body="supervisory_committee") == [("吴春燕", "chair")]
    bad_body = await registry.get(f"{API}/memberships", params={"body": "politburo"}, headers=platform.street_admin)
    assert_error(bad_body, 422, "validation_error")

    removed = await registry.delete(
        f"{API}/memberships/{chair['id']}", params={"version": 2}, headers=platform.street_admin
    )
    assert removed.status_code == 204
    [gone] = await events(platform, "linli.registry.membership.removed.v1")
    assert (gone["membership_id"], gone["body"]) == (chair["id"], "property_committee")


async def test_only_the_compounds_admins_seat_members_and_bad_references_are_named(platform: Platform) -> None:
    registry = platform.clients["registry"]
    c = await build_old_compound(platform, buildings=1, entrances=1, floors=1)
    other = await build_old_compound(platform, street="涧河街道", name="涧河小区", buildings=1, entrances=1, floors=1)
    zhou = await register_resident(platform, "周桂兰", household_id=c.households[0])
    body = {"person_id": zhou, "body": "owners_committee", "compound_id": c.compound_id, "role": "deputy"}

    outsider = platform.token(Grant(Role.community_admin, "community", other.community_id), person=60)
    assert_error(await registry.post(f"{API}/memberships", json=body, headers=outsider), 403, "forbidden")
    no_person = await registry.post(
        f"{API}/memberships", json=body | {"person_id": 999_999}, headers=platform.street_admin
    )
    assert assert_error(no_person, 422, "validation_error")["details"] == [{"field": "person_id", "value": 999_999}]
    no_compound = await registry.post(
        f"{API}/memberships", json=body | {"compound_id": 999_999}, headers=platform.street_admin
    )
    assert "小区 999999 不存在" in assert_error(no_compound, 422, "validation_error")["message"]
    assert await events(platform, "linli.registry.membership.created.v1") == []

    own_admin = platform.token(Grant(Role.community_admin, "community", c.community_id), person=61)
    seated = await registry.post(f"{API}/memberships", json=body, headers=own_admin)
    assert seated.status_code == 201, seated.text
    assert (seated.json()["body_label"], seated.json()["role_label"]) == ("业委会", "副主任")
    [event] = await events(platform, "linli.registry.membership.created.v1")
    assert event | {"membership_id": 0} == {
        "membership_id": 0,
        "person_id": zhou,
        "body": "owners_committee",
        "compound_id": c.compound_id,
        "role": "deputy",
        "active": True,
        "version": 1,
        "_key": str(c.compound_id),
    }
    resident = platform.token(Grant(Role.resident), person=zhou)
    assert (await registry.get(f"{API}/memberships/{seated.json()['id']}", headers=resident)).json()["name"] == "周桂兰"
    assert_error(
        await registry.delete(f"{API}/memberships/{seated.json()['id']}", params={"version": 1}, headers=resident),
        403,
        "forbidden",
    )
