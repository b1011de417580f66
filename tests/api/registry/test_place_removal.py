"""Removing a place (issue 14, the registry desk's place tree): a place with anything below it or
referring to it (children, residents, owners, bills, payments) is refused with a 409 that names
what is attached in Chinese and English, and nothing changes; an empty place goes, and says so
on the bus. And what the caller may do at a place, asked before a screen shows its buttons."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.registry.models import metadata as registry_metadata
from services.registry.places.domain import PlaceKind
from services.registry.places.removal import DEPENDENTS
from shared.auth import Grant, Role
from shared.contracts.billing import BillsIssued, PaymentBooked
from tests.api.billing.builders import publish
from tests.api.conftest import Platform
from tests.api.registry.builders import API, events, register_resident, xinghualing_dwelling
from tests.helpers import ok, refused

MORNING = datetime(2026, 11, 16, 2, 30, tzinfo=UTC)


async def _remove(platform: Platform, path: str, version: int, headers: dict[str, str] | None = None) -> Any:
    return await platform.clients["registry"].delete(
        f"{API}{path}", params={"version": version}, headers=headers or platform.street_admin
    )


async def _get(platform: Platform, path: str) -> dict[str, Any]:
    answer: dict[str, Any] = ok(await platform.clients["registry"].get(f"{API}{path}", headers=platform.street_admin))
    return answer


async def _refused_with(platform: Platform, path: str, *words: str) -> dict[str, Any]:
    """The DELETE is refused (409 still_referenced) naming `words`; the place is unchanged."""
    before = await _get(platform, path)
    error = refused(await _remove(platform, path, before["version"]), 409, "still_referenced")
    for word in words:
        assert word in error["message"], error
    assert "cannot be removed" in error["message_en"]
    assert await _get(platform, path) == before
    return error


async def test_a_building_with_an_entrance_stays_and_the_refusal_says_why(platform: Platform) -> None:
    platform.set_clock(MORNING)
    home = await xinghualing_dwelling(platform)
    removed_before = len(await events(platform, "linli.registry.building.removed.v1"))

    error = await _refused_with(platform, f"/buildings/{home.building_id}", "楼栋“3”", "1 个单元", "不能删除")
    assert error["message_en"].startswith("The building '3' still has 1 entrance(s) attached")
    assert error["details"] == {"id": home.building_id, "kind": "building", "attached": {"entrances": 1}}
    # Nothing left for the other services either.
    assert len(await events(platform, "linli.registry.building.removed.v1")) == removed_before
    assert len((await _get(platform, f"/compounds/{home.compound_id}/tree"))["buildings"]) == 1


async def test_each_level_names_what_hangs_below_it(platform: Platform) -> None:
    platform.set_clock(MORNING)
    home = await xinghualing_dwelling(platform)
    await register_resident(platform, "王秀英", household_id=home.household_id)
    owner = await register_resident(platform, "王建军", compound_id=home.compound_id)
    await platform.post("/ownerships", {"dwelling_id": home.dwelling_id, "person_id": owner})
    courtyard = await platform.post("/courtyards", {"compound_id": home.compound_id, "name": "东院"})
    await platform.post(
        "/buildings",
        {
            "compound_id": home.compound_id,
            "courtyard_id": courtyard["id"],
            "number": "5",
            "structure": "high_rise",
            "floors": 18,
        },
    )

    await _refused_with(platform, f"/streets/{home.street_id}", "1 个社区")
    await _refused_with(platform, f"/communities/{home.community_id}", "1 个网格", "1 个小区")
    await _refused_with(platform, f"/grids/{home.grid_id}", "1 个小区")
    await _refused_with(platform, f"/compounds/{home.compound_id}", "1 个院落", "2 栋楼", "位登记人员")
    await _refused_with(platform, f"/courtyards/{courtyard['id']}", "1 栋楼")
    await _refused_with(platform, f"/entrances/{home.entrance_id}", "1 套房屋")
    await _refused_with(platform, f"/dwellings/{home.dwelling_id}", "1 户住户", "1 份产权")
    await _refused_with(platform, f"/households/{home.household_id}", "住户", "1 位居民")


async def test_a_billed_dwelling_and_a_paying_household_keep_their_place(platform: Platform) -> None:
    platform.set_clock(MORNING)
    home = await xinghualing_dwelling(platform)
    # A second dwelling, empty but billed (an unsold flat the developer pays for).
    unsold = await platform.post(
        "/dwellings", {"entrance_id": home.entrance_id, "room": "302", "area_m2": "62.30", "sale_status": "unsold"}
    )
    bills = BillsIssued(
        compound_id=home.compound_id,
        kind="property_fee",
        period_label="2026年第4季度",
        bill_run_id=1,
        source_id="run-1",
        bill_count=2,
        amount_fen=20_000,
        dwelling_ids=[home.dwelling_id, unsold["id"]],
    )
    await publish(platform, bills, home.compound_id)
    await publish(platform, bills, home.compound_id)  # a second delivery marks nothing twice
    payment = PaymentBooked(
        payment_id=1,
        compound_id=home.compound_id,
        dwelling_id=home.dwelling_id,
        household_id=home.household_id,
        channel="counter",
        amount_fen=10_000,
        receipt_no="XHL-000001",
    )
    await publish(platform, payment, home.compound_id)
    await platform.eventually(platform.settled)

    error = await _refused_with(platform, f"/dwellings/{unsold['id']}", "1 条账单或缴费记录")
    assert error["details"]["attached"] == {"billed_places": 1}
    await _refused_with(platform, f"/households/{home.household_id}", "1 条缴费记录")
    await _refused_with(platform, f"/dwellings/{home.dwelling_id}", "1 户住户", "2 条账单或缴费记录")


async def test_an_empty_tree_comes_down_from_the_bottom(platform: Platform) -> None:
    platform.set_clock(MORNING)
    home = await xinghualing_dwelling(platform)
    for path in (
        f"/households/{home.household_id}",
        f"/dwellings/{home.dwelling_id}",
        f"/entrances/{home.entrance_id}",
        f"/buildings/{home.building_id}",
        f"/compounds/{home.compound_id}",
        f"/grids/{home.grid_id}",
        f"/communities/{home.community_id}",
        f"/streets/{home.street_id}",
    ):
        seen = await _get(platform, path)
        answer = await _remove(platform, path, seen["version"])
        assert answer.status_code == 204, (path, answer.text)
        refused(await platform.clients["registry"].get(f"{API}{path}", headers=platform.street_admin), 404)
    assert len(await events(platform, "linli.registry.household.removed.v1")) == 1
    assert len(await events(platform, "linli.registry.street.removed.v1")) == 1


async def test_a_removal_based_on_an_old_version_is_refused(platform: Platform) -> None:
    platform.set_clock(MORNING)
    home = await xinghualing_dwelling(platform)
    seen = await _get(platform, f"/households/{home.household_id}")
    ok(
        await platform.clients["registry"].patch(
            f"{API}/households/{home.household_id}",
            json={"version": seen["version"], "needy": True},
            headers=platform.street_admin,
        )
    )
    error = refused(await _remove(platform, f"/households/{home.household_id}", seen["version"]), 409, "stale_version")
    assert "修改" in error["message"]
    assert (await _get(platform, f"/households/{home.household_id}"))["needy"] is True


async def test_the_rights_at_a_place_are_the_routes_own_checks(platform: Platform) -> None:
    platform.set_clock(MORNING)
    home = await xinghualing_dwelling(platform)
    other = await platform.post("/communities", {"street_id": home.street_id, "name": "三桥社区"})
    registry = platform.clients["registry"]
    admin = platform.token(Grant(Role.community_admin, "community", home.community_id), person=2)
    resident = platform.token(Grant(Role.resident, "household", home.household_id), person=3)

    async def rights(headers: dict[str, str], kind: str | None = None, place_id: int | None = None) -> Any:
        query = {"kind": kind, "place_id": place_id} if kind else {}
        return ok(await registry.get(f"{API}/place-rights", params=query, headers=headers))

    def may(answer: dict[str, Any]) -> tuple[bool, bool, list[str]]:
        return answer["may_update"], answer["may_remove"], answer["may_create"]

    # The street admin: streets at the top, and everything below.
    assert may(await rights(platform.street_admin)) == (False, False, ["street"])
    assert may(await rights(platform.street_admin, "street", home.street_id)) == (True, True, ["community"])
    assert may(await rights(platform.street_admin, "household", home.household_id)) == (True, True, [])
    # The community admin: no streets, no other community's places; all of her own community.
    assert may(await rights(admin)) == (False, False, [])
    assert may(await rights(admin, "street", home.street_id)) == (False, False, [])
    assert may(await rights(admin, "community", home.community_id)) == (True, True, ["grid", "cluster", "compound"])
    assert may(await rights(admin, "compound", home.compound_id)) == (True, True, ["courtyard", "building"])
    assert may(await rights(admin, "entrance", home.entrance_id)) == (True, True, ["dwelling"])
    assert may(await rights(admin, "dwelling", home.dwelling_id)) == (True, True, ["household"])
    refused(
        await registry.get(f"{API}/place-rights", params={"kind": "community", "place_id": other["id"]}, headers=admin),
        404,
    )
    # What her rights say is what the routes do.
    refused(
        await registry.post(f"{API}/communities", json={"street_id": home.street_id, "name": "新社区"}, headers=admin),
        403,
    )
    ok(
        await registry.post(
            f"{API}/clusters", json={"community_id": home.community_id, "name": "三桥片区"}, headers=admin
        ),
        201,
    )
    # A resident sees his compound and may change nothing; not his neighbours' households.
    assert may(await rights(resident, "compound", home.compound_id)) == (False, False, [])
    assert may(await rights(resident, "household", home.household_id)) == (False, False, [])
    # A place needs both its kind and its id.
    refused(await registry.get(f"{API}/place-rights", params={"kind": "compound"}, headers=admin), 422)
    refused(await registry.get(f"{API}/place-rights", params={"kind": "parking"}, headers=admin), 422)


def test_every_reference_the_refusal_counts_is_a_column_of_the_registry() -> None:
    for kind, dependents in DEPENDENTS.items():
        for d in dependents:
            table = registry_metadata.tables[d.table]
            assert d.column in table.c, (kind, d)
            assert d.kind_column is None or d.kind_column in table.c, (kind, d)
    assert set(DEPENDENTS) == {k.value for k in PlaceKind}
