"""A month's red and black lists, for party members (points) and households (credit) alike:
computed live from the month's entries until the compound's staff publish them (上榜公示), then
fixed as published. A month is published once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.auth import Principal
from shared.db import UTCDateTime
from shared.errors import Conflict

Lines = list[dict[str, Any]]
# Computes the month's lists from its entries now: (red list, black list), each line a dict.
LiveLists = Callable[[], Awaitable[tuple[Lines, Lines]]]


class PublishedMonthColumns:
    """The columns of a published month's lists (a mixin of the two tables)."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("compound_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    compound_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(7))
    honor_roll: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    warning_list: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    published_by_person_id: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class MonthLists:
    honor_roll: Lines
    warning_list: Lines
    published_at: datetime | None

    @property
    def published(self) -> bool:
        return self.published_at is not None


async def month_lists(
    session: AsyncSession, table: type[PublishedMonthColumns], compound_id: int, period: str, live: LiveLists
) -> MonthLists:
    """The published lists of the month if there are any, else computed now (unpublished)."""
    row = await session.scalar(select(table).where(table.compound_id == compound_id, table.period == period))
    if row is not None:
        return MonthLists(row.honor_roll, row.warning_list, row.published_at)
    honor, warning = await live()
    return MonthLists(honor, warning, None)


async def publish_month(
    session: AsyncSession,
    table: type[PublishedMonthColumns],
    compound_id: int,
    period: str,
    live: LiveLists,
    principal: Principal,
    now: datetime,
    already: Conflict,
) -> MonthLists:
    """Fix the month's lists as they stand now; `already` is raised if it was published before.
    The caller announces them (its own event) in the same transaction."""
    current = await month_lists(session, table, compound_id, period, live)
    if current.published:
        raise already
    row = table()
    row.compound_id, row.period, row.published_by_person_id, row.published_at = (
        compound_id,
        period,
        principal.person_id,
        now,
    )
    row.honor_roll, row.warning_list = current.honor_roll, current.warning_list
    session.add(row)
    await session.flush()
    return MonthLists(current.honor_roll, current.warning_list, now)
