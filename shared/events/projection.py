"""The set-based projection idiom: a run of events becomes one statement, not one per event.

A batch handler (`EventHandlers.on_batch`) gets the new events of its types in order. It turns
each into the row it describes, keeps the newest version of each key (`newest`), and writes them
all with `upsert_newest`: one multi-row `INSERT … ON CONFLICT (key) DO UPDATE … WHERE the held
version is older` on PostgreSQL and SQLite alike. Versions only move forward, so a redelivered
or late event changes nothing, and the result does not depend on how events fell into batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

Row = dict[str, Any]


def newest(rows: Iterable[Row], key: str, version: str = "version") -> list[Row]:
    """One row per key: the highest version, the later row when two carry the same version (a
    removal carries the version it removed, and comes after)."""
    kept: dict[Any, Row] = {}
    for row in rows:
        held = kept.get(row[key])
        if held is None or row[version] >= held[version]:
            kept[row[key]] = row
    return list(kept.values())


Condition = Callable[[Table, Any], ColumnElement[bool]]
"""(the table, the statement's `excluded` row) -> when a held row is replaced."""


def older(version: str = "version") -> Condition:
    """Replace a held row only with a newer version (the default)."""
    return lambda table, excluded: table.c[version] < excluded[version]


def not_newer(version: str = "version") -> Condition:
    """Replace a held row with a newer or the same version."""
    return lambda table, excluded: table.c[version] <= excluded[version]


async def upsert_newest(
    session: AsyncSession,
    table: Table,
    key: str | Sequence[str],
    rows: Sequence[Row],
    *,
    replace_when: Condition | None = None,
) -> None:
    """Insert the rows, replacing a held row with the same key when `replace_when` says so
    (by default: when the held version is older). The rows must have one per key (`newest`)
    and the same columns."""
    if not rows:
        return
    keys = [key] if isinstance(key, str) else list(key)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    condition = replace_when or older()
    columns = list(rows[0])
    statement = insert(table)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={c: excluded[c] for c in columns if c not in keys},
        where=condition(table, excluded),
    )
    # One statement, compiled once and cached, executed for many rows: SQLAlchemy sends it as
    # multi-row VALUES ("insertmanyvalues") where the driver allows, else executemany.
    await session.execute(statement, list(rows))
