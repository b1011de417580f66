"""Workbooks (.xlsx) as HTTP answers: one media type, one Content-Disposition and one OpenAPI
description for every export of the four services, so a Chinese file name reaches the browser
intact (RFC 6266 / 5987) whichever service wrote the sheet."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# For a route's `responses=`: the 200 answer is a workbook, not JSON.
XLSX_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"content": {XLSX: {}}}}


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987)."""
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    if ascii_name.startswith("."):
        ascii_name = "export" + ascii_name
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def xlsx_response(content: bytes, filename: str) -> Response:
    return Response(content=content, media_type=XLSX, headers={"Content-Disposition": content_disposition(filename)})
