"""Optimistic locking, one way: every versioned record carries `version`; a change names the
version its author read, and a change based on another version is refused with the one
`stale_version` refusal (409) raised here and nowhere else.

Three calls, for the three ways a change reaches the database:
- `check_version(...)`: the use case compares what it read with what the caller saw, before it
  writes anything;
- `flush_versioned(...)`: ORM rows with the `Versioned` mixin (`shared/db.py`) are written with
  `UPDATE … WHERE version = :read`; a row someone else changed in between is refused;
- `update_versioned(...)`: a Core `UPDATE` of a table, guarded by the version read, that bumps it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import ColumnElement

from shared.error_codes import ErrorCode
from shared.errors import Conflict


def stale_version(
    what_zh: str, what_en: str, current: int | None = None, seen: int | None = None, **details: Any
) -> Conflict:
    """The refusal: `what` names the record ("账单" / "The bill"); `current` and `seen`, when
    known, go into the message and the details beside any `details` the caller adds."""
    versions = current is not None and seen is not None
    return Conflict(
        f"{what_zh}已被他人修改"
        + (f"（当前版本 {current}，你提交的是 {seen}）" if versions else "")
        + "，请刷新后重试",
        f"{what_en} was changed meanwhile"
        + (f" (current version {current}, the request was based on {seen})" if versions else "")
        + ": reload and retry",
        code=ErrorCode.stale_version,
        details=({"current_version": current, "your_version": seen} if versions else {}) | details,
    )


def check_version(what_zh: str, what_en: str, current: int, seen: int | None, **details: Any) -> None:
    """Refuse a change based on a version other than `current`; `seen` None: the caller did not
    say which version it read (an optional field), and nothing is checked."""
    if seen is not None and seen != current:
        raise stale_version(what_zh, what_en, current, seen, **details)


async def flush_versioned(
    session: AsyncSession, what_zh: str, what_en: str, current: int | None = None, seen: int | None = None
) -> None:
    """Flush `Versioned` rows; one another request changed after this one read it is refused."""
    try:
        await session.flush()
    except StaleDataError:
        raise stale_version(what_zh, what_en, current, seen) from None


async def update_versioned(
    session: AsyncSession,
    table: Table | type[Any],
    where: ColumnElement[bool],
    seen: int,
    values: dict[str, Any],
    what_zh: str,
    what_en: str,
    **details: Any,
) -> None:
    """`UPDATE table SET values, version = version + 1 WHERE where AND version = seen` (a Core
    table or a mapped class): no row (someone changed it, or `where` no longer holds) is stale."""
    version = table.c.version if isinstance(table, Table) else table.version
    result = await session.execute(
        update(table)
        .where(where, version == seen)
        .values({**values, "version": version + 1})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise stale_version(what_zh, what_en, seen=seen, **details)
