"""Payment channel notifications in WeChat Pay (API v3) and Alipay shapes, with pluggable
signature verification.

A `ChannelAdapter` turns a channel's raw notification into a `Notification` after checking
its signature, and can query an order's state (for orders left pending). The adapters here
use the channels' real shapes (WeChat's AES-256-GCM `resource`, Alipay's sorted `k=v&…`
signing string) but sign with HMAC-SHA256 instead of the channels' RSA certificates: that is
the test signer. Production plugs in adapters holding the platform certificates.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.billing.payments.domain import Channel
from shared.errors import InvalidInput, Unauthorized


@dataclass(frozen=True)
class Notification:
    """What a channel says happened to an order."""

    channel: Channel
    out_trade_no: str
    transaction_id: str
    amount_fen: int
    merchant_id: str
    paid: bool


class ChannelAdapter(Protocol):
    channel: Channel
    merchant_id: str

    def read(self, headers: dict[str, str], body: bytes) -> Notification:
        """Verify the signature and parse; Unauthorized for a bad signature."""
        ...

    def query(self, out_trade_no: str) -> Notification | None:
        """The channel's answer for an order (None: no payment known)."""
        ...


def _bad_signature(channel: Channel) -> Unauthorized:
    return Unauthorized(
        f"{channel.label}通知签名无效，未入账",
        f"{channel.value} notification signature is invalid; nothing was booked",
        code="bad_signature",
    )


def _malformed(channel: Channel, what: str) -> InvalidInput:
    return InvalidInput(
        f"{channel.label}通知格式错误：{what}",
        f"Malformed {channel.value} notification: {what}",
        code="malformed_notification",
    )


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

    def read(self, headers: dict[str, str], body: bytes) -> Notification:
        timestamp = headers.get("wechatpay-timestamp", "")
        nonce = headers.get("wechatpay-nonce", "")
        given = headers.get("wechatpay-signature", "")
        if not hmac.compare_digest(given, self._signature(timestamp, nonce, body)):
            raise _bad_signature(self.channel)
        try:
            resource = json.loads(body)["resource"]
            plain = AESGCM(self.api_v3_key).decrypt(
                resource["nonce"].encode(),
                base64.b64decode(resource["ciphertext"]),
                resource.get("associated_data", "").encode(),
            )
            tx = json.loads(plain)
            return Notification(
                channel=self.channel,
                out_trade_no=str(tx["out_trade_no"]),
                transaction_id=str(tx["transaction_id"]),
                amount_fen=int(tx["amount"]["total"]),
                merchant_id=str(tx["mchid"]),
                paid=tx.get("trade_state") == "SUCCESS",
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise _malformed(self.channel, type(exc).__name__) from None
        except Exception as exc:  # InvalidTag: tampered ciphertext
            raise _bad_signature(self.channel) from exc

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
        content = "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in ("sign", "sign_type") and params[k])
        return base64.b64encode(hmac.new(self.sign_key, content.encode(), hashlib.sha256).digest()).decode()

    def sign(self, params: dict[str, str]) -> dict[str, str]:
        """The form Alipay would post (for tests and the benchmark)."""
        signed = {**params, "sign_type": "RSA2"}
        signed["sign"] = self._signature(signed)
        return signed

    def read(self, headers: dict[str, str], body: bytes) -> Notification:
        from urllib.parse import parse_qsl

        params = dict(parse_qsl(body.decode(errors="replace"), keep_blank_values=True))
        if not hmac.compare_digest(params.get("sign", ""), self._signature(params)):
            raise _bad_signature(self.channel)
        try:
            amount = Decimal(params["total_amount"]) * 100
            if amount != amount.to_integral_value():
                raise ValueError("total_amount")
            return Notification(
                channel=self.channel,
                out_trade_no=params["out_trade_no"],
                transaction_id=params["trade_no"],
                amount_fen=int(amount),
                merchant_id=params.get("seller_id", ""),
                paid=params.get("trade_status") in ("TRADE_SUCCESS", "TRADE_FINISHED"),
            )
        except (KeyError, ValueError, InvalidOperation) as exc:
            raise _malformed(self.channel, str(exc)) from None

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
