"""Schema fuzzing through the public gateway: every operation of the combined /openapi.json,
called with requests schemathesis generates from it (valid ones and invalid ones), as the demo
street's resident 王秀英 and as its street admin 李建国. Whatever arrives, the platform answers
with a 2xx, 3xx or 4xx: a 5xx is a bug.

Bounded and repeatable: a fixed number of examples per operation and mode, a fixed seed, no
example database; the gateway's rate limit is lifted for the run (the limit is the gateway's
job, tested on its own). The resident goes first: the street admin's sweep deletes and edits
records at random, which could take the resident's household away.
"""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Embedded, free_port
from tests.fuzz.sweep import report, sweep

pytestmark = pytest.mark.fuzz

# Per operation and generation mode (valid, invalid); LINLI_FUZZ_EXAMPLES runs a deeper sweep.
EXAMPLES = int(os.environ.get("LINLI_FUZZ_EXAMPLES", "2"))
SEED = 20261202
DEMO_PASSWORD = "linli-demo"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    node = Embedded(Path(tmp_path_factory.mktemp("fuzz")), free_port())
    node.start(RATE_LIMIT_PER_MINUTE="100000000", RATE_LIMIT_BURST="100000000", LINLI_DEMO_PASSWORD=DEMO_PASSWORD)
    try:
        node.wait_ready()
        yield node
    finally:
        node.stop()


def login(platform: Embedded, mobile: str) -> dict[str, str]:
    answer = httpx.post(
        f"{platform.base}/api/v1/registry/auth/token", json={"mobile": mobile, "password": DEMO_PASSWORD}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.mark.parametrize(
    ("who", "mobile"),
    [("resident 王秀英", "13800000004"), ("street admin 李建国", "13800000001")],
    ids=["resident", "street-admin"],
)
def test_no_generated_request_gets_a_5xx(platform: Embedded, who: str, mobile: str) -> None:
    done = sweep(platform.base, login(platform, mobile), max_examples=EXAMPLES, fixed_seed=SEED)
    assert done.sent > 500, f"the sweep as {who} sent only {done.sent} requests: is /openapi.json complete?"
    assert not done.failures, f"as {who}: " + report(done.failures)


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
