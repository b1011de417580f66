"""Personal data at rest (PIPL): ID-card and mobile numbers are stored encrypted with
AES-256-GCM, and beside each a keyed hash (HMAC-SHA256) that finds a person by exact value
without decrypting anybody."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, BinaryIO

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

    # --- files ---------------------------------------------------------------------------
    # An uploaded ledger holds every resident's ID-card and mobile number: it is sealed with the
    # same key while its import job needs it. Sealed in chunks so a large file never sits in
    # memory, yet can be read back with random access (a .xlsx is a zip: its reader seeks).

    def seal_stream(self, source: IO[bytes], out: IO[bytes], seen: Callable[[bytes], object] | None = None) -> int:
        """Write `source` to `out` sealed (blocking); `seen` receives each plaintext chunk (to
        hash it). Returns the plaintext size."""
        prefix = os.urandom(_PREFIX_BYTES)
        header = FILE_MAGIC + prefix
        out.write(header)
        size = index = 0
        chunk = source.read(FILE_CHUNK)
        while True:
            following = source.read(FILE_CHUNK) if len(chunk) == FILE_CHUNK else b""
            last = not following
            if seen is not None:
                seen(chunk)
            out.write(self._aead.encrypt(_chunk_nonce(prefix, index, last), chunk, header))
            size += len(chunk)
            if last:
                return size
            chunk, index = following, index + 1

    def open_sealed(self, path: Path) -> io.BufferedReader:
        """A seekable reader of the plaintext of a file written by seal_stream (blocking).
        Reading raises TamperedCiphertext where the bytes were altered, cut short or sealed
        under another key."""
        return io.BufferedReader(_SealedReader(path.open("rb"), self._aead), buffer_size=FILE_CHUNK)


FILE_MAGIC = b"LNPII\x00\x01\x00"  # "Linli personal data", format 1
FILE_CHUNK = 1 << 16
_PREFIX_BYTES = 7
_TAG_BYTES = 16


def _chunk_nonce(prefix: bytes, index: int, last: bool) -> bytes:
    """The STREAM construction (Hoang et al. 2015): a random prefix per file, the chunk's
    number and a last-chunk flag, so chunks cannot be reordered, dropped or the file cut short
    without failing authentication."""
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class _SealedReader(io.RawIOBase):
    """Random-access plaintext of a sealed file; holds one decrypted chunk at a time."""

    def __init__(self, raw: BinaryIO, aead: AESGCM) -> None:
        self._raw = raw
        self._aead = aead
        try:
            self._header = raw.read(len(FILE_MAGIC) + _PREFIX_BYTES)
            if len(self._header) != len(FILE_MAGIC) + _PREFIX_BYTES or not self._header.startswith(FILE_MAGIC):
                raise TamperedCiphertext("not a sealed file")
            body = raw.seek(0, io.SEEK_END) - len(self._header)
            sealed_chunk = FILE_CHUNK + _TAG_BYTES
            self._chunks = max(1, -(-body // sealed_chunk))
            self._size = body - self._chunks * _TAG_BYTES
            if self._size < 0:
                raise TamperedCiphertext("sealed file too short")
        except BaseException:
            raw.close()
            raise
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def _chunk(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        self._raw.seek(len(self._header) + index * (FILE_CHUNK + _TAG_BYTES))
        sealed = self._raw.read(FILE_CHUNK + _TAG_BYTES)
        nonce = _chunk_nonce(self._header[len(FILE_MAGIC) :], index, index == self._chunks - 1)
        try:
            plain = self._aead.decrypt(nonce, sealed, self._header)
        except InvalidTag:
            raise TamperedCiphertext("sealed file failed authentication") from None
        self._cached = (index, plain)
        return plain

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._pos >= self._size or not len(view):
            return 0
        index, start = divmod(self._pos, FILE_CHUNK)
        piece = self._chunk(index)[start : start + len(view)]
        view[: len(piece)] = piece
        self._pos += len(piece)
        return len(piece)

    def close(self) -> None:
        self._raw.close()
        self._cached = None
        super().close()
