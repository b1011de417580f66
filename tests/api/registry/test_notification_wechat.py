"""WeChat subscribe messages (订阅消息) against a local HTTP server standing in for WeChat's API,
which checks what WeChat documents: the access_token comes from the appid and AppSecret
(`/cgi-bin/token`), the openid from wx.login's code (`/sns/jscode2session`), and a message
(`/cgi-bin/message/subscribe/send`) needs a live token, a known template and a one-time
subscription of that person for it. Nothing leaves the machine."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from services.registry.notifications.models import Delivery, Notification, WechatBinding
from tests.api.conftest import Platform
from tests.api.dispatch.builders import xinghualing_cast
from tests.api.registry.builders import registry_session
from tests.api.registry.notifying import INBOX, MORNING, offer_to_zhao
from tests.helpers import ok

APPID, APPSECRET = "wx0123456789abcdef", "the-mini-program-secret"
OFFER_TEMPLATE = "tmpl-offer-5f3a"
ZHAO_CODE, ZHAO_OPENID = "code-from-wx-login", "oZhao-openid-0001"


class FakeWechat:
    """WeChat's API as documented: tokens, code → openid, and one message per subscription."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.tokens_issued = 0
        self.subscriptions: dict[tuple[str, str], int] = {}  # (openid, template) -> messages allowed
        wechat = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)  # WeChat answers 200 and says what went wrong in errcode
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                q = dict(parse_qsl(url.query))
                if (q.get("appid"), q.get("secret")) != (APPID, APPSECRET):
                    self._answer({"errcode": 40125, "errmsg": "invalid appsecret"})
                elif url.path == "/cgi-bin/token" and q.get("grant_type") == "client_credential":
                    wechat.tokens_issued += 1
                    self._answer({"access_token": f"token-{wechat.tokens_issued}", "expires_in": 7200})
                elif url.path == "/sns/jscode2session" and q.get("grant_type") == "authorization_code":
                    if q.get("js_code") != ZHAO_CODE:
                        self._answer({"errcode": 40029, "errmsg": "invalid code"})
                    else:
                        self._answer({"openid": ZHAO_OPENID, "session_key": "sk"})
                else:
                    self._answer({"errcode": 40013, "errmsg": "invalid request"})

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                token = dict(parse_qsl(url.query)).get("access_token")
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if url.path != "/cgi-bin/message/subscribe/send":
                    self._answer({"errcode": 40013, "errmsg": "invalid request"})
                elif token != f"token-{wechat.tokens_issued}":
                    self._answer({"errcode": 40001, "errmsg": "invalid credential"})
                elif wechat.subscriptions.get((body["touser"], body["template_id"]), 0) < 1:
                    self._answer({"errcode": 43101, "errmsg": "user refuse to accept the msg"})
                else:
                    wechat.subscriptions[(body["touser"], body["template_id"])] -= 1
                    wechat.sent.append(body)
                    self._answer({"errcode": 0, "errmsg": "ok", "msgid": 1})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def __enter__(self) -> FakeWechat:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def wechat() -> Iterator[FakeWechat]:
    with FakeWechat() as server:
        yield server


@pytest.fixture
def settings_overrides(wechat: FakeWechat) -> dict[str, Any]:
    return {
        "notify_channels": "wechat",
        "wechat_api_base": f"http://127.0.0.1:{wechat.port}",
        "wechat_app_id": APPID,
        "wechat_app_secret": APPSECRET,
        "wechat_templates": f"order_offered={OFFER_TEMPLATE}",
        "wechat_page": "pages/open/open",
    }


async def _wechat_deliveries(platform: Platform) -> list[tuple[str, str, str | None]]:
    async with registry_session(platform) as session:
        rows = await session.execute(
            select(Notification.link, Delivery.status, Delivery.last_error)
            .join(Notification, Notification.id == Delivery.notification_id)
            .where(Delivery.channel == "wechat")
            .order_by(Delivery.id)
        )
        return [(link, status, error) for link, status, error in rows.all()]


async def test_zhao_allows_one_offer_message_in_the_mini_program_and_gets_exactly_one(
    platform: Platform, wechat: FakeWechat
) -> None:
    platform.set_clock(MORNING)
    registry = platform.clients["registry"]
    runtime = platform.apps["registry"].state.runtime
    cast = await xinghualing_cast(platform)
    zhao = cast.member(platform, cast.zhao)
    consents = f"{INBOX}/wechat/consents"
    assert ok(await registry.get(f"{INBOX}/wechat", headers=zhao)) == {
        "bound": False,
        "templates": [
            {"kind": "order_offered", "kind_label": "新的派单邀约", "template_id": OFFER_TEMPLATE, "remaining": 0}
        ],
    }

    # Bad answers change nothing: no code yet, a code WeChat does not know, a template not ours.
    for body, code in (
        ({"results": {OFFER_TEMPLATE: "accept"}}, "wechat_not_bound"),
        ({"js_code": "stale-code", "results": {OFFER_TEMPLATE: "accept"}}, "wechat_login_failed"),
        ({"js_code": ZHAO_CODE, "results": {"someone-elses-template": "accept"}}, "unknown_template"),
    ):
        refused = await registry.post(consents, json=body, headers=zhao)
        assert (refused.status_code, refused.json()["error"]["code"]) == (422, code), refused.text
    assert ok(await registry.get(f"{INBOX}/wechat", headers=zhao))["bound"] is False

    # In the mini program he taps 允许 for the offer template once (WeChat records it too).
    wechat.subscriptions[(ZHAO_OPENID, OFFER_TEMPLATE)] = 1
    status = ok(
        await registry.post(consents, json={"js_code": ZHAO_CODE, "results": {OFFER_TEMPLATE: "accept"}}, headers=zhao)
    )
    assert status["bound"] is True
    assert status["templates"][0]["remaining"] == 1
    # The openid stays in the registry, encrypted; the API never shows it.
    assert ZHAO_OPENID not in json.dumps(status)
    async with registry_session(platform) as session:
        binding = await session.get(WechatBinding, cast.zhao["person_id"])
    assert binding is not None
    assert ZHAO_OPENID.encode() not in binding.openid_enc

    # An offer: one subscribe message to his openid, opening the order in the mini program.
    first = await offer_to_zhao(platform, cast)

    async def sent() -> list[dict[str, Any]]:
        await runtime.tick("notifications")
        return wechat.sent

    [message] = await platform.eventually(sent)
    assert (message["touser"], message["template_id"], message["page"]) == (
        ZHAO_OPENID,
        OFFER_TEMPLATE,
        f"pages/open/open?link=/tasks/{first['id']}",
    )
    assert message["data"]["thing1"] == {"value": "新的派单：水管漏水"}
    assert len(message["data"]["thing2"]["value"]) == 20  # thing values are cut to WeChat's 20 characters
    assert (message["miniprogram_state"], message["lang"]) == ("formal", "zh_CN")
    assert ok(await registry.get(f"{INBOX}/wechat", headers=zhao))["templates"][0]["remaining"] == 0

    # His one subscription is used: the next offer reaches his inbox, and WeChat is not tried.
    second = await offer_to_zhao(platform, cast)
    await platform.eventually(
        lambda: _in_inbox(platform, zhao, f"/tasks/{second['id']}"),
    )
    await runtime.tick("notifications")
    assert len(wechat.sent) == 1
    assert [link for link, _, _ in await _wechat_deliveries(platform)] == [f"/tasks/{first['id']}"]

    # WeChat forgot his subscription (he turned it off there): the message fails for good, logged.
    ok(await registry.post(consents, json={"results": {OFFER_TEMPLATE: "accept"}}, headers=zhao))
    third = await offer_to_zhao(platform, cast)

    async def failed_for_good() -> list[tuple[str, str, str | None]]:
        await runtime.tick("notifications")
        found = await _wechat_deliveries(platform)
        return [d for d in found if d[0] == f"/tasks/{third['id']}" and d[1] != "pending"]

    assert await platform.eventually(failed_for_good) == [(f"/tasks/{third['id']}", "failed", "wechat: 200 43101")]
    assert ok(await registry.get(f"{INBOX}/wechat", headers=zhao))["templates"][0]["remaining"] == 0
    assert wechat.tokens_issued == 1  # one access_token served every message


async def _in_inbox(platform: Platform, headers: dict[str, str], link: str) -> bool:
    inbox = ok(await platform.clients["registry"].get(INBOX, headers=headers))
    return any(m["link"] == link for m in inbox)
