"""One storage interface for files (photos on orders): a folder under DATA_DIR in embedded mode,
any S3-compatible store (MinIO, Ceph, OSS/COS in S3 mode, AWS) in production, chosen by
settings (STORAGE_BACKEND=s3 with S3_ENDPOINT, S3_BUCKET, S3_REGION, S3_ACCESS_KEY_ID,
S3_SECRET_ACCESS_KEY). The S3 client is plain httpx with AWS Signature Version 4, so no SDK is
needed; path-style addressing (`endpoint/bucket/key`) as every S3-compatible store accepts.

What may be stored is checked here too: the type by the file's first bytes (JPEG, PNG, WebP;
never the name or the declared Content-Type) and the size."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit

import httpx

from shared.error_codes import ErrorCode
from shared.errors import InvalidInput, LinliError, NotFound
from shared.settings import Settings

MAX_IMAGE_BYTES = 5 * 1024 * 1024
# Keys are made by the platform (`orders/<id>/<uuid>.jpg`); anything else is refused before it
# reaches a path or a URL.
_KEY = re.compile(r"^[a-z0-9][a-z0-9_\-]*(/[A-Za-z0-9][A-Za-z0-9_\-]*)*(\.[a-z0-9]+)?$")


def image_type(data: bytes) -> tuple[str, str]:
    """(content type, extension) of a JPEG, PNG or WebP by its magic bytes; 400 otherwise."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg", "jpg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png", "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    raise InvalidInput(
        "只能上传 JPEG、PNG 或 WebP 格式的照片",
        "Only JPEG, PNG or WebP photos are accepted",
        code=ErrorCode.unsupported_image,
        details=[{"field": "body"}],
    )


def check_image(data: bytes, max_bytes: int = MAX_IMAGE_BYTES) -> tuple[str, str]:
    if not data:
        raise InvalidInput("照片为空", "The photo is empty", code=ErrorCode.empty_file, details=[{"field": "body"}])
    if len(data) > max_bytes:
        raise InvalidInput(
            f"照片不能超过 {max_bytes // (1024 * 1024)} MB",
            f"A photo may be at most {max_bytes} bytes",
            code=ErrorCode.file_too_large,
            details=[{"field": "body", "max_bytes": max_bytes, "bytes": len(data)}],
        )
    return image_type(data)


def _check_key(key: str) -> str:
    if not _KEY.fullmatch(key) or ".." in key:
        raise NotFound("文件不存在", "File not found", details={"key": key[:200]})
    return key


class StorageUnavailable(LinliError):
    status_code = 503
    code = ErrorCode.storage_unavailable


class ObjectStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes:
        """The file's bytes; NotFound when there is none."""
        ...

    async def delete(self, key: str) -> None: ...


@dataclass
class LocalStore:
    """Files under a folder (DATA_DIR/files in embedded mode)."""

    root: Path

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(path.suffix + ".part")
            partial.write_bytes(data)
            partial.replace(path)  # readers never see half a file

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise NotFound("文件不存在", "File not found", details={"key": key}) from None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sigv4_headers(
    *,
    method: str,
    url: str,
    headers: dict[str, str],
    payload_sha256: str,
    access_key_id: str,
    secret_access_key: str,
    region: str,
    now: datetime,
    service: str = "s3",
) -> dict[str, str]:
    """The headers to add for AWS Signature Version 4: x-amz-date, x-amz-content-sha256 and
    Authorization over every header given (lower-cased) plus host."""
    parts = urlsplit(url)
    amz_date = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    signed = {k.lower(): " ".join(v.strip().split()) for k, v in headers.items()}
    signed["host"] = parts.netloc
    signed["x-amz-date"] = amz_date
    signed["x-amz-content-sha256"] = payload_sha256
    names = sorted(signed)
    # The query as sent (already URL-encoded), its parameters sorted; a bare name gets "=".
    query = "&".join(sorted(p if "=" in p else p + "=" for p in parts.query.split("&") if p))
    canonical = "\n".join(
        [
            method.upper(),
            quote(parts.path or "/", safe="/-_.~"),
            query,
            "".join(f"{n}:{signed[n]}\n" for n in names),
            ";".join(names),
            payload_sha256,
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, _sha256(canonical.encode())])
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret_access_key}".encode(), day), region), service), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "x-amz-date": amz_date,
        "x-amz-content-sha256": payload_sha256,
        "Authorization": (
            f"AWS4-HMAC-SHA256 Credential={access_key_id}/{scope}, SignedHeaders={';'.join(names)}, "
            f"Signature={signature}"
        ),
    }


@dataclass
class S3Store:
    """An S3-compatible bucket over plain httpx, each request signed with SigV4."""

    endpoint: str
    bucket: str
    region: str
    access_key_id: str
    secret_access_key: str
    timeout_s: float = 20.0
    transport: httpx.AsyncBaseTransport | None = None

    def _url(self, key: str) -> str:
        return f"{self.endpoint.rstrip('/')}/{self.bucket}/{_check_key(key)}"

    async def _send(
        self, method: str, key: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> httpx.Response:
        url = self._url(key)
        given = dict(headers or {})
        signed = sigv4_headers(
            method=method,
            url=url,
            headers=given,
            payload_sha256=_sha256(body),
            access_key_id=self.access_key_id,
            secret_access_key=self.secret_access_key,
            region=self.region,
            # The real time, not the platform's clock: the store refuses a signature more than
            # 15 minutes off its own clock, and a rehearsal that moves the platform's clock must
            # still be able to upload photos.
            now=datetime.now(UTC),
        )
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s, transport=self.transport) as client:
                return await client.request(method, url, content=body or None, headers={**given, **signed})
        except httpx.HTTPError as exc:
            raise StorageUnavailable(
                "文件存储暂不可用，请稍后重试", f"File storage unavailable: {type(exc).__name__}"
            ) from None

    def _refused(self, answer: httpx.Response) -> StorageUnavailable:
        return StorageUnavailable("文件存储暂不可用，请稍后重试", f"File storage answered {answer.status_code}")

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        answer = await self._send("PUT", key, data, {"content-type": content_type})
        if answer.status_code >= 300:
            raise self._refused(answer)

    async def get(self, key: str) -> bytes:
        answer = await self._send("GET", key)
        if answer.status_code == 404:
            raise NotFound("文件不存在", "File not found", details={"key": key})
        if answer.status_code >= 300:
            raise self._refused(answer)
        return answer.content

    async def delete(self, key: str) -> None:
        answer = await self._send("DELETE", key)
        if answer.status_code >= 300 and answer.status_code != 404:
            raise self._refused(answer)


def store_from_settings(settings: Settings) -> ObjectStore:
    if settings.storage_backend == "s3":
        return S3Store(
            endpoint=settings.s3_endpoint,
            bucket=settings.s3_bucket,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key.get_secret_value(),
        )
    return LocalStore(settings.data_dir / "files")
