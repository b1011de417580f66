"""一户一区 (seed 000): the ground in front of and behind building 3 is divided among its
households, one zone each; the building head inspects with photos, and each result is the
household's points, so the month's environmental red and black list follows the inspections."""

from __future__ import annotations

import io

import httpx
from openpyxl import load_workbook  # type: ignore[import-untyped]

from tests.api.conftest import Platform
from tests.api.dispatch.builders import API
from tests.api.dispatch.practice_builders import courtyard
from tests.helpers import ok, refused

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 200
GIF = b"GIF89a" + b"\x00" * 50


async def test_one_household_one_zone_inspected_with_photos_feeds_the_lists(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    yard = await courtyard(platform, ("3-1-301", "3-1-302", "3-1-401", "5-1-101"))
    grid, head = yard.grid_worker(platform), yard.building_head(platform, "3")
    other_head = yard.building_head(platform, "5", person=802)
    wang, neighbour = yard.resident(platform, "3-1-301", 4), yard.resident(platform, "3-1-302", 5)
    home = {door: h.household_id for door, h in yard.homes.items()}
    compound, building = yard.compound_id, yard.homes["3-1-301"].building_id

    # The grid worker divides building 3's surroundings and gives each zone to a household.
    zones = {}
    for name, door in (("3栋南侧花坛", "3-1-301"), ("3栋北侧菜园", "3-1-302"), ("3栋东侧通道", "3-1-401")):
        body = {"compound_id": compound, "building_id": building, "name": name, "household_id": home[door]}
        zones[door] = ok(await dispatch.post(f"{API}/care-zones", json=body, headers=grid), 201)
    assert (zones["3-1-301"]["household_label"], zones["3-1-301"]["building_number"]) == ("3-1-301", "3")
    # One household, one zone: a second zone for 王秀英's household is refused, and so is the
    # same zone name twice in a building, a building of another compound, a resident dividing.
    second = {"compound_id": compound, "building_id": building, "name": "3栋西侧", "household_id": home["3-1-301"]}
    taken = refused(await dispatch.post(f"{API}/care-zones", json=second, headers=grid), 409, "household_has_zone")
    assert taken["details"] == {"zone_id": zones["3-1-301"]["id"]}
    same = {"compound_id": compound, "building_id": building, "name": "3栋南侧花坛"}
    refused(await dispatch.post(f"{API}/care-zones", json=same, headers=grid), 409, "duplicate")
    refused(await dispatch.post(f"{API}/care-zones", json={**same, "building_id": 9999}, headers=grid), 422)
    refused(await dispatch.post(f"{API}/care-zones", json={**same, "name": "x"}, headers=wang), 403)
    move = {"household_id": home["3-1-302"], "version": 1}
    refused(
        await dispatch.post(f"{API}/care-zones/{zones['3-1-301']['id']}/assign", json=move, headers=grid),
        409,
        "household_has_zone",
    )
    listed = ok(await dispatch.get(f"{API}/care-zones", params={"compound_id": compound}, headers=neighbour))
    assert [(z["name"], z["household_label"]) for z in listed["items"]] == [
        ("3栋南侧花坛", "3-1-301"),
        ("3栋北侧菜园", "3-1-302"),
        ("3栋东侧通道", "3-1-401"),
    ]

    async def inspect(door: str, result: str, note: str, headers: dict[str, str], photos: int = 1) -> httpx.Response:
        files = [("photos", (f"p{i}.jpg", JPEG, "image/jpeg")) for i in range(photos)]
        return await dispatch.post(
            f"{API}/care-zones/{zones[door]['id']}/inspections",
            data={"result": result, "note": note},
            files=files or None,
            headers=headers,
        )

    # The head of building 3 inspects; the head of building 5 and a resident may not.
    refused(await inspect("3-1-301", "passed", "干净", other_head), 403)
    refused(await inspect("3-1-301", "passed", "干净", neighbour), 403)
    passed = ok(await inspect("3-1-301", "passed", "花坛整洁，无杂物", head), 201)
    assert (passed["result_label"], passed["points"], len(passed["photos"])) == ("合格", 2, 1)
    for note in ("菜园堆放柴草", "污水外流"):
        failed = ok(await inspect("3-1-302", "failed", note, head), 201)
        assert failed["points"] == -3
    ok(await inspect("3-1-401", "passed", "通道畅通", grid, photos=0), 201)
    refused(await inspect("3-1-401", "passed", "x", head, photos=4), 409, "too_many_photos")
    gif = await dispatch.post(
        f"{API}/care-zones/{zones['3-1-401']['id']}/inspections",
        data={"result": "passed", "note": "x"},
        files=[("photos", ("a.jpg", GIF, "image/jpeg"))],
        headers=head,
    )
    refused(gif, 422, "unsupported_image")

    # 王秀英 sees her zone, its inspection and its photo; her neighbour sees neither.
    mine = ok(await dispatch.get(f"{API}/care-zones/households/{home['3-1-301']}", headers=wang))
    assert (mine["zone"]["name"], mine["zone"]["last_result_label"]) == ("3栋南侧花坛", "合格")
    assert [(i["note"], i["points"]) for i in mine["inspections"]] == [("花坛整洁，无杂物", 2)]
    photo_url = f"{API}/care-zones/inspections/{passed['id']}/photos/{passed['photos'][0]}"
    shown = await dispatch.get(photo_url, headers=wang)
    assert (shown.status_code, shown.content) == (200, JPEG)
    assert (await dispatch.get(photo_url, headers=head)).status_code == 200
    refused(await dispatch.get(photo_url, headers=neighbour), 404)
    refused(await dispatch.get(f"{API}/care-zones/households/{home['3-1-301']}", headers=neighbour), 404)

    # The results are the households' points, and so the month's lists.
    lists = ok(await dispatch.get(f"{API}/credit/lists", params={"compound_id": compound}, headers=wang))
    assert [(x["label"], x["points"]) for x in lists["honor_roll"]] == [("3-1-301", 2), ("3-1-401", 2)]
    assert [(x["label"], x["points"], x["demerits"]) for x in lists["warning_list"]] == [("3-1-302", -6, 2)]
    entries = ok(
        await dispatch.get(f"{API}/credit/entries", params={"household_id": home["3-1-302"]}, headers=neighbour)
    )
    assert [e["note"] for e in entries["items"]] == [
        "责任区「3栋北侧菜园」检查不合格：污水外流",
        "责任区「3栋北侧菜园」检查不合格：菜园堆放柴草",
    ]

    # The staff's ledger of inspections, as a workbook.
    ledger = ok(await dispatch.get(f"{API}/care-zones/inspections", params={"compound_id": compound}, headers=grid))
    assert len(ledger["items"]) == 4
    refused(await dispatch.get(f"{API}/care-zones/inspections", params={"compound_id": compound}, headers=wang), 403)
    workbook = await dispatch.get(f"{API}/care-zones/inspections.xlsx", params={"compound_id": compound}, headers=grid)
    assert workbook.status_code == 200
    rows = list(load_workbook(io.BytesIO(workbook.content))["责任区检查台账"].iter_rows(values_only=True))
    assert rows[0][:6] == ("编号", "时间", "责任区", "住户", "结果", "积分")
    assert [(r[2], r[3], r[4], r[5]) for r in rows[1:]][:2] == [
        ("3栋南侧花坛", "3-1-301", "合格", 2),
        ("3栋北侧菜园", "3-1-302", "不合格", -3),
    ]
