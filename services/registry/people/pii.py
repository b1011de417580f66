"""Personal data at rest (PIPL): ID-card and mobile numbers are stored encrypted with
AES-256-GCM, and beside each a keyed hash (HMAC-SHA256) that finds a person by exact value
without decrypting anybody."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr

from shared.settings import Settings

NONCE_BYTES = 12
KEY_BYTES = 32


class TamperedCiphertext(ValueError):
    """The stored bytes fail authentication: altered, truncated, or encrypted under another key."""


def _key(secret: SecretStr, name: str) -> bytes:
    try:
        key = base64.b64decode(secret.get_secret_value(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{name} 必须是 base64 编码 ({name} must be base64)") from None
    if len(key) != KEY_BYTES:
        raise ValueError(
            f"{name} 解码后须为 {KEY_BYTES} 字节，实际 {len(key)} 字节 "
            f"({name} must decode to {KEY_BYTES} bytes, got {len(key)})"
        )
    return key


class PiiVault:
    """Encrypts, decrypts and search-hashes personal data with the service's two keys."""

    def __init__(self, settings: Settings) -> None:
        self._aead = AESGCM(_key(settings.pii_encryption_key, "PII_ENCRYPTION_KEY"))
        self._hash_key = _key(settings.pii_hash_key, "PII_HASH_KEY")

    def encrypt(self, value: str) -> bytes:
        """nonce (12 random bytes) + ciphertext and tag; a fresh nonce every time, so equal
        values never produce equal bytes (the search hash is what finds them)."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, value.encode(), None)

    def decrypt(self, blob: bytes) -> str:
        """The plain value; TamperedCiphertext if the bytes were altered or the key differs."""
        if len(blob) <= NONCE_BYTES:
            raise TamperedCiphertext("ciphertext too short")
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], None).decode()
        except InvalidTag:
            raise TamperedCiphertext("ciphertext failed authentication") from None

    def search_hash(self, value: str) -> str:
        """HMAC-SHA256 of an already normalised value, hex: stable for one key, useless without it."""
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()

    def decrypt_or_none(self, blob: bytes | None) -> str | None:
        return None if blob is None else self.decrypt(blob)
