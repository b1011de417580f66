"""What an attacker (or a broken client) sends on purpose: values no field can hold, characters
no database stores, headers and URLs no browser makes, the same request eight times at once.
Each gets a clear 4xx in the one error shape, naming the field, Chinese first, and changes
nothing; never a 500."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import httpx
import pytest

from services.gateway.app import create_app as gateway_app
from shared import idempotency
from shared.settings import SERVICES
from tests.api.conftest import Platform
from tests.api.registry.builders import COMPOUNDS_URL as URL
from tests.api.registry.builders import GOOD_COMPOUND as GOOD
from tests.helpers import error_shape

BIG = 2**63  # one past the widest integer column (BIGINT, SQLite INTEGER)


async def _nothing_written(platform: Platform) -> None:
    listed = await platform.clients["registry"].get(URL, headers=platform.street_admin)
    assert listed.json() == []
    assert await platform.outbox_rows() == 0


def _field(answer: httpx.Response, status: int = 422, code: str = "validation_error") -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    error = error_shape(answer.json(), code, ascii_english=True)
    detail: dict[str, Any] = error["details"][0]
    assert detail["message"] in str(error["message"])
    return detail


async def test_an_id_beyond_64_bits_in_the_path_names_the_parameter(platform: Platform, community: int) -> None:
    answer = await platform.clients["registry"].get(f"{URL}/{BIG}", headers=platform.street_admin)
    detail = _field(answer)
    assert (detail["field"], detail["type"]) == ("path.entity_id", "int_out_of_range")
    assert "整数超出范围" in detail["message"]
    # One below the edge is simply a compound that does not exist.
    answer = await platform.clients["registry"].get(f"{URL}/{BIG - 1}", headers=platform.street_admin)
    assert answer.status_code == 404


async def test_an_id_beyond_64_bits_in_a_filter_names_the_filter(platform: Platform, community: int) -> None:
    answer = await platform.clients["registry"].get(
        URL, params={"community_id": -BIG - 1}, headers=platform.street_admin
    )
    detail = _field(answer)
    assert (detail["field"], detail["type"]) == ("query.community_id", "int_out_of_range")


async def test_an_id_beyond_64_bits_in_the_body_names_the_field(platform: Platform, community: int) -> None:
    answer = await platform.clients["registry"].post(
        URL, json=GOOD | {"community_id": 2**64}, headers=platform.street_admin
    )
    detail = _field(answer)
    assert (detail["field"], detail["type"]) == ("body.community_id", "int_out_of_range")
    assert "整数超出范围" in detail["message"]
    await _nothing_written(platform)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
async def test_numbers_json_cannot_carry_are_refused(platform: Platform, community: int, number: str) -> None:
    body = json.dumps(GOOD)[:-1] + f', "community_id": {number}}}'
    answer = await platform.clients["registry"].post(
        URL, content=body.encode(), headers=platform.street_admin | {"content-type": "application/json"}
    )
    detail = _field(answer)
    assert detail["type"] == "finite_number"
    assert "有限的数字" in detail["message"]
    await _nothing_written(platform)


@pytest.mark.parametrize(
    ("name", "kind", "zh"),
    [
        ("滨河\x00花园", "control_character_forbidden", "控制字符 U+0000"),
        ("滨河\x1b[31m花园", "control_character_forbidden", "控制字符 U+001B"),
        ("滨河\ud800花园", "surrogate_forbidden", "代理字符"),
    ],
    ids=["nul", "escape", "lone-surrogate"],
)
async def test_characters_no_database_stores_are_refused_in_text(
    platform: Platform, community: int, name: str, kind: str, zh: str
) -> None:
    # json.dumps writes the lone surrogate as the escape "\ud800", as a hostile client would.
    body = json.dumps(GOOD | {"community_id": community, "name": name})
    answer = await platform.clients["registry"].post(
        URL, content=body.encode(), headers=platform.street_admin | {"content-type": "application/json"}
    )
    detail = _field(answer)
    assert (detail["field"], detail["type"]) == ("body.name", kind)
    assert zh in detail["message"]
    await _nothing_written(platform)


async def test_line_breaks_stay_allowed_in_text(platform: Platform, community: int) -> None:
    compound = await platform.post("/compounds", GOOD | {"community_id": community})
    household_note = "低保户\n行动不便，上门请先电话联系\t（张丽）"
    building = await platform.post(
        "/buildings", {"compound_id": compound["id"], "number": "1", "structure": "multi_storey", "floors": 6}
    )
    entrance = await platform.post("/entrances", {"building_id": building["id"], "number": "1"})
    dwelling = await platform.post("/dwellings", {"entrance_id": entrance["id"], "room": "301", "area_m2": "86.50"})
    household = await platform.post("/households", {"dwelling_id": dwelling["id"], "note": household_note})
    assert household["note"] == household_note


async def test_an_area_that_overflows_every_column_is_refused(platform: Platform, community: int) -> None:
    compound = await platform.post("/compounds", GOOD | {"community_id": community})
    building = await platform.post(
        "/buildings", {"compound_id": compound["id"], "number": "1", "structure": "multi_storey", "floors": 6}
    )
    entrance = await platform.post("/entrances", {"building_id": building["id"], "number": "1"})
    answer = await platform.clients["registry"].post(
        "/api/v1/registry/dwellings",
        json={"entrance_id": entrance["id"], "room": "301", "area_m2": "1e30"},
        headers=platform.street_admin,
    )
    assert answer.status_code == 422, answer.text
    error = error_shape(answer.json(), "validation_error", ascii_english=True)
    assert "area_m2 过大" in str(error["message"])
    listed = await platform.clients["registry"].get("/api/v1/registry/dwellings", headers=platform.street_admin)
    assert listed.json() == []


async def test_nul_in_the_anonymous_payment_notification_path(platform: Platform) -> None:
    # Payment channels call this route without a token: the path is all an outsider controls.
    answer = await platform.clients["billing"].post(
        "/api/v1/billing/payment-notifications/wechat%00", content=b"<xml></xml>"
    )
    detail = _field(answer)
    assert (detail["field"], detail["type"]) == ("path.channel", "control_character_forbidden")
    assert "U+0000" in detail["message"]


async def test_control_characters_in_an_id_path(platform: Platform, community: int) -> None:
    answer = await platform.clients["registry"].get(f"{URL}/1%1D", headers=platform.street_admin)
    detail = _field(answer)
    assert (detail["field"], detail["type"]) == ("path.entity_id", "control_character_forbidden")


async def test_a_huge_query_string_is_refused(platform: Platform, community: int) -> None:
    # 60 KB: httpx itself refuses to send more; tests/fuzz sends 100 KB through uvicorn.
    answer = await platform.clients["registry"].get(URL + "?name=" + "a" * 60_000, headers=platform.street_admin)
    assert answer.status_code == 414
    error = error_shape(answer.json(), "uri_too_long", ascii_english=True)
    assert "请求地址过长" in str(error["message"])
    assert error["details"] == {"limit": 8192, "size": len("/api/v1/registry/compounds") + len("name=") + 60_000}


@pytest.mark.parametrize("value", [b"\xff\xfe", "杏花岭".encode(), b"caf\xc3\xa9"])
@pytest.mark.parametrize("service", SERVICES)
async def test_a_header_that_is_not_ascii_is_a_400_without_a_token(
    platform: Platform, service: str, value: bytes
) -> None:
    answer = await platform.clients[service].get(f"/api/v1/{service}/anything", headers={b"X-Client-Name": value})
    assert answer.status_code == 400
    error = error_shape(answer.json(), "header_invalid", ascii_english=True)
    assert "非 ASCII" in str(error["message"])
    assert error["details"] == {"header": "x-client-name"}


@pytest.fixture
async def gateway(platform: Platform) -> httpx.AsyncClient:
    """The public gateway in front of the platform's four apps (over ASGI instead of loopback)."""
    settings = platform.settings.model_copy(update={f"{s}_url": f"http://{s}" for s in SERVICES})
    app = gateway_app(settings)
    app.state.runtime.client = httpx.AsyncClient(
        mounts={f"http://{s}": httpx.ASGITransport(app=platform.apps[s]) for s in SERVICES}
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


async def test_the_gateway_refuses_the_same_inputs_and_forwards_paths_as_sent(
    platform: Platform, gateway: httpx.AsyncClient
) -> None:
    header = await gateway.get("/api/v1/registry/compounds", headers={b"User-Agent": b"\xe9\x82\xbb\xe9\x87\x8c"})
    assert header.status_code == 400
    error_shape(header.json(), "header_invalid", ascii_english=True)
    long_query = await gateway.get("/api/v1/registry/compounds?q=" + "%41" * 10_000)
    assert long_query.status_code == 414
    # The control character travels to billing still encoded, and billing names the field.
    answer = await gateway.post("/api/v1/billing/payment-notifications/we%00chat", content=b"{}")
    detail = _field(answer)
    assert (detail["field"], detail["value"]) == ("path.channel", "we\x00chat")
    # Open311 clients keep their own root: the gateway still puts it under dispatch.
    via_gateway = await gateway.get("/open311/v2/services.json")
    direct = await platform.clients["dispatch"].get("/api/v1/dispatch/open311/v2/services.json")
    assert via_gateway.status_code == 200
    assert via_gateway.json() == direct.json()
    # An encoded slash stays one path segment: it is not a way to reach another route.
    answer = await gateway.get("/api/v1/registry/compounds/1%2F..%2Fstreets", headers=platform.street_admin)
    assert answer.status_code in (404, 422)


async def test_eight_identical_requests_at_once_register_one_compound(platform: Platform, community: int) -> None:
    """A phone on a bad network fires the same registration eight times in the same instant."""
    registry = platform.clients["registry"]
    headers = platform.street_admin | {"Idempotency-Key": "reg-burst-0001"}
    answers = await asyncio.gather(
        *(registry.post(URL, json=GOOD | {"community_id": community}, headers=headers) for _ in range(8))
    )
    statuses = sorted(a.status_code for a in answers)
    assert 500 not in statuses
    created = [a for a in answers if a.status_code == 201]
    assert created, statuses
    first = [a for a in created if "Idempotent-Replayed" not in a.headers]
    assert len(first) == 1, statuses
    for answer in created:
        assert answer.json() == first[0].json()
    for answer in answers:
        if answer.status_code == 409:
            error = error_shape(answer.json(), "idempotency_key_in_progress", ascii_english=True)
            assert "处理中" in str(error["message"])
    listed = await registry.get(URL, headers=platform.street_admin)
    assert [c["name"] for c in listed.json()] == [GOOD["name"]]
    assert await platform.outbox_rows() == 1


async def test_a_retry_while_the_first_request_still_runs_hears_in_progress(
    platform: Platform, community: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first request holds the key (as if still working on it); a retry waits a moment,
    then hears 409 "in progress" rather than doing the work twice."""
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.2)
    registry = platform.clients["registry"]
    body = json.dumps(GOOD | {"community_id": community}).encode()
    runtime = platform.apps["registry"].state.runtime
    # The same hash shared/idempotency.py computes: method, path, query, body.
    request_hash = hashlib.sha256(f"POST {URL}?".encode() + b"\n" + body).hexdigest()
    claim = idempotency.Claim("person:1", "reg-slow-0001", request_hash)
    assert await idempotency.claim_or_replay(runtime.db.sessionmaker, claim, 3600) is None
    answer = await registry.post(
        URL,
        content=body,
        headers=platform.street_admin | {"Idempotency-Key": claim.key, "content-type": "application/json"},
    )
    assert answer.status_code == 409, answer.text
    error = error_shape(answer.json(), "idempotency_key_in_progress", ascii_english=True)
    assert "仍在处理中" in str(error["message"])
    assert "in progress" in str(error["message_en"])
    await _nothing_written(platform)
