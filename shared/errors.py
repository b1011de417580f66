"""One error shape for every service: the errors domain code raises (plain Python).

Body: {"error": {"code", "message" (zh-CN), "message_en", "details"}}.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class LinliError(Exception):
    """A domain or request error that knows its HTTP status and stable code."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        message_en: str,
        *,
        details: Any = None,
        code: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en
        self.details = details
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code


class NotFound(LinliError):
    status_code = 404
    code = "not_found"


class Conflict(LinliError):
    status_code = 409
    code = "conflict"


class Unauthorized(LinliError):
    status_code = 401
    code = "unauthorized"


class Forbidden(LinliError):
    status_code = 403
    code = "forbidden"


class InvalidInput(LinliError):
    status_code = 422
    code = "validation_error"


class ErrorDetail(BaseModel):
    code: str
    message: str
    message_en: str
    details: Any = None


class ErrorBody(BaseModel):
    """The error body every Linli service returns."""

    error: ErrorDetail
