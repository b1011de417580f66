"""Shared spaces (共享空间): Qionglai's 太阳新居 turned an idle ground floor into 孔明邻舍, run as
公益服务 + 低偿服务 (seed 000); Luxian's 红邻·馨空间 lays out "7+N" functions (seed 001). Residents
book slots that never overlap, cancel, and the fees staff receive are the owners' public revenue,
shared 433 like any other, to the fen."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from tests.api.billing.builders import billing, books_ok, money, ok, staff
from tests.api.billing.practice_builders import (
    API,
    committee,
    compound_with_households,
    residents_of,
    space,
)
from tests.api.conftest import Platform
from tests.helpers import refused

# Tuesday 5 January 2027, 10:00 in Qionglai; the bookings are for Saturday the 9th.
MONDAY = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)


def at(hhmm: str, day: int = 9) -> str:
    return f"2027-01-{day:02d}T{hhmm}:00+08:00"


async def kongming(platform: Platform, compound_id: int) -> dict[str, Any]:
    return await space(
        platform,
        compound_id,
        name="孔明邻舍（架空层）",
        kind="activity_hall",
        capacity=60,
        opens_at="08:00",
        closes_at="21:00",
        description="盘活架空层：一老一小服务、红白喜事、日常活动",
        uses=[
            {"name": "阅览", "pricing": "free"},
            {"name": "慧心巧手坊", "pricing": "per_hour", "fee_fen": 500},
            {"name": "红白喜事", "pricing": "per_use", "fee_fen": 20_000},
        ],
    )


async def test_bookings_never_overlap_and_fees_reach_public_revenue_to_the_fen(platform: Platform) -> None:
    platform.set_clock(MONDAY)
    c = await compound_with_households(platform, "太阳新居小区", 3)
    cid = c.compound_id
    wang, li, zhao = residents_of(platform, c)
    households = [c.household_ids[d] for d in c.dwelling_ids]
    hall = await kongming(platform, cid)
    uses = {u["name"]: u for u in hall["uses"]}
    assert (hall["kind_label"], hall["opens_at"], hall["closes_at"]) == (
        "活动室（红白喜事、日常活动）",
        "08:00",
        "21:00",
    )
    assert [(u["name"], u["pricing_label"], u["fee_yuan"]) for u in hall["uses"]] == [
        ("阅览", "免费", "0.00"),
        ("慧心巧手坊", "按小时收费", "5.00"),
        ("红白喜事", "按次收费", "200.00"),
    ]

    # Residents see the space; a resident of another compound does not.
    listed = await ok(await billing(platform).get(f"{API}/shared-spaces", params={"compound_id": cid}, headers=li))
    assert [s["name"] for s in listed["items"]] == ["孔明邻舍（架空层）"]
    assert listed["today"] == "2027-01-05"

    def booking(headers: dict[str, str], household: int, use: str, start: str, end: str) -> Any:
        body = {
            "space_id": hall["id"],
            "use_id": uses[use]["id"],
            "household_id": household,
            "starts_at": at(start),
            "ends_at": at(end),
            "purpose": use,
        }
        return billing(platform).post(f"{API}/space-bookings", json=body, headers=headers)

    wedding = await ok(await booking(wang, households[0], "红白喜事", "10:00", "14:00"), 201)
    assert (wedding["status_label"], wedding["fee_fen"], wedding["fee_yuan"]) == ("已预约", 20_000, "200.00")

    # Li wants 12:00–13:00: refused, clearly, and nothing is written.
    clash = refused(await booking(li, households[1], "慧心巧手坊", "12:00", "13:00"), 409, "booking_overlap")
    assert "已被预约" in clash["message"]
    assert "01-09 10:00–14:00" in clash["message"]
    assert clash["details"]["booking_id"] == wedding["id"]
    staff_view = await ok(
        await billing(platform).get(f"{API}/space-bookings", params={"compound_id": cid}, headers=staff(platform, cid))
    )
    assert [b["id"] for b in staff_view["items"]] == [wedding["id"]]

    # Right after the wedding is free (half-open slots); an hour and a half at 5 yuan an hour.
    craft = await ok(await booking(li, households[1], "慧心巧手坊", "14:00", "15:30"), 201)
    assert craft["fee_fen"] == 750
    # Reading is free; outside the opening hours is not bookable; nor for another's household.
    reading_slot = await ok(await booking(zhao, households[2], "阅览", "08:00", "09:00"), 201)
    assert reading_slot["fee_fen"] == 0
    late = refused(await booking(zhao, households[2], "阅览", "20:30", "21:30"), 422, "outside_opening_hours")
    assert "08:00–21:00" in late["message"]
    refused(await booking(zhao, households[0], "阅览", "16:00", "17:00"), 403)

    # The day as a resident sees it: three slots taken, Li's own marked.
    day = await ok(
        await billing(platform).get(f"{API}/shared-spaces/{hall['id']}/day", params={"day": "2027-01-09"}, headers=li)
    )
    assert [(t["starts_at"][11:16], t["mine"]) for t in day["taken"]] == [
        ("00:00", False),
        ("02:00", False),
        ("06:00", True),
    ]

    # Li cancels; his time frees up; Wang cannot cancel Li's booking (not hers: 404).
    refused(await billing(platform).post(f"{API}/space-bookings/{craft['id']}/cancel", headers=wang), 404)
    cancelled = await ok(await billing(platform).post(f"{API}/space-bookings/{craft['id']}/cancel", headers=li))
    assert cancelled["status_label"] == "已取消"
    refused(
        await billing(platform).post(f"{API}/space-bookings/{craft['id']}/cancel", headers=li),
        409,
        "illegal_transition",
    )
    again = await ok(await booking(zhao, households[2], "阅览", "14:00", "15:00"), 201)
    assert again["status"] == "booked"

    # Staff receive the wedding's fee: public revenue of the compound, once.
    paid = await ok(
        await billing(platform).post(f"{API}/space-bookings/{wedding['id']}/fee", headers=money(staff(platform, cid)))
    )
    assert paid["revenue_id"] is not None
    assert paid["fee_received_at"] is not None
    refused(
        await billing(platform).post(f"{API}/space-bookings/{wedding['id']}/fee", headers=money(staff(platform, cid))),
        409,
        "booking_fee_received",
    )
    refused(
        await billing(platform).post(f"{API}/space-bookings/{wedding['id']}/cancel", headers=wang),
        409,
        "booking_fee_received",
    )
    revenues = await ok(
        await billing(platform).get(f"{API}/revenues", params={"compound_id": cid}, headers=staff(platform, cid))
    )
    assert [(r["source_label"], r["net_fen"]) for r in revenues] == [("场地占用", 20_000)]
    assert "孔明邻舍" in revenues[0]["description"]
    assert "红白喜事" in revenues[0]["description"]

    # … and it is shared 433 like any public revenue: 80 / 60 / 60 yuan.
    asked = await ok(
        await billing(platform).post(
            f"{API}/fund-approvals",
            json={"compound_id": cid, "action": "distribution", "amount_fen": 20_000, "building_ids": []},
            headers=staff(platform, cid),
        ),
        201,
    )
    await ok(
        await billing(platform).post(f"{API}/fund-approvals/{asked['id']}/approve", headers=committee(platform, cid))
    )
    shared = await ok(
        await billing(platform).post(
            f"{API}/distributions",
            json={"compound_id": cid, "amount_fen": 20_000, "approval_id": asked["id"]},
            headers=money(staff(platform, cid)),
        ),
        201,
    )
    assert shared["parts"] == {"retained": 8_000, "livelihood": 6_000, "governance": 6_000}
    await books_ok(platform, cid)

    # Usage of January for staff, and the same as .xlsx.
    usage = await ok(
        await billing(platform).get(
            f"{API}/shared-spaces/usage", params={"compound_id": cid, "period": "2027-01"}, headers=staff(platform, cid)
        )
    )
    [line] = usage["lines"]
    assert (line["bookings"], line["cancelled"], line["hours"], line["households"]) == (3, 1, "6", 2)
    assert (line["fee_fen"], line["fee_received_fen"]) == (20_000, 20_000)
    sheet = await billing(platform).get(
        f"{API}/shared-spaces/usage.xlsx",
        params={"compound_id": cid, "period": "2027-01"},
        headers=staff(platform, cid),
    )
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "太阳新居小区 2027-01 共享空间使用情况"
    assert rows[2][:4] == ("孔明邻舍（架空层）", "活动室（红白喜事、日常活动）", 3, 1)
    assert rows[2][6:] == ("200.00", "200.00")
    # When January is over, its disclosure carries the fee among the public revenue.
    platform.set_clock(datetime(2027, 2, 2, 2, 0, tzinfo=UTC))
    preview = await billing(platform).get(
        f"{API}/disclosures/preview.html",
        params={"compound_id": cid, "period": "2027-01", "cosigner": "监委会"},
        headers=staff(platform, cid),
    )
    assert preview.status_code == 200, preview.text
    assert "公共收益·场地占用" in preview.text
    assert "200.00" in preview.text
    # Residents do not read the compound's ledger.
    refused(await billing(platform).get(f"{API}/shared-spaces/usage", params={"compound_id": cid}, headers=li), 403)


async def test_only_staff_set_spaces_up_and_bad_hours_change_nothing(platform: Platform) -> None:
    platform.set_clock(MONDAY)
    c = await compound_with_households(platform, "玉蝉国际城", 1)
    cid = c.compound_id
    [resident] = residents_of(platform, c)
    body = {
        "compound_id": cid,
        "name": "红邻·馨空间 阅览室",
        "kind": "reading",
        "capacity": 20,
        "opens_at": "09:00",
        "closes_at": "18:00",
        "uses": [{"name": "阅览", "pricing": "free"}],
    }
    refused(await billing(platform).post(f"{API}/shared-spaces", json=body, headers=resident), 403)
    refused(
        await billing(platform).post(
            f"{API}/shared-spaces", json={**body, "opens_at": "19:00"}, headers=staff(platform, cid)
        ),
        422,
    )
    refused(
        await billing(platform).post(
            f"{API}/shared-spaces",
            json={**body, "uses": [{"name": "阅览", "pricing": "per_hour", "fee_fen": 0}]},
            headers=staff(platform, cid),
        ),
        422,
    )
    listed = await ok(
        await billing(platform).get(f"{API}/shared-spaces", params={"compound_id": cid}, headers=staff(platform, cid))
    )
    assert listed["items"] == []

    # Staff shorten the hours and later pause the space; a stale version changes nothing.
    room = await ok(await billing(platform).post(f"{API}/shared-spaces", json=body, headers=staff(platform, cid)), 201)
    changed = await ok(
        await billing(platform).patch(
            f"{API}/shared-spaces/{room['id']}",
            json={"version": 1, "closes_at": "17:00"},
            headers=staff(platform, cid),
        )
    )
    assert (changed["closes_at"], changed["version"]) == ("17:00", 2)
    refused(
        await billing(platform).patch(
            f"{API}/shared-spaces/{room['id']}", json={"version": 1, "active": False}, headers=staff(platform, cid)
        ),
        409,
        "stale_version",
    )
    refused(
        await billing(platform).patch(
            f"{API}/shared-spaces/{room['id']}", json={"version": 2, "active": False}, headers=resident
        ),
        403,
    )
    await ok(
        await billing(platform).patch(
            f"{API}/shared-spaces/{room['id']}", json={"version": 2, "active": False}, headers=staff(platform, cid)
        )
    )
    paused = refused(
        await billing(platform).post(
            f"{API}/space-bookings",
            json={
                "space_id": room["id"],
                "use_id": room["uses"][0]["id"],
                "household_id": c.household_ids[c.dwelling_ids[0]],
                "starts_at": at("10:00"),
                "ends_at": at("11:00"),
            },
            headers=resident,
        ),
        409,
    )
    assert "暂停预约" in paused["message"]


async def test_two_households_asking_for_one_slot_at_once_get_one_booking(platform: Platform) -> None:
    """SQLite, embedded mode: the use case holds the space before it looks, so the second of
    two simultaneous requests sees the first one's booking (PostgreSQL: tests/integration)."""
    platform.set_clock(MONDAY)
    c = await compound_with_households(platform, "太阳新居小区", 4)
    hall = await kongming(platform, c.compound_id)
    wedding = next(u for u in hall["uses"] if u["name"] == "红白喜事")
    people = residents_of(platform, c)
    households = [c.household_ids[d] for d in c.dwelling_ids]

    def ask(i: int) -> Any:
        body = {
            "space_id": hall["id"],
            "use_id": wedding["id"],
            "household_id": households[i],
            "starts_at": at("10:00"),
            "ends_at": at("12:00"),
        }
        return billing(platform).post(f"{API}/space-bookings", json=body, headers=people[i])

    answers = await asyncio.gather(*(ask(i) for i in range(4)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409], [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            refused(answer, 409, "booking_overlap")
    listed = await ok(
        await billing(platform).get(
            f"{API}/space-bookings", params={"compound_id": c.compound_id}, headers=staff(platform, c.compound_id)
        )
    )
    assert len(listed["items"]) == 1
