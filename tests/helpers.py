"""The suite's one set of answer checkers, for every kind of test (API, integration, e2e,
browser): `ok()` for a success and `refused()` for the one error shape. Story builders that need
a platform live in tests/api/<service>/builders.py; nothing here imports a test module.

Also `until()`, the one wait for something that happens elsewhere (events crossing services, a
process opening its port, a build beside pytest), and `unavailable()`: what a test does when
something it needs (PostgreSQL, the broker binary, Chromium) is missing: skip on a developer's
machine, fail in CI (`CI` set, as CI runs .ci/run), so a green CI run never hides an untested layer."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, NoReturn

import httpx
import pytest

ERROR_FIELDS = {"code", "message", "message_en", "details"}

# The tests' own calls to a platform they started (127.0.0.1, plain HTTP) share one client:
# httpx.get() builds a client per call, and with it a TLS context (40 ms of CPU loading the CA
# bundle), and the readiness and `until` polls make thousands of such calls a run. The platform
# sets no cookie, so calls through it share only connections. Timeouts as httpx.get's (5 s).
LOCAL = httpx.Client()


def ok(answer: httpx.Response, status: int = 200) -> Any:
    """The answer's JSON, once its status is `status` (the body is shown when it is not)."""
    assert answer.status_code == status, answer.text
    return answer.json()


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def error_shape(body: Any, code: str | None = None, *, ascii_english: bool = False) -> dict[str, Any]:
    """The one error body (shared/errors.py): {"error": {code, message, message_en, details}},
    the message Chinese first and English beside it; returns the inner error. (The English may
    echo what the caller sent: `ascii_english` where it cannot.)"""
    assert isinstance(body, dict)
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict)
    assert set(error) == ERROR_FIELDS, error
    assert isinstance(error["code"], str)
    assert error["code"]
    if code is not None:
        assert error["code"] == code, error
    assert has_chinese(str(error["message"])), "message should be Chinese first: " + str(error["message"])
    assert error["message_en"], error
    if ascii_english:
        assert str(error["message_en"]).isascii(), error["message_en"]
    return error


def refused(answer: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The answer is a `status` error in the one shape (with `code` when given); the inner error."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json"), answer.headers["content-type"]
    return error_shape(answer.json(), code)


# The names the test modules used before the checkers were one set (kept for tests in flight).
error = refused
assert_error = refused


def unavailable(reason: str) -> NoReturn:
    """Skip for want of `reason` on a developer's machine; fail under CI (`CI` set)."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{reason} (CI is set: a missing dependency fails the run rather than skipping)")
    pytest.skip(reason)


def until(probe: Callable[[], Any], what: str, within_s: float = 60) -> Any:
    """Events travel between services: poll (briefly) until the probe answers something truthy."""
    deadline = time.monotonic() + within_s
    while not (result := probe()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not in {within_s}s: {what}")
        time.sleep(0.2)
    return result
