"""The slice: a street admin registers a compound; dispatch, billing and deliberation learn of
it from the registry's event, each in its own database."""

from __future__ import annotations

import functools

import httpx

from shared.auth import Grant, Role
from tests.api.conftest import Platform

XINGHUALING = {"name": "杏花岭小区", "kind": "old", "management_model": "self_managed"}


async def _projected(platform: Platform, service: str, compound_id: int, version: int = 1) -> dict[str, object] | None:
    answer = await platform.clients[service].get(
        f"/api/v1/{service}/compounds/{compound_id}", headers=platform.street_admin
    )
    if answer.status_code != 200 or answer.json()["version"] < version:
        return None
    body: dict[str, object] = answer.json()
    return body


async def test_a_registered_compound_reaches_all_three_projections(platform: Platform, community: int) -> None:
    created = await platform.clients["registry"].post(
        "/api/v1/registry/compounds", json=XINGHUALING | {"community_id": community}, headers=platform.street_admin
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "杏花岭小区"
    assert (body["kind"], body["kind_label"]) == ("old", "老旧小区")
    assert body["management_model_label"] == "自管"
    assert body["version"] == 1
    views = [
        await platform.eventually(functools.partial(_projected, platform, s, body["id"]))
        for s in ("dispatch", "billing", "deliberation")
    ]
    assert {v["name"] for v in views} == {"杏花岭小区"}
    assert len({v["event_id"] for v in views}) == 1  # one event, three consumers
    assert all(v["community_id"] == community and v["kind"] == "old" for v in views)
    # Each copy knows the street too, so a street admin can be scoped to their own compounds.
    street = (
        await platform.clients["registry"].get(
            f"/api/v1/registry/communities/{community}", headers=platform.street_admin
        )
    ).json()["street_id"]
    assert {v["street_id"] for v in views} == {street}


async def test_a_rename_travels_as_a_new_version_and_a_stale_edit_is_refused(
    platform: Platform, community: int
) -> None:
    registry = platform.clients["registry"]
    compound = (
        await registry.post(
            "/api/v1/registry/compounds", json=XINGHUALING | {"community_id": community}, headers=platform.street_admin
        )
    ).json()
    renamed = await registry.patch(
        f"/api/v1/registry/compounds/{compound['id']}",
        json={"version": 1, "name": "杏花岭片区", "management_model": "community_custody"},
        headers=platform.street_admin,
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["version"]) == ("杏花岭片区", 2)
    stale = await registry.patch(
        f"/api/v1/registry/compounds/{compound['id']}",
        json={"version": 1, "name": "旧名字"},
        headers=platform.street_admin,
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"
    assert stale.json()["error"]["details"] == {"current_version": 2, "your_version": 1}
    view = await platform.eventually(lambda: _projected(platform, "billing", compound["id"], version=2))
    assert (view["name"], view["management_model"]) == ("杏花岭片区", "community_custody")
    assert await platform.outbox_rows() == 2  # created + updated; the refused edit wrote nothing


async def test_community_admin_registers_only_in_their_own_community(platform: Platform, community: int) -> None:
    registry = platform.clients["registry"]
    admin_of_3 = platform.token(Grant(Role.community_admin, "community", community), person=30)
    other = await platform.community(street="双塔街道", name="双塔社区")
    own = await registry.post(
        "/api/v1/registry/compounds", json=XINGHUALING | {"community_id": community}, headers=admin_of_3
    )
    assert own.status_code == 201
    elsewhere = await registry.post(
        "/api/v1/registry/compounds", json=XINGHUALING | {"community_id": other}, headers=admin_of_3
    )
    assert elsewhere.status_code == 403
    assert "社区管理员" in elsewhere.json()["error"]["message"]
    resident = platform.token(Grant(Role.resident), person=31)
    assert (
        await registry.post(
            "/api/v1/registry/compounds",
            json=XINGHUALING | {"community_id": community, "name": "滨河花园"},
            headers=resident,
        )
    ).status_code == 403
    listed = await registry.get("/api/v1/registry/compounds", headers=platform.street_admin)
    assert [c["name"] for c in listed.json()] == ["杏花岭小区"]
    assert await platform.outbox_rows() == 1


async def test_the_same_name_twice_in_one_community_is_a_conflict(platform: Platform, community: int) -> None:
    registry = platform.clients["registry"]
    await registry.post(
        "/api/v1/registry/compounds", json=XINGHUALING | {"community_id": community}, headers=platform.street_admin
    )
    again = await registry.post(
        "/api/v1/registry/compounds",
        json=XINGHUALING | {"community_id": community, "name": " 杏花岭小区 "},
        headers=platform.street_admin,
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "duplicate"
    assert again.json()["error"]["details"] == {"field": "name", "value": "杏花岭小区"}
    assert "杏花岭小区" in again.json()["error"]["message"]
    other = await platform.community(street="双塔街道", name="双塔社区")
    other_community = await registry.post(
        "/api/v1/registry/compounds", json=XINGHUALING | {"community_id": other}, headers=platform.street_admin
    )
    assert other_community.status_code == 201


async def test_enum_labels_are_served_in_chinese(platform: Platform) -> None:
    answer = await platform.clients["registry"].get("/api/v1/registry/enums")
    kinds = {e["value"]: e["label"] for e in answer.json()["compound_kind"]}
    assert kinds == {
        "old": "老旧小区",
        "resettlement": "集中居住区",
        "commercial": "商品房小区",
        "super_large": "超大型小区",
    }


async def test_health_readiness_and_metrics(platform: Platform, community: int) -> None:
    billing: httpx.AsyncClient = platform.clients["billing"]
    assert (await billing.get("/healthz")).json() == {"status": "ok", "service": "billing"}
    ready = await billing.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["broker"] == "ok"
    await platform.clients["registry"].post(
        "/api/v1/registry/compounds", json=XINGHUALING | {"community_id": community}, headers=platform.street_admin
    )
    await platform.eventually(lambda: _projected(platform, "billing", 1))
    metrics = (await billing.get("/metrics")).text
    assert 'linli_events_consumed_total{outcome="applied",type="linli.registry.compound.created.v1"} 1.0' in metrics
    assert "linli_outbox_backlog 0.0" in metrics
    registry_metrics = (await platform.clients["registry"].get("/metrics")).text
    assert (
        'linli_http_requests_total{method="POST",route="/api/v1/registry/compounds",status="201"} 1.0'
        in registry_metrics
    )
    platform.apps["billing"].state.runtime.begin_draining()
    draining = await billing.get("/readyz")
    assert draining.status_code == 503
    assert draining.json()["checks"]["draining"] == "yes"


async def test_healthz_fails_when_a_background_task_has_died(platform: Platform) -> None:
    runtime = platform.apps["dispatch"].state.runtime
    assert (await platform.clients["dispatch"].get("/healthz")).status_code == 200
    runtime.consumer.stop()  # the consumer task ends as if it had crashed

    async def stopped() -> list[str]:
        return runtime.dead_tasks()  # type: ignore[no-any-return]

    await platform.eventually(stopped)
    answer = await platform.clients["dispatch"].get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "dead", "service": "dispatch", "stopped": ["dispatch-consumer"]}
