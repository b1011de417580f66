"""The SMS channel against a local HTTP server standing in for Aliyun and Tencent Cloud: the
server checks each request's signature as the providers document it (re-derived here, apart
from the code under test) and answers as they do. Nothing leaves the machine."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from services.registry.notifications import service as n
from services.registry.notifications.domain import Kind
from services.registry.notifications.models import Delivery, Notification
from services.registry.notifications.sms import aliyun_signature
from tests.api.conftest import Platform
from tests.api.dispatch.builders import xinghualing_cast
from tests.api.registry.builders import registry_session
from tests.api.registry.notifying import INBOX, MORNING, offer_to_zhao
from tests.helpers import ok

KEY_ID, SECRET = "LTAI-test-key", "test-secret-of-the-sms-account"
ZHAO_MOBILE = "13800000003"


def test_aliyun_signature_matches_the_documented_example() -> None:
    """Aliyun's RPC signature document signs DescribeRegions with AccessKeySecret `testsecret`
    and shows the result OLeaidS1JvxuMvnyHOwuJ+uX5qY=."""
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert aliyun_signature("testsecret", "GET", params) == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


# --- the providers, as a local server checks them ---------------------------------------------


def _aliyun_expected(params: dict[str, str]) -> str:
    # The document: sort by name, percent-encode names and values (RFC 3986), join with & and =,
    # then "GET&%2F&" + the encoded result, HMAC-SHA1 with secret + "&", base64.
    def enc(v: str) -> str:
        return quote(v, safe="~")

    query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    digest = hmac.new(f"{SECRET}&".encode(), f"GET&%2F&{enc(query)}".encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _tencent_expected(headers: dict[str, str], body: bytes) -> str:
    # The document (TC3-HMAC-SHA256): canonical request, string to sign with the credential
    # scope date/service/tc3_request, key derived TC3+key -> date -> service -> tc3_request.
    timestamp = headers["x-tc-timestamp"]
    day = datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d")
    canonical = (
        f"POST\n/\n\ncontent-type:{headers['content-type']}\nhost:{headers['host']}\n\ncontent-type;host\n"
        + hashlib.sha256(body).hexdigest()
    )
    scope = f"{day}/sms/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(f"TC3{SECRET}".encode(), day), "sms"), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={KEY_ID}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


class FakeProvider:
    def __init__(self) -> None:
        self.accepted: list[dict[str, Any]] = []
        self.refused: list[str] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # Aliyun
                params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
                signature = params.pop("Signature", "")
                if signature != _aliyun_expected(params) or params.get("AccessKeyId") != KEY_ID:
                    provider.refused.append("aliyun")
                    self._answer(
                        400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
                    )
                    return
                provider.accepted.append({"provider": "aliyun", **params})
                self._answer(200, {"Code": "OK", "Message": "OK", "BizId": "9006197469364984", "RequestId": "r1"})

            def do_POST(self) -> None:  # Tencent Cloud
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                if headers.get("authorization") != _tencent_expected(headers, body):
                    provider.refused.append("tencent")
                    self._answer(200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure"}}})
                    return
                provider.accepted.append({"provider": "tencent", "action": headers["x-tc-action"], **json.loads(body)})
                self._answer(200, {"Response": {"SendStatusSet": [{"Code": "Ok", "Fee": 1}], "RequestId": "r2"}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def __enter__(self) -> FakeProvider:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider_server() -> Iterator[FakeProvider]:
    with FakeProvider() as server:
        yield server


@pytest.fixture(params=["aliyun", "tencent"])
def settings_overrides(request: pytest.FixtureRequest, provider_server: FakeProvider) -> dict[str, Any]:
    return {
        "notify_channels": "sms",
        "sms_provider": request.param,
        "sms_endpoint": f"http://127.0.0.1:{provider_server.port}/",
        "sms_access_key_id": KEY_ID,
        "sms_access_key_secret": SECRET,
        "sms_sign_name": "邻里",
        "sms_app_id": "1400000000",
        "sms_templates": "order_offered=SMS_471",
    }


async def _sms_delivery_of(platform: Platform, link: str) -> Delivery | None:
    async with registry_session(platform) as session:
        return await session.scalar(
            select(Delivery).join(Notification).where(Notification.link == link, Delivery.channel == "sms")
        )


async def test_an_urgent_offer_left_unopened_goes_by_sms_after_the_delay_and_an_opened_one_does_not(
    platform: Platform, provider_server: FakeProvider
) -> None:
    """赵师傅's app is closed (no live inbox open): the urgent offer waits in his inbox; ten
    minutes later (NOTIFY_ESCALATE_AFTER_MINUTES) it goes to his phone by SMS, signed as the
    provider checks. The next urgent offer he opens in the app in time: no SMS."""
    platform.set_clock(MORNING)
    registry = platform.clients["registry"]
    runtime = platform.apps["registry"].state.runtime
    cast = await xinghualing_cast(platform)
    zhao = cast.member(platform, cast.zhao)
    # 赵师傅's mobile number is in the registry, and only there.
    path = f"/api/v1/registry/residents/{cast.zhao['person_id']}"
    person = ok(await registry.get(path, headers=platform.street_admin))
    ok(
        await registry.patch(
            path, json={"version": person["version"], "mobile": ZHAO_MOBILE}, headers=platform.street_admin
        )
    )

    order = await offer_to_zhao(platform, cast)
    link = f"/tasks/{order['id']}"
    pending = await platform.eventually(lambda: _sms_delivery_of(platform, link))
    assert (pending.status, pending.unless_opened) == ("pending", True)
    # Not yet: a round now sends nothing, the offer only sits in his inbox.
    await runtime.tick("notifications")
    assert provider_server.accepted == []
    [message] = ok(await registry.get(INBOX, headers=zhao))
    assert (message["link"], message["read_at"]) == (link, None)

    # Ten minutes on, still unopened: the SMS goes.
    for app in platform.apps.values():
        app.state.runtime.clock.advance(timedelta(minutes=10))

    async def handed_over() -> list[dict[str, Any]]:
        await runtime.tick("notifications")
        return provider_server.accepted

    [request] = await platform.eventually(handed_over)
    assert provider_server.refused == []
    if request["provider"] == "aliyun":
        assert (request["PhoneNumbers"], request["TemplateCode"], request["SignName"]) == (
            ZHAO_MOBILE,
            "SMS_471",
            "邻里",
        )
        assert json.loads(request["TemplateParam"]) == {"title": "新的派单：水管漏水", "link": link}
    else:
        assert request["action"] == "SendSms"
        assert (request["PhoneNumberSet"], request["TemplateId"], request["SmsSdkAppId"]) == (
            [f"+86{ZHAO_MOBILE}"],
            "SMS_471",
            "1400000000",
        )
        assert request["TemplateParamSet"] == ["新的派单：水管漏水", link]

    async def recorded() -> Delivery | None:
        # The provider has answered; the round writes the outcome right after.
        found = await _sms_delivery_of(platform, link)
        return found if found is not None and found.status != "pending" else None

    delivery = await platform.eventually(recorded)
    assert (delivery.channel, delivery.status, delivery.attempts) == ("sms", "sent", 1)

    # The next urgent offer he opens in the app within the ten minutes: no SMS, and the log says why.
    second = await offer_to_zhao(platform, cast)
    second_link = f"/tasks/{second['id']}"
    await platform.eventually(lambda: _sms_delivery_of(platform, second_link))
    [new] = [m for m in ok(await registry.get(INBOX, headers=zhao)) if m["link"] == second_link]
    ok(await registry.post(f"{INBOX}/{new['id']}/read", headers=zhao))
    for app in platform.apps.values():
        app.state.runtime.clock.advance(timedelta(minutes=10))

    async def settled() -> Delivery | None:
        await runtime.tick("notifications")
        found = await _sms_delivery_of(platform, second_link)
        return found if found is not None and found.status != "pending" else None

    skipped = await platform.eventually(settled)
    assert (skipped.status, skipped.last_error) == ("skipped", "opened in the app before the escalation was due")
    assert len(provider_server.accepted) == 1


async def test_one_event_one_message_even_past_the_inbox_and_a_wrong_secret_is_logged_for_a_retry(
    platform: Platform, provider_server: FakeProvider
) -> None:
    registry = platform.clients["registry"]
    runtime = platform.apps["registry"].state.runtime
    # The deployment's SMS secret is wrong (rotated at the provider, not here).
    runtime.settings = runtime.settings.model_copy(update={"sms_access_key_secret": SecretStr("not-the-secret")})
    liu = ok(
        await registry.post(
            "/api/v1/registry/residents",
            json={"name": "刘阿姨", "mobile": "13800000009"},
            headers=platform.street_admin,
        ),
        201,
    )["id"]

    # An offer for her handled twice by the registry's own code, past the consumer's inbox
    # (which alone would already skip the second): the unique key keeps it to one message.
    params = {"category_name": "水管漏水", "urgency_label": "紧急", "deadline": "尽快", "order_id": "O-1"}
    for _ in range(2):
        async with registry_session(platform) as session:
            routing = n.Routing.of(runtime.settings)
            event = "0190f000-0000-7000-8000-000000000001"
            await n.notify(session, routing, event, Kind.order_offered, [liu], params, runtime.clock(), urgent=True)
            await session.commit()
    inbox = ok(await registry.get("/api/v1/registry/notifications", headers=platform.token(person=liu)))
    assert [m["title"] for m in inbox] == ["新的派单：水管漏水"]
    # She does not open it: ten minutes on, it is due by SMS.
    runtime.clock.advance(timedelta(minutes=10))

    async def attempted() -> Delivery | None:
        await runtime.tick("notifications")
        async with registry_session(platform) as session:
            found = await session.scalar(select(Delivery))
        return found if found is not None and found.last_error is not None else None

    failed = await platform.eventually(attempted)
    assert provider_server.accepted == []
    assert failed.status == "pending"  # retried later with back-off
    assert failed.last_error in {"aliyun: 400 SignatureDoesNotMatch", "tencent: 200 AuthFailure.SignatureFailure"}
    assert "13800000009" not in failed.last_error
