"""One error shape for every service: the errors domain code raises (plain Python).

Body: {"error": {"code", "message" (zh-CN), "message_en", "details"}}. Every code is an
`ErrorCode` of the catalogue (shared/error_codes.py); a raise site says what happened in its own
words, or leaves the messages out and the catalogue's text is used.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from shared.error_codes import ErrorCode


class LinliError(Exception):
    """A domain or request error that knows its HTTP status and stable code."""

    status_code = 400
    code: ErrorCode = ErrorCode.bad_request

    def __init__(
        self,
        message: str | None = None,
        message_en: str | None = None,
        *,
        details: Any = None,
        code: ErrorCode | str | None = None,
        status_code: int | None = None,
    ) -> None:
        if code is not None:
            # A code outside the catalogue fails here, loudly, and in tests/unit's scan before.
            self.code = ErrorCode(code)
        self.message = message if message is not None else self.code.message
        self.message_en = message_en if message_en is not None else self.code.message_en
        super().__init__(self.message_en)
        self.details = details
        if status_code is not None:
            self.status_code = status_code


class NotFound(LinliError):
    status_code = 404
    code = ErrorCode.not_found


class Conflict(LinliError):
    status_code = 409
    code = ErrorCode.conflict


class Unauthorized(LinliError):
    status_code = 401
    code = ErrorCode.unauthorized


class Forbidden(LinliError):
    status_code = 403
    code = ErrorCode.forbidden


class InvalidInput(LinliError):
    status_code = 422
    code = ErrorCode.validation_error


class ErrorDetail(BaseModel):
    code: str
    message: str
    message_en: str
    details: Any = None


class ErrorBody(BaseModel):
    """The error body every Linli service returns."""

    error: ErrorDetail
