"""The governance dashboard's money figures: a compound's and its street's collection rate,
arrears and their age, as the compound's own endpoints give them."""

from __future__ import annotations

from datetime import date, timedelta

from shared.auth import Grant, Role
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
YEAR = {"date_from": "2026-01-01", "date_to": "2026-12-31"}


async def test_the_dashboard_reads_the_same_collection_rate_and_arrears_as_the_compound(platform: Platform) -> None:
    c = await compound(platform)
    await building(platform, c, number="1", dwellings=8)
    await wait_for_dwellings(platform, c.compound_id, 8)
    await rate_card(platform, c.compound_id, "0.50")
    for month in ("2026-03", "2026-04"):
        await bill_run(platform, c.compound_id, month)
    desk = staff(platform, c.compound_id)
    # Five households pay March at the counter, one pays half of it; April stays open.
    for dwelling in c.dwelling_ids[:5]:
        await ok(
            await billing(platform).post(
                f"{API}/payments", json={"dwelling_id": dwelling, "amount_fen": 5_000}, headers=money(desk)
            ),
            201,
        )
    await ok(
        await billing(platform).post(
            f"{API}/payments", json={"dwelling_id": c.dwelling_ids[5], "amount_fen": 2_500}, headers=money(desk)
        ),
        201,
    )

    admin = platform.street_admin
    street = await ok(
        await billing(platform).get(
            f"{API}/figures", params={"level": "street", "place_id": c.street_id, **YEAR}, headers=admin
        )
    )
    rate = await ok(
        await billing(platform).get(
            f"{API}/collection-rate",
            params={"scope_kind": "street", "scope_id": c.street_id, "period": "2026"},
            headers=admin,
        )
    )
    assert (street["due_fen"], street["paid_fen"], street["collection_rate"]) == (
        rate["due_fen"],
        rate["paid_fen"],
        rate["collection_rate"],
    )
    assert (street["due_fen"], street["paid_fen"], street["collection_rate"]) == (80_000, 27_500, "34.38%")
    assert [(m["month"], m["paid_fen"], m["collection_rate"]) for m in street["by_month"]] == [
        ("2026-03", 27_500, "68.75%"),
        ("2026-04", 0, "0.00%"),
    ]
    # Arrears are counted on bills due by the period's last day, as GET /arrears counts them:
    # bills issued today fall due at the end of next month, so look two months ahead.
    now = await ok(
        await billing(platform).get(
            f"{API}/figures", params={"level": "street", "place_id": c.street_id}, headers=admin
        )
    )
    assert now["arrears_fen"] == 0
    later = date.fromisoformat(now["date_to"]) + timedelta(days=62)
    today = await ok(
        await billing(platform).get(
            f"{API}/figures",
            params={"level": "street", "place_id": c.street_id, "date_to": later.isoformat()},
            headers=admin,
        )
    )
    owed = await ok(
        await billing(platform).get(
            f"{API}/arrears",
            params={"compound_id": c.compound_id, "by": "compound", "as_of": today["date_to"]},
            headers=desk,
        )
    )
    assert today["arrears_fen"] == owed["total_outstanding_fen"] == 52_500
    assert sum(b["outstanding_fen"] for b in today["arrears_by_age"]) == 52_500
    assert [(x["compound_name"], x["arrears_fen"]) for x in today["by_compound"]] == [("杏花岭小区", 52_500)]
    assert [p["value"] for p in street["distribution_by_part"]] == ["retained", "livelihood", "governance"]

    # The compound's own staff read the compound; nobody else's, and no resident.
    mine = await ok(
        await billing(platform).get(
            f"{API}/figures", params={"level": "compound", "place_id": c.compound_id, **YEAR}, headers=desk
        )
    )
    assert mine["collection_rate"] == "34.38%"
    refused = await billing(platform).get(
        f"{API}/figures", params={"level": "street", "place_id": c.street_id, **YEAR}, headers=desk
    )
    assert refused.status_code == 403, refused.text
    home = resident(platform, c.household_ids[c.dwelling_ids[0]])
    refused = await billing(platform).get(
        f"{API}/figures", params={"level": "compound", "place_id": c.compound_id, **YEAR}, headers=home
    )
    assert refused.status_code == 403, refused.text
    other = platform.token(Grant(Role.community_admin, "community", c.community_id + 1000))
    refused = await billing(platform).get(
        f"{API}/figures", params={"level": "community", "place_id": c.community_id, **YEAR}, headers=other
    )
    assert refused.status_code == 403, refused.text
    backwards = await billing(platform).get(
        f"{API}/figures",
        params={"level": "street", "place_id": c.street_id, "date_from": "2026-12-31", "date_to": "2026-01-01"},
        headers=admin,
    )
    assert backwards.status_code == 422, backwards.text
    assert "统计区间" in backwards.json()["error"]["message"]
    unknown = await billing(platform).get(f"{API}/figures", params={"level": "grid", "place_id": 999}, headers=admin)
    assert unknown.status_code == 404, unknown.text
