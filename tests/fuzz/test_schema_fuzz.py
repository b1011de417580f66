"""Schema fuzzing through the public gateway: every operation of the combined /openapi.json,
called with requests schemathesis generates from it (valid ones and invalid ones), as the demo
street's resident 王秀英 and as its street admin 李建国, on a platform of his own, so that the
admin's sweep, which deletes and edits records at random, never takes the resident's household
away. The requests are generated once and sent as each (the two sweeps generated the same ones,
at twice the CPU, when they ran as modules of their own). Whatever arrives, the platform answers
with a 2xx, 3xx or 4xx: a 5xx is a bug.

Bounded and repeatable: a fixed number of examples per operation and mode, a fixed seed, no
example database; the gateway's rate limit is lifted for the run (the limit is the gateway's
job, tested on its own).
"""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest

from tests.e2e.conftest import Embedded
from tests.fuzz.conftest import sweep_as
from tests.fuzz.sweep import Generated

pytestmark = pytest.mark.fuzz


def test_no_generated_request_as_a_resident_gets_a_5xx(platform: Embedded, generated: list[Generated]) -> None:
    sweep_as(platform, generated, "resident 王秀英", "13800000004")


def test_no_generated_request_as_the_street_admin_gets_a_5xx(
    admin_platform: Embedded, generated: list[Generated]
) -> None:
    sweep_as(admin_platform, generated, "street admin 李建国", "13800000001")


def raw_request(platform: Embedded, method: str, target: str, headers: dict[str, bytes]) -> tuple[int, dict[str, Any]]:
    """A request as a hostile client writes it, bytes and all (httpx refuses to send these)."""
    connection = http.client.HTTPConnection("127.0.0.1", platform.port, timeout=30)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def test_what_no_client_library_sends_gets_a_4xx_through_uvicorn_and_the_gateway(platform: Embedded) -> None:
    status, body = raw_request(platform, "GET", "/api/v1/registry/compounds?name=" + "a" * 100_000, {})
    assert (status, body["error"]["code"]) == (414, "uri_too_long")
    assert "请求地址过长" in body["error"]["message"]
    # Without a token: the header is refused before anyone asks who is calling.
    status, body = raw_request(platform, "GET", "/api/v1/registry/compounds", {"X-Device": b"\xff\xfe\xe9"})
    assert (status, body["error"]["code"]) == (400, "header_invalid")
    assert "非 ASCII" in body["error"]["message"]
    status, body = raw_request(platform, "POST", "/api/v1/billing/payment-notifications/wechat%00", {})
    assert (status, body["error"]["code"]) == (422, "validation_error")
    assert body["error"]["details"][0]["field"] == "path.channel"
