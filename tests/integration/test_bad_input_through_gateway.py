"""Mistakes sent through the public gateway get one clear error shape and change nothing.

A clerk of 涧河社区 fumbles the form for 涧河小区 in every way the web allows: broken JSON, a
community id typed as words, a missing field, a scanned attachment pasted into the name, an
expired login, a token made up with the wrong key. Each answer is the one error body with a
Chinese message, the registry still lists the same compounds and its outbox gained no row.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from shared.auth import Grant, Role, TokenCodec
from shared.settings import Settings
from tests.helpers import refused
from tests.integration.conftest import Cluster, Service, create_compound, pg_value, seed_community

pytestmark = pytest.mark.integration

MAX_BODY = 65_536


@pytest.fixture(scope="module")
def services(cluster: Cluster) -> dict[str, Service]:
    limit = {"MAX_BODY_BYTES": str(MAX_BODY)}
    registry = cluster.service("registry", env=limit)
    cluster.start(registry)
    gateway = cluster.service("gateway", env=limit | cluster.gateway_env(registry))
    cluster.start(gateway)
    return {"registry": registry, "gateway": gateway}


def assert_error_shape(answer: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape (tests.helpers.refused), through the gateway."""
    return refused(answer, status, code)


async def test_every_mistake_gets_the_one_error_shape_and_changes_nothing(
    cluster: Cluster, services: dict[str, Service], http: httpx.AsyncClient
) -> None:
    gateway = services["gateway"]
    headers = cluster.auth()
    community = await seed_community(http, gateway.url, headers, "涧河街道", "涧河社区")
    await create_compound(http, gateway.url, headers, community, "涧河小区", "resettlement", "community_custody")
    compounds_url = f"{gateway.url}/api/v1/registry/compounds"
    registry_db = cluster.database("registry")

    async def state() -> tuple[list[Any], int]:
        listed = await http.get(compounds_url, headers=headers)
        assert listed.status_code == 200, listed.text
        return listed.json(), await pg_value(registry_db, "SELECT count(*) FROM outbox")

    before = await state()
    assert [c["name"] for c in before[0]] == ["涧河小区"]
    good = {"name": "涧河二期", "community_id": community, "kind": "old", "management_model": "self_managed"}
    json_headers = headers | {"Content-Type": "application/json"}

    broken = await http.post(compounds_url, content='{"name": "涧河二期", "community_id": ', headers=json_headers)
    error = assert_error_shape(broken, 422, "validation_error")
    assert error["details"][0]["type"] == "json_invalid"

    wrong_type = await http.post(compounds_url, json=good | {"community_id": "涧河社区"}, headers=headers)
    error = assert_error_shape(wrong_type, 422, "validation_error")
    assert [(d["field"], d["type"]) for d in error["details"]] == [("body.community_id", "int_parsing")]
    assert error["details"][0]["value"] == "涧河社区"

    missing = await http.post(compounds_url, json={k: v for k, v in good.items() if k != "kind"}, headers=headers)
    error = assert_error_shape(missing, 422, "validation_error")
    assert [(d["field"], d["type"]) for d in error["details"]] == [("body.kind", "missing")]
    assert "缺少" in error["message"]

    bad_enum = await http.post(compounds_url, json=good | {"kind": "villa"}, headers=headers)
    error = assert_error_shape(bad_enum, 422, "validation_error")
    assert error["details"][0]["field"] == "body.kind"

    too_large = await http.post(compounds_url, json=good | {"name": "涧" * MAX_BODY}, headers=headers)
    error = assert_error_shape(too_large, 413, "payload_too_large")
    assert str(MAX_BODY) in error["message"]

    expired = TokenCodec(cluster.settings).issue(1, [Grant(Role.street_admin)], ttl_seconds=-10)
    answer = await http.post(compounds_url, json=good, headers={"Authorization": f"Bearer {expired}"})
    assert_error_shape(answer, 401, "token_expired")

    other_office = Settings(jwt_secret=SecretStr("not-the-street-office-secret-" + "x" * 16))
    forged = TokenCodec(other_office).issue(1, [Grant(Role.street_admin)])
    answer = await http.post(compounds_url, json=good, headers={"Authorization": f"Bearer {forged}"})
    assert_error_shape(answer, 401, "token_invalid")
    # A forged token is refused on reads too, not only on writes.
    answer = await http.get(compounds_url, headers={"Authorization": f"Bearer {forged}"})
    assert_error_shape(answer, 401, "token_invalid")

    anonymous = await http.post(compounds_url, json=good)
    assert_error_shape(anonymous, 401)

    assert await state() == before


async def test_hostile_values_get_a_422_on_postgresql_too(
    cluster: Cluster, services: dict[str, Service], http: httpx.AsyncClient
) -> None:
    """PostgreSQL refuses NUL in text and integers beyond BIGINT with errors of its own: the
    clerk's (or an attacker's) request is refused before it gets there, naming the field."""
    gateway = services["gateway"]
    headers = cluster.auth()
    community = await seed_community(http, gateway.url, headers, "汾河街道", "汾河社区")
    compounds_url = f"{gateway.url}/api/v1/registry/compounds"
    registry_db = cluster.database("registry")
    before = await pg_value(registry_db, "SELECT count(*) FROM outbox")
    good = {"name": "汾河小区", "community_id": community, "kind": "old", "management_model": "self_managed"}

    nul = await http.post(compounds_url, json=good | {"name": "汾河\x00小区"}, headers=headers)
    error = assert_error_shape(nul, 422, "validation_error")
    assert (error["details"][0]["field"], error["details"][0]["type"]) == ("body.name", "control_character_forbidden")
    assert "控制字符 U+0000" in error["message"]

    huge_body = await http.post(compounds_url, json=good | {"community_id": 2**63}, headers=headers)
    error = assert_error_shape(huge_body, 422, "validation_error")
    assert error["details"][0]["field"] == "body.community_id"
    assert "整数超出范围" in error["message"]

    huge_path = await http.get(f"{compounds_url}/{2**63}", headers=headers)
    assert assert_error_shape(huge_path, 422, "validation_error")["details"][0]["field"] == "path.entity_id"

    huge_filter = await http.get(compounds_url, params={"community_id": str(10**30)}, headers=headers)
    assert assert_error_shape(huge_filter, 422, "validation_error")["details"][0]["field"] == "query.community_id"

    header = await http.get(compounds_url, headers={b"X-Client": "邻里".encode()})
    assert_error_shape(header, 400, "header_invalid")

    assert await pg_value(registry_db, "SELECT count(*) FROM outbox") == before
