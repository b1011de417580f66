"""WeChat subscribe messages (小程序订阅消息), as WeChat documents them:

- an access_token from the mini program's appid and secret (`GET /cgi-bin/token?grant_type=
  client_credential`), kept until shortly before `expires_in` and fetched again when WeChat says
  it is invalid or expired (errcode 40001, 42001, 40014);
- a person's openid from the code `wx.login` gives the mini program (`GET /sns/jscode2session`),
  kept in the registry encrypted like a mobile number;
- a message is `POST /cgi-bin/message/subscribe/send?access_token=…` with `touser` (the openid),
  `template_id`, `page`, `data` ({"thing1": {"value": …}}) and `miniprogram_state`.

One-time subscriptions: each time the person taps 允许 for a template in
`wx.requestSubscribeMessage`, WeChat allows one message with it. The registry counts those
consents per person and template (service.record_wechat_consent) and uses one per message."""

from __future__ import annotations

import time
from typing import Any

import httpx

from services.registry.notifications.channels import DeliveryFailed, Outgoing
from services.registry.notifications.domain import Channel, Kind
from shared.settings import Settings

WECHAT_API = "https://api.weixin.qq.com"
# WeChat: access_token invalid (40001), not the latest (40014), expired (42001).
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# The person has no subscription left for this template (43101): retrying cannot help.
NO_CONSENT = 43101
# Field limits of subscribe message values (thing: 20 characters, phrase: 5).
FIELD_LIMITS = {"thing": 20, "phrase": 5, "character_string": 32, "name": 10}


def templates_of(settings: Settings) -> dict[Kind, str]:
    """WECHAT_TEMPLATES: `order_offered=<template id>,…` (kinds WeChat has no template for are
    not sent this way)."""
    found: dict[Kind, str] = {}
    for part in settings.wechat_templates.split(","):
        kind, _, template = part.strip().partition("=")
        if kind in Kind.__members__ and template:
            found[Kind(kind)] = template
    return found


def message_data(fields: str, outgoing: Outgoing) -> dict[str, dict[str, str]]:
    """The template's `data`: WECHAT_TEMPLATE_FIELDS maps its keywords to the message's title,
    body or link (`thing1=title,thing2=body`), each cut to its keyword type's limit."""
    source = {"title": outgoing.title, "body": outgoing.body, "link": outgoing.link}
    data: dict[str, dict[str, str]] = {}
    for part in fields.split(","):
        keyword, _, what = part.strip().partition("=")
        if not keyword or what not in source:
            continue
        limit = next((n for prefix, n in FIELD_LIMITS.items() if keyword.startswith(prefix)), None)
        value = source[what]
        data[keyword] = {"value": value if limit is None or len(value) <= limit else value[: limit - 1] + "…"}
    return data


class _Tokens:
    """The access_token per appid, shared by every round in this process (WeChat limits how
    often one may be fetched)."""

    cache: dict[tuple[str, str], tuple[str, float]] = {}  # noqa: RUF012 - process-wide on purpose

    @classmethod
    def get(cls, key: tuple[str, str]) -> str | None:
        token, until = cls.cache.get(key, ("", 0.0))
        return token if token and time.monotonic() < until else None

    @classmethod
    def put(cls, key: tuple[str, str], token: str, expires_in: int) -> None:
        # Fetched again five minutes before WeChat's expiry.
        cls.cache[key] = (token, time.monotonic() + max(60, expires_in - 300))

    @classmethod
    def drop(cls, key: tuple[str, str]) -> None:
        cls.cache.pop(key, None)


class WechatChannel:
    """Subscribe messages to the person's openid; `address` is the openid, given only when one
    of their consents for the kind's template was taken for this message."""

    channel = Channel.wechat

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base = (settings.wechat_api_base or WECHAT_API).rstrip("/")
        self.templates = templates_of(settings)

    def reaches(self, address: str | None) -> bool:
        return address is not None

    async def _token(self, client: httpx.AsyncClient) -> str:
        s = self.settings
        key = (self.base, s.wechat_app_id)
        cached = _Tokens.get(key)
        if cached is not None:
            return cached
        answer = await client.get(
            f"{self.base}/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": s.wechat_app_id,
                "secret": s.wechat_app_secret.get_secret_value(),
            },
        )
        body = _json(answer)
        token = body.get("access_token")
        if answer.status_code != 200 or not isinstance(token, str):
            raise DeliveryFailed(f"wechat token: {answer.status_code} {body.get('errcode', '?')}")
        _Tokens.put(key, token, int(body.get("expires_in", 7200)))
        return token

    async def send(self, outgoing: Outgoing) -> None:
        template = self.templates.get(outgoing.kind)
        if template is None:
            raise DeliveryFailed(f"no WeChat template for {outgoing.kind.value} (WECHAT_TEMPLATES)", permanent=True)
        if outgoing.address is None:
            raise DeliveryFailed("no WeChat openid or no consent left for the template", permanent=True)
        s = self.settings
        payload: dict[str, Any] = {
            "touser": outgoing.address,
            "template_id": template,
            "page": f"{s.wechat_page}?link={outgoing.link}",
            "data": message_data(s.wechat_template_fields, outgoing),
            "miniprogram_state": s.wechat_miniprogram_state,
            "lang": "zh_CN",
        }
        try:
            async with httpx.AsyncClient(timeout=s.wechat_timeout_seconds) as client:
                token = await self._token(client)
                answer = await client.post(
                    f"{self.base}/cgi-bin/message/subscribe/send", params={"access_token": token}, json=payload
                )
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"wechat: {type(exc).__name__}") from None
        body = _json(answer)
        code = body.get("errcode", 0 if answer.status_code == 200 else "?")
        if code == 0:
            return
        if code in TOKEN_ERRORS:
            _Tokens.drop((self.base, s.wechat_app_id))
        raise DeliveryFailed(f"wechat: {answer.status_code} {code}", permanent=code == NO_CONSENT)


async def openid_of(settings: Settings, js_code: str) -> str:
    """The person's openid for the code `wx.login` gave the mini program (jscode2session)."""
    base = (settings.wechat_api_base or WECHAT_API).rstrip("/")
    async with httpx.AsyncClient(timeout=settings.wechat_timeout_seconds) as client:
        answer = await client.get(
            f"{base}/sns/jscode2session",
            params={
                "appid": settings.wechat_app_id,
                "secret": settings.wechat_app_secret.get_secret_value(),
                "js_code": js_code,
                "grant_type": "authorization_code",
            },
        )
    body = _json(answer)
    openid = body.get("openid")
    if answer.status_code != 200 or not isinstance(openid, str) or not openid:
        raise LookupError(str(body.get("errcode", answer.status_code)))
    return openid


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
