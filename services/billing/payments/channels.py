"""Payment channel notifications in WeChat Pay (API v3) and Alipay shapes, with pluggable
signature verification.

A `ChannelAdapter` turns a channel's raw notification into a `Notification` after checking
its signature, and can query an order's state (for orders left pending). The adapters here
use the channels' real shapes (WeChat's AES-256-GCM `resource`, Alipay's sorted `k=v&…`
signing string). Two kinds share them:

- `WeChatPayV3` and `AlipayRSA2` verify what the channels really send, by their documented
  algorithms: SHA256withRSA over "timestamp\nnonce\nbody\n" with the WeChat Pay platform
  certificate named by Wechatpay-Serial (or the 微信支付公钥), and SHA256withRSA (RSA2) over
  Alipay's signing string with Alipay's public key. Production uses only these.
- The test signers sign with HMAC-SHA256 instead, keyed from PAYMENT_CHANNEL_SECRET, so tests,
  the benchmark and `make run` can post notifications without merchant certificates.

`channels_from_settings` picks, per channel, the real verifier when its keys are configured.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.billing.payments.domain import Channel
from shared.error_codes import ErrorCode
from shared.errors import InvalidInput, Unauthorized
from shared.settings import Settings


@dataclass(frozen=True)
class Notification:
    """What a channel says happened to an order."""

    channel: Channel
    out_trade_no: str
    transaction_id: str
    amount_fen: int
    merchant_id: str
    paid: bool
    # The channel's per-request nonce where its protocol has one (WeChat Pay v3): the same
    # request seen twice within the clock-skew window is a replay and is refused.
    nonce: str | None = None


class ChannelAdapter(Protocol):
    channel: Channel
    merchant_id: str

    def read(self, headers: dict[str, str], body: bytes, now: datetime) -> Notification:
        """Verify the signature (and freshness, by the service clock) and parse; Unauthorized
        for a bad signature, InvalidInput for a malformed one."""
        ...

    def query(self, out_trade_no: str) -> Notification | None:
        """The channel's answer for an order (None: no payment known)."""
        ...


def _bad_signature(channel: Channel) -> Unauthorized:
    return Unauthorized(
        f"{channel.label}通知签名无效，未入账",
        f"{channel.value} notification signature is invalid; nothing was booked",
        code=ErrorCode.bad_signature,
    )


def _malformed(channel: Channel, what: str) -> InvalidInput:
    return InvalidInput(
        f"{channel.label}通知格式错误：{what}",
        f"Malformed {channel.value} notification: {what}",
        code=ErrorCode.malformed_notification,
    )


def _refused(channel: Channel, message: str, message_en: str, code: ErrorCode) -> Unauthorized:
    return Unauthorized(f"{channel.label}{message}，未入账", f"{message_en}; nothing was booked", code=code)


def _wechat_transaction(channel: Channel, api_v3_key: bytes, body: bytes) -> Notification:
    """Decrypt a WeChat Pay v3 notification's AES-256-GCM `resource` (key: the APIv3 key; nonce
    and associated data: the resource's own) into the transaction it announces."""
    try:
        resource = json.loads(body)["resource"]
        plain = AESGCM(api_v3_key).decrypt(
            str(resource["nonce"]).encode(),
            base64.b64decode(resource["ciphertext"]),
            str(resource.get("associated_data") or "").encode(),
        )
        tx = json.loads(plain)
        return Notification(
            channel=channel,
            out_trade_no=str(tx["out_trade_no"]),
            transaction_id=str(tx["transaction_id"]),
            amount_fen=int(tx["amount"]["total"]),
            merchant_id=str(tx["mchid"]),
            paid=tx.get("trade_state") == "SUCCESS",
        )
    except InvalidTag:  # ciphertext or associated data altered, or another merchant's key
        raise _bad_signature(channel) from None
    except (KeyError, ValueError, TypeError, binascii.Error) as exc:
        raise _malformed(channel, type(exc).__name__) from None


def _alipay_form(body: bytes) -> dict[str, str]:
    return dict(parse_qsl(body.decode(errors="replace"), keep_blank_values=True))


def _alipay_content(params: dict[str, str]) -> str:
    """Alipay's signing string: every parameter but sign and sign_type, empty ones left out,
    sorted by name, joined as k=v&… (values url-decoded)."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in ("sign", "sign_type") and params[k])


def _alipay_notification(channel: Channel, params: dict[str, str]) -> Notification:
    try:
        amount = Decimal(params["total_amount"]) * 100
        if amount != amount.to_integral_value():
            raise ValueError("total_amount")
        return Notification(
            channel=channel,
            out_trade_no=params["out_trade_no"],
            transaction_id=params["trade_no"],
            amount_fen=int(amount),
            merchant_id=params.get("seller_id", ""),
            paid=params.get("trade_status") in ("TRADE_SUCCESS", "TRADE_FINISHED"),
        )
    except (KeyError, ValueError, InvalidOperation) as exc:
        raise _malformed(channel, str(exc)) from None


@dataclass
class WeChatPayTestSigner:
    """WeChat Pay v3: JSON body, Wechatpay-Timestamp/-Nonce/-Signature headers over
    "timestamp\\nnonce\\nbody\\n", transaction in an AES-256-GCM `resource`."""

    merchant_id: str
    sign_key: bytes
    api_v3_key: bytes  # 32 bytes
    channel: Channel = Channel.wechat
    # The channel side of the test: orders it considers paid (for query()).
    settled: dict[str, Notification] = field(default_factory=dict)

    def _signature(self, timestamp: str, nonce: str, body: bytes) -> str:
        message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
        return base64.b64encode(hmac.new(self.sign_key, message, hashlib.sha256).digest()).decode()

    def sign(self, transaction: dict[str, Any], *, notify_id: str | None = None) -> tuple[dict[str, str], bytes]:
        """Build a notification as WeChat would send it (for tests and the benchmark)."""
        nonce = secrets.token_hex(8)
        plain = json.dumps(transaction, ensure_ascii=False).encode()
        cipher = AESGCM(self.api_v3_key).encrypt(nonce[:12].encode(), plain, b"transaction")
        body = json.dumps(
            {
                "id": notify_id or secrets.token_hex(12),
                "create_time": transaction.get("success_time", ""),
                "resource_type": "encrypt-resource",
                "event_type": "TRANSACTION.SUCCESS",
                "summary": "支付成功",
                "resource": {
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": base64.b64encode(cipher).decode(),
                    "associated_data": "transaction",
                    "nonce": nonce[:12],
                    "original_type": "transaction",
                },
            }
        ).encode()
        timestamp = "1764000000"
        headers = {
            "wechatpay-timestamp": timestamp,
            "wechatpay-nonce": nonce,
            "wechatpay-serial": "TEST-SERIAL",
            "wechatpay-signature": self._signature(timestamp, nonce, body),
        }
        return headers, body

    def read(self, headers: dict[str, str], body: bytes, now: datetime) -> Notification:
        # The test signer's timestamp is fixed, so it is not checked against the clock.
        timestamp = headers.get("wechatpay-timestamp", "")
        nonce = headers.get("wechatpay-nonce", "")
        given = headers.get("wechatpay-signature", "")
        if not hmac.compare_digest(given, self._signature(timestamp, nonce, body)):
            raise _bad_signature(self.channel)
        return _wechat_transaction(self.channel, self.api_v3_key, body)

    def query(self, out_trade_no: str) -> Notification | None:
        return self.settled.get(out_trade_no)


@dataclass
class AlipayTestSigner:
    """Alipay: a form-encoded POST whose `sign` covers the other parameters (sign and
    sign_type left out) sorted by name and joined as k=v&…; amounts in yuan."""

    merchant_id: str
    sign_key: bytes
    channel: Channel = Channel.alipay
    settled: dict[str, Notification] = field(default_factory=dict)

    def _signature(self, params: dict[str, str]) -> str:
        content = _alipay_content(params)
        return base64.b64encode(hmac.new(self.sign_key, content.encode(), hashlib.sha256).digest()).decode()

    def sign(self, params: dict[str, str]) -> dict[str, str]:
        """The form Alipay would post (for tests and the benchmark)."""
        signed = {**params, "sign_type": "RSA2"}
        signed["sign"] = self._signature(signed)
        return signed

    def read(self, headers: dict[str, str], body: bytes, now: datetime) -> Notification:
        params = _alipay_form(body)
        if not hmac.compare_digest(params.get("sign", ""), self._signature(params)):
            raise _bad_signature(self.channel)
        return _alipay_notification(self.channel, params)

    def query(self, out_trade_no: str) -> Notification | None:
        return self.settled.get(out_trade_no)


def signer_channels(secret: str) -> dict[Channel, ChannelAdapter]:
    """The test signers, keyed from a deployment secret (never the real channels' keys)."""

    def key(label: str) -> bytes:
        return hmac.new(secret.encode(), f"linli-billing-test-signer:{label}".encode(), hashlib.sha256).digest()

    return {
        Channel.wechat: WeChatPayTestSigner(
            merchant_id="1900000109", sign_key=key("wechat"), api_v3_key=key("wechat-v3")
        ),
        Channel.alipay: AlipayTestSigner(merchant_id="2088000000000001", sign_key=key("alipay")),
    }


def _rsa_verify(key: RSAPublicKey, signature_b64: str, message: bytes) -> bool:
    """SHA256withRSA (PKCS#1 v1.5), the scheme both channels sign with."""
    try:
        key.verify(base64.b64decode(signature_b64, validate=True), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


@dataclass
class WeChatPayV3:
    """WeChat Pay API v3 notifications as WeChat sends them: the platform key named by
    Wechatpay-Serial verifies SHA256withRSA over "timestamp\nnonce\nbody\n"; a timestamp
    further than `max_skew` from the service clock is refused; the APIv3 key decrypts the
    resource. Replays (the same nonce twice) are refused by the caller, which keeps the nonces."""

    merchant_id: str
    api_v3_key: bytes
    # Wechatpay-Serial (upper case) -> the key it names, with the end of its validity if known.
    platform_keys: dict[str, tuple[RSAPublicKey, datetime | None]]
    max_skew: timedelta = timedelta(minutes=5)
    channel: Channel = Channel.wechat

    def read(self, headers: dict[str, str], body: bytes, now: datetime) -> Notification:
        serial = headers.get("wechatpay-serial", "").strip().upper()
        known = self.platform_keys.get(serial)
        if known is None or (known[1] is not None and known[1] < now):
            raise _refused(
                self.channel,
                f"通知的平台证书序列号 {serial[:40] or '（空）'} 未配置或已过期",
                f"The notification's platform certificate serial {serial[:40]!r} is unknown or expired",
                ErrorCode.unknown_serial,
            )
        timestamp = headers.get("wechatpay-timestamp", "")
        nonce = headers.get("wechatpay-nonce", "")
        if not _rsa_verify(
            known[0], headers.get("wechatpay-signature", ""), f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
        ):
            raise _bad_signature(self.channel)
        try:
            sent = datetime.fromtimestamp(int(timestamp), UTC)
        except (ValueError, OverflowError, OSError):
            raise _malformed(self.channel, "Wechatpay-Timestamp") from None
        if abs(now - sent) > self.max_skew or not nonce:
            # A captured notification re-sent later: its signature is still good, its time is not.
            raise _refused(
                self.channel,
                "通知时间戳与服务器时间相差过大（可能是重放）",
                "The notification's timestamp is too far from the service clock (a replay?)",
                ErrorCode.stale_notification,
            )
        return replace(_wechat_transaction(self.channel, self.api_v3_key, body), nonce=nonce)

    def query(self, out_trade_no: str) -> Notification | None:
        # Querying WeChat needs the merchant's own API certificate and a signed HTTPS call,
        # not configured here: a pending order is closed after two hours, and a notification
        # that arrives later still books it (closed -> paid).
        return None


@dataclass
class AlipayRSA2:
    """Alipay's asynchronous notification: SHA256withRSA (sign_type RSA2) over the signing
    string, verified with Alipay's public key; app_id must be ours. Alipay re-sends the same
    notification until it reads "success", so a repeat is answered as a duplicate, never
    booked twice (settlement is idempotent by trade_no)."""

    merchant_id: str
    app_id: str
    public_key: RSAPublicKey
    channel: Channel = Channel.alipay

    def read(self, headers: dict[str, str], body: bytes, now: datetime) -> Notification:
        params = _alipay_form(body)
        if params.get("sign_type", "RSA2") != "RSA2" or not _rsa_verify(
            self.public_key, params.get("sign", ""), _alipay_content(params).encode()
        ):
            raise _bad_signature(self.channel)
        if params.get("app_id") != self.app_id:
            raise InvalidInput(
                "通知的应用 app_id 与本平台不符，未入账",
                "The notification's app_id is not ours; nothing was booked",
                details={"app_id": params.get("app_id", "")[:40]},
                code=ErrorCode.merchant_mismatch,
            )
        return _alipay_notification(self.channel, params)

    def query(self, out_trade_no: str) -> Notification | None:
        return None  # as WeChatPayV3.query: needs the merchant's signing key, not configured


def _pem_of(value: str) -> bytes:
    """A setting holding PEM text, Alipay's bare base64 public key, or a file path."""
    text = value.strip()
    if "-----BEGIN" in text:
        return text.encode()
    try:
        if Path(text).is_file():
            return Path(text).read_bytes()
    except OSError:  # base64 with slashes can read as an over-long path
        pass
    return b"-----BEGIN PUBLIC KEY-----\n" + text.encode() + b"\n-----END PUBLIC KEY-----\n"


def _rsa_public_key(pem: bytes, what: str) -> RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        raise ValueError(f"{what} 不是有效的 PEM 公钥 ({what} is not a PEM public key)") from None
    if not isinstance(key, RSAPublicKey):
        raise ValueError(f"{what} 须为 RSA 公钥 ({what} must be an RSA public key)")
    return key


def wechat_platform_keys(settings: Settings) -> dict[str, tuple[RSAPublicKey, datetime | None]]:
    """Serial -> key for every configured platform certificate and the 微信支付公钥."""
    keys: dict[str, tuple[RSAPublicKey, datetime | None]] = {}
    if settings.wechatpay_platform_certificates.strip():
        try:
            certificates = x509.load_pem_x509_certificates(_pem_of(settings.wechatpay_platform_certificates))
        except ValueError:
            raise ValueError("WECHATPAY_PLATFORM_CERTIFICATES 不是有效的 PEM 证书 (not PEM certificates)") from None
        for cert in certificates:
            key = cert.public_key()
            if not isinstance(key, RSAPublicKey):
                raise ValueError("微信支付平台证书须为 RSA (WeChat Pay platform certificates are RSA)")
            keys[f"{cert.serial_number:X}"] = (key, cert.not_valid_after_utc)
    if settings.wechatpay_public_key.strip():
        key = _rsa_public_key(_pem_of(settings.wechatpay_public_key), "WECHATPAY_PUBLIC_KEY")
        keys[settings.wechatpay_public_key_id.strip().upper()] = (key, None)
    return keys


def channels_from_settings(settings: Settings) -> dict[Channel, ChannelAdapter]:
    """Each channel's verifier: the real one when its keys are configured, else (development and
    tests only) the HMAC test signer; production without keys offers counter payments only."""
    settings.check_payment_channels()
    channels = signer_channels(settings.payment_channel_secret.get_secret_value())
    if settings.environment == "production":
        channels = {}
    if settings.wechatpay_configured():
        api_v3_key = settings.wechatpay_api_v3_key.get_secret_value().encode()
        if len(api_v3_key) != 32:
            raise ValueError("WECHATPAY_API_V3_KEY 须为 32 个字符 (the APIv3 key is 32 characters)")
        channels[Channel.wechat] = WeChatPayV3(
            merchant_id=settings.wechatpay_merchant_id.strip(),
            api_v3_key=api_v3_key,
            platform_keys=wechat_platform_keys(settings),
            max_skew=timedelta(seconds=settings.wechatpay_max_clock_skew_seconds),
        )
    if settings.alipay_configured():
        channels[Channel.alipay] = AlipayRSA2(
            merchant_id=settings.alipay_seller_id.strip(),
            app_id=settings.alipay_app_id.strip(),
            public_key=_rsa_public_key(_pem_of(settings.alipay_public_key), "ALIPAY_PUBLIC_KEY"),
        )
    return channels
