"""Statistics per grid, compound, community and street (JSON and .xlsx), and the Open311
GeoReport v2 facade a 12345 client files and follows orders through."""

from __future__ import annotations

import io

from openpyxl import load_workbook  # type: ignore[import-untyped]

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, Cast, order_leak, xinghualing_cast
from tests.helpers import error, ok

GEO = f"{API}/open311/v2"


async def check_statistics_count_intake_times_satisfaction_and_load(platform: Platform, cast: Cast) -> None:
    dispatch = platform.clients["dispatch"]
    grid_worker, resident, zhao = cast.grid_worker(platform), cast.resident(platform), cast.member(platform, cast.zhao)
    done = (await order_leak(platform, cast))["id"]
    ok(await dispatch.post(f"{API}/orders/{done}/triage", json={"triage": "minor"}, headers=grid_worker))
    assign = {"mode": "assign", "party_member_id": cast.zhao["id"]}
    ok(await dispatch.post(f"{API}/orders/{done}/dispatch", json=assign, headers=grid_worker))
    for step, body in (("accept", {}), ("start", {}), ("complete", {"summary": "好了"})):
        ok(await dispatch.post(f"{API}/orders/{done}/{step}", json=body, headers=zhao))
    ok(await dispatch.post(f"{API}/orders/{done}/confirm", json={}, headers=resident))
    ok(await dispatch.post(f"{API}/orders/{done}/rate", json={"rating": 5}, headers=resident))
    advice = (await order_leak(platform, cast))["id"]
    ok(
        await dispatch.post(
            f"{API}/orders/{advice}/triage", json={"triage": "private", "advice": "自行联系"}, headers=grid_worker
        )
    )
    await order_leak(platform, cast)

    params: dict[str, str | int] = {"level": "grid", "place_id": cast.home.grid_id}
    figures = ok(await dispatch.get(f"{API}/stats", params=params, headers=grid_worker))
    # Four: these three and the one filed through Open311 before (private, closed with advice).
    assert (figures["orders"], figures["by_triage"]) == (4, {"minor": 1, "private": 2, "untriaged": 1})
    assert (figures["by_category"], figures["average_rating"]) == ({"water_leak": 4}, 5.0)
    assert (figures["to_triage"]["count"], figures["to_accept"]["count"], figures["to_resolve"]["count"]) == (3, 1, 1)
    assert figures["to_resolve"]["median_s"] > 0
    assert (figures["sla_breach_rate"], figures["load"]["members"]) == (0.0, 1)
    for level, place in (("compound", cast.home.compound_id), ("community", cast.home.community_id)):
        assert (
            ok(
                await dispatch.get(
                    f"{API}/stats", params={"level": level, "place_id": place}, headers=platform.street_admin
                )
            )["orders"]
            == 4
        )
    # The street admin of 三桥街道 reads the figures of a community of his street, and of its
    # compounds; the street admin of 府东街道 reads none of them.
    fudong = (await platform.post("/streets", {"name": "府东街道"}))["id"]
    own_street = platform.token(Grant(Role.street_admin, "street", cast.home.street_id), person=2)
    other_street = platform.token(Grant(Role.street_admin, "street", fudong), person=3)
    for level, place in (
        ("community", cast.home.community_id),
        ("compound", cast.home.compound_id),
        ("grid", cast.home.grid_id),
        ("street", cast.home.street_id),
    ):
        where: dict[str, str | int] = {"level": level, "place_id": place}
        assert ok(await dispatch.get(f"{API}/stats", params=where, headers=own_street))["orders"] == 4
        refused = error(await dispatch.get(f"{API}/stats", params=where, headers=other_street), 403)
        assert "街道管理员" in refused["message"]
    # A grid worker reads their own grid only.
    error(await dispatch.get(f"{API}/stats", params={**params, "place_id": 999}, headers=grid_worker), 404)
    street: dict[str, str | int] = {"level": "street", "place_id": cast.home.street_id}
    error(await dispatch.get(f"{API}/stats", params=street, headers=grid_worker), 403)
    bad: dict[str, str | int] = {**params, "date_from": "2026-12-01", "date_to": "2026-11-01"}
    error(await dispatch.get(f"{API}/stats", params=bad, headers=grid_worker), 422)

    sheet = await dispatch.get(f"{API}/stats.xlsx", params=params, headers=grid_worker)
    assert sheet.status_code == 200
    assert "attachment" in sheet.headers["content-disposition"]
    book = load_workbook(io.BytesIO(sheet.content))
    rows = {r[0]: r[1] for r in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert (rows["受理工单数"], rows["平均满意度"]) == (4, 5)
    assert list(book["按分流"].iter_rows(min_row=2, values_only=True)) == [
        ("私事（居民自行解决，给予建议）", 2),
        ("小事（社区与居民协商解决）", 1),
        ("未分流", 1),
    ]


async def check_a_12345_client_files_and_follows_an_order_through_open311(platform: Platform, cast: Cast) -> None:
    dispatch = platform.clients["dispatch"]
    resident = cast.resident(platform)
    services = ok(await dispatch.get(f"{GEO}/services.json"))
    leak = next(s for s in services if s["service_code"] == "water_leak")
    assert (leak["service_name"], leak["metadata"], leak["type"]) == ("水管漏水", True, "realtime")
    definition = ok(await dispatch.get(f"{GEO}/services/water_leak.json"))
    assert definition["attributes"] == [
        {
            "variable": True,
            "code": "location",
            "datatype": "string",
            "required": True,
            "datatype_description": "",
            "order": 1,
            "description": "漏水位置",
        }
    ]
    # GeoReport's errors: a list of {code, description}; an unknown service is 404.
    unknown = await dispatch.get(f"{GEO}/services/spaceship.json")
    assert unknown.status_code == 404
    assert [e["code"] for e in unknown.json()] == [404]

    # Filed as a form, as GeoReport clients do; the required attribute is checked.
    form = {"service_code": "water_leak", "description": "卫生间水管漏水"}
    missing = await dispatch.post(f"{GEO}/requests.json", data=form, headers=resident)
    assert missing.status_code == 400
    assert "location" in missing.json()[0]["description"]
    created = ok(
        await dispatch.post(f"{GEO}/requests.json", data={**form, "attribute[location]": "卫生间"}, headers=resident),
        201,
    )
    [receipt] = created
    request_id = receipt["service_request_id"]
    [followed] = ok(await dispatch.get(f"{GEO}/requests/{request_id}.json", headers=resident))
    assert (followed["status"], followed["status_notes"], followed["service_code"]) == ("open", "待分流", "water_leak")
    assert followed["expected_datetime"] is not None
    order = ok(await dispatch.get(f"{API}/orders/{request_id}", headers=resident))
    assert (order["channel"], order["fields"]) == ("open311", {"location": "卫生间"})

    ok(
        await dispatch.post(
            f"{API}/orders/{request_id}/triage",
            json={"triage": "private", "advice": "户内管道请自行维修"},
            headers=cast.grid_worker(platform),
        )
    )
    closed = ok(await dispatch.get(f"{GEO}/requests.json", params={"status": "closed"}, headers=resident))
    assert [r["service_request_id"] for r in closed] == [request_id]
    assert ok(await dispatch.get(f"{GEO}/requests.json", params={"status": "open"}, headers=resident)) == []
    stranger = platform.token(Grant(Role.resident, "household", 999), person=999)
    assert ok(await dispatch.get(f"{GEO}/requests.json", headers=stranger)) == []
    assert (await dispatch.get(f"{GEO}/requests/{request_id}.json", headers=stranger)).status_code == 404


async def test_statistics_and_the_open311_facade(platform: Platform) -> None:
    """Statistics of one grid's orders, then a 12345 client through Open311."""
    cast = await xinghualing_cast(platform)
    await check_a_12345_client_files_and_follows_an_order_through_open311(platform, cast)
    await check_statistics_count_intake_times_satisfaction_and_load(platform, cast)
