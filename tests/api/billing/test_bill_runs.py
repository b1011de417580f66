"""Property fees: rate cards, bill runs, bills, arrears and the collection rate, told as the
seeds tell them (Xinghualing's 0.50 yuan/m²/month, Qionglai's multi-storey and high-rise)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from tests.api.billing.builders import (
    bill_run,
    billing,
    building,
    compound,
    money,
    ok,
    rate_card,
    resident,
    staff,
    wait_for_dwellings,
)
from tests.api.conftest import Platform

API = "/api/v1/billing"


async def test_xinghualing_hundred_dwellings_bill_sixty_thousand_yuan_a_year(platform: Platform) -> None:
    c = await compound(platform)
    await building(platform, c, number="1", dwellings=50, households=False)
    await building(platform, c, number="2", dwellings=50, households=False)
    await wait_for_dwellings(platform, c.compound_id, 100)
    await rate_card(platform, c.compound_id, "0.50")

    run = await bill_run(platform, c.compound_id, "2026")

    assert run["issued_count"] == 100
    assert run["issued_fen"] == 6_000_000
    assert run["issued_yuan"] == "60000.00"
    assert run["skipped_no_rate"] == 0
    again = await bill_run(platform, c.compound_id, "2026")
    assert again["id"] == run["id"]
    assert again["executed_again"] is True
    assert again["issued_now_count"] == 0
    assert again["issued_fen"] == 6_000_000
    bills = await ok(
        await billing(platform).get(
            f"{API}/bills", params={"compound_id": c.compound_id, "limit": 500}, headers=staff(platform, c.compound_id)
        )
    )
    assert bills["total"] == 100
    assert {b["amount_fen"] for b in bills["items"]} == {60_000}
    detail = await ok(
        await billing(platform).get(f"{API}/bills/{bills['items'][0]['id']}", headers=staff(platform, c.compound_id))
    )
    assert detail["lines"][0]["precise_fen"] == "60000.000000"
    assert detail["lines"][0]["area_m2"] == "100.00"
    assert detail["lines"][0]["rate_yuan_per_m2_month"] == "0.50"
    check = await ok(
        await billing(platform).get(
            f"{API}/journal/check", params={"compound_id": c.compound_id}, headers=staff(platform, c.compound_id)
        )
    )
    assert check["ok"] is True
    assert check["receivable_balance_fen"] == 6_000_000


async def test_payers_proration_by_days_vacancy_and_the_developer(platform: Platform) -> None:
    """Room 101 changes hands on 1 July: the old owner pays 181 days, the new one 184. Room
    102 is unsold: the developer pays. Room 103 is sold but nobody lives there: 70%."""
    c = await compound(platform)
    sold = await building(platform, c, number="1", dwellings=1, area_m2="86.50")
    unsold = await building(platform, c, number="2", dwellings=1, area_m2="86.50", sale_status="unsold")
    vacant = await building(platform, c, number="3", dwellings=1, area_m2="86.50", households=False)
    seller = (await platform.post("/residents", {"name": "王秀英", "compound_id": c.compound_id}))["id"]
    buyer = (await platform.post("/residents", {"name": "李建国", "compound_id": c.compound_id}))["id"]
    owner = (await platform.post("/residents", {"name": "张桂兰", "compound_id": c.compound_id}))["id"]
    first = await platform.post("/ownerships", {"dwelling_id": sold[0], "person_id": seller})
    changed = await platform.clients["registry"].patch(
        f"/api/v1/registry/ownerships/{first['id']}",
        json={"version": first["version"], "until": "2026-06-30"},
        headers=platform.street_admin,
    )
    assert changed.status_code == 200, changed.text
    await platform.post("/ownerships", {"dwelling_id": sold[0], "person_id": buyer, "since": "2026-07-01"})
    await platform.post("/ownerships", {"dwelling_id": vacant[0], "person_id": owner})
    await wait_for_dwellings(platform, c.compound_id, 3)
    await rate_card(platform, c.compound_id, "0.35", vacancy_percent=70)

    async def ownerships_projected() -> bool:
        summary = await billing(platform).get(
            f"{API}/compounds/{c.compound_id}/dwellings", headers=staff(platform, c.compound_id)
        )
        return summary.status_code == 200 and summary.json()["owned"] == 2

    await platform.eventually(ownerships_projected)
    await bill_run(platform, c.compound_id, "2026")
    page = await ok(
        await billing(platform).get(
            f"{API}/bills", params={"compound_id": c.compound_id}, headers=staff(platform, c.compound_id)
        )
    )
    by_dwelling = {b["dwelling_id"]: b for b in page["items"]}
    details = {
        d: await ok(
            await billing(platform).get(f"{API}/bills/{by_dwelling[d]['id']}", headers=staff(platform, c.compound_id))
        )
        for d in (sold[0], unsold[0], vacant[0])
    }
    # 86.50 m² × 0.35 × 12 = 363.30 yuan a year.
    lines = [(line["payer_person_id"], line["days"], line["amount_fen"]) for line in details[sold[0]]["lines"]]
    # 36,330 × 181/365 = 18,015.62 and × 184/365 = 18,314.38 fen, each rounded once, half-up.
    assert sorted(lines) == sorted([(seller, 181, 18_016), (buyer, 184, 18_314)])
    assert details[sold[0]]["amount_fen"] == 36_330
    assert (details[sold[0]]["payer_kind"], details[sold[0]]["payer_person_id"]) == ("owner", buyer)
    assert (details[unsold[0]]["payer_kind"], details[unsold[0]]["amount_fen"]) == ("developer", 36_330)
    assert details[vacant[0]]["payer_person_id"] == owner
    assert details[vacant[0]]["lines"][0]["vacancy_percent"] == 70
    assert details[vacant[0]]["amount_fen"] == 25_431  # 363.30 × 70% = 254.31


async def test_rate_cards_refuse_overlaps_and_nonsense(platform: Platform) -> None:
    c = await compound(platform)
    await wait_for_dwellings(platform, c.compound_id, 0)
    await rate_card(platform, c.compound_id, "0.55", effective_to="2026-06-30")
    headers = staff(platform, c.compound_id)
    body = {
        "scope_id": c.compound_id,
        "structure": "multi_storey",
        "management_model": "professional",
        "rate_yuan_per_m2_month": "0.60",
        "effective_from": "2026-06-01",
    }
    overlap = await billing(platform).post(f"{API}/rate-cards", json=body, headers=headers)
    assert overlap.status_code == 409
    assert overlap.json()["error"]["code"] == "rate_card_overlap"
    for bad in ({"rate_yuan_per_m2_month": "-1"}, {"rate_yuan_per_m2_month": "abc"}, {"vacancy_percent": 120}):
        answer = await billing(platform).post(
            f"{API}/rate-cards", json={**body, "effective_from": "2026-07-01", **bad}, headers=headers
        )
        assert answer.status_code == 422, answer.text
    await ok(
        await billing(platform).post(
            f"{API}/rate-cards", json={**body, "effective_from": "2026-07-01"}, headers=headers
        ),
        201,
    )
    cards = await ok(
        await billing(platform).get(f"{API}/rate-cards", params={"scope_id": c.compound_id}, headers=headers)
    )
    assert [card["rate_yuan_per_m2_month"] for card in cards] == ["0.55", "0.60"]
    bad_period = await billing(platform).post(
        f"{API}/bill-runs", json={"scope_id": c.compound_id, "period": "2026-13"}, headers=money(headers)
    )
    assert bad_period.status_code == 422
    resident_run = await billing(platform).post(
        f"{API}/bill-runs", json={"scope_id": c.compound_id, "period": "2026"}, headers=money(resident(platform, 1))
    )
    assert resident_run.status_code == 403


async def test_arrears_by_household_count_vacant_unsold_and_undelivered_dwellings_with_rooms_and_masked_names(
    platform: Platform,
) -> None:
    """The household view used to drop dwellings nobody lives in: its rows summed to less than
    its total. Every dwelling that owes is a row, named by room and masked payer."""
    # Q1 billed on 2 December 2026 is due at the end of January 2027, owed by the end of 2027.
    platform.set_clock(datetime(2026, 12, 2, 2, 0, tzinfo=UTC))
    c = await compound(platform)
    lived = await building(platform, c, number="1", dwellings=1, area_m2="100.00")
    await building(platform, c, number="2", dwellings=1, area_m2="100.00", sale_status="unsold")
    vacant = await building(platform, c, number="3", dwellings=1, area_m2="100.00", households=False)
    await building(platform, c, number="4", dwellings=1, area_m2="100.00", households=False, delivered=False)
    tenant_owner = (await platform.post("/residents", {"name": "王秀英", "compound_id": c.compound_id}))["id"]
    absent_owner = (await platform.post("/residents", {"name": "张桂兰", "compound_id": c.compound_id}))["id"]
    await platform.post("/ownerships", {"dwelling_id": lived[0], "person_id": tenant_owner})
    await platform.post("/ownerships", {"dwelling_id": vacant[0], "person_id": absent_owner})
    await wait_for_dwellings(platform, c.compound_id, 4)
    await rate_card(platform, c.compound_id, "0.50")
    headers = staff(platform, c.compound_id)

    async def owners_known() -> bool:
        summary = await billing(platform).get(f"{API}/compounds/{c.compound_id}/dwellings", headers=headers)
        return summary.status_code == 200 and summary.json()["owned"] == 2

    await platform.eventually(owners_known)
    await bill_run(platform, c.compound_id, "2026-Q1")

    async def named() -> dict[str, Any] | None:
        answer = await ok(
            await billing(platform).get(
                f"{API}/arrears", params={"compound_id": c.compound_id, "as_of": "2027-12-31"}, headers=headers
            )
        )
        return answer if all(r["payer"] for r in answer["rows"]) else None

    arrears: dict[str, Any] = await platform.eventually(named)
    rows = {r["room"]: (r["group"], r["payer"], r["note"], r["outstanding_fen"]) for r in arrears["rows"]}
    assert sum(r["outstanding_fen"] for r in arrears["rows"]) == arrears["total_outstanding_fen"]
    assert rows["1栋101"] == ("household", "王*英", None, 15_000)
    assert rows["2栋101"][1:3] == ("开发商", "未售")
    assert rows["3栋101"][:3] == ("dwelling", "张*兰", "空置")
    assert "王秀英" not in str(arrears)
    assert rows["4栋101"][2] == "未交付"

    export = await billing(platform).get(
        f"{API}/arrears.xlsx", params={"compound_id": c.compound_id, "as_of": "2027-12-31"}, headers=headers
    )
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    owed_sheet, bill_sheet = book.worksheets
    owed = list(owed_sheet.iter_rows(min_row=2, values_only=True))
    assert owed[-1][0] == "合计"
    assert float(owed[-1][5]) == arrears["total_outstanding_fen"] / 100
    assert round(sum(float(r[5]) for r in owed[:-1]), 2) == arrears["total_outstanding_fen"] / 100
    assert ("3栋101", "张*兰", "空置") in {r[:3] for r in owed}
    listed = list(bill_sheet.iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in listed} >= {"1栋101", "2栋101", "3栋101"}
    assert all(isinstance(r[5], int | float) for r in listed)
    resident_try = await billing(platform).get(
        f"{API}/arrears.xlsx",
        params={"compound_id": c.compound_id},
        headers=resident(platform, c.household_ids[lived[0]]),
    )
    assert resident_try.status_code == 403


async def test_a_bill_voided_for_a_wrong_area_is_reissued_after_the_registry_is_corrected(platform: Platform) -> None:
    """Room 101 was entered as 100 m² instead of 86.50: the office voids its Q1 bill, corrects
    the registry, and re-issues it; the run would skip the dwelling, so re-issue is its own step."""
    c = await compound(platform)
    (room,) = await building(platform, c, number="1", dwellings=1, area_m2="100.00")
    await wait_for_dwellings(platform, c.compound_id, 1)
    await rate_card(platform, c.compound_id, "0.50")
    await bill_run(platform, c.compound_id, "2026-Q1")
    headers = staff(platform, c.compound_id)
    query = {"compound_id": c.compound_id, "dwelling_id": room}
    (wrong,) = (await ok(await billing(platform).get(f"{API}/bills", params=query, headers=headers)))["items"]
    assert wrong["amount_fen"] == 15_000

    not_yet = await billing(platform).post(
        f"{API}/bills/{wrong['id']}/reissue", json={"reason": "面积有误"}, headers=money(headers)
    )
    assert not_yet.status_code == 409
    assert not_yet.json()["error"]["code"] == "bill_not_void"
    await ok(
        await billing(platform).post(
            f"{API}/bills/{wrong['id']}/void", json={"version": wrong["version"], "reason": "面积有误"}, headers=headers
        )
    )
    dwelling = (
        await platform.clients["registry"].get(f"/api/v1/registry/dwellings/{room}", headers=platform.street_admin)
    ).json()
    fixed = await platform.clients["registry"].patch(
        f"/api/v1/registry/dwellings/{room}",
        json={"version": dwelling["version"], "area_m2": "86.50", "exclusive_area_m2": "80.00"},
        headers=platform.street_admin,
    )
    assert fixed.status_code == 200, fixed.text

    async def corrected() -> bool:
        summary = await billing(platform).get(f"{API}/compounds/{c.compound_id}/dwellings", headers=headers)
        return summary.status_code == 200 and "86.50" in summary.text

    await platform.eventually(corrected)
    reissued = await ok(
        await billing(platform).post(
            f"{API}/bills/{wrong['id']}/reissue", json={"reason": "面积更正为 86.50 m²"}, headers=money(headers)
        ),
        201,
    )
    assert (reissued["period_label"], reissued["amount_fen"], reissued["status"]) == ("2026-Q1", 12_975, "issued")
    assert "重开" in reissued["description"]
    assert "面积更正为 86.50 m²" in reissued["description"]
    twice = await billing(platform).post(
        f"{API}/bills/{wrong['id']}/reissue", json={"reason": "再来"}, headers=money(headers)
    )
    assert twice.status_code == 409
    again = await bill_run(platform, c.compound_id, "2026-Q1")
    assert again["issued_count"] == 1  # the run still counts only its first bill: nothing new
    bills_now = (await ok(await billing(platform).get(f"{API}/bills", params=query, headers=headers)))["items"]
    assert sorted((b["status"], b["amount_fen"]) for b in bills_now) == [("issued", 12_975), ("void", 15_000)]
    check = await ok(
        await billing(platform).get(f"{API}/journal/check", params={"compound_id": c.compound_id}, headers=headers)
    )
    assert check["ok"] is True


async def test_a_year_billed_in_december_is_due_at_the_end_of_january_not_already_overdue(platform: Platform) -> None:
    # 2 December 2026 in Chengdu: the office bills the whole of 2026 late. 30 days after the
    # period's start would be 31 January 2026, overdue before the bill existed.
    platform.set_clock(datetime(2026, 12, 2, 2, 0, tzinfo=UTC))
    c = await compound(platform)
    (room,) = await building(platform, c, number="1", dwellings=1, area_m2="100.00")
    await wait_for_dwellings(platform, c.compound_id, 1)
    await rate_card(platform, c.compound_id, "0.50")
    await bill_run(platform, c.compound_id, "2026")
    await bill_run(platform, c.compound_id, "2027")
    headers = staff(platform, c.compound_id)
    listed = await ok(
        await billing(platform).get(
            f"{API}/bills", params={"compound_id": c.compound_id, "dwelling_id": room}, headers=headers
        )
    )
    assert sorted((b["period_label"], b["due_date"]) for b in listed["items"]) == [
        ("2026", "2027-01-31"),
        ("2027", "2027-01-31"),
    ]
    owed = await ok(
        await billing(platform).get(
            f"{API}/arrears", params={"compound_id": c.compound_id, "as_of": "2026-12-31"}, headers=headers
        )
    )
    assert owed["total_outstanding_fen"] == 0


async def test_a_dwelling_delivered_mid_year_bills_the_developer_until_delivery(platform: Platform) -> None:
    """Room 101 of a new building is delivered to 赵丽 on 1 July 2026. The developer pays the
    181 days before delivery, 赵丽 the 184 from it. Before, both sat in 赵丽's one bill (she was
    asked for 363.30 yuan) and the developer had no bill of its own to pay or to be chased for."""
    # Billed on 5 January 2026, so both bills are overdue in the arrears at the year's end.
    platform.set_clock(datetime(2026, 1, 5, 2, 0, tzinfo=UTC))
    c = await compound(platform)
    home = await building(platform, c, number="1", dwellings=1, area_m2="86.50")
    household = c.household_ids[home[0]]
    buyer = (await platform.post("/residents", {"name": "赵丽", "compound_id": c.compound_id}))["id"]
    await platform.post("/ownerships", {"dwelling_id": home[0], "person_id": buyer, "since": "2026-07-01"})
    await wait_for_dwellings(platform, c.compound_id, 1)
    await rate_card(platform, c.compound_id, "0.35")
    headers = staff(platform, c.compound_id)

    async def ownership_projected() -> bool:
        summary = await billing(platform).get(f"{API}/compounds/{c.compound_id}/dwellings", headers=headers)
        return summary.status_code == 200 and summary.json()["owned"] == 1

    await platform.eventually(ownership_projected)
    run = await bill_run(platform, c.compound_id, "2026")
    assert (run["issued_count"], run["issued_fen"]) == (2, 36_330)  # 86.50 m² × 0.35 × 12, split in two

    async def bills(**params: Any) -> list[dict[str, Any]]:
        page = await ok(
            await billing(platform).get(
                f"{API}/bills", params={"compound_id": c.compound_id, **params}, headers=headers
            )
        )
        items: list[dict[str, Any]] = page["items"]
        return items

    # 赵丽 sees and owes only her 184 days.
    mine = await ok(
        await billing(platform).get(
            f"{API}/bills", params={"household_id": household}, headers=resident(platform, household)
        )
    )
    assert [(b["payer_kind"], b["payer_person_id"], b["amount_fen"]) for b in mine["items"]] == [
        ("owner", buyer, 18_314)
    ]
    own = await ok(await billing(platform).get(f"{API}/bills/{mine['items'][0]['id']}", headers=headers))
    assert [(line["payer_kind"], line["days"]) for line in own["lines"]] == [("owner", 184)]
    # The developer's view: its bill for the 181 days before delivery, unpaid.
    developer = await bills(payer_kind="developer", unpaid_only=True)
    assert [(b["payer_kind"], b["household_id"], b["amount_fen"], b["outstanding_fen"]) for b in developer] == [
        ("developer", None, 18_016, 18_016)
    ]
    assert "开发企业承担" in developer[0]["description"]
    detail = await ok(await billing(platform).get(f"{API}/bills/{developer[0]['id']}", headers=headers))
    assert [(line["payer_kind"], line["days"]) for line in detail["lines"]] == [("developer", 181)]
    arrears = await ok(
        await billing(platform).get(
            f"{API}/arrears", params={"compound_id": c.compound_id, "as_of": "2026-12-31"}, headers=headers
        )
    )
    assert sorted((r["payer"], r["outstanding_fen"]) for r in arrears["rows"]) == [("开发商", 18_016), ("赵*", 18_314)]
    assert arrears["total_outstanding_fen"] == 36_330

    # A correction re-issues either bill alone; the other one stands and nothing is billed twice.
    for voided in (mine["items"][0], developer[0]):
        current = await ok(await billing(platform).get(f"{API}/bills/{voided['id']}", headers=headers))
        await ok(
            await billing(platform).post(
                f"{API}/bills/{voided['id']}/void",
                json={"version": current["version"], "reason": "核对"},
                headers=headers,
            )
        )
        again = await ok(
            await billing(platform).post(
                f"{API}/bills/{voided['id']}/reissue", json={"reason": "核对后重开"}, headers=money(headers)
            ),
            201,
        )
        assert (again["payer_kind"], again["amount_fen"]) == (voided["payer_kind"], voided["amount_fen"])
    live = await bills(status="issued")
    assert sorted((b["payer_kind"], b["amount_fen"]) for b in live) == [("developer", 18_016), ("owner", 18_314)]
    check = await ok(
        await billing(platform).get(f"{API}/journal/check", params={"compound_id": c.compound_id}, headers=headers)
    )
    assert check["ok"] is True
    assert check["receivable_balance_fen"] == 36_330
