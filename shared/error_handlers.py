"""Rendering every error in the one shape (FastAPI side of shared/errors.py)."""

from __future__ import annotations

import logging
import math
from decimal import InvalidOperation
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.error_codes import ErrorCode
from shared.errors import ErrorBody, LinliError

log = logging.getLogger("linli.errors")


def error_response(
    status: int,
    code: ErrorCode,
    message: str,
    message_en: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "message_en": message_en, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers)


# Pydantic error types that users trigger, in Chinese. Unknown types fall back to a generic line.
_ZH_BY_TYPE = {
    "missing": "缺少必填字段",
    "json_invalid": "请求体不是合法的 JSON",
    "json_type": "请求体必须是 JSON 对象",
    "model_attributes_type": "请求体必须是 JSON 对象",
    "dict_type": "必须是 JSON 对象",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "int_from_float": "必须是整数",
    "float_parsing": "必须是数字",
    "decimal_parsing": "必须是数字",
    "string_type": "必须是字符串",
    "bool_parsing": "必须是布尔值",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "string_too_short": "字符串太短",
    "string_too_long": "字符串太长",
    "greater_than": "数值太小",
    "greater_than_equal": "数值太小",
    "less_than": "数值太大",
    "less_than_equal": "数值太大",
    "extra_forbidden": "不允许的字段",
    "string_pattern_mismatch": "格式不正确",
    "value_error": "取值不正确",
    "uuid_parsing": "必须是 UUID",
    "date_parsing": "必须是日期 (YYYY-MM-DD)",
    "datetime_parsing": "必须是日期时间 (ISO 8601)",
}


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        field = ".".join(loc)
        zh = _ZH_BY_TYPE.get(err.get("type", ""), "取值不正确")
        item: dict[str, Any] = {
            "field": field,
            "type": err.get("type"),
            "message": f"{field}: {zh}",
            "message_en": f"{field}: {err.get('msg')}",
        }
        if "input" in err and err.get("type") != "missing":
            value = err["input"]
            plain = isinstance(value, (str, int, bool)) or value is None
            if isinstance(value, float):
                plain = math.isfinite(value)  # JSON has no NaN or infinity
            item["value"] = value if plain else str(value)[:200]
        out.append(item)
    return out


async def _on_linli_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LinliError)
    return error_response(exc.status_code, exc.code, exc.message, exc.message_en, exc.details)


async def _on_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = _field_errors(exc)
    first = fields[0] if fields else {"message": "请求不合法", "message_en": "invalid request"}
    return error_response(
        422,
        ErrorCode.validation_error,
        f"请求参数有误：{first['message']}",
        f"Invalid request: {first['message_en']}",
        fields,
    )


_HTTP_ZH = {
    400: (ErrorCode.bad_request, "请求不合法", "Bad request"),
    401: (ErrorCode.unauthorized, "未登录或令牌无效", "Not authenticated"),
    403: (ErrorCode.forbidden, "无权执行此操作", "Forbidden"),
    404: (ErrorCode.not_found, "资源不存在", "Not found"),
    405: (ErrorCode.method_not_allowed, "不支持该请求方法", "Method not allowed"),
    413: (ErrorCode.payload_too_large, "请求体过大", "Request body too large"),
    414: (ErrorCode.uri_too_long, "请求地址过长", "URI too long"),
    415: (ErrorCode.unsupported_media_type, "不支持的内容类型", "Unsupported media type"),
    429: (ErrorCode.rate_limited, "请求过于频繁，请稍后再试", "Too many requests"),
}


async def _on_http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, zh, en = _HTTP_ZH.get(exc.status_code, (ErrorCode.http_error, "请求失败", "Request failed"))
    return error_response(
        exc.status_code,
        code,
        zh,
        f"{en}: {exc.detail}" if exc.detail else en,
        headers=dict(exc.headers) if exc.headers else None,
    )


# What a database driver raises for a value its column cannot hold (an integer beyond BIGINT, a
# decimal beyond the column's precision, NUL in text on PostgreSQL, a lone surrogate): the
# request's values were wrong, so 422. shared/screening.py refuses most of these up front, naming
# the field; this is the net under it.
_VALUE_ERRORS: tuple[type[BaseException], ...] = (OverflowError, UnicodeEncodeError, InvalidOperation, DataError)


def _value_error_of(exc: BaseException) -> BaseException | None:
    if isinstance(exc, _VALUE_ERRORS):
        return exc
    if isinstance(exc, StatementError) and isinstance(exc.orig, _VALUE_ERRORS):
        return exc.orig
    return None


async def _on_statement_error(request: Request, exc: Exception) -> JSONResponse:
    cause = _value_error_of(exc)
    if cause is None:
        return await _on_unexpected(request, exc)
    log.warning("value refused by the database on %s %s: %r", request.method, request.url.path, cause)
    return error_response(
        422,
        ErrorCode.value_out_of_range,
        "请求参数有误：某个取值超出了可保存的范围或含有无法保存的字符",
        "Invalid request: a value is out of range or holds characters that cannot be stored",
        {"reason": type(cause).__name__},
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(
        500, ErrorCode.internal_error, "服务器内部错误，请稍后重试", "Internal server error; please retry later"
    )


def install_error_handlers(app: FastAPI) -> None:
    """Render every error an app can raise in the one shape."""
    app.add_exception_handler(LinliError, _on_linli_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    for kind in (*_VALUE_ERRORS, StatementError):
        app.add_exception_handler(kind, _on_statement_error)
    app.add_exception_handler(Exception, _on_unexpected)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": zh}
    for status, (_, zh, _en) in _HTTP_ZH.items()
    if status in (400, 401, 403, 404, 413, 414, 429)
}
ERROR_RESPONSES[409] = {"model": ErrorBody, "description": "状态冲突或版本过期 (conflict or stale version)"}
ERROR_RESPONSES[422] = {"model": ErrorBody, "description": "请求参数有误 (validation error)"}
