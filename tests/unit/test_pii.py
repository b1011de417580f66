"""Personal data at rest: AES-256-GCM with a fresh nonce, and a keyed search hash."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from pydantic import SecretStr

from services.registry.people.pii import FILE_CHUNK, FILE_MAGIC, NONCE_BYTES, PiiVault, TamperedCiphertext
from shared.settings import Settings

ID_CARD = "11010519491231002X"


@pytest.fixture
def vault() -> PiiVault:
    return PiiVault(Settings())


def _key(byte: bytes) -> SecretStr:
    return SecretStr(base64.b64encode(byte * 32).decode())


def test_an_id_card_number_comes_back_as_it_went_in(vault: PiiVault) -> None:
    blob = vault.encrypt(ID_CARD)
    assert vault.decrypt(blob) == ID_CARD
    assert ID_CARD.encode() not in blob
    assert len(blob) == NONCE_BYTES + len(ID_CARD) + 16  # nonce, ciphertext, GCM tag
    assert vault.decrypt(vault.encrypt("王秀英")) == "王秀英"


def test_the_same_number_encrypts_differently_every_time(vault: PiiVault) -> None:
    first, second = vault.encrypt("13800000004"), vault.encrypt("13800000004")
    assert first != second
    assert first[:NONCE_BYTES] != second[:NONCE_BYTES]
    assert vault.decrypt(first) == vault.decrypt(second) == "13800000004"


@pytest.mark.parametrize("position", [0, NONCE_BYTES, -1])
def test_a_changed_byte_is_refused(vault: PiiVault, position: int) -> None:
    blob = bytearray(vault.encrypt(ID_CARD))
    blob[position] ^= 0x01
    with pytest.raises(TamperedCiphertext):
        vault.decrypt(bytes(blob))


def test_a_truncated_blob_and_another_key_are_refused(vault: PiiVault) -> None:
    blob = vault.encrypt(ID_CARD)
    with pytest.raises(TamperedCiphertext):
        vault.decrypt(blob[:NONCE_BYTES])
    other = PiiVault(Settings(pii_encryption_key=_key(b"\x07")))
    with pytest.raises(TamperedCiphertext):
        other.decrypt(blob)


def test_the_search_hash_is_stable_and_keyed(vault: PiiVault) -> None:
    digest = vault.search_hash("13800000004")
    assert digest == vault.search_hash("13800000004") == PiiVault(Settings()).search_hash("13800000004")
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert digest != vault.search_hash("13800000005")
    assert "13800000004" not in digest
    rekeyed = PiiVault(Settings(pii_hash_key=_key(b"\x09")))
    assert rekeyed.search_hash("13800000004") != digest
    # The hash key is not the encryption key: changing one leaves the other alone.
    assert PiiVault(Settings(pii_encryption_key=_key(b"\x07"))).search_hash("13800000004") == digest


def test_keys_that_are_not_32_bytes_of_base64_are_refused() -> None:
    with pytest.raises(ValueError, match="base64"):
        PiiVault(Settings(pii_encryption_key=SecretStr("not base64!")))
    with pytest.raises(ValueError, match="32"):
        PiiVault(Settings(pii_hash_key=SecretStr(base64.b64encode(b"short").decode())))


@pytest.mark.parametrize("size", [0, 1, FILE_CHUNK - 1, FILE_CHUNK, FILE_CHUNK + 1, 3 * FILE_CHUNK + 17])
def test_a_sealed_file_reads_back_whole_and_by_seeking(vault: PiiVault, tmp_path: Path, size: int) -> None:
    plain = bytes(i * 7 % 251 for i in range(size))
    path = tmp_path / "ledger.sealed"
    seen: list[bytes] = []
    with path.open("wb") as out:
        assert vault.seal_stream(io.BytesIO(plain), out, seen.append) == size
    assert b"".join(seen) == plain
    raw = path.read_bytes()
    assert raw.startswith(FILE_MAGIC)
    assert size < 64 or plain[:64] not in raw
    with vault.open_sealed(path) as sealed:
        assert sealed.read() == plain
        assert sealed.seek(0, io.SEEK_END) == size
        middle = size // 2
        sealed.seek(middle)
        assert sealed.read(FILE_CHUNK + 5) == plain[middle : middle + FILE_CHUNK + 5]


def test_a_sealed_file_cut_short_reordered_or_under_another_key_is_refused(vault: PiiVault, tmp_path: Path) -> None:
    plain = b"x" * (2 * FILE_CHUNK + 100)
    path = tmp_path / "ledger.sealed"
    with path.open("wb") as out:
        vault.seal_stream(io.BytesIO(plain), out)
    raw = path.read_bytes()
    header, sealed_chunk = len(FILE_MAGIC) + 7, FILE_CHUNK + 16
    first, second = raw[header : header + sealed_chunk], raw[header + sealed_chunk : header + 2 * sealed_chunk]
    variants = {
        "cut at a chunk boundary": raw[: header + 2 * sealed_chunk],
        "chunks swapped": raw[:header] + second + first + raw[header + 2 * sealed_chunk :],
        "not sealed at all": plain,
    }
    for name, content in variants.items():
        path.write_bytes(content)
        with pytest.raises(TamperedCiphertext), vault.open_sealed(path) as sealed:  # noqa: PT012
            sealed.read()
            raise AssertionError(name)
    path.write_bytes(raw)
    other = PiiVault(Settings(pii_encryption_key=_key(b"\x07")))
    with pytest.raises(TamperedCiphertext), other.open_sealed(path) as sealed:
        sealed.read()
