"""Photos on 王秀英's leaking-pipe order: she adds one of the leak; its type is read from its
bytes (a GIF renamed .jpg is refused), five at most; the grid worker and the plumber who took it
see it, a resident of another household gets 404 as if the order did not exist; the plumber adds
a photo of the repair; a closed order takes no more."""

from __future__ import annotations

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, xinghualing_cast
from tests.helpers import error, ok

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
GIF = b"GIF89a" + b"\x00" * 200


def upload(data: bytes, name: str = "leak.jpg", content_type: str = "image/jpeg") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, data, content_type)}


async def test_photos_on_an_order_are_checked_and_seen_only_by_those_who_see_the_order(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    resident, grid_worker = cast.resident(platform), cast.grid_worker(platform)
    zhao = cast.member(platform, cast.zhao)
    order = ok(
        await dispatch.post(
            f"{API}/orders",
            json={"category": "water_leak", "title": "厨房水管漏水", "fields": {"location": "厨房水槽下"}},
            headers=resident,
        ),
        201,
    )
    url = f"{API}/orders/{order['id']}"

    # Her photo of the leak: stored, named on the order.
    added = ok(await dispatch.post(f"{url}/photos", files=upload(JPEG), headers=resident), 201)
    assert (added["content_type"], added["bytes"]) == ("image/jpeg", len(JPEG))
    detail = ok(await dispatch.get(url, headers=resident))
    assert detail["photos"] == [f"orders/{order['id']}/{added['name']}"]
    (stored,) = (platform.settings.data_dir / "files" / "orders" / order["id"]).iterdir()
    assert stored.read_bytes() == JPEG

    # A GIF named leak.jpg and declared image/jpeg is still a GIF; nothing is stored.
    refused = error(await dispatch.post(f"{url}/photos", files=upload(GIF), headers=resident), 422, "unsupported_image")
    assert refused["message"] == "只能上传 JPEG、PNG 或 WebP 格式的照片"
    assert len(ok(await dispatch.get(url, headers=resident))["photos"]) == 1

    # The grid worker sees it; so does anyone who may see the order; a neighbour does not.
    photo = f"{url}/photos/{added['name']}"
    seen = await dispatch.get(photo, headers=grid_worker)
    assert (seen.status_code, seen.headers["content-type"], seen.content) == (200, "image/jpeg", JPEG)
    neighbour = platform.token(
        Grant(Role.resident, "household", cast.zhao["household_id"]), person=cast.zhao["person_id"]
    )
    error(await dispatch.get(photo, headers=neighbour), 404)
    error(await dispatch.post(f"{url}/photos", files=upload(PNG), headers=neighbour), 404)
    error(await dispatch.get(f"{url}/photos/..%2F..%2Fregistry.db", headers=grid_worker), 404)

    # Dispatched to 赵师傅: he sees her photo and adds one of the repair.
    ok(await dispatch.post(f"{url}/triage", json={"triage": "minor"}, headers=grid_worker))
    ok(
        await dispatch.post(
            f"{url}/dispatch", json={"mode": "assign", "party_member_id": cast.zhao["id"]}, headers=grid_worker
        )
    )
    ok(await dispatch.post(f"{url}/accept", json={}, headers=zhao))
    assert (await dispatch.get(photo, headers=zhao)).content == JPEG
    ok(await dispatch.post(f"{url}/photos", files=upload(PNG, "done.png", "image/png"), headers=zhao), 201)

    # Five at most.
    for _ in range(3):
        ok(await dispatch.post(f"{url}/photos", files=upload(JPEG), headers=zhao), 201)
    too_many = error(await dispatch.post(f"{url}/photos", files=upload(JPEG), headers=zhao), 409, "too_many_photos")
    assert too_many["message"] == "每个工单最多 5 张照片"
    assert len(ok(await dispatch.get(url, headers=zhao))["photos"]) == 5
