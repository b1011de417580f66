"""The real channels' signatures: WeChat Pay API v3 (SHA256withRSA by the platform certificate
named in Wechatpay-Serial, AES-256-GCM resource, timestamps by the service clock, replays) and
Alipay RSA2, verified with key pairs the tests generate. Before, only an HMAC test signer
existed, so a production deployment could not check what WeChat or Alipay really sent."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from services.billing.payments.channels import AlipayRSA2, WeChatPayV3, channels_from_settings
from services.billing.payments.domain import Channel
from shared.auth import Grant, Role
from shared.settings import Settings
from tests.api.billing.builders import Compound, billing, books_ok, ok, resident, staff, two_quarters_billed
from tests.api.conftest import Platform

API = "/api/v1/billing"
MCHID = "1900000109"
API_V3_KEY = "linli0wechat0apiv3key00000000032"  # WeChat's APIv3 key: 32 characters
ALIPAY_APP_ID = "2021000000000000"
ALIPAY_SELLER_ID = "2088000000000001"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate(key: rsa.RSAPrivateKey, serial: int, now: datetime) -> x509.Certificate:
    """A platform certificate as WeChat Pay issues one (self-signed here)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=5 * 365))
        .sign(key, hashes.SHA256())
    )


def rsa_sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


@dataclass
class WeChatSide:
    """What WeChat Pay does: encrypt the transaction with the merchant's APIv3 key and sign the
    request with the platform certificate's private key."""

    key: rsa.RSAPrivateKey
    serial: str

    def notify(self, tx: dict[str, Any], at: datetime, **override: str) -> tuple[dict[str, str], bytes]:
        nonce = secrets.token_hex(6)
        cipher = AESGCM(API_V3_KEY.encode()).encrypt(nonce.encode(), json.dumps(tx).encode(), b"transaction")
        body = json.dumps(
            {
                "id": secrets.token_hex(12),
                "create_time": at.isoformat(),
                "resource_type": "encrypt-resource",
                "event_type": "TRANSACTION.SUCCESS",
                "summary": "支付成功",
                "resource": {
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": base64.b64encode(cipher).decode(),
                    "associated_data": "transaction",
                    "nonce": nonce,
                    "original_type": "transaction",
                },
            }
        ).encode()
        timestamp, request_nonce = str(int(at.timestamp())), secrets.token_hex(16).upper()
        headers = {
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Nonce": request_nonce,
            "Wechatpay-Serial": self.serial,
            "Wechatpay-Signature": rsa_sign(self.key, f"{timestamp}\n{request_nonce}\n".encode() + body + b"\n"),
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }
        return {**headers, **override}, body


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def install(platform: Platform, settings: Settings) -> None:
    """Billing as a deployment with these settings verifies (the ticker shares the same dict)."""
    platform.apps["billing"].state.billing_channels.update(channels_from_settings(settings))


async def order_of(platform: Platform, c: Compound, channel: str, dwelling: int) -> dict[str, Any]:
    household = c.household_ids[dwelling]
    created: dict[str, Any] = await ok(
        await billing(platform).post(
            f"{API}/payment-orders",
            json={"dwelling_id": dwelling, "channel": channel},
            headers=resident(platform, household),
        ),
        201,
    )
    return created


async def payments_total(platform: Platform, c: Compound) -> int:
    page = await ok(
        await billing(platform).get(
            f"{API}/payments", params={"compound_id": c.compound_id}, headers=staff(platform, c.compound_id)
        )
    )
    return int(page["total"])


async def test_a_wechat_pay_v3_notification_is_verified_by_the_platform_certificate(
    platform: Platform, tmp_path: Path
) -> None:
    c = await two_quarters_billed(platform)
    now = platform.apps["billing"].state.runtime.clock()
    platform_key = rsa_key()
    cert = certificate(platform_key, 0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1, now)
    (tmp_path / "wechatpay_platform.pem").write_text(pem(cert))
    install(
        platform,
        Settings(
            wechatpay_merchant_id=MCHID,
            wechatpay_api_v3_key=SecretStr(API_V3_KEY),
            # A file path, as the README's production section configures it.
            wechatpay_platform_certificates=str(tmp_path / "wechatpay_platform.pem"),
        ),
    )
    assert isinstance(platform.apps["billing"].state.billing_channels[Channel.wechat], WeChatPayV3)
    wechat = WeChatSide(platform_key, "5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
    order = await order_of(platform, c, "wechat", c.dwelling_ids[0])
    tx = {
        "mchid": MCHID,
        "appid": "wx-linli",
        "out_trade_no": order["out_trade_no"],
        "transaction_id": "4200000001202612020000000001",
        "trade_state": "SUCCESS",
        "amount": {"total": order["amount_fen"], "currency": "CNY"},
        "success_time": now.isoformat(),
    }
    url = f"{API}/payment-notifications/wechat"

    async def post(headers: dict[str, str], body: bytes) -> tuple[int, str]:
        answer = await billing(platform).post(url, content=body, headers=headers)
        code = answer.json().get("error", {}).get("code", "") if answer.status_code != 200 else "ok"
        return answer.status_code, code

    headers, body = wechat.notify(tx, now)
    # Someone alters the body in transit (another out_trade_no in the envelope's id, say).
    assert await post(headers, body.replace(b'"id": "', b'"id": "x')) == (401, "bad_signature")
    # Signed by a key that is not the platform certificate's, under its serial.
    h, b = WeChatSide(rsa_key(), wechat.serial).notify(tx, now)
    assert await post(h, b) == (401, "bad_signature")
    # A serial no configured certificate has.
    h, b = WeChatSide(platform_key, "1234567890ABCDEF").notify(tx, now)
    assert await post(h, b) == (401, "unknown_serial")
    # Correctly signed, but ten minutes old by the service clock (a captured notification).
    h, b = wechat.notify(tx, now - timedelta(minutes=10))
    assert await post(h, b) == (401, "stale_notification")
    # Encrypted with another merchant's APIv3 key: the signature holds, the resource does not open.
    h, b = wechat.notify(tx, now)
    resource = json.loads(b)["resource"]
    resource["ciphertext"] = base64.b64encode(
        AESGCM(b"another-merchant-apiv3-key-32byt").encrypt(resource["nonce"].encode(), json.dumps(tx).encode(), None)
    ).decode()
    b = json.dumps({**json.loads(b), "resource": resource}).encode()
    h["Wechatpay-Signature"] = rsa_sign(
        platform_key, f"{h['Wechatpay-Timestamp']}\n{h['Wechatpay-Nonce']}\n".encode() + b + b"\n"
    )
    assert await post(h, b) == (401, "bad_signature")
    assert await payments_total(platform, c) == 0

    # The genuine notification books once; the very same request again is a replay.
    assert await post(headers, body) == (200, "ok")
    assert await post(headers, body) == (401, "replayed_notification")
    # WeChat's own retry (it did not hear our answer) is signed afresh: answered, not re-booked.
    h, b = wechat.notify(tx, now + timedelta(seconds=20))
    assert await post(h, b) == (200, "ok")
    assert await payments_total(platform, c) == 1
    household = c.household_ids[c.dwelling_ids[0]]
    mine = await ok(
        await billing(platform).get(
            f"{API}/payments", params={"household_id": household}, headers=resident(platform, household)
        )
    )
    assert [(p["channel_label"], p["amount_yuan"], p["out_trade_no"]) for p in mine["items"]] == [
        ("微信支付", "300.00", order["out_trade_no"])
    ]
    operator = platform.token(Grant(Role.ops), person=5)
    refused = await ok(
        await billing(platform).get(f"{API}/payment-notifications", params={"rejected_only": True}, headers=operator)
    )
    assert sorted(n["outcome"] for n in refused) == sorted(
        ["rejected:bad_signature"] * 3
        + ["rejected:unknown_serial", "rejected:stale_notification", "rejected:replayed_notification"]
    )
    await books_ok(platform, c.compound_id)


async def test_an_alipay_rsa2_notification_is_verified_by_alipay_s_public_key(platform: Platform) -> None:
    c = await two_quarters_billed(platform)
    alipay_key = rsa_key()
    # Alipay's console shows its public key as a bare base64 string: accepted as it is.
    bare = "".join(line for line in public_pem(alipay_key).splitlines() if "-----" not in line)
    install(
        platform,
        Settings(alipay_app_id=ALIPAY_APP_ID, alipay_seller_id=ALIPAY_SELLER_ID, alipay_public_key=bare),
    )
    assert isinstance(platform.apps["billing"].state.billing_channels[Channel.alipay], AlipayRSA2)
    order = await order_of(platform, c, "alipay", c.dwelling_ids[1])
    params = {
        "notify_id": "2026120200222100000000000001",
        "notify_time": "2026-12-02 10:00:00",
        "notify_type": "trade_status_sync",
        "out_trade_no": order["out_trade_no"],
        "trade_no": "2026120222001400000000000001",
        "total_amount": "300.00",
        "seller_id": ALIPAY_SELLER_ID,
        "app_id": ALIPAY_APP_ID,
        "trade_status": "TRADE_SUCCESS",
        "subject": "物业费 1-102",
        "charset": "utf-8",
        "version": "1.0",
    }

    def signed(form: dict[str, str], key: rsa.RSAPrivateKey = alipay_key) -> dict[str, str]:
        content = "&".join(f"{k}={form[k]}" for k in sorted(form) if k not in ("sign", "sign_type") and form[k])
        return {**form, "sign_type": "RSA2", "sign": rsa_sign(key, content.encode())}

    async def post(form: dict[str, str]) -> tuple[int, str]:
        answer = await billing(platform).post(
            f"{API}/payment-notifications/alipay",
            content=urlencode(form),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        return answer.status_code, answer.text if answer.status_code == 200 else answer.json()["error"]["code"]

    good = signed(params)
    assert await post({**good, "total_amount": "0.01"}) == (401, "bad_signature")  # tampered
    assert await post(signed(params, rsa_key())) == (401, "bad_signature")  # another key
    assert await post({**good, "sign_type": "RSA"}) == (401, "bad_signature")  # not RSA2
    assert await post(signed({**params, "app_id": "2021999999999999"})) == (422, "merchant_mismatch")
    assert await payments_total(platform, c) == 0
    assert await post(good) == (200, "success")
    # Alipay re-sends until it reads "success": the same notification is answered, booked once.
    assert await post(good) == (200, "success")
    assert await payments_total(platform, c) == 1
    await books_ok(platform, c.compound_id)


ARGON2_FIELDS = ("argon2_time_cost", "argon2_memory_kib", "argon2_parallelism")


def test_production_verifies_real_channel_keys_only(tmp_path: Path) -> None:
    production = {
        "environment": "production",
        "jwt_secret": SecretStr("s3cret-of-the-street-" * 2),
        "payment_channel_secret": SecretStr("the-merchant-s-own-key"),
        "clock_offset_seconds": 0,
        # The suite hashes passwords cheaply (tests/conftest.py); production insists on the defaults.
        **{name: Settings.model_fields[name].default for name in ARGON2_FIELDS},
    }
    # Without channel keys production never offers the HMAC test signer: counter payments only.
    assert channels_from_settings(Settings(**production)) == {}
    # Half a channel is a typo: refused everywhere, not silently the test signer.
    with pytest.raises(ValueError, match="WECHATPAY_API_V3_KEY"):
        channels_from_settings(Settings(wechatpay_merchant_id=MCHID))
    key = rsa_key()
    (tmp_path / "alipay.pem").write_text(public_pem(key))
    channels = channels_from_settings(
        Settings(
            **production,
            alipay_app_id=ALIPAY_APP_ID,
            alipay_seller_id=ALIPAY_SELLER_ID,
            alipay_public_key=str(tmp_path / "alipay.pem"),
        )
    )
    # Production offers only the configured channel, never the test signer for the other one.
    assert list(channels) == [Channel.alipay]
    assert isinstance(channels[Channel.alipay], AlipayRSA2)
    # The 微信支付公钥 mode names its key by PUB_KEY_ID_… instead of a certificate serial.
    wechat = channels_from_settings(
        Settings(
            wechatpay_merchant_id=MCHID,
            wechatpay_api_v3_key=SecretStr(API_V3_KEY),
            wechatpay_public_key=public_pem(key),
            wechatpay_public_key_id="PUB_KEY_ID_0119000001",
        )
    )[Channel.wechat]
    assert isinstance(wechat, WeChatPayV3)
    assert list(wechat.platform_keys) == ["PUB_KEY_ID_0119000001"]
    with pytest.raises(ValueError, match="32"):
        channels_from_settings(
            Settings(
                wechatpay_merchant_id=MCHID,
                wechatpay_api_v3_key=SecretStr("short"),
                wechatpay_public_key=public_pem(key),
                wechatpay_public_key_id="PUB_KEY_ID_0119000001",
            )
        )


async def test_production_refuses_an_order_for_a_channel_it_has_no_keys_for(platform: Platform) -> None:
    c = await two_quarters_billed(platform)
    del platform.apps["billing"].state.billing_channels[Channel.alipay]
    answer = await billing(platform).post(
        f"{API}/payment-orders",
        json={"dwelling_id": c.dwelling_ids[0], "channel": "alipay"},
        headers=resident(platform, c.household_ids[c.dwelling_ids[0]]),
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == "本平台未开通支付宝"
