"""What every service's figures for the governance dashboard (治理看板) have in common: a place
named by its level and id, the compounds that lie in it (from the service's own compound
projection), and a period of whole days in the compound's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import Depends, Query
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Place
from shared.clock import Today
from shared.errors import InvalidInput, NotFound

Level = Literal["street", "community", "grid", "compound"]
LEVEL_LABEL: dict[str, str] = {"street": "街道", "community": "社区", "grid": "网格", "compound": "小区"}
MAX_DAYS = 366
DEFAULT_DAYS = 365


@dataclass(frozen=True)
class Area:
    """A place with the places above it (for the authorisation check) and its compounds."""

    place: Place
    compound_ids: list[int]


def period(today: date, date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The period asked for; by default the year up to today. 422 when it runs backwards or spans
    more than a year and a day."""
    end = date_to or today
    start = date_from or end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start or (end - start).days >= MAX_DAYS:
        raise InvalidInput(
            f"统计区间须为 1–{MAX_DAYS} 天且起始不晚于结束",
            f"The period must run forward and span at most {MAX_DAYS} days",
            details=[{"field": "date_to", "value": end.isoformat()}],
        )
    return start, end


@dataclass(frozen=True)
class FiguresAsked:
    """What a figures route is asked for: a place by level and id, and a period of whole days."""

    level: Level
    place_id: int
    start: date
    end: date


def _figures_asked(
    today: Today,
    level: Level,
    place_id: Annotated[int, Query(gt=0)],
    date_from: date | None = None,
    date_to: date | None = None,
) -> FiguresAsked:
    start, end = period(today, date_from, date_to)
    return FiguresAsked(level, place_id, start, end)


# The query every service's /figures takes (level, place_id, date_from, date_to), read once.
Asked = Annotated[FiguresAsked, Depends(_figures_asked)]


async def area_of(session: AsyncSession, compounds: Table, level: Level, place_id: int) -> Area:
    """The place and the compounds in it, as `compounds` (a service's compound projection) knows
    them; 404 when no compound of the place has reached the service."""
    column = {
        "street": compounds.c.street_id,
        "community": compounds.c.community_id,
        "grid": compounds.c.grid_id,
        "compound": compounds.c.compound_id,
    }[level]
    rows = (
        await session.execute(
            select(compounds.c.compound_id, compounds.c.street_id, compounds.c.community_id, compounds.c.grid_id).where(
                column == place_id
            )
        )
    ).all()
    if not rows:
        raise NotFound(
            f"{LEVEL_LABEL[level]} {place_id} 不存在（或尚未同步到本服务）",
            f"{level} {place_id} is not known here (yet)",
            details={"field": "place_id", "value": place_id},
        )
    first = rows[0]
    if level == "street":
        place = Place(street_id=place_id)
    elif level == "community":
        place = Place(street_id=first.street_id, community_id=place_id)
    elif level == "grid":
        place = Place(street_id=first.street_id, community_id=first.community_id, grid_id=place_id)
    else:
        place = Place(
            street_id=first.street_id, community_id=first.community_id, grid_id=first.grid_id, compound_id=place_id
        )
    return Area(place, sorted(int(r.compound_id) for r in rows))
