"""The few statements whose spelling differs between PostgreSQL and SQLite."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def insert_ignoring_duplicates(
    session: AsyncSession, table: Table, values: dict[str, Any] | list[dict[str, Any]], keys: list[str]
) -> int:
    """INSERT … ON CONFLICT (keys) DO NOTHING; returns how many rows were new."""
    insert = pg_insert if is_postgres(session) else sqlite_insert
    result = await session.execute(insert(table).values(values).on_conflict_do_nothing(index_elements=keys))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
