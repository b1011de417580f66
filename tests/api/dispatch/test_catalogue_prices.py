"""Shared property (共享物业) charges by the visit "below market price" (seed 002): the catalogue
accepted a visit price above the market price it records, so an owner's bill showed a negative
saving. A price at or above market, or one with no market price to compare, is refused."""

from __future__ import annotations

from tests.api.conftest import Platform
from tests.api.dispatch.builders import API
from tests.helpers import error, ok

PEST = {"code": "pest_control", "name": "除虫灭鼠", "skills": ["cleaning"], "dispatch_mode": "assign"}


async def test_a_shared_property_price_must_be_below_the_market_price(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    admin = platform.street_admin
    above = error(
        await dispatch.post(
            f"{API}/categories",
            json={**PEST, "shared_property_price_fen": 9_000, "market_price_fen": 8_000},
            headers=admin,
        ),
        422,
        "price_not_below_market",
    )
    assert above["message"] == "共享物业价格 90.00 元须低于市场价 80.00 元"
    error(
        await dispatch.post(
            f"{API}/categories",
            json={**PEST, "shared_property_price_fen": 8_000, "market_price_fen": 8_000},
            headers=admin,
        ),
        422,
        "price_not_below_market",
    )
    missing = error(
        await dispatch.post(f"{API}/categories", json={**PEST, "shared_property_price_fen": 3_000}, headers=admin),
        422,
        "market_price_required",
    )
    assert "市场价" in missing["message"]
    # Nothing was created by the refusals.
    codes = [c["code"] for c in ok(await dispatch.get(f"{API}/categories", headers=admin))]
    assert "pest_control" not in codes

    created = ok(
        await dispatch.post(
            f"{API}/categories",
            json={**PEST, "shared_property_price_fen": 3_000, "market_price_fen": 8_000},
            headers=admin,
        ),
        201,
    )
    body = {k: v for k, v in created.items() if k not in ("code", "dispatch_mode_label")}
    raised = await dispatch.put(
        f"{API}/categories/pest_control", json={**body, "shared_property_price_fen": 12_000}, headers=admin
    )
    error(raised, 422, "price_not_below_market")
    kept = next(c for c in ok(await dispatch.get(f"{API}/categories", headers=admin)) if c["code"] == "pest_control")
    assert (kept["shared_property_price_fen"], kept["version"]) == (3_000, 1)
    # The catalogue Linli ships keeps the rule too.
    for category in ok(await dispatch.get(f"{API}/categories", headers=admin)):
        if category["shared_property_price_fen"] is not None:
            assert category["shared_property_price_fen"] < category["market_price_fen"], category["code"]
