"""个人信息查阅记录: 杏花岭社区's admin reads 王秀英's full mobile for a home visit and then sees
that read in her access log (who, as what, which fields, why), newest first; the grid worker of
her grid sees the same log; the admin of another community, a resident and a stranger see none."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.registry.builders import id_card, resident, xinghualing_dwelling
from tests.helpers import ok, refused

API = "/api/v1/registry"


async def test_a_full_read_shows_in_the_persons_access_log_for_the_staff_of_her_area(platform: Platform) -> None:
    platform.set_clock(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    home = await xinghualing_dwelling(platform)
    admin_person = await resident(platform, "周敏", compound_id=home.compound_id)
    wang = await resident(
        platform,
        "王秀英",
        household_id=home.household_id,
        kind="owner",
        mobile="13800000004",
        id_card=id_card("11010519491231002"),
        gender="female",
    )
    registry = platform.clients["registry"]
    admin = platform.token(Grant(Role.community_admin, "community", home.community_id), person=admin_person["id"])
    log = f"{API}/residents/{wang['id']}/personal-data-access"
    assert ok(await registry.get(log, headers=admin)) == {"items": [], "next_cursor": None}

    full = ok(
        await registry.get(
            f"{API}/residents/{wang['id']}/personal-data", params={"purpose": "入户走访核对"}, headers=admin
        )
    )
    assert full["mobile"] == "13800000004"
    ok(await registry.get(f"{API}/residents/{wang['id']}/personal-data", params={"purpose": "补录产权"}, headers=admin))

    page = ok(await registry.get(log, headers=admin))
    assert [e["purpose"] for e in page["items"]] == ["补录产权", "入户走访核对"]
    first = page["items"][1]
    assert first["id"] == full["access_id"]
    assert (first["reader_name"], first["field_labels"]) == ("周敏", ["身份证号", "手机号"])
    assert first["reader_roles"] == f"community_admin@community:{home.community_id}"
    assert first["reader_roles_label"] == f"社区管理员（社区 {home.community_id}）"
    # Logged by the service's clock, not the database's.
    assert datetime.fromisoformat(first["read_at"]).date() == date(2026, 12, 1)

    one = ok(await registry.get(log, params={"limit": 1}, headers=admin))
    rest = ok(await registry.get(log, params={"limit": 1, "cursor": one["next_cursor"]}, headers=admin))
    assert [e["purpose"] for e in one["items"] + rest["items"]] == ["补录产权", "入户走访核对"]

    grid_worker = platform.token(Grant(Role.grid_worker, "grid", home.grid_id), person=admin_person["id"] + 50)
    assert len(ok(await registry.get(log, headers=grid_worker))["items"]) == 2

    elsewhere = platform.token(Grant(Role.community_admin, "community", home.community_id + 100), person=77)
    refused(await registry.get(log, headers=elsewhere), 403)
    herself = platform.token(Grant(Role.resident, "household", home.household_id), person=wang["id"])
    refused(await registry.get(log, headers=herself), 403)
    refused(await registry.get(f"{API}/residents/999999/personal-data-access", headers=admin), 404)
    refused(await registry.get(log, params={"cursor": "abc"}, headers=admin), 422)


async def test_the_compounds_admins_see_every_full_read_of_its_residents(platform: Platform) -> None:
    home = await xinghualing_dwelling(platform)
    wang = await resident(
        platform, "王秀英", household_id=home.household_id, kind="owner", mobile="13800000004", gender="female"
    )
    registry = platform.clients["registry"]
    grid_worker = platform.token(Grant(Role.grid_worker, "grid", home.grid_id), person=wang["id"] + 50)
    ok(
        await registry.get(
            f"{API}/residents/{wang['id']}/personal-data", params={"purpose": "上门核实独居情况"}, headers=grid_worker
        )
    )
    admin = platform.token(Grant(Role.community_admin, "community", home.community_id), person=wang["id"] + 60)
    log = ok(await registry.get(f"{API}/personal-data-access", params={"compound_id": home.compound_id}, headers=admin))
    assert [(e["person_name"], e["purpose"], e["reader_roles_label"]) for e in log["items"]] == [
        ("王*英", "上门核实独居情况", f"网格员（网格 {home.grid_id}）")
    ]
    assert log["items"][0]["person_id"] == wang["id"]

    # The compound's log is its admins'; a grid worker reads one person's, not the compound's.
    refused(
        await registry.get(
            f"{API}/personal-data-access", params={"compound_id": home.compound_id}, headers=grid_worker
        ),
        403,
    )
    elsewhere = platform.token(Grant(Role.community_admin, "community", home.community_id + 100), person=77)
    refused(
        await registry.get(f"{API}/personal-data-access", params={"compound_id": home.compound_id}, headers=elsewhere),
        403,
    )
    refused(await registry.get(f"{API}/personal-data-access", params={"compound_id": 999999}, headers=admin), 404)
