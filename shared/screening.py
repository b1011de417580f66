"""Refusing hostile input before it reaches a service's code or its database, the same way in
every service: values that no Linli field can hold (integers beyond 64 bits, NaN and infinities,
NUL and other control characters, lone surrogates) get a 422 naming the field, headers that are
not ASCII a 400, an over-long URL a 414. PostgreSQL refuses NUL in text and integers beyond
BIGINT, SQLite the same integers and UTF-8 it cannot encode: without this screen each would
surface as a 500 deep in a repository."""

from __future__ import annotations

import json
import math
import re
import types
import typing
from collections.abc import Iterator, Sequence
from typing import Any

from shared.error_codes import ErrorCode
from shared.errors import InvalidInput, LinliError

# The widest integer a BIGINT column (and SQLite's INTEGER) holds.
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
# Request line budget: path plus query string. Browsers and proxies stop near 8 KB too.
MAX_URL_BYTES = 8192

# C0 controls except tab, line feed and carriage return (which text fields legitimately hold),
# DEL, and lone UTF-16 surrogates (which no UTF-8 encoder accepts).
_BAD_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Path segments and query values are single-line: there tab and line breaks are refused too.
_BAD_LINE_CHAR = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


class HeaderInvalid(LinliError):
    status_code = 400
    code = ErrorCode.header_invalid


class UrlTooLong(LinliError):
    status_code = 414
    code = ErrorCode.uri_too_long


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def _field_error(field: str, kind: str, zh: str, en: str, value: Any) -> InvalidInput:
    # The value as the caller can read it back: JSON has no NaN or infinity, and UTF-8 no
    # lone surrogate.
    text = str(value)
    shown: Any
    if isinstance(value, int) and not isinstance(value, bool):
        shown = value if len(text) <= 60 else text[:60] + "…"
    elif isinstance(value, float) and math.isfinite(value):
        shown = value
    else:
        shown = text.encode("utf-8", "backslashreplace").decode()[:200]
    detail = {"field": field, "type": kind, "message": f"{field}: {zh}", "message_en": f"{field}: {en}", "value": shown}
    return InvalidInput(f"请求参数有误：{field}: {zh}", f"Invalid request: {field}: {en}", details=[detail])


def check_text(field: str, value: str, *, single_line: bool = False) -> None:
    """422 if `value` holds a character no Linli text field stores."""
    found = (_BAD_LINE_CHAR if single_line else _BAD_CHAR).search(value)
    if found is None:
        return
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        raise _field_error(
            field,
            "surrogate_forbidden",
            "含有不成对的代理字符（无效的 Unicode）",
            "lone surrogate (invalid Unicode)",
            value,
        )
    raise _field_error(
        field,
        "control_character_forbidden",
        f"不能包含控制字符 {_describe(char)}",
        f"control character {_describe(char)} is not allowed",
        value,
    )


def check_int(field: str, value: int) -> None:
    """422 if `value` does not fit a 64-bit integer column."""
    if not INT_MIN <= value <= INT_MAX:
        raise _field_error(
            field,
            "int_out_of_range",
            f"整数超出范围（须在 {INT_MIN} 与 {INT_MAX} 之间）",
            f"integer out of range (must be between {INT_MIN} and {INT_MAX})",
            value,
        )


def check_float(field: str, value: float) -> None:
    if not math.isfinite(value):
        raise _field_error(
            field,
            "finite_number",
            "必须是有限的数字（不接受 NaN、Infinity 或溢出的数）",
            "must be a finite number",
            value,
        )


def _walk(path: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", key
            yield from _walk(f"{path}.{key}", item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(f"{path}.{index}", item)
    else:
        yield path, value


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def parse_json_body(body: bytes) -> Any:
    """The JSON document in `body`, screened: 422 for NaN/Infinity literals, numbers that
    overflow, integers beyond 64 bits and strings (or keys) with forbidden characters. Bodies that
    are not JSON are left to FastAPI's own validation (None is returned)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        if str(exc) in ("NaN", "Infinity", "-Infinity"):
            raise _field_error(
                "body",
                "finite_number",
                "必须是有限的数字（不接受 NaN、Infinity 或溢出的数）",
                "must be a finite number",
                str(exc),
            ) from None
        return None
    screen_document("body", document)
    return document


def screen_document(root: str, document: Any) -> None:
    for field, value in _walk(root, document):
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            check_int(field, value)
        elif isinstance(value, float):
            check_float(field, value)
        elif isinstance(value, str):
            check_text(field, value)


def _int_typed(annotation: Any) -> bool:
    """True for int, int | None, list[int] and the like (the parameters an int can overflow)."""
    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _int_typed(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, set, tuple, Sequence, frozenset):
        return any(_int_typed(arg) for arg in typing.get_args(annotation))
    return False


def screen_parameters(
    values: dict[str, list[str]], int_params: set[str], location: str, *, single_line: bool = True
) -> None:
    """422 for a path or query value that is an integer beyond 64 bits where an integer is
    expected, or that holds a control character or a lone surrogate."""
    for name, items in values.items():
        for item in items:
            check_text(f"{location}.{name}", item, single_line=single_line)
            if name in int_params and len(item) > 18:
                try:
                    number = int(item)
                except ValueError:
                    continue  # not an integer at all: FastAPI's validation says so
                check_int(f"{location}.{name}", number)


def int_parameter_names(params: Sequence[Any]) -> set[str]:
    """The aliases of FastAPI ModelFields typed as integers."""
    return {p.alias for p in params if _int_typed(p.field_info.annotation)}
