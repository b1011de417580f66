"""Whose books a caller keeps and reads: the property staff and admins of a compound (or above
it), never those of another compound or street."""

from __future__ import annotations

from shared.auth import Grant, Role
from tests.api.billing.builders import billing, building, compound, ok, staff, wait_for_dwellings
from tests.api.conftest import Platform

RATES = "/api/v1/billing/rate-cards"


async def test_property_staff_and_street_admins_keep_their_own_compounds_books_only(platform: Platform) -> None:
    # 杏花岭小区 lies in 三桥街道; 府东小区 in 府东街道.
    xinghualing = await compound(platform)
    fudong = await compound(platform, name="府东小区", street="府东街道", community="府东社区")
    for c in (xinghualing, fudong):
        await building(platform, c, number="1", dwellings=2)
        await wait_for_dwellings(platform, c.compound_id, 2)
    card = {
        "scope_id": fudong.compound_id,
        "structure": "multi_storey",
        "management_model": "professional",
        "rate_yuan_per_m2_month": "1.20",
        "effective_from": "2026-01-01",
    }

    # 杏花岭's property company cannot set 府东's fee rate, nor read what 府东 holds.
    refused = await billing(platform).post(RATES, json=card, headers=staff(platform, xinghualing.compound_id))
    assert refused.status_code == 403, refused.text
    assert "物业人员" in refused.json()["error"]["message"]
    dwellings = f"/api/v1/billing/compounds/{fudong.compound_id}/dwellings"
    assert (await billing(platform).get(dwellings, headers=staff(platform, xinghualing.compound_id))).status_code == 403
    # 府东's own property company can.
    made = await ok(await billing(platform).post(RATES, json=card, headers=staff(platform, fudong.compound_id)), 201)
    assert made["rate_yuan_per_m2_month"] == "1.20"

    # The street admin of 三桥街道 reads 杏花岭's books and not 府东's; 府东's street admin the reverse.
    sanqiao_admin = platform.token(Grant(Role.street_admin, "street", xinghualing.street_id), person=2)
    fudong_admin = platform.token(Grant(Role.street_admin, "street", fudong.street_id), person=3)
    own = f"/api/v1/billing/compounds/{xinghualing.compound_id}/dwellings"
    assert (await ok(await billing(platform).get(own, headers=sanqiao_admin)))["dwellings"] == 2
    assert (await billing(platform).get(dwellings, headers=sanqiao_admin)).status_code == 403
    assert (await ok(await billing(platform).get(dwellings, headers=fudong_admin)))["dwellings"] == 2
