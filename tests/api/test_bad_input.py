"""A clerk's mistakes get a clear error in the one shape, Chinese first, and change nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from shared.auth import Grant, Role, TokenCodec
from shared.settings import Settings
from tests.api.conftest import Platform
from tests.api.registry.builders import COMPOUNDS_URL, GOOD_COMPOUND
from tests.helpers import error_shape

URL = COMPOUNDS_URL
GOOD = GOOD_COMPOUND


def assert_error_shape(body: dict[str, object], code: str) -> dict[str, object]:
    """The one error shape; the registry's own messages here echo nothing, so the English is ASCII."""
    return error_shape(body, code, ascii_english=True)


async def _nothing_written(platform: Platform) -> None:
    listed = await platform.clients["registry"].get(URL, headers=platform.street_admin)
    assert listed.json() == []
    assert await platform.outbox_rows() == 0


async def test_body_that_is_not_json(platform: Platform, community: int) -> None:
    answer = await platform.clients["registry"].post(
        URL,
        content='{"name": "滨河花园",'.encode(),
        headers=platform.street_admin | {"content-type": "application/json"},
    )
    assert answer.status_code == 422
    error = assert_error_shape(answer.json(), "validation_error")
    assert error["details"][0]["type"] == "json_invalid"  # type: ignore[index]
    assert "JSON" in str(error["message"])
    await _nothing_written(platform)


@pytest.mark.parametrize(
    ("patch", "field", "zh"),
    [
        ({"community_id": "三"}, "body.community_id", "整数"),
        ({"kind": "castle"}, "body.kind", "允许范围"),
        ({"community_id": 0}, "body.community_id", "太小"),
        ({"name": ""}, "body.name", "太短"),
        ({"extra": 1}, "body.extra", "不允许"),
    ],
)
async def test_wrong_values_name_the_field_and_the_value(
    platform: Platform, community: int, patch: dict[str, object], field: str, zh: str
) -> None:
    answer = await platform.clients["registry"].post(
        URL, json=GOOD | {"community_id": community} | patch, headers=platform.street_admin
    )
    assert answer.status_code == 422
    error = assert_error_shape(answer.json(), "validation_error")
    detail = error["details"][0]  # type: ignore[index]
    assert detail["field"] == field
    assert zh in detail["message"]
    assert zh in str(error["message"])
    if "value" in detail:
        assert detail["value"] == next(iter(patch.values()))
    await _nothing_written(platform)


async def test_missing_field(platform: Platform, community: int) -> None:
    body = {k: v for k, v in (GOOD | {"community_id": community}).items() if k != "kind"}
    answer = await platform.clients["registry"].post(URL, json=body, headers=platform.street_admin)
    error = assert_error_shape(answer.json(), "validation_error")
    assert answer.status_code == 422
    assert error["details"][0]["field"] == "body.kind"  # type: ignore[index]
    assert "缺少必填字段" in str(error["message"])
    await _nothing_written(platform)


async def test_a_huge_body_is_refused_before_it_is_read(platform: Platform, community: int) -> None:
    huge = json.dumps(GOOD | {"community_id": community, "name": "大" * 70_000}).encode()
    answer = await platform.clients["registry"].post(
        URL, content=huge, headers=platform.street_admin | {"content-type": "application/json"}
    )
    assert answer.status_code == 413
    assert "过大" in str(assert_error_shape(answer.json(), "payload_too_large")["message"])
    await _nothing_written(platform)


async def test_a_huge_chunked_body_is_refused_too(platform: Platform, community: int) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b" " * 1024

    answer = await platform.clients["registry"].post(
        URL, content=chunks(), headers=platform.street_admin | {"content-type": "application/json"}
    )
    assert answer.status_code == 413
    await _nothing_written(platform)


async def test_expired_forged_missing_and_malformed_tokens(platform: Platform, community: int) -> None:
    registry = platform.clients["registry"]
    expired = platform.token(Grant(Role.street_admin), ttl=-10)
    answer = await registry.post(URL, json=GOOD | {"community_id": community}, headers=expired)
    assert answer.status_code == 401
    assert_error_shape(answer.json(), "token_expired")
    forged_token = TokenCodec(Settings(jwt_secret=SecretStr("a-stranger-s-secret-32-bytes-long!"))).issue(
        1, [Grant(Role.street_admin)]
    )
    answer = await registry.post(
        URL, json=GOOD | {"community_id": community}, headers={"Authorization": f"Bearer {forged_token}"}
    )
    assert answer.status_code == 401
    assert_error_shape(answer.json(), "token_invalid")
    answer = await registry.post(URL, json=GOOD | {"community_id": community})
    assert answer.status_code == 401
    assert_error_shape(answer.json(), "unauthorized")
    answer = await registry.post(
        URL, json=GOOD | {"community_id": community}, headers={"Authorization": "Basic cm9vdDpyb290"}
    )
    assert answer.status_code == 401
    assert_error_shape(answer.json(), "token_invalid")
    await _nothing_written(platform)


async def test_unknown_compound_and_bad_path_parameters(platform: Platform, community: int) -> None:
    registry = platform.clients["registry"]
    missing = await registry.get("/api/v1/registry/compounds/999", headers=platform.street_admin)
    assert missing.status_code == 404
    assert assert_error_shape(missing.json(), "not_found")["details"] == {"id": 999, "kind": "compound"}
    not_a_number = await registry.get("/api/v1/registry/compounds/abc", headers=platform.street_admin)
    assert not_a_number.status_code == 422
    assert_error_shape(not_a_number.json(), "validation_error")
    projection = await platform.clients["dispatch"].get("/api/v1/dispatch/compounds/999", headers=platform.street_admin)
    assert projection.status_code == 404
    assert "尚未同步" in str(assert_error_shape(projection.json(), "not_found")["message"])
    wrong_method = await registry.delete("/api/v1/registry/compounds", headers=platform.street_admin)
    assert wrong_method.status_code == 405
    assert_error_shape(wrong_method.json(), "method_not_allowed")
