"""SMS through Aliyun (阿里云短信, dysmsapi 2017-05-25, RPC signature v1: HMAC-SHA1) or Tencent
Cloud (腾讯云短信, sms 2021-01-11, TC3-HMAC-SHA256). Both send only templates approved by the
provider, so a kind needs a template code (SMS_TEMPLATES); the message's title and link fill
it. The signing functions are pure and follow the providers' documentation step by step."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from services.registry.notifications.channels import DeliveryFailed, Outgoing
from services.registry.notifications.domain import Channel
from shared.settings import Settings

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
TENCENT_ENDPOINT = "https://sms.tencentcloudapi.com/"


# --- Aliyun: RPC signature version 1.0 ------------------------------------------------------


def aliyun_encode(value: str) -> str:
    """RFC 3986 percent-encoding as Aliyun specifies it (space %20, * %2A, ~ kept)."""
    return quote(value, safe="-_.~")


def aliyun_string_to_sign(method: str, params: dict[str, str]) -> str:
    """METHOD & encode("/") & encode(the sorted, encoded query)."""
    canonical = "&".join(f"{aliyun_encode(k)}={aliyun_encode(v)}" for k, v in sorted(params.items()))
    return f"{method}&{aliyun_encode('/')}&{aliyun_encode(canonical)}"


def aliyun_signature(secret: str, method: str, params: dict[str, str]) -> str:
    """base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))."""
    digest = hmac.new(f"{secret}&".encode(), aliyun_string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def aliyun_send_params(
    key_id: str, sign_name: str, template: str, phone: str, values: dict[str, str], now: datetime, nonce: str
) -> dict[str, str]:
    return {
        "AccessKeyId": key_id,
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": phone,
        "RegionId": "cn-hangzhou",
        "SignName": sign_name,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce,
        "SignatureVersion": "1.0",
        "TemplateCode": template,
        "TemplateParam": json.dumps(values, ensure_ascii=False, separators=(",", ":")),
        "Timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
    }


# --- Tencent Cloud: TC3-HMAC-SHA256 -----------------------------------------------------------


def _hmac256(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def tencent_authorization(
    secret_id: str, secret_key: str, host: str, payload: str, timestamp: int, service: str = "sms"
) -> str:
    """The Authorization header of a POST with a JSON body (signed headers content-type;host)."""
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:application/json; charset=utf-8\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload.encode()).hexdigest(),
        ]
    )
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{day}/{service}/tc3_request"
    string_to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    signing = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), day), service), "tc3_request")
    signature = hmac.new(signing, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


# --- the channel -----------------------------------------------------------------------------


class SmsChannel:
    """SMS to the person's mobile number (decrypted from the registry only to hand it over)."""

    channel = Channel.sms

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.templates = dict(part.strip().split("=", 1) for part in settings.sms_templates.split(",") if "=" in part)

    def reaches(self, address: str | None) -> bool:
        return address is not None

    async def send(self, outgoing: Outgoing) -> None:
        template = self.templates.get(outgoing.kind.value)
        if template is None:
            raise DeliveryFailed(f"no SMS template for {outgoing.kind.value} (SMS_TEMPLATES)", permanent=True)
        if outgoing.address is None:
            raise DeliveryFailed("no mobile number", permanent=True)
        values = {"title": outgoing.title, "link": outgoing.link}
        if outgoing.unsubscribe is not None:
            values["unsubscribe"] = outgoing.unsubscribe  # non-essential kinds' templates take it
        now = outgoing.at  # providers check it against their own clocks (no offset in production)
        try:
            async with httpx.AsyncClient(timeout=self.settings.sms_timeout_seconds) as client:
                if self.settings.sms_provider == "aliyun":
                    await self._aliyun(client, template, outgoing.address, values, now)
                else:
                    await self._tencent(client, template, outgoing.address, values, now)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"sms: {type(exc).__name__}") from None

    async def _aliyun(
        self, client: httpx.AsyncClient, template: str, phone: str, values: dict[str, str], now: datetime
    ) -> None:
        s = self.settings
        params = aliyun_send_params(
            s.sms_access_key_id, s.sms_sign_name, template, phone, values, now, str(uuid.uuid4())
        )
        params["Signature"] = aliyun_signature(s.sms_access_key_secret.get_secret_value(), "GET", params)
        answer = await client.get(s.sms_endpoint or ALIYUN_ENDPOINT, params=params)
        body = _json(answer)
        if answer.status_code != 200 or body.get("Code") != "OK":
            raise DeliveryFailed(f"aliyun: {answer.status_code} {body.get('Code', '?')}")

    async def _tencent(
        self, client: httpx.AsyncClient, template: str, phone: str, values: dict[str, str], now: datetime
    ) -> None:
        s = self.settings
        endpoint = s.sms_endpoint or TENCENT_ENDPOINT
        host = httpx.URL(endpoint).netloc.decode()
        payload = json.dumps(
            {
                "PhoneNumberSet": [phone if phone.startswith("+") else f"+86{phone}"],
                "SmsSdkAppId": s.sms_app_id,
                "SignName": s.sms_sign_name,
                "TemplateId": template,
                "TemplateParamSet": [
                    values["title"],
                    values["link"],
                    *([values["unsubscribe"]] if "unsubscribe" in values else []),
                ],
                "SessionContext": secrets.token_hex(8),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        timestamp = int(now.timestamp())
        headers = {
            "Authorization": tencent_authorization(
                s.sms_access_key_id, s.sms_access_key_secret.get_secret_value(), host, payload, timestamp
            ),
            "Content-Type": "application/json; charset=utf-8",
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": "2021-01-11",
            "X-TC-Region": s.sms_region or "ap-guangzhou",
        }
        answer = await client.post(endpoint, content=payload.encode(), headers=headers)
        response = _json(answer).get("Response", {})
        error = response.get("Error")
        statuses = response.get("SendStatusSet") or [{}]
        if answer.status_code != 200 or error or statuses[0].get("Code") != "Ok":
            code = (error or {}).get("Code") or statuses[0].get("Code", "?")
            raise DeliveryFailed(f"tencent: {answer.status_code} {code}")


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
