"""Property fees: rate cards, bill runs, bills, arrears and the collection rate, told as the
seeds tell them (Xinghualing's 0.50 yuan/m²/month, Qionglai's multi-storey and high-rise)."""

from __future__ import annotations

from tests.api.billing.builders import (
    bill_run,
    billing,
    building,
    compound,
    ok,
    rate_card,
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
