"""The file store behind photos on orders: the type is read from the bytes, not the name; the
local store keeps files under a folder and refuses keys that would leave it; the S3 store signs
each request with AWS Signature Version 4, checked against AWS's published example and against a
tiny S3 stand-in that verifies every signature itself and refuses a wrong one."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote

import pytest

from shared.errors import InvalidInput, NotFound
from shared.storage import LocalStore, S3Store, StorageUnavailable, check_image, sigv4_headers

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 60
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 60


def test_the_type_is_read_from_the_first_bytes() -> None:
    assert check_image(JPEG) == ("image/jpeg", "jpg")
    assert check_image(PNG) == ("image/png", "png")
    assert check_image(WEBP) == ("image/webp", "webp")
    for bad in (b"GIF89a" + b"\x00" * 10, b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"%PDF-1.7"):
        with pytest.raises(InvalidInput) as refused:
            check_image(bad)
        assert refused.value.message == "只能上传 JPEG、PNG 或 WebP 格式的照片"
    with pytest.raises(InvalidInput) as too_big:
        check_image(JPEG + b"\x00" * 100, max_bytes=100)
    assert too_big.value.code == "file_too_large"
    with pytest.raises(InvalidInput):
        check_image(b"")


async def test_the_local_store_keeps_files_under_its_folder(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "files")
    await store.put("orders/o1/a.jpg", JPEG, "image/jpeg")
    assert (tmp_path / "files" / "orders" / "o1" / "a.jpg").read_bytes() == JPEG
    assert await store.get("orders/o1/a.jpg") == JPEG
    await store.delete("orders/o1/a.jpg")
    with pytest.raises(NotFound):
        await store.get("orders/o1/a.jpg")
    for escape in ("../secret", "orders/../../etc/passwd", "/etc/passwd", "orders//x"):
        with pytest.raises(NotFound):
            await store.get(escape)


def test_sigv4_matches_the_aws_example() -> None:
    # "GET Object" of the S3 API reference, Signature Version 4 examples.
    headers = sigv4_headers(
        method="GET",
        url="https://examplebucket.s3.amazonaws.com/test.txt",
        headers={"Range": "bytes=0-9"},
        payload_sha256=hashlib.sha256(b"").hexdigest(),
        access_key_id="AKIAIOSFODNN7EXAMPLE",
        secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region="us-east-1",
        now=datetime(2013, 5, 24, tzinfo=UTC),
    )
    assert headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


# --- a tiny S3 stand-in that checks each signature with its own code -------------------------

SECRET = "stand-in-secret"


def _expected_signature(method: str, path: str, headers: dict[str, str], signed: list[str], amz_date: str) -> str:
    canonical = "\n".join(
        [
            method,
            quote(path, safe="/-_.~"),
            "",
            "".join(f"{n}:{headers[n].strip()}\n" for n in signed),
            ";".join(signed),
            headers["x-amz-content-sha256"],
        ]
    )
    day = amz_date[:8]
    scope = f"{day}/cn-north-1/s3/aws4_request"
    text = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = f"AWS4{SECRET}".encode()
    for part in (day, "cn-north-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


class StandIn(BaseHTTPRequestHandler):
    objects: ClassVar[dict[str, tuple[bytes, str]]] = {}

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def _verified(self, body: bytes) -> bool:
        headers = {k.lower(): v for k, v in self.headers.items()}
        auth = headers.get("authorization", "")
        fields = dict(part.strip().split("=", 1) for part in auth.removeprefix("AWS4-HMAC-SHA256 ").split(","))
        signed = fields.get("SignedHeaders", "").split(";")
        if "host" not in signed or hashlib.sha256(body).hexdigest() != headers.get("x-amz-content-sha256"):
            return False
        expected = _expected_signature(self.command, self.path, headers, signed, headers.get("x-amz-date", ""))
        return hmac.compare_digest(expected, fields.get("Signature", ""))

    def _answer(self, status: int, body: bytes = b"", content_type: str = "application/xml") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not self._verified(body):
            return self._answer(403, b"<Error><Code>SignatureDoesNotMatch</Code></Error>")
        self.objects[self.path] = (body, self.headers.get("Content-Type", ""))
        self._answer(200)

    def do_GET(self) -> None:
        if not self._verified(b""):
            return self._answer(403, b"<Error><Code>SignatureDoesNotMatch</Code></Error>")
        if self.path not in self.objects:
            return self._answer(404, b"<Error><Code>NoSuchKey</Code></Error>")
        data, content_type = self.objects[self.path]
        self._answer(200, data, content_type)

    def do_DELETE(self) -> None:
        if not self._verified(b""):
            return self._answer(403)
        self.objects.pop(self.path, None)
        self._answer(204)


@pytest.fixture
def stand_in() -> Iterator[str]:
    StandIn.objects = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def s3(endpoint: str, secret: str = SECRET) -> S3Store:
    return S3Store(
        endpoint=endpoint, bucket="linli-files", region="cn-north-1", access_key_id="AK", secret_access_key=secret
    )


async def test_the_s3_store_signs_what_it_sends(stand_in: str) -> None:
    store = s3(stand_in)
    await store.put("orders/o1/leak.jpg", JPEG, "image/jpeg")
    assert StandIn.objects["/linli-files/orders/o1/leak.jpg"] == (JPEG, "image/jpeg")
    assert await store.get("orders/o1/leak.jpg") == JPEG
    await store.delete("orders/o1/leak.jpg")
    with pytest.raises(NotFound):
        await store.get("orders/o1/leak.jpg")


async def test_a_wrong_secret_is_refused_and_said_plainly(stand_in: str) -> None:
    with pytest.raises(StorageUnavailable) as refused:
        await s3(stand_in, secret="wrong").put("orders/o1/leak.jpg", JPEG, "image/jpeg")
    assert refused.value.status_code == 503
    assert refused.value.message == "文件存储暂不可用，请稍后重试"
    assert StandIn.objects == {}
    with pytest.raises(StorageUnavailable):
        await s3("http://127.0.0.1:9").get("orders/o1/leak.jpg")
