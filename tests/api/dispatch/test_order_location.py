"""王秀英 asks for help at a public place of her compound and, having agreed on her phone, sends
where she stands: the order keeps the coordinates beside the place she picked. Half a location or
one off the globe is refused and makes no order."""

from __future__ import annotations

from sqlalchemy import func, select

from services.dispatch.orders.models import Order
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, xinghualing_cast
from tests.helpers import error, ok

LIGHT = {
    "category": "stairwell_lighting",
    "title": "楼道灯不亮",
    "description": "晚上上楼看不见台阶",
    "urgency": "normal",
    "fields": {"location": "3号楼1单元"},
}


async def test_a_public_place_order_keeps_the_location_she_agreed_to_send(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    wang = cast.resident(platform)
    where = {"compound_id": cast.home.compound_id, "place": "3号楼1单元 楼道"}

    made = ok(
        await dispatch.post(f"{API}/orders", json={**LIGHT, **where, "lat": 37.8706, "long": 112.5489}, headers=wang),
        201,
    )
    assert (made["place"], made["lat"], made["long"]) == ("3号楼1单元 楼道", 37.8706, 112.5489)
    # The grid worker sees the same place and point on the order.
    seen = ok(await dispatch.get(f"{API}/orders/{made['id']}", headers=cast.grid_worker(platform)))
    assert (seen["place"], seen["lat"], seen["long"]) == ("3号楼1单元 楼道", 37.8706, 112.5489)

    # Without a location (she declined, or the phone has none) the order is as before.
    plain = ok(await dispatch.post(f"{API}/orders", json={**LIGHT, **where}, headers=wang), 201)
    assert (plain["lat"], plain["long"]) == (None, None)

    half = await dispatch.post(f"{API}/orders", json={**LIGHT, **where, "lat": 37.87}, headers=wang)
    assert "经度" in error(half, 422)["message"]
    off_globe = await dispatch.post(f"{API}/orders", json={**LIGHT, **where, "lat": 137.0, "long": 112.5}, headers=wang)
    assert error(off_globe, 422, "validation_error")["details"][0]["field"].endswith("lat")
    async with platform.apps["dispatch"].state.runtime.db.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Order)) == 2
