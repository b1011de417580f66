"""Each log line names its service: `linli run` serves five apps in one process, and a line that
says "linli" does not tell an operator which of them wrote it."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import httpx
from fastapi import FastAPI

from shared.http import RequestContextMiddleware
from shared.observability import JsonFormatter, Metrics, ServiceFilter, logging_as


def _capture(default: str = "linli") -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(ServiceFilter(default))
    handler.setFormatter(JsonFormatter(default))
    logger = logging.getLogger("tests.log_service")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, out


def _services(out: io.StringIO) -> list[str]:
    return [json.loads(line)["service"] for line in out.getvalue().splitlines()]


async def test_lines_name_the_service_in_scope_and_tasks_started_in_it_keep_the_name() -> None:
    logger, out = _capture()
    logger.info("before")

    async def ticker() -> None:
        await asyncio.sleep(0)
        logger.info("tick")

    with logging_as("billing"):
        logger.info("starting")
        task = asyncio.create_task(ticker())
    logger.info("after")
    await task

    assert _services(out) == ["linli", "billing", "linli", "billing"]


def test_a_line_from_a_service_module_names_that_service_when_none_is_in_scope() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(ServiceFilter("linli"))
    handler.setFormatter(JsonFormatter("linli"))
    for name in ("services.dispatch.sla.tickers", "linli.billing.payments", "linli.embedded"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
        logger.warning("a line")
    assert _services(out) == ["dispatch", "billing", "linli"]


async def test_a_request_logs_as_the_app_that_serves_it() -> None:
    logger, out = _capture()
    app = FastAPI()
    app.add_middleware(
        RequestContextMiddleware, metrics=Metrics("deliberation"), max_body_bytes=1024, max_upload_bytes=1024
    )

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        logger.info("pinged")
        return {"ok": "yes"}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as client:
        assert (await client.get("/ping")).json() == {"ok": "yes"}
    logger.info("outside")

    assert _services(out) == ["deliberation", "linli"]
