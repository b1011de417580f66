"""Every error code the code base can answer is in the catalogue (shared/error_codes.py), with
Chinese and English text, and each operation lists the codes it may answer in OpenAPI
(`x-error-codes`, and its 4xx responses' descriptions), so a client can discover
`already_rated` before it meets it.

The scan reads the source (AST): every `code=` given to an error, every `code = …` of an error
class, every `error_response(status, code, …)`."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from shared.error_codes import CATALOGUE, ErrorCode
from tests.contracts.openapi_surface import METHODS, combined_openapi

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("services", "shared", "linli")
# Modules allowed to write codes as strings: none (every raise site names an ErrorCode member).
STILL_INLINE: set[str] = set()


def raised_codes() -> list[tuple[str, int, ast.expr]]:
    """(file, line, the expression given as the code) for every place that names an error code."""
    found: list[tuple[str, int, ast.expr]] = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    for stmt in node.body:
                        if isinstance(stmt, ast.Assign):
                            targets, value = stmt.targets, stmt.value
                        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                            targets, value = [stmt.target], stmt.value
                        else:
                            continue
                        # A class's `code` naming a code (an ORM column called code is no error).
                        named = any(isinstance(t, ast.Name) and t.id == "code" for t in targets)
                        if named and code_of(value) is not None:
                            found.append((name, stmt.lineno, value))
                elif isinstance(node, ast.Call):
                    func = node.func
                    callee = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                    if callee == "error_response" and len(node.args) >= 2:
                        found.append((name, node.lineno, node.args[1]))
                    found.extend((name, node.lineno, kw.value) for kw in node.keywords if kw.arg == "code")
    return found


def code_of(expr: ast.expr) -> str | None:
    """The code an expression names: `ErrorCode.x` or "x"; None for a value computed at run time."""
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "ErrorCode":
        return expr.attr
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


# `code=` of things that are not errors (a category's code, a party organisation's code), and
# error_response's callers that pass on an error's own code.
NOT_ERROR_CODES = {"body.code", "row.code", "f['name']", "exc.code", "error.code", "refusal.code", "code", "c.code"}


def test_every_code_the_code_base_answers_is_in_the_catalogue() -> None:
    sites = raised_codes()
    named = [(f, line, code_of(e)) for f, line, e in sites if ast.unparse(e) not in NOT_ERROR_CODES]
    unknown = [f"{f}:{line} {code}" for f, line, code in named if code is None or code not in ErrorCode.__members__]
    assert unknown == []
    codes = {code for _, _, code in named}
    assert {"already_rated", "not_an_owner", "stale_version", "illegal_transition", "login_throttled"} <= codes
    # The catalogue holds no code nobody answers (the HTTP layer's own are raised by Starlette;
    # a helper may be handed a member to pass on as its `code`).
    http_layer = {"method_not_allowed", "unsupported_media_type", "http_error"}
    assert set(ErrorCode.__members__) - codes - members_named() - http_layer == set()


def members_named() -> set[str]:
    """Every `ErrorCode.x` written anywhere in the code base."""
    found: set[str] = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "error_codes.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "ErrorCode"
                ):
                    found.add(node.attr)
    return found


def test_a_helper_that_passes_on_a_code_takes_an_error_code_member() -> None:
    """`def refuse(code: str, …): return InvalidInput(…, code=code)` would let a caller hand it any
    string (a 500 when LinliError refuses it); typed `ErrorCode`, mypy checks every caller."""
    loose: list[str] = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                params = [a for a in node.args.args + node.args.kwonlyargs if a.arg == "code"]
                passes_on = any(
                    isinstance(call, ast.Call)
                    and any(
                        kw.arg == "code" and isinstance(kw.value, ast.Name) and kw.value.id == "code"
                        for kw in call.keywords
                    )
                    for call in ast.walk(node)
                )
                if passes_on and any(p.annotation is None or ast.unparse(p.annotation) != "ErrorCode" for p in params):
                    loose.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert loose == []


def test_codes_are_written_as_error_code_members_outside_the_modules_being_split() -> None:
    inline = [
        f"{f}:{line} {e.value!r}"
        for f, line, e in raised_codes()
        if isinstance(e, ast.Constant) and isinstance(e.value, str) and f not in STILL_INLINE
    ]
    assert inline == []


def test_the_catalogue_says_each_code_in_chinese_and_english_with_its_status() -> None:
    assert set(CATALOGUE) == set(ErrorCode)
    for code, text in CATALOGUE.items():
        assert 400 <= text.status < 600, code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text.message), code
        assert text.message_en, code
        assert text.message_en.isascii(), code
    # A StrEnum: the code compares equal to its string and renders as it in JSON.
    assert ErrorCode.stale_version == "stale_version"


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return combined_openapi(tmp_path_factory.mktemp("openapi"))


def test_each_operation_lists_its_error_codes_from_the_catalogue(doc: dict[str, Any]) -> None:
    services = [
        (p, m, item[m]) for p, item in doc["paths"].items() if p.startswith("/api/v1/") for m in METHODS if m in item
    ]
    for path, method, op in services:
        codes = op.get("x-error-codes")
        assert codes, f"{method} {path}"
        for code in map(ErrorCode, codes):
            answer = op["responses"].get(str(code.status))
            assert answer is not None, f"{method} {path} {code}"
            assert f"`{code}`" in answer["description"], f"{method} {path} {code}"
    rate = doc["paths"]["/api/v1/dispatch/orders/{order_id}/rate"]["post"]
    assert {"already_rated", "illegal_transition", "stale_version"} <= set(rate["x-error-codes"])
    refund = doc["paths"]["/api/v1/billing/payments/{payment_id}/refunds"]["post"]
    assert {"payment_reversed", "idempotency_key_required"} <= set(refund["x-error-codes"])
    assert "`idempotency_key_required`" in refund["responses"]["428"]["description"]
