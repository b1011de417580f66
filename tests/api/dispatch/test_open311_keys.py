"""An unmodified GeoReport v2 client (the street's 12345 hotline) files with the spec's
`api_key`: the community issues the key for its place and can revoke it; the key is kept only
as a hash; errors come as GeoReport lists; coordinates come back as they were sent."""

from __future__ import annotations

from sqlalchemy import select

from services.dispatch.open311.models import ClientKey
from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, xinghualing_cast
from tests.api.registry.builders import resident
from tests.helpers import error, ok

GEO = f"{API}/open311/v2"


async def test_a_12345_hotline_files_with_its_api_key_until_the_community_revokes_it(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    home = cast.home
    community = platform.token(Grant(Role.community_admin, "community", home.community_id), person=800)
    operator = (await resident(platform, "12345热线话务员"))["id"]

    # The client finds the endpoint the way GeoReport clients do.
    [endpoint] = ok(await dispatch.get(f"{GEO}/discovery.json"))["endpoints"]
    assert (endpoint["specification"], endpoint["formats"]) == (
        "http://wiki.open311.org/GeoReport_v2",
        ["application/json"],
    )
    assert endpoint["url"].endswith("/open311/v2")

    # Without a key (or a token) nothing is filed, and the client is told so in its own format.
    form = {
        "service_code": "water_leak",
        "description": "居民来电：3号楼单元门口地面积水，疑似水管破裂",
        "lat": "37.8706",
        "long": "112.5489",
        "address_string": "3号楼单元门口",
        "attribute[location]": "单元门口",
    }
    anonymous = await dispatch.post(f"{GEO}/requests.json", data=form)
    assert anonymous.status_code == 401
    assert anonymous.json()[0]["code"] == 401

    # The community issues a key for the hotline, for this compound, under the operator's identity.
    issue = {
        "client_name": "三桥街道12345热线",
        "person_id": operator,
        "place_kind": "compound",
        "place_id": home.compound_id,
    }
    error(await dispatch.post(f"{API}/open311-keys", json=issue, headers=cast.grid_worker(platform)), 403)
    issued = ok(await dispatch.post(f"{API}/open311-keys", json=issue, headers=community), 201)
    api_key = issued["api_key"]
    assert (issued["place_label"], issued["active"], api_key.startswith(issued["prefix"])) == ("小区", True, True)
    async with platform.apps["dispatch"].state.runtime.db.sessionmaker() as session:
        row = await session.scalar(select(ClientKey))
        assert row is not None
        assert api_key not in (row.key_hash, row.prefix)
        assert len(row.key_hash) == 64  # a SHA-256, never the key
    listed = ok(
        await dispatch.get(
            f"{API}/open311-keys", params={"place_kind": "compound", "place_id": home.compound_id}, headers=community
        )
    )
    assert [(k["client_name"], "api_key" in k) for k in listed] == [("三桥街道12345热线", False)]

    # The unmodified client posts its form with api_key: filed in the compound, coordinates kept.
    wrong = await dispatch.post(f"{GEO}/requests.json", data={**form, "api_key": api_key[:-2] + "xx"})
    assert wrong.status_code == 401
    unknown = await dispatch.post(f"{GEO}/requests.json", data={**form, "service_code": "ufo", "api_key": api_key})
    assert (unknown.status_code, unknown.json()[0]["code"]) == (404, 404)
    far = await dispatch.post(f"{GEO}/requests.json", data={**form, "lat": "137.9", "api_key": api_key})
    assert (far.status_code, far.json()[0]["code"]) == (400, 400)
    [receipt] = ok(await dispatch.post(f"{GEO}/requests.json", data={**form, "api_key": api_key}), 201)
    request_id = receipt["service_request_id"]

    # The hotline follows its own request with the same key; the grid worker sees it as any order.
    [followed] = ok(await dispatch.get(f"{GEO}/requests/{request_id}.json", params={"api_key": api_key}))
    assert (followed["lat"], followed["long"], followed["address"]) == (37.8706, 112.5489, "3号楼单元门口")
    assert [
        r["service_request_id"] for r in ok(await dispatch.get(f"{GEO}/requests.json", params={"api_key": api_key}))
    ] == [request_id]
    order = ok(await dispatch.get(f"{API}/orders/{request_id}", headers=cast.grid_worker(platform)))
    assert (order["channel"], order["compound_id"], order["recorded_by_person_id"]) == (
        "open311",
        home.compound_id,
        operator,
    )

    # The community revokes the key: the hotline can no longer file or read.
    revoked = ok(await dispatch.post(f"{API}/open311-keys/{issued['id']}/revoke", headers=community))
    assert revoked["active"] is False
    error(await dispatch.post(f"{API}/open311-keys/{issued['id']}/revoke", headers=community), 409, "already_revoked")
    refused = await dispatch.post(f"{GEO}/requests.json", data={**form, "api_key": api_key})
    assert (refused.status_code, refused.json()[0]["code"]) == (401, 401)
    assert (await dispatch.get(f"{GEO}/requests.json", params={"api_key": api_key})).status_code == 401
