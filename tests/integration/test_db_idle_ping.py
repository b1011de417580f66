"""A pooled PostgreSQL connection is pinged before it is handed out only when it has lain idle
(shared/db.py, `_ping_when_idle`): one used a moment ago goes straight to work, one that lay
idle and whose server side is gone is replaced, and the request on it still succeeds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared import db
from tests.integration.conftest import PG_HOST, PG_PORT, PG_USER, PgDatabases

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine(pg: PgDatabases) -> AsyncIterator[AsyncEngine]:
    engine = db.make_engine(f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres", pool_size=1)
    yield engine
    await engine.dispose()


def statements_of(engine: AsyncEngine) -> list[str]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    return seen


async def backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(text("SELECT pg_backend_pid()")) or 0)


async def test_a_connection_used_a_moment_ago_is_not_pinged(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await backend_pid(engine)
    pings: list[Any] = []
    dialect = engine.sync_engine.dialect
    original = dialect.do_ping

    def counted(conn: Any) -> bool:
        pings.append(conn)
        return original(conn)

    monkeypatch.setattr(dialect, "do_ping", counted)
    assert await backend_pid(engine) == first  # the same connection, no ping
    assert pings == []
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # every checked-in connection counts as idle
    assert await backend_pid(engine) == first  # idle: pinged, still good, kept
    assert len(pings) == 1


async def test_an_idle_connection_whose_server_side_is_gone_is_replaced(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await backend_pid(engine)
    other = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
    try:  # as a database restart would: the pooled connection's server side ends
        assert await other.fetchval("SELECT pg_terminate_backend($1)", first)
    finally:
        await other.close()
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    seen = statements_of(engine)
    second = await backend_pid(engine)
    assert second != first
    assert seen == ["SELECT pg_backend_pid()"]
